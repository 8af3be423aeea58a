namespace ChatTts.Edge.Backends;

/// <summary>Section <c>Edge:Backends</c> (names are a contract): TLS towards HTTPS destinations.</summary>
internal sealed class BackendTlsOptions
{
    public const string SectionName = "Edge:Backends";

    /// <summary>The proxy's own certificate, presented to backends that ask for one (mutual TLS).</summary>
    public PemCertificatePaths ClientCertificate { get; set; } = new();

    /// <summary>PEM bundle that backend server certificates must chain to; the machine's roots when empty.</summary>
    public string? TrustedCaPath { get; set; }
}

/// <summary>A certificate and its private key, as PEM files.</summary>
internal sealed class PemCertificatePaths
{
    public string? Path { get; set; }

    public string? KeyPath { get; set; }
}
