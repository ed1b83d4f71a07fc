using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Server.Pipeline;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>The authorizer as the pipeline hands it the rules it looked up.</summary>
public sealed class AuthorizerTests
{
    [Fact]
    public async Task Authorize_Throws_WhenHandedAnotherBucketsRules()
    {
        await using var server = await TestServer.StartAsync();
        var mine = TestServer.BucketName("mine");
        var other = TestServer.BucketName("other");
        (await server.CreateBucketAsync(mine)).EnsureSuccessStatusCode();
        (await server.CreateBucketAsync(other)).EnsureSuccessStatusCode();
        var authorizer = server.Server.Services.GetRequiredService<Authorizer>();
        var rules = authorizer.RulesOf(new Route(Operation.GetObject, Dialect.Cos, mine, "k", null, false));

        var authorize = () => authorizer.Authorize(null, new Route(Operation.GetObject, Dialect.Cos, other, "k", null, false), rules,
            RequestTarget.Parse($"/{other}/k"), null, null);

        authorize.Should().Throw<InvalidOperationException>();
    }
}
