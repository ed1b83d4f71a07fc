using Coffer.Common.AccessLogs;
using Coffer.Server.AccessLogs;

namespace Coffer.Server.Tests;

/// <summary>The access-log buffer's byte bound and its half-full signal, without a server.</summary>
public sealed class AccessLogBufferTests
{
    private static readonly LogDestination Destination = new("source", "100000000001", "ap-guangzhou", new BucketLoggingConfiguration("target", "p/"));

    [Fact]
    public void Add_DropsAndCountsTheRecordsThatNoLongerFit_EachFittingAlone()
    {
        // Each record holds 300 bytes (its line and newline): three fit a 1,000-byte bound, the fourth and fifth do not.
        var buffer = Buffer(1000);
        for (var i = 0; i < 5; i++)
        {
            buffer.Add(Record(i));
        }

        buffer.Dropped.Should().Be(2);
        buffer.Drain().Select(r => r.Line[0]).Should().Equal('0', '1', '2');
        buffer.Add(Record(5));
        buffer.Drain().Should().ContainSingle();
        buffer.Dropped.Should().Be(2);
    }

    [Fact]
    public async Task WaitHalfFull_CompletesPastHalfTheBound_AndWaitsAgainAfterADrain()
    {
        var buffer = Buffer(1000);
        buffer.Add(Record(0));
        var waiting = buffer.WaitHalfFullAsync(CancellationToken.None);
        waiting.IsCompleted.Should().BeFalse("300 of 1,000 bytes is not past half");

        buffer.Add(Record(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        buffer.Drain();
        var again = buffer.WaitHalfFullAsync(CancellationToken.None);
        await Task.Yield();
        again.IsCompleted.Should().BeFalse("the drain took the records and reset the signal");
        buffer.Add(Record(2));
        buffer.Add(Record(3));
        await again.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static AccessLogBuffer Buffer(long maxBytes) => new(new CofferServerOptions
    {
        DataDirectory = "unused",
        Accounts = [],
        AccessLogs = new AccessLogServiceOptions { MaxBufferedBytes = maxBytes },
    });

    private static PendingLogRecord Record(int n) => new(Destination, DateTimeOffset.UnixEpoch, $"{n}{new string('x', 298)}");
}
