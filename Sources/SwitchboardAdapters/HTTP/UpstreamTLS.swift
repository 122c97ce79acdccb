import NIOSSL
import SwitchboardCore

/// How a request's TLS connection to the upstream differs from the defaults, from a connection's
/// `client_certificate` credentials: the certificate chain and private key presented for mutual TLS, and the CA
/// certificates that replace the system trust roots for the upstream (a private CA).
///
/// The upstream's certificate is always verified (chain and host name); nothing here can turn that off.
/// `description` names no PEM, so the value can be interpolated safely.
public struct UpstreamTLS: Sendable, Hashable, CustomStringConvertible {
    /// The client certificate, leaf first, then any intermediates (PEM).
    public var certificatePEM: String?
    /// The client certificate's private key (PEM, unencrypted; PKCS#8, RSA or EC).
    public var privateKeyPEM: String?
    /// The CA certificates (PEM) that the upstream's certificate must chain to, instead of the system's.
    public var caCertificatePEM: String?

    public init(certificatePEM: String? = nil, privateKeyPEM: String? = nil, caCertificatePEM: String? = nil) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
        self.caCertificatePEM = caCertificatePEM
    }

    /// The settings `credentials` call for: nil unless they are `client_certificate`.
    public init?(_ credentials: Credentials?) {
        guard let c = credentials, c.type == .clientCertificate else { return nil }
        self.init(certificatePEM: c["certificatePEM"], privateKeyPEM: c["privateKeyPEM"], caCertificatePEM: c["caCertificatePEM"])
    }

    public var description: String {
        "UpstreamTLS(client certificate: \(certificatePEM == nil ? "none" : "set"), trust: \(caCertificatePEM == nil ? "system roots" : "given CA"))"
    }

    /// Parses the PEM and builds the client TLS configuration; a certificate or key that cannot be used is an
    /// `invalidCredentials` error whose message names the field, never its content.
    public func makeConfiguration() throws(AdapterError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        switch (certificatePEM, privateKeyPEM) {
        case (nil, nil): break
        case (let cert?, let key?):
            let chain = try Self.certificates(cert, field: "certificatePEM")
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(try Self.privateKey(key))
        default:
            throw AdapterError(.invalidCredentials, "client_certificate credentials need both certificatePEM and privateKeyPEM")
        }
        if let ca = caCertificatePEM {
            configuration.trustRoots = .certificates(try Self.certificates(ca, field: "caCertificatePEM"))
        }
        do {
            // Loads the chain and key into a context as the connection will: a key that does not belong to the
            // certificate fails here, not at every connection attempt.
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw AdapterError(
                .invalidCredentials, "the client_certificate credentials cannot be used: the private key does not belong to the certificate")
        }
        return configuration
    }

    static func certificates(_ pem: String, field: String) throws(AdapterError) -> [NIOSSLCertificate] {
        guard pem.contains("-----BEGIN CERTIFICATE-----"), let certs = try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)), !certs.isEmpty else {
            throw AdapterError(.invalidCredentials, "the client_certificate credentials cannot be used: \(field) is not a valid PEM certificate")
        }
        return certs
    }

    static func privateKey(_ pem: String) throws(AdapterError) -> NIOSSLPrivateKey {
        if pem.contains("ENCRYPTED") {
            throw AdapterError(
                .invalidCredentials, "the client_certificate credentials cannot be used: privateKeyPEM is encrypted; give the key unencrypted")
        }
        guard let key = try? NIOSSLPrivateKey(bytes: Array(pem.utf8), format: .pem) else {
            throw AdapterError(.invalidCredentials, "the client_certificate credentials cannot be used: privateKeyPEM is not a valid PEM private key")
        }
        return key
    }

    /// A TLS failure of an exchange as an `AdapterError` of kind `tls`, or nil when `error` is not one. The message
    /// says which side refused and why (BoringSSL's reason, e.g. `CERTIFICATE_VERIFY_FAILED`), never key material.
    public static func failure(_ error: any Error, host: String) -> AdapterError? {
        let reason: String
        switch error {
        case let e as NIOSSLError:
            switch e {
            case .handshakeFailed(let b): reason = Self.reason(b)
            case .uncleanShutdown, .writeDuringTLSShutdown, .readInInvalidTLSState, .shutdownFailed:
                return nil  // the connection ended badly after the handshake: not a certificate problem
            case .failedToLoadCertificate, .failedToLoadPrivateKey:
                return AdapterError(.invalidCredentials, "the client_certificate credentials cannot be used: \(e)")
            default: reason = "\(e)"
            }
        case let b as BoringSSLError:
            reason = Self.reason(b)
        case let e as NIOSSLExtraError:
            reason = "\(e)"
            if reason.lowercased().contains("hostname") {
                return AdapterError(.tls, "the upstream's TLS certificate is not valid for \(host)")
            }
        default:
            return nil
        }
        return AdapterError(.tls, explain(reason, host: host))
    }

    static func reason(_ error: BoringSSLError) -> String {
        switch error {
        case .sslError(let stack), .unknownError(let stack), .invalidSNIName(let stack), .failedToSetALPN(let stack):
            // "Error: 268436504 error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA at <file>:<line>"
            let reasons = stack.map { e -> String in
                let text = "\(e)"
                guard let start = text.range(of: "error:") else { return text }
                let message = text[start.lowerBound...].split(separator: " at ", maxSplits: 1).first ?? ""
                return message.split(separator: ":").last.map(String.init) ?? text
            }
            return reasons.isEmpty ? "\(error)" : reasons.joined(separator: ", ")
        default:
            return "\(error)"
        }
    }

    /// The reason with what it usually means.
    static func explain(_ reason: String, host: String) -> String {
        let r = reason.uppercased()
        if r.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the TLS handshake with \(host) failed: the upstream's certificate is not trusted (\(reason)); for a private CA, "
                + "set caCertificatePEM in the connection's client_certificate credentials"
        }
        if r.contains("CERTIFICATE_REQUIRED") || r.contains("UNKNOWN_CA") || r.contains("BAD_CERTIFICATE")
            || r.contains("CERTIFICATE_EXPIRED") || r.contains("CERTIFICATE_REVOKED") || r.contains("UNSUPPORTED_CERTIFICATE")
            || r.contains("ACCESS_DENIED") || r.contains("CERTIFICATE_UNKNOWN")
        {
            return "the TLS handshake with \(host) failed: the upstream refused the client certificate (\(reason))"
        }
        return "the TLS handshake with \(host) failed (\(reason))"
    }
}
