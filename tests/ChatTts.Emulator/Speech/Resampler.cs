namespace ChatTts.Emulator.Speech;

/// <summary>Linear-interpolation resampling in integer arithmetic, so the result is exact everywhere.</summary>
internal static class Resampler
{
    public static short[] Resample(ReadOnlySpan<short> source, int sourceRate, int targetRate)
    {
        if (sourceRate == targetRate || source.IsEmpty)
        {
            return source.ToArray();
        }

        var length = Math.Max(1, (int)((long)source.Length * targetRate / sourceRate));
        var result = new short[length];
        for (var i = 0; i < length; i++)
        {
            var position = (long)i * sourceRate;
            var index = (int)(position / targetRate);
            var fraction = position % targetRate;
            long a = source[index];
            long b = index + 1 < source.Length ? source[index + 1] : a;
            var weighted = (a * (targetRate - fraction)) + (b * fraction);
            result[i] = (short)RoundedDivide(weighted, targetRate);
        }

        return result;
    }

    private static long RoundedDivide(long value, long divisor) =>
        value >= 0 ? (value + (divisor / 2)) / divisor : (value - (divisor / 2)) / divisor;
}
