using Coffer.Common;
using Coffer.Protocol.Errors;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Tests;

public class ErrorTableTests
{
    [Fact]
    public void Table_HasOneRow_ForEveryErrorCode()
    {
        ErrorTable.All.Keys.Should().BeEquivalentTo(Enum.GetValues<ErrorCode>());
    }

    [Theory]
    [InlineData(ErrorCode.NoSuchBucket, "NoSuchBucket", 404)]
    [InlineData(ErrorCode.NoSuchKey, "NoSuchKey", 404)]
    [InlineData(ErrorCode.SignatureDoesNotMatch, "SignatureDoesNotMatch", 403)]
    [InlineData(ErrorCode.RequestExpired, "AccessDenied", 403)]
    [InlineData(ErrorCode.MalformedXml, "MalformedXML", 400)]
    [InlineData(ErrorCode.NotImplemented, "NotImplemented", 501)]
    [InlineData(ErrorCode.BucketNotEmpty, "BucketNotEmpty", 409)]
    [InlineData(ErrorCode.InvalidRange, "InvalidRange", 416)]
    public void Get_GivesCosCodeAndStatus(ErrorCode code, string cosCode, int status)
    {
        var row = ErrorTable.Get(code);
        row.CodeFor(Dialect.Cos).Should().Be(cosCode);
        row.Status.Should().Be(status);
    }

    [Fact]
    public void RequestExpired_HasTheMessageNodeSdkRetriesOn()
    {
        ErrorTable.Get(ErrorCode.RequestExpired).Message.Should().Be("Request has expired");
    }
}
