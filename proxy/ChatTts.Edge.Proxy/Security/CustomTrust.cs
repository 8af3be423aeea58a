using System.Security.Cryptography.X509Certificates;

namespace ChatTts.Edge.Security;

/// <summary>Certificate chains that end only at a configured CA bundle, never at the machine's roots.</summary>
internal static class CustomTrust
{
    /// <summary>A chain to build against <paramref name="roots"/> alone; no revocation check (private CAs publish none).</summary>
    public static X509Chain Chain(X509Certificate2Collection roots)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain;
    }
}
