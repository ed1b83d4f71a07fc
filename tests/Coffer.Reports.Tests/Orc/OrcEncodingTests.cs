using Coffer.Reports.Orc;
using Coffer.Testing.Reports;

namespace Coffer.Reports.Tests.Orc;

/// <summary>The writer's encodings, byte for byte against the specification's worked examples, and round trips.</summary>
public sealed class OrcEncodingTests
{
    [Fact]
    public async Task IntegerRleV2_WritesTheSpecificationsShortRepeatExample()
    {
        var bytes = await EncodeIntegersAsync(signed: false, 10000, 10000, 10000, 10000, 10000);

        bytes.Should().Equal(0x0a, 0x27, 0x10);
    }

    [Fact]
    public async Task IntegerRleV2_WritesTheSpecificationsDirectExample()
    {
        var bytes = await EncodeIntegersAsync(signed: false, 23713, 43806, 57005, 48879);

        bytes.Should().Equal(0x5e, 0x03, 0x5c, 0xa1, 0xab, 0x1e, 0xde, 0xad, 0xbe, 0xef);
    }

    [Fact]
    public async Task IntegerRleV2_WritesTheSpecificationsDeltaExample()
    {
        var bytes = await EncodeIntegersAsync(signed: false, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29);

        bytes.Should().Equal(0xc6, 0x09, 0x02, 0x02, 0x22, 0x42, 0x42, 0x46);
    }

    [Fact]
    public async Task IntegerRleV2_WritesLongRepeats_AsDeltaWithAFixedZeroDelta()
    {
        var bytes = await EncodeIntegersAsync(signed: true, Enumerable.Repeat(-7L, 100).ToArray());

        // DELTA, width code 0 (a fixed delta), length 100; base zigzag(-7) = 13; delta 0.
        bytes.Should().Equal(0xc0, 0x63, 0x0d, 0x00);
    }

    [Fact]
    public async Task IntegerRleV2_WritesSignedValues_Zigzagged()
    {
        var bytes = await EncodeIntegersAsync(signed: true, -1, 1, -2);

        // DIRECT, 2 bits (code 1), length 3: zigzag 1, 2, 3 packed as 01 10 11 00.
        bytes.Should().Equal(0x42, 0x02, 0x6c);
    }

    [Fact]
    public void IntegerRleV2Decoder_ReadsTheSpecificationsPatchedBaseExample()
    {
        // The writer never patches; this keeps the test reader honest for files that do.
        byte[] bytes =
        [
            0x8e, 0x13, 0x2b, 0x21, 0x07, 0xd0, 0x1e, 0x00, 0x14, 0x70, 0x28, 0x32, 0x3c, 0x46, 0x50, 0x5a, 0x64, 0x6e,
            0x78, 0x82, 0x8c, 0x96, 0xa0, 0xaa, 0xb4, 0xbe, 0xfc, 0xe8,
        ];

        IntegerRleV2Decoder.DecodeAll(bytes, signed: false).Should().Equal(
            2030, 2000, 2020, 1000000, 2040, 2050, 2060, 2070, 2080, 2090, 2100, 2110, 2120, 2130, 2140, 2150, 2160, 2170, 2180, 2190);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(5, true)]
    [InlineData(6, false)]
    public async Task IntegerRleV2_RoundTrips_AnySequence(int seed, bool signed)
    {
        var values = IntegerSequences(new Random(seed), signed).ToArray();

        var decoded = IntegerRleV2Decoder.DecodeAll(await EncodeIntegersAsync(signed, values), signed);

        decoded.Should().Equal(values);
    }

    [Fact]
    public async Task IntegerRleV2_UsesEverySubEncodingButPatchedBase_WithWidthsTheSpecificationDoesNotDeprecate()
    {
        var values = IntegerSequences(new Random(7), signed: true).ToArray();
        var bytes = await EncodeIntegersAsync(signed: true, values);

        var decoder = new IntegerRleV2Decoder(new ByteCursor(bytes), signed: true);
        while (!decoder.AtEnd)
        {
            decoder.Next();
        }

        decoder.Encodings.Distinct().Should().BeEquivalentTo([0, 1, 3]);
        int[] aligned = [0, 1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64];
        for (var code = 0; code < 32; code++)
        {
            var width = IntegerRleV2Decoder.DecodeWidth(code);
            if (aligned.Contains(width))
            {
                IntegerRleV2Encoder.WidthCode(width).Should().Be(code, $"width {width} has code {code}");
            }
        }

        Enumerable.Range(0, 65).Select(IntegerRleV2Encoder.AlignedWidth).Should().OnlyContain(w => aligned.Contains(w));
    }

