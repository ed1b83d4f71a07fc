namespace Coffer.Common.Tests;

/// <summary>Check values from the CRC catalogue (input "123456789").</summary>
public class ChecksumTests
{
    private static readonly byte[] Check = "123456789"u8.ToArray();

    [Fact]
    public void Crc32_Ieee_MatchesCheckValue()
    {
        var crc = Crc32.CreateIeee();
        crc.Append(Check);
        crc.Value.Should().Be(0xCBF43926u);
    }

    [Fact]
    public void Crc32_Castagnoli_MatchesCheckValue_InPieces()
    {
        var crc = Crc32.CreateCastagnoli();
        crc.Append(Check.AsSpan(0, 3));
        crc.Append(Check.AsSpan(3));
        crc.Value.Should().Be(0xE3069283u);
    }

    [Fact]
    public void Crc64_Nvme_MatchesCheckValue()
    {
        Crc64.Compute(Crc64.Nvme, Check).Should().Be(0xAE8B14860A799888UL);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 0)]
    [InlineData(1, 1)]
    [InlineData(1000, 3)]
    [InlineData(4097, 65536)]
    public void Crc64_Combine_EqualsTheCrcOfTheConcatenation(int lengthA, int lengthB)
    {
        var random = new Random(lengthA * 31 + lengthB);
        var a = new byte[lengthA];
        var b = new byte[lengthB];
        random.NextBytes(a);
        random.NextBytes(b);
        Crc64.Combine(Crc64.Compute(a), Crc64.Compute(b), b.Length).Should().Be(Crc64.Compute([.. a, .. b]));
        Crc64.Combine(Crc64.Compute(Crc64.Nvme, a), Crc64.Compute(Crc64.Nvme, b), b.Length, Crc64.Nvme).Should().Be(Crc64.Compute(Crc64.Nvme, [.. a, .. b]));
    }

    [Theory]
    [InlineData(0, 10, false)]
    [InlineData(10, 0, true)]
    [InlineData(1, 1, false)]
    [InlineData(1000, 3, true)]
    [InlineData(4097, 65536, false)]
    [InlineData(65536, 4097, true)]
    public void Crc32_Combine_EqualsTheCrcOfTheConcatenation(int lengthA, int lengthB, bool castagnoli)
    {
        var random = new Random(lengthA * 31 + lengthB);
        var a = new byte[lengthA];
        var b = new byte[lengthB];
        random.NextBytes(a);
        random.NextBytes(b);
        Crc32.Combine(Crc32Of(a, castagnoli), Crc32Of(b, castagnoli), b.Length, castagnoli).Should().Be(Crc32Of([.. a, .. b], castagnoli));
    }

    private static uint Crc32Of(byte[] data, bool castagnoli)
    {
        var crc = castagnoli ? Crc32.CreateCastagnoli() : Crc32.CreateIeee();
        crc.Append(data);
        return crc.Value;
    }
}
