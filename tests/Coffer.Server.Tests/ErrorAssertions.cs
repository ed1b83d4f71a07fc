using System.Net;
using System.Xml.Linq;

namespace Coffer.Server.Tests;

internal static class ErrorAssertions
{
    /// <summary>Checks status, the five error elements COS clients need, and the common headers.</summary>
    public static async Task<XElement> ShouldBeErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/xml");
        var root = XDocument.Parse(text).Root!;
        root.Name.LocalName.Should().Be("Error");
        root.Elements().Select(e => e.Name.LocalName).Should().Equal("Code", "Message", "Resource", "RequestId", "TraceId");
        root.Elements().Should().OnlyContain(e => e.Value.Length > 0);
        root.Element("Code")!.Value.Should().Be(code);
        var requestId = response.Headers.GetValues("x-cos-request-id").Single();
        root.Element("RequestId")!.Value.Should().Be(requestId);
        response.Headers.GetValues("x-cos-trace-id").Single().Should().Be(root.Element("TraceId")!.Value);
        response.Headers.Date.Should().NotBeNull();
        response.Headers.Server.ToString().Should().Be("tencent-cos");
        return root;
    }
}
