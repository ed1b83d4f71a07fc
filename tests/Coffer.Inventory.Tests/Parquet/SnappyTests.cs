using System.Text;
using CofferSnappy = Coffer.Inventory.Reports.Parquet.Snappy;

namespace Coffer.Inventory.Tests.Parquet;

public sealed class SnappyTests
{
    public static TheoryData<string> Inputs => new()
    {
        "empty", "one-byte", "fifteen-bytes", "sixteen-zeros", "text", "zeros-1MiB", "random-100KiB", "fragment-plus-one",
        "inventory-page", "long-literal-run", "short-period",
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Compress_RoundTripsThroughAnIndependentDecoder_ForEachKindOfInput(string input)
    {
        var source = Make(input);

        var compressed = Compress(source);

        Snappier.Snappy.GetUncompressedLength(compressed).Should().Be(source.Length);
        Snappier.Snappy.DecompressToArray(compressed).Should().Equal(source);
    }

    [Fact]
    public void Compress_ShrinksRepetitiveData_AboutAsMuchAsTheReferenceDesign()
    {
        var source = Make("inventory-page");

        var ours = Compress(source);
        var reference = Snappier.Snappy.CompressToArray(source);

        ours.Length.Should().BeLessThan(source.Length / 3);
        ours.Length.Should().BeLessThan(reference.Length * 5 / 4, "a hash-table match finder is close to the reference's ratio");
    }

    [Fact]
    public void Compress_StaysWithinTheWorstCase_ForIncompressibleData()
    {
        var source = Make("random-100KiB");

        Compress(source).Length.Should().BeLessThanOrEqualTo(CofferSnappy.MaxCompressedLength(source.Length))
            .And.BeGreaterThan(source.Length, "random bytes only grow by their literal headers");
    }

    [Fact]
    public void Compress_RejectsADestination_SmallerThanTheWorstCase()
    {
        var source = new byte[100];

        var compress = () => CofferSnappy.Compress(source, new byte[CofferSnappy.MaxCompressedLength(100) - 1]);

        compress.Should().Throw<ArgumentException>();
    }

    private static byte[] Compress(byte[] source)
    {
        var destination = new byte[CofferSnappy.MaxCompressedLength(source.Length)];
        var written = CofferSnappy.Compress(source, destination);
        return destination[..written];
    }

    private static byte[] Make(string input)
    {
        var random = new Random(20261122);
        switch (input)
        {
            case "empty":
                return [];
            case "one-byte":
                return [42];
            case "fifteen-bytes":
                return "abcabcabcabcabc"u8.ToArray();
            case "sixteen-zeros":
                return new byte[16];
            case "text":
                return Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. 腾讯云对象存储. ", 50)));
            case "zeros-1MiB":
                return new byte[1 << 20];
            case "random-100KiB":
                var noise = new byte[100 << 10];
                random.NextBytes(noise);
                return noise;
            case "fragment-plus-one":
                return [.. Enumerable.Range(0, (1 << 16) + 1).Select(i => (byte)(i % 251))];
            case "inventory-page":
                var page = new StringBuilder();
                for (var i = 0; page.Length < 1 << 20; i++)
                {
                    page.Append($"photos/2026/11/{i / 100:D4}/IMG_{i:D7}.jpg{i * 7919 % 1000003:x8}STANDARD");
                }

                return Encoding.UTF8.GetBytes(page.ToString());
            case "long-literal-run":
                // Incompressible stretches between repeats: literals with 1-, 2- and 3-byte lengths.
                var mixed = new List<byte>();
                foreach (var size in new[] { 61, 300, 70_000 })
                {
                    var block = new byte[size];
                    random.NextBytes(block);
                    mixed.AddRange(block);
                    mixed.AddRange(Encoding.ASCII.GetBytes("repeat-me-repeat-me-repeat-me"));
                }

                return [.. mixed];
            case "short-period":
                // Matches that overlap their own output (offset 1 and 3) and run past 64 bytes.
                return [.. Enumerable.Repeat((byte)'x', 1000), .. Enumerable.Range(0, 3000).Select(i => (byte)("abc"[i % 3]))];
            default:
                throw new ArgumentOutOfRangeException(nameof(input));
        }
    }
}
