using Coffer.Protocol.Http;

namespace Coffer.Protocol.Tests;

public sealed class HttpDatesTests
{
    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")]
    [InlineData("Sun Nov  6 08:49:37 1994")]
    public void ParseHttpDate_ReadsEachFormRfc9110HasARecipientAccept(string value)
    {
        // RFC 9110 5.6.7: IMF-fixdate, the obsolete RFC 850 form and asctime's, all the same instant.
        HttpDates.ParseHttpDate(value).Should().Be(new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("")]
    [InlineData(null)]
    public void ParseHttpDate_IsNull_ForWhatIsNoDate(string? value) => HttpDates.ParseHttpDate(value).Should().BeNull();
}
