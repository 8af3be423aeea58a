using System.Buffers.Binary;
using System.Globalization;

namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>
/// What a TLS server's first message says in the clear: the version and cipher suite it chose, and whether it
/// accepted a pre-shared key, i.e. resumed an earlier session (TLS 1.3, RFC 8446 §4.1.3 and §4.2.11). A
/// resumed TLS 1.3 handshake carries no Certificate, CertificateRequest or CertificateVerify messages.
/// </summary>
internal sealed record ServerHello(int Version, int CipherSuite, bool Resumed)
{
    private const byte HandshakeRecord = 22;
    private const byte ServerHelloMessage = 2;
    private const int SupportedVersions = 43;
    private const int PreSharedKey = 41;

    /// <summary>How many bytes the first record of <paramref name="received"/> needs in all, once its header is there.</summary>
    public static int? RecordLength(ReadOnlySpan<byte> received) =>
        received.Length >= 5 ? 5 + BinaryPrimitives.ReadUInt16BigEndian(received[3..]) : null;

    /// <summary>The ServerHello in the first record of <paramref name="received"/>, or null when it holds none.</summary>
    public static ServerHello? Parse(ReadOnlySpan<byte> received)
    {
        if (RecordLength(received) is not { } recordLength || received.Length < recordLength || received[0] != HandshakeRecord
            || recordLength < 9 || received[5] != ServerHelloMessage)
        {
            return null;
        }

        var length = received[6] << 16 | received[7] << 8 | received[8];
        var hello = received[9..Math.Min(recordLength, 9 + length)];
        // legacy_version (2), random (32), legacy_session_id <0..32>, cipher_suite (2), compression (1), extensions <..>
        var at = 34;
        if (hello.Length < at + 1 || hello.Length < at + 1 + hello[at] + 5)
        {
            return null;
        }

        at += 1 + hello[at];
        var version = BinaryPrimitives.ReadUInt16BigEndian(hello);
        var cipherSuite = BinaryPrimitives.ReadUInt16BigEndian(hello[at..]);
        at += 3;
        var end = Math.Min(hello.Length, at + 2 + BinaryPrimitives.ReadUInt16BigEndian(hello[at..]));
        var resumed = false;
        for (at += 2; at + 4 <= end; at += 4 + BinaryPrimitives.ReadUInt16BigEndian(hello[(at + 2)..]))
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(hello[at..]);
            if (type == SupportedVersions && at + 6 <= end)
            {
                version = BinaryPrimitives.ReadUInt16BigEndian(hello[(at + 4)..]);
            }

            resumed |= type == PreSharedKey;
        }

        return new ServerHello(version, cipherSuite, resumed);
    }

    /// <summary>E.g. <c>TLS 1.3, TLS_AES_256_GCM_SHA384</c>.</summary>
    public string Negotiated => $"{VersionName}, {CipherSuiteName}";

    private string VersionName => Version switch
    {
        0x0304 => "TLS 1.3",
        0x0303 => "TLS 1.2",
        _ => string.Create(CultureInfo.InvariantCulture, $"version 0x{Version:x4}"),
    };

    private string CipherSuiteName => CipherSuite switch
    {
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        _ => string.Create(CultureInfo.InvariantCulture, $"cipher suite 0x{CipherSuite:x4}"),
    };
}
