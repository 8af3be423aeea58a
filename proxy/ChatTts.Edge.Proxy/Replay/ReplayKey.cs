using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Replay;

/// <summary>
/// The key of one deterministic request's audio: SHA-256 over every field that reaches the backend
/// (<see cref="BackendRequest"/>), the request's <c>split</c> field, and the serving destination's dialect and model tag
/// (<see cref="BackendModel"/>), each length-prefixed so no two requests share a key. <c>chunk_ms</c> is not in it: the
/// cache holds PCM and frames it at each request's own duration.
/// </summary>
internal static class ReplayKey
{
    /// <summary>Bumped whenever what goes into the key or into an entry changes, so old entries are never read.</summary>
    private const string Version = "replay/1";

    /// <summary>Lowercase hex SHA-256, 64 characters.</summary>
    public static string For(BackendRequest request, bool split, BackendModel model)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Add(hash, Version);
        Add(hash, model.Dialect);
        Add(hash, model.Model);
        Add(hash, request.Text);
        Add(hash, request.Voice);
        Add(hash, request.Seed?.ToString(CultureInfo.InvariantCulture));
        Add(hash, request.Speed?.ToString(CultureInfo.InvariantCulture));
        Add(hash, request.Temperature?.ToString("R", CultureInfo.InvariantCulture));
        Add(hash, request.TopP?.ToString("R", CultureInfo.InvariantCulture));
        Add(hash, request.TopK?.ToString(CultureInfo.InvariantCulture));
        Add(hash, split ? "split" : "whole");
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A field as its length (−1 for none) and its UTF-8 bytes.</summary>
    private static void Add(IncrementalHash hash, string? value)
    {
        Span<byte> length = stackalloc byte[4];
        var bytes = value is null ? [] : Encoding.UTF8.GetBytes(value);
        BinaryPrimitives.WriteInt32LittleEndian(length, value is null ? -1 : bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
