import Foundation

/// The HTTPS upstream of `Tests/peers/mtls_server.py`: it requires a client certificate from its own client CA and
/// answers every request with the subject of the certificate it verified. Its certificates and keys are generated
/// (trustme) when it starts, into a fresh temporary directory, and read back here as PEM text.
public final class MutualTLSPeer: Sendable {
    /// A certificate chain (leaf first) and its private key, as PEM.
    public struct Identity: Sendable {
        public let certificatePEM: String
        public let privateKeyPEM: String

        public init(certificatePEM: String, privateKeyPEM: String) {
            self.certificatePEM = certificatePEM
            self.privateKeyPEM = privateKeyPEM
        }
    }

    private let process: PeerProcess
    public let port: Int
    /// `https://127.0.0.1:<port>`.
    public let baseURL: String
    /// The private CA that issued the server's certificate (for 127.0.0.1 and localhost).
    public let serverCA: String
    /// A CA that did not issue the server's certificate.
    public let otherServerCA: String
    /// RSA, CN `switchboard-client`, issued by an intermediate of the client CA (the chain holds both).
    public let client: Identity
    /// ECDSA, CN `switchboard-client-ec`, issued by the client CA.
    public let clientEC: Identity
    /// Issued by the client CA, expired in 2020.
    public let expired: Identity
    /// CN `intruder`, issued by a CA the server does not trust.
    public let other: Identity

    /// Starts a peer of its own (key generation and Python start-up take a second or more, suspended).
    public static func start() async throws -> MutualTLSPeer {
        let dir = NSTemporaryDirectory() + "switchboard-mtls-" + UUID().uuidString
        return try MutualTLSPeer(process: try await PeerProcess.start(script: "mtls_server.py", arguments: ["--port", "0", "--certs", dir]), dir: dir)
    }

    private init(process: PeerProcess, dir: String) throws {
        self.process = process
        port = process.port
        baseURL = "https://127.0.0.1:\(process.port)"
        func read(_ name: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: dir + "/" + name) else {
                throw TestSetupError("the mTLS peer wrote no \(name)")
            }
            return String(decoding: data, as: UTF8.self)
        }
        func identity(_ stem: String) throws -> Identity { Identity(certificatePEM: try read(stem + ".pem"), privateKeyPEM: try read(stem + ".key")) }
        serverCA = try read("server-ca.pem")
        otherServerCA = try read("other-server-ca.pem")
        client = try identity("client")
        clientEC = try identity("client-ec")
        expired = try identity("expired")
        other = try identity("other")
        try? FileManager.default.removeItem(atPath: dir)
    }

    public func stop() { process.stop() }

    private static let sharedPeer = Task { try await MutualTLSPeer.start() }

    /// One peer shared by every test of a test process, started on first use.
    public static func shared() async throws -> MutualTLSPeer { try await sharedPeer.value }
}