    [Fact]
    public async Task ByteRle_WritesTheSpecificationsExamples()
    {
        (await EncodeBytesAsync(new byte[100])).Should().Equal(0x61, 0x00);
        (await EncodeBytesAsync(0x44, 0x45)).Should().Equal(0xfe, 0x44, 0x45);
    }

    [Fact]
    public async Task ByteRle_RoundTrips_RunsAndLiteralsOfEveryLength()
    {
        var random = new Random(11);
        var values = new List<byte>();
        for (var i = 0; i < 400; i++)
        {
            var run = random.Next(1, 300);
            var value = (byte)random.Next(4);
            values.AddRange(random.Next(2) == 0 ? Enumerable.Repeat(value, run) : Enumerable.Range(0, run).Select(_ => (byte)random.Next(256)));
        }

        var bytes = await EncodeBytesAsync([.. values]);

        var decoder = new ByteRleDecoder(new ByteCursor(bytes));
        values.Select(_ => decoder.Next()).Should().Equal(values);
    }

    [Fact]
    public async Task BooleanRle_PacksBitsMostSignificantFirst_AsTheSpecificationShows()
    {
        var bytes = await EncodeAsync(stream =>
        {
            var booleans = new BooleanRleEncoder(stream);
            booleans.Add(true);
            for (var i = 0; i < 7; i++)
            {
                booleans.Add(false);
            }

            booleans.Flush();
        });

        bytes.Should().Equal(0xff, 0x80);
    }

