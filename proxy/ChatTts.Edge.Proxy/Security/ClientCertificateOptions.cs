namespace ChatTts.Edge.Security;

/// <summary>Section <c>Edge:ClientCertificates</c> (names are a contract): who may connect with a client certificate.</summary>
internal sealed class ClientCertificateOptions
{
    public const string SectionName = "Edge:ClientCertificates";
    public const string DefaultPlan = "certificate";

    /// <summary>Where the quota plans are configured (a certificate holder's plan must be one of them).</summary>
    public const string PlansSection = "Edge:Quotas:Plans";

    /// <summary>PEM bundle of the CAs whose client certificates are accepted (the machine's roots are not).</summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>
    /// A CRL file (PEM <c>X509 CRL</c> blocks or DER; one CRL per issuing CA), read again when it changes. A certificate
    /// a CRL of its issuing CA lists, checked with that CA's key, is refused.
    /// </summary>
    public string? RevocationListPath { get; set; }

    /// <summary>When not empty, a certificate's subject CN or one of its DNS/URI SANs must be one of these.</summary>
    public List<string> AllowedSubjects { get; set; } = [];

    /// <summary>The quota plan of certificate holders.</summary>
    public string Plan { get; set; } = DefaultPlan;
}
