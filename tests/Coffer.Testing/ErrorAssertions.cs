using System.Net;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using FluentAssertions;

namespace Coffer.Testing;

public static class ErrorAssertions
{
    /// <summary>Elements some errors carry besides the five: S3's Region, for a signature in another region.</summary>
    private static readonly string[] Details = ["Region"];

    /// <summary>
    /// Checks what every error response promises in either dialect: the status, an <c>application/xml</c> body whose
    /// <c>&lt;Error&gt;</c> has exactly Code, Message, Resource, RequestId and TraceId, none empty (COS's Python SDK and
    /// strict parsers need all five), the request id header equal to RequestId, the trace id header equal to TraceId,
    /// Date, and the dialect's Server name. Elements an error adds after Message (<see cref="Details"/>) are left to
    /// the test.
    /// </summary>
    public static async Task<XElement> ShouldBeErrorAsync(
        this HttpResponseMessage response, HttpStatusCode status, string code, Dialect dialect = Dialect.Cos)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/xml");
        var root = XDocument.Parse(text).Root!;
        root.Name.LocalName.Should().Be("Error");
        root.Elements().Select(e => e.Name.LocalName).Where(name => !Details.Contains(name))
            .Should().Equal("Code", "Message", "Resource", "RequestId", "TraceId");
        root.Elements().Should().OnlyContain(e => e.Value.Length > 0, text);
        root.Element("Code")!.Value.Should().Be(code, text);
        var requestIdHeader = dialect == Dialect.S3 ? "x-amz-request-id" : "x-cos-request-id";
        response.Headers.GetValues(requestIdHeader).Single().Should().Be(root.Element("RequestId")!.Value);
        response.Headers.GetValues("x-cos-trace-id").Single().Should().Be(root.Element("TraceId")!.Value);
        response.Headers.Date.Should().NotBeNull();
        response.Headers.Server.ToString().Should().Be(dialect == Dialect.S3 ? "AmazonS3" : "tencent-cos");
        return root;
    }
}