    [Fact]
    public async Task BooleanRle_PadsTheLastByte_WithZeros()
    {
        var bytes = await EncodeAsync(stream =>
        {
            var booleans = new BooleanRleEncoder(stream);
            foreach (var bit in new[] { true, true, false, true })
            {
                booleans.Add(bit);
            }

            booleans.Flush();
        });

        bytes.Should().Equal(0xff, 0xd0);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1000L, 0x0aL)]
    [InlineData(100000L, 0x0cL)]
    [InlineData(123L, 123L << 3)]
    [InlineData(120L, 120L << 3)]
    [InlineData(100L, (1L << 3) | 1)]
    [InlineData(999_999_900L, (9_999_999L << 3) | 1)]
    [InlineData(900_000_000L, (9L << 3) | 7)]
    [InlineData(123_000_000L, (123L << 3) | 5)]
    public void Nanoseconds_LoseTrailingZeros_AsTheSpecificationShows(long nanoseconds, long encoded)
    {
        OrcTime.EncodeNanoseconds(nanoseconds).Should().Be(encoded);
    }

    [Theory]
    [InlineData(0UL, new byte[] { 0x00 })]
    [InlineData(1UL, new byte[] { 0x01 })]
    [InlineData(127UL, new byte[] { 0x7f })]
    [InlineData(128UL, new byte[] { 0x80, 0x01 })]
    [InlineData(129UL, new byte[] { 0x81, 0x01 })]
    [InlineData(16_383UL, new byte[] { 0xff, 0x7f })]
    [InlineData(16_384UL, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(16_385UL, new byte[] { 0x81, 0x80, 0x01 })]
    public void Varint_MatchesTheSpecificationsTable(ulong value, byte[] expected)
    {
        var buffer = new byte[10];
        var length = ProtobufWriter.WriteVarint(buffer, value);

        buffer[..length].Should().Equal(expected);
        ProtobufWriter.VarintLength(value).Should().Be(expected.Length);
    }

    [Fact]
    public void Compression_StoresAChunkThatDoesNotShrink_AsItWas_WithTheSpecificationsHeader()
    {
        var chunk = ChunkCompressor.Compress([1, 2, 3, 4, 5]);

        chunk.Memory.ToArray().Should().Equal(0x0b, 0x00, 0x00, 1, 2, 3, 4, 5);
    }

    [Fact]
    public void Compression_DeflatesAChunkThatShrinks_BehindALittleEndianHeader()
    {
        var input = Enumerable.Range(0, 100_000).Select(i => (byte)(i % 7)).ToArray();

        var chunk = ChunkCompressor.Compress(input);

        var header = chunk.Buffer[0] | (chunk.Buffer[1] << 8) | (chunk.Buffer[2] << 16);
        (header & 1).Should().Be(0);
        (header >> 1).Should().Be(chunk.Length - 3);
        OrcDecompression.Decompress(chunk.Memory.Span, input.Length).Should().Equal(input);
    }

    [Fact]
    public async Task Stream_CutsChunksAtTheBlockSize_AndLocatesOffsetsInThem()
    {
        var compressor = new ChunkCompressor(1000);
        var stream = new OrcStream(OrcStreamKind.Data, 1, compressor);
        var input = Enumerable.Range(0, 3500).Select(i => (byte)(i * 31)).ToArray();
        stream.Write(input.AsSpan(0, 10));
        stream.Write(System.Text.Encoding.UTF8.GetBytes(new string('é', 700)));
        stream.Write(input.AsSpan(10));
        await stream.CompleteAsync();

        stream.Chunks.Should().HaveCount(5, "4,900 bytes in chunks of 1,000");
        var (start, skip) = stream.Locate(2500);
        start.Should().Be((ulong)(stream.Chunks[0].Length + stream.Chunks[1].Length));
        skip.Should().Be(500);
        stream.Locate(stream.Position).Should().Be(((ulong)(stream.CompressedLength - stream.Chunks[^1].Length), 900UL));
        var all = stream.Chunks.SelectMany(c => c.Memory.ToArray()).ToArray();
        OrcDecompression.Decompress(all, 1000).Should().Equal([.. input[..10], .. System.Text.Encoding.UTF8.GetBytes(new string('é', 700)), .. input[10..]]);
        stream.Reset();
    }

    /// <summary>Runs, small and wide values, extremes, monotonic stretches, and values that overflow a delta.</summary>
    private static IEnumerable<long> IntegerSequences(Random random, bool signed)
    {
        var low = signed ? long.MinValue : 0;
        for (var part = 0; part < 200; part++)
        {
            var length = random.Next(1, 700);
            switch (random.Next(7))
            {
                case 0:
                    var repeated = random.NextInt64(low, long.MaxValue);
                    for (var i = 0; i < length; i++)
                    {
                        yield return repeated;
                    }

                    break;
                case 1:
                    for (var i = 0; i < length; i++)
                    {
                        yield return random.NextInt64(signed ? -300 : 0, 300);
                    }

                    break;
                case 2:
                    for (var i = 0; i < length; i++)
                    {
                        yield return random.NextInt64(low, long.MaxValue);
                    }

                    break;
                case 3:
                    var value = random.NextInt64(signed ? -1_000_000 : 0, 1_000_000);
                    var step = random.Next(4) == 0 ? 0 : random.Next(1, 5000);
                    var down = signed && random.Next(2) == 0;
                    for (var i = 0; i < length; i++)
                    {
                        yield return value;
                        value += (down ? -1 : 1) * (random.Next(3) == 0 ? step : random.Next(0, step + 1));
                    }

                    break;
                case 4:
                    yield return signed ? long.MinValue : 0;
                    yield return long.MaxValue;
                    yield return signed ? long.MinValue : 1;
                    break;
                case 5:
                    for (var i = 0; i < length; i++)
                    {
                        yield return random.Next(3) == 0 ? 5 : 6;
                    }

                    break;
                default:
                    var start = random.NextInt64(signed ? -1000 : 1000, 100_000);
                    for (var i = 0; i < length; i++)
                    {
                        yield return start + ((signed ? -3 : 3) * i);
                    }

                    break;
            }
        }
    }

    private static Task<byte[]> EncodeIntegersAsync(bool signed, params long[] values) => EncodeAsync(stream =>
    {
        var encoder = new IntegerRleV2Encoder(stream, signed);
        foreach (var value in values)
        {
            encoder.Add(value);
        }

        encoder.Flush();
    });

    private static Task<byte[]> EncodeBytesAsync(params byte[] values) => EncodeAsync(stream =>
    {
        var encoder = new ByteRleEncoder(stream);
        foreach (var value in values)
        {
            encoder.Add(value);
        }

        encoder.Flush();
    });

    /// <summary>What an encoder writes into a stream, decompressed again.</summary>
    private static async Task<byte[]> EncodeAsync(Action<OrcStream> encode)
    {
        var stream = new OrcStream(OrcStreamKind.Data, 1, new ChunkCompressor(256 << 10));
        encode(stream);
        await stream.CompleteAsync();
        var bytes = OrcDecompression.Decompress(stream.Chunks.SelectMany(c => c.Memory.ToArray()).ToArray(), 256 << 10);
        stream.Reset();
        return bytes;
    }
}
