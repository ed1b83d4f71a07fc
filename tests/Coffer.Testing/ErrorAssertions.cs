using System.Net;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using FluentAssertions;

namespace Coffer.Testing;

public static class ErrorAssertions
{
    /// <summary>
    /// Checks what every error response promises in either dialect: the status, an <c>application/xml</c> body whose
    /// <c>&lt;Error&gt;</c> has exactly Code, Message, Resource, RequestId and TraceId, none empty (COS's Python SDK and
    /// strict parsers need all five), the request id header equal to RequestId, the trace id header equal to TraceId,
    /// Date, and the dialect's Server name. The elements an error may add are S3's, right after Message: Region (for a
    /// signature scoped to another region) and HeadersNotSigned; their values are left to the test.
    /// </summary>
    public static async Task<XElement> ShouldBeErrorAsync(
        this HttpResponseMessage response, HttpStatusCode status, string code, Dialect dialect = Dialect.Cos)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/xml");
        var root = XDocument.Parse(text).Root!;
        root.Name.LocalName.Should().Be("Error");
        var names = root.Elements().Select(e => e.Name.LocalName).ToList();
        while (dialect == Dialect.S3 && names.Count > 2 && names[2] is "Region" or "HeadersNotSigned")
        {
            names.RemoveAt(2);
        }

        names.Should().Equal(["Code", "Message", "Resource", "RequestId", "TraceId"], text);
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
