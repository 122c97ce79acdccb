import NIOSSL
import SwitchboardCore

/// Checks `client_certificate` credentials when they are set, loading them as the HTTP transport will for mutual TLS:
/// the certificate chain and the CA certificates parse, the private key parses (unencrypted) and belongs to the first
/// (leaf) certificate, and the leaf has not expired. Problems name the field, never its content.
enum ClientCertificateCheck {
    /// Reports each problem to `r` and returns the leaf certificate's expiry (nil when there are problems).
    static func check(certificatePEM: String, privateKeyPEM: String, caCertificatePEM: String?, now: Timestamp, into r: inout FieldReader)
        -> Timestamp?
    {
        let problems = r.problems.count
        let chain = certificates(certificatePEM, field: "certificatePEM", into: &r)
        if let ca = caCertificatePEM { _ = certificates(ca, field: "caCertificatePEM", into: &r) }
        var key: NIOSSLPrivateKey?
        if privateKeyPEM.contains("ENCRYPTED") {
            r.report("privateKeyPEM", "is an encrypted key; give the key unencrypted (the vault encrypts it)")
        } else if let k = try? NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem) {
            key = k
        } else {
            r.report("privateKeyPEM", "is not a valid PEM private key (PKCS#8, RSA or EC)")
        }
        guard let leaf = chain?.first, let key, r.problems.count == problems else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([])
        configuration.certificateChain = chain!.map { .certificate($0) }
        configuration.privateKey = .privateKey(key)
        if (try? NIOSSLContext(configuration: configuration)) == nil {
            r.report("privateKeyPEM", "does not belong to the first certificate of certificatePEM (the client certificate must come first)")
            return nil
        }
        let notAfter = Timestamp(millisecondsSinceEpoch: Int64(leaf.notValidAfter) * 1000)
        if notAfter.millisecondsSinceEpoch <= now.millisecondsSinceEpoch {
            r.report("certificatePEM", "has expired (\(notAfter.iso8601))")
            return nil
        }
        return notAfter
    }

    static func certificates(_ pem: String, field: String, into r: inout FieldReader) -> [NIOSSLCertificate]? {
        guard pem.contains("-----BEGIN CERTIFICATE-----") else {
            r.report(field, "must be a PEM certificate (-----BEGIN CERTIFICATE-----)")
            return nil
        }
        guard let certs = try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)), !certs.isEmpty else {
            r.report(field, "is not a valid PEM certificate")
            return nil
        }
        return certs
    }
}
