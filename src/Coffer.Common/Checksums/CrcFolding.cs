using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Coffer.Common;

/// <summary>
/// Carry-less multiplication folding for a reflected CRC of up to 64 bits (CRC-64/XZ, CRC-64/NVME, CRC-32C): long
/// inputs are folded, 16 bytes per lane and eight lanes at a time, into one 16-byte block with the same remainder
/// modulo the polynomial; the caller's table code then takes that block and the tail. No Barrett reduction is needed,
/// so one implementation serves every polynomial and width.
/// </summary>
/// <remarks>
/// In the reflected bit order, bit <c>k</c> of a 16-byte lane is the coefficient of <c>x^(127-k)</c>. A lane
/// <c>A = H·x^64 + L</c> moved <c>D</c> bits further down the input is <c>H·x^(D+64) + L·x^D</c>; with the constants
/// <c>x^(D+63) mod P</c> and <c>x^(D-1) mod P</c>, the two 64×64-bit carry-less products land exactly in lane order
/// (the reflected product is one bit short, which the exponents make up for), and are XORed into the lane there.
/// </remarks>
internal sealed class CrcFolding
{
    /// <summary>Inputs shorter than this are cheaper through the tables (at least two strides of eight lanes).</summary>
    public const int MinimumLength = 256;

    private const int Lanes = 8;
    private const int Stride = Lanes * 16;

    private readonly Vector128<ulong> _acrossStride;
    private readonly Vector128<ulong> _acrossLane;

    /// <param name="reflectedPolynomial">The polynomial without its top term, bit-reversed within <paramref name="width"/> bits.</param>
    /// <param name="width">The CRC's width in bits, 8 to 64.</param>
    public CrcFolding(ulong reflectedPolynomial, int width)
    {
        var normal = Reverse(reflectedPolynomial, width);
        _acrossStride = Vector128.Create(Reflected(normal, width, Stride * 8 + 63), Reflected(normal, width, Stride * 8 - 1));
        _acrossLane = Vector128.Create(Reflected(normal, width, 128 + 63), Reflected(normal, width, 128 - 1));
    }

    /// <summary>Whether this CPU can fold (x64 with PCLMULQDQ); elsewhere the tables do all the work.</summary>
    public static bool IsSupported => Pclmulqdq.IsSupported && Sse2.IsSupported;

    /// <summary>
    /// Folds the longest multiple of 16 bytes of <paramref name="data"/> (at least <see cref="MinimumLength"/> long)
    /// into <paramref name="block"/>, after XORing <paramref name="register"/> into its first bytes. The CRC register
    /// over <paramref name="data"/> is then the table CRC, from a zero register, of <paramref name="block"/> followed by
    /// the bytes after the returned count.
    /// </summary>
    public int Fold(ulong register, ReadOnlySpan<byte> data, Span<byte> block)
    {
        ref var start = ref MemoryMarshal.GetReference(data);
        var x0 = Load(ref start, 0) ^ Vector128.CreateScalar(register);
        var x1 = Load(ref start, 16);
        var x2 = Load(ref start, 32);
        var x3 = Load(ref start, 48);
        var x4 = Load(ref start, 64);
        var x5 = Load(ref start, 80);
        var x6 = Load(ref start, 96);
        var x7 = Load(ref start, 112);
        var offset = Stride;
        var k = _acrossStride;
        for (; offset + Stride <= data.Length; offset += Stride)
        {
            x0 = Step(x0, k, Load(ref start, offset));
            x1 = Step(x1, k, Load(ref start, offset + 16));
            x2 = Step(x2, k, Load(ref start, offset + 32));
            x3 = Step(x3, k, Load(ref start, offset + 48));
            x4 = Step(x4, k, Load(ref start, offset + 64));
            x5 = Step(x5, k, Load(ref start, offset + 80));
            x6 = Step(x6, k, Load(ref start, offset + 96));
            x7 = Step(x7, k, Load(ref start, offset + 112));
        }

        k = _acrossLane;
        var folded = Step(x0, k, x1);
        folded = Step(folded, k, x2);
        folded = Step(folded, k, x3);
        folded = Step(folded, k, x4);
        folded = Step(folded, k, x5);
        folded = Step(folded, k, x6);
        folded = Step(folded, k, x7);
        for (; offset + 16 <= data.Length; offset += 16)
        {
            folded = Step(folded, k, Load(ref start, offset));
        }

        MemoryMarshal.Write(block, folded);
        return offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Load(ref byte start, int offset) =>
        Vector128.LoadUnsafe(ref Unsafe.Add(ref start, offset)).AsUInt64();

    /// <summary>The lane moved to where <paramref name="next"/> is, XORed into it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Step(Vector128<ulong> lane, Vector128<ulong> constants, Vector128<ulong> next) =>
        Pclmulqdq.CarrylessMultiply(lane, constants, 0x00) ^ Pclmulqdq.CarrylessMultiply(lane, constants, 0x11) ^ next;

    /// <summary><c>x^exponent mod P</c>, in the reflected 64-bit form the multiplier takes (bit i is x^(63-i)).</summary>
    private static ulong Reflected(ulong normalPolynomial, int width, int exponent)
    {
        var top = 1UL << (width - 1);
        var mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        ulong remainder = 1;
        for (var i = 0; i < exponent; i++)
        {
            var carry = (remainder & top) != 0;
            remainder = (remainder << 1) & mask;
            if (carry)
            {
                remainder ^= normalPolynomial;
            }
        }

        return Reverse(remainder, 64);
    }

    private static ulong Reverse(ulong value, int width)
    {
        ulong reversed = 0;
        for (var i = 0; i < width; i++)
        {
            reversed = (reversed << 1) | ((value >> i) & 1);
        }

        return reversed;
    }
}
