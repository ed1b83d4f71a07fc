using CsCheck;

namespace Coffer.Common.Tests;

/// <summary>
/// The folded CRCs (carry-less multiplication over long inputs) against the slice-by-8 tables they replace, on random
/// inputs of every length around the folding thresholds, at unaligned offsets and appended in random pieces.
/// </summary>
public class CrcPropertyTests
{
    // Lengths up to a few strides past the folding minimum, with a random start so loads are unaligned.
    private static readonly Gen<(byte[] Data, int Start)> Inputs =
        Gen.Byte.Array[0, 3000].SelectMany(data => Gen.Int[0, Math.Min(15, data.Length)].Select(start => (data, start)));

    private static readonly Gen<(byte[] Data, int[] Cuts)> Pieces =
        Gen.Byte.Array[0, 5000].SelectMany(data => Gen.Int[0, data.Length].Array[0, 6].Select(cuts => (data, cuts.Order().ToArray())));

    [Fact]
    public void Crc64Xz_EqualsTheTables_OnAnyInput() =>
        Inputs.Sample(input => Crc64.Compute(Crc64.Xz, input.Data.AsSpan(input.Start)) == Crc64.ComputePortable(Crc64.Xz, input.Data.AsSpan(input.Start)));

    [Fact]
    public void Crc64Nvme_EqualsTheTables_OnAnyInput() =>
        Inputs.Sample(input => Crc64.Compute(Crc64.Nvme, input.Data.AsSpan(input.Start)) == Crc64.ComputePortable(Crc64.Nvme, input.Data.AsSpan(input.Start)));

    [Fact]
    public void Crc32_EqualsTheTables_OnAnyInput() =>
        Inputs.Sample(input => Compute(Crc32.CreateIeee(), input.Data.AsSpan(input.Start)) == Crc32.ComputePortable(false, input.Data.AsSpan(input.Start)));

    [Fact]
    public void Crc32C_EqualsTheTables_OnAnyInput() =>
        Inputs.Sample(input => Compute(Crc32.CreateCastagnoli(), input.Data.AsSpan(input.Start)) == Crc32.ComputePortable(true, input.Data.AsSpan(input.Start)));

    [Fact]
    public void Crc64_AppendedInPieces_EqualsOneCall() =>
        Pieces.Sample(input =>
        {
            var crc = new Crc64(Crc64.Nvme);
            var crc32c = Crc32.CreateCastagnoli();
            var from = 0;
            foreach (var cut in input.Cuts.Append(input.Data.Length))
            {
                crc.Append(input.Data.AsSpan(from, cut - from));
                crc32c.Append(input.Data.AsSpan(from, cut - from));
                from = cut;
            }

            return crc.Value == Crc64.ComputePortable(Crc64.Nvme, input.Data) && crc32c.Value == Crc32.ComputePortable(true, input.Data);
        });

    [Fact]
    public void Crc64_OfAMebibyte_EqualsTheTables()
    {
        var data = new byte[(1 << 20) + 13];
        new Random(7).NextBytes(data);
        Crc64.Compute(data).Should().Be(Crc64.ComputePortable(Crc64.Xz, data));
        Compute(Crc32.CreateIeee(), data).Should().Be(Crc32.ComputePortable(false, data));
    }

    private static uint Compute(Crc32 crc, ReadOnlySpan<byte> data)
    {
        crc.Append(data);
        return crc.Value;
    }
}
