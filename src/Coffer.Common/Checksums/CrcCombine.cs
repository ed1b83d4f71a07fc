namespace Coffer.Common;

/// <summary>
/// The CRC of A followed by B from the CRCs of A and B and B's length, without the data (GF(2) matrix method), for any
/// reflected CRC of up to 64 bits with all-ones initial value and final inversion: CRC-32, CRC-32C, CRC-64/XZ and
/// CRC-64/NVME alike. Appending zero bits to a register is linear, so appending B's length in zero bytes to A's CRC is a
/// matrix, built by squaring the one-bit operator for each bit of the length.
/// </summary>
internal static class CrcCombine
{
    public static ulong Combine(ulong crcA, ulong crcB, long lengthB, ulong reflectedPolynomial, int width)
    {
        if (lengthB == 0)
        {
            return crcA;
        }

        // odd: the operator that shifts the register by one zero bit; even: by two zero bits.
        var odd = new ulong[width];
        odd[0] = reflectedPolynomial;
        for (var n = 1; n < width; n++)
        {
            odd[n] = 1UL << (n - 1);
        }

        var even = Square(odd);
        odd = Square(even);

        // Apply lengthB zero bytes to crcA, squaring the operator for each bit of the length.
        var length = lengthB;
        do
        {
            even = Square(odd);
            if ((length & 1) != 0)
            {
                crcA = Times(even, crcA);
            }

            length >>= 1;
            if (length == 0)
            {
                break;
            }

            odd = Square(even);
            if ((length & 1) != 0)
            {
                crcA = Times(odd, crcA);
            }

            length >>= 1;
        }
        while (length != 0);

        return crcA ^ crcB;
    }

    private static ulong Times(ulong[] matrix, ulong vector)
    {
        ulong sum = 0;
        for (var i = 0; vector != 0; i++, vector >>= 1)
        {
            if ((vector & 1) != 0)
            {
                sum ^= matrix[i];
            }
        }

        return sum;
    }

    private static ulong[] Square(ulong[] matrix)
    {
        var square = new ulong[matrix.Length];
        for (var n = 0; n < matrix.Length; n++)
        {
            square[n] = Times(matrix, matrix[n]);
        }

        return square;
    }
}
