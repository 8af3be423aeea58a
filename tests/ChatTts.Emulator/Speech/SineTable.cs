namespace ChatTts.Emulator.Speech;

/// <summary>Sine of a 32-bit phase (a full turn = 2^32), bit-identical on every machine: the table is
/// built with + and × only (IEEE-exact), never with the platform's <see cref="Math.Sin(double)"/>.</summary>
internal static class SineTable
{
    private const int Bits = 12;
    private const int Size = 1 << Bits;
    private const int FractionBits = 32 - Bits;
    private static readonly double[] Table = Build();

    /// <summary>A quarter turn, to get a cosine from <see cref="Sin"/>.</summary>
    public const uint QuarterTurn = 1u << 30;

    public static double Sin(uint phase)
    {
        var index = (int)(phase >> FractionBits);
        var fraction = (phase & ((1u << FractionBits) - 1)) / (double)(1u << FractionBits);
        var a = Table[index];
        return a + ((Table[index + 1] - a) * fraction);
    }

    private static double[] Build()
    {
        var table = new double[Size + 1];
        for (var i = 0; i <= Size; i++)
        {
            var x = 2 * Math.PI * i / Size;
            table[i] = Taylor(Reduce(x));
        }

        return table;
    }

    // Folds x in [0, 2π] into [-π/2, π/2] where the series converges fast.
    private static double Reduce(double x)
    {
        if (x > Math.PI)
        {
            x -= 2 * Math.PI;
        }

        if (x > Math.PI / 2)
        {
            return Math.PI - x;
        }

        return x < -Math.PI / 2 ? -Math.PI - x : x;
    }

    private static double Taylor(double x)
    {
        double term = x, sum = x, x2 = x * x;
        for (var n = 1; n <= 10; n++)
        {
            term *= -x2 / ((2 * n) * ((2 * n) + 1));
            sum += term;
        }

        return sum;
    }
}
