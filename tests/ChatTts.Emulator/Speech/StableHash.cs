using System.Text;

namespace ChatTts.Emulator.Speech;

/// <summary>A hash that is the same in every process and on every machine (unlike
/// <see cref="string.GetHashCode()"/>): FNV-1a with a final avalanche.</summary>
internal static class StableHash
{
    private const uint OffsetBasis = 2_166_136_261;
    private const uint Prime = 16_777_619;

    public static uint Of(int a, string b) => Finish(Add(Add(OffsetBasis, a), b));

    public static uint Of(int a, uint b, uint c) => Finish(Add(Add(Add(OffsetBasis, a), (int)b), (int)c));

    private static uint Add(uint hash, int value)
    {
        for (var i = 0; i < 4; i++)
        {
            hash = (hash ^ (byte)(value >> (8 * i))) * Prime;
        }

        return hash;
    }

    private static uint Add(uint hash, string value)
    {
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            hash = (hash ^ b) * Prime;
        }

        return hash;
    }

    private static uint Finish(uint hash)
    {
        hash ^= hash >> 16;
        hash *= 0x85EB_CA6B;
        hash ^= hash >> 13;
        hash *= 0xC2B2_AE35;
        return hash ^ (hash >> 16);
    }
}
