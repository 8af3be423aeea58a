using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ChatTts.Edge.Security;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Security;

/// <summary>The CRL reader against CRLs that .NET's own builder signs.</summary>
public sealed class CertificateRevocationListTests : IDisposable
{
    private readonly ThrowawayPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Load_PemWithTheCrlsOfTwoCas_ReadsEachOnesIssuerAndEntries()
    {
        var first = _pki.Client("first", "device-1").Certificate;
        var second = _pki.Client("second", "device-2").Certificate;
        var elsewhere = _pki.Client("elsewhere", "device-3", otherCa: true).Certificate;
        var path = Write("two.pem", RevocationLists.Pem(
            RevocationLists.Build(_pki.Ca, [first, second], X509RevocationReason.KeyCompromise),
            RevocationLists.Build(_pki.OtherCa, [elsewhere])));

        var lists = CertificateRevocationList.Load(path);

        Assert.Equal(["CN=ChatTts.Edge Test CA", "CN=Someone Else's CA"], lists.Select(list => list.Issuer.Name));
        Assert.Equal(new[] { first.SerialNumber, second.SerialNumber }.Order(), lists[0].Revoked.Keys.Order());
        Assert.Equal(new RevokedCertificate(first.SerialNumber, RevocationLists.RevokedOn, X509RevocationReason.KeyCompromise), lists[0].Revoked[first.SerialNumber]);
        Assert.Equal(new RevokedCertificate(elsewhere.SerialNumber, RevocationLists.RevokedOn, null), Assert.Single(lists[1].Revoked.Values));
        Assert.InRange(lists[0].NextUpdate!.Value, TimeProvider.System.GetUtcNow().AddDays(6), TimeProvider.System.GetUtcNow().AddDays(8));
    }

    [Fact]
    public void Load_DerOneOrSeveralBackToBack_ReadsTheSameAsPem()
    {
        var revoked = _pki.Client("revoked", "device-1").Certificate;
        var ours = RevocationLists.Build(_pki.Ca, [revoked]);
        var theirs = RevocationLists.Build(_pki.OtherCa, []);

        var one = Assert.Single(CertificateRevocationList.Load(Write("one.crl", ours)));
        var two = CertificateRevocationList.Load(Write("two.crl", [.. ours, .. theirs]));

        Assert.Equal(revoked.SerialNumber, Assert.Single(one.Revoked.Keys));
        Assert.Equal(2, two.Count);
        Assert.Empty(two[1].Revoked);
        Assert.True(one.IsSignedBy(_pki.Ca));
    }

    [Theory]
    [InlineData(false, "SHA256")]
    [InlineData(false, "SHA384")]
    [InlineData(false, "SHA512")]
    [InlineData(true, "SHA256")]
    [InlineData(true, "SHA384")]
    [InlineData(true, "SHA512")]
    public void IsSignedBy_EcdsaAndRsaWithEachHash_VerifiesWithTheIssuersKeyOnly(bool rsa, string hash)
    {
        using var ca = ThrowawayPki.CreateCa("Signing CA", rsa: rsa);
        using var sameName = ThrowawayPki.CreateCa("Signing CA", rsa: rsa);

        var crl = Assert.Single(CertificateRevocationList.Read(RevocationLists.Build(ca, [], hash: new HashAlgorithmName(hash))));

        Assert.True(crl.IsSignedBy(ca));
        Assert.False(crl.IsSignedBy(sameName)); // the same name, another key
        Assert.False(crl.IsSignedBy(_pki.Ca)); // another name
    }

    [Fact]
    public void IsSignedBy_CrlWithAnEntryAltered_IsFalse()
    {
        var revoked = _pki.Client("revoked", "device-1").Certificate;
        var der = RevocationLists.Build(_pki.Ca, [revoked]);
        var serial = Convert.FromHexString(revoked.SerialNumber);
        der[der.AsSpan().IndexOf(serial) + serial.Length - 1] ^= 1; // unrevokes it, revokes a neighbour

        var tampered = Assert.Single(CertificateRevocationList.Read(der));

        Assert.DoesNotContain(revoked.SerialNumber, tampered.Revoked.Keys);
        Assert.False(tampered.IsSignedBy(_pki.Ca));
    }

    [Fact]
    public void Read_RsaPssSignature_ThrowsNamingTheAlgorithm()
    {
        using var ca = ThrowawayPki.CreateCa("PSS CA", rsa: true);
        var der = new CertificateRevocationListBuilder().Build(ca, 1, TimeProvider.System.GetUtcNow().AddDays(1), HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

        var failure = Assert.Throws<CryptographicException>(() => CertificateRevocationList.Read(der));

        Assert.Contains("1.2.840.113549.1.1.10", failure.Message);
    }

    [Fact]
    public void Load_TruncatedDerOrACertificateInstead_Throws()
    {
        var der = RevocationLists.Build(_pki.Ca, []);

        Assert.Throws<CryptographicException>(() => CertificateRevocationList.Load(Write("cut.crl", der[..^10])));
        Assert.Throws<InvalidOperationException>(() => CertificateRevocationList.Load(_pki.CaPath)); // PEM, but no X509 CRL block
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_pki.Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Write(string name, byte[] der)
    {
        var path = Path.Combine(_pki.Folder, name);
        File.WriteAllBytes(path, der);
        return path;
    }
}
