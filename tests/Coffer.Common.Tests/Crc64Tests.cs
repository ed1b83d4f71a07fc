using System.Text;

namespace Coffer.Common.Tests;

public class Crc64Tests
{
    [Fact]
    public void Compute_MatchesCheckValue_ForStandardInput()
    {
        // CRC-64/XZ check value from the CRC catalogue and cos-wire.md §5.5.
        Crc64.Compute("123456789"u8).Should().Be(0x995DC9BBDF1939FAUL).And.Be(11051210869376104954UL);
    }

    [Fact]
    public void Compute_IsZero_ForEmptyInput()
    {
        Crc64.Compute([]).Should().Be(0UL);
    }

    [Fact]
    public void Compute_MatchesCosExample_ForHelloWorld()
    {
        // "hello world" as uploaded through cos-nodejs-sdk-v5; the SDK's own crc64 module computes the same value.
        Crc64.Compute("hello world"u8).Should().Be(5981764153023615706UL);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(4093)]
    public void Append_InPieces_EqualsOneShot(int pieceSize)
    {
        var data = new byte[10_000];
        new Random(42).NextBytes(data);
        var crc = new Crc64();
        for (var offset = 0; offset < data.Length; offset += pieceSize)
        {
            crc.Append(data.AsSpan(offset, Math.Min(pieceSize, data.Length - offset)));
        }

        crc.Value.Should().Be(Crc64.Compute(data)).And.Be(BitwiseReference(data));
    }

    private static ulong BitwiseReference(byte[] data)
    {
        var crc = ulong.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xC96C5795D7870F42UL : crc >> 1;
            }
        }

        return ~crc;
    }

    [Fact]
    public void Compute_DiffersForDifferentInput()
    {
        Crc64.Compute(Encoding.ASCII.GetBytes("a")).Should().NotBe(Crc64.Compute(Encoding.ASCII.GetBytes("b")));
    }
}
