import Foundation
import Hummingbird
import HummingbirdTesting
import JSONValue
import Logging
import SwitchboardServer
import SwitchboardTestSupport
import Synchronization
import Testing

/// Mutual TLS through the API: a definition with `auth: client_certificate`, credentials set with PUT, methods run
/// against a real HTTPS server that requires a client certificate (Tests/peers/mtls_server.py). The private key must
/// not appear in any response, execution record, log line or database file.
@Suite("Mutual TLS end to end")
struct MutualTLSExecutionTests {
    static func definition(_ key: String) -> JSON {
        [
            "key": .string(key), "name": "mTLS upstream", "version": "1.0.0", "type": "rest_api", "baseUrl": "{config.baseUrl}",
            "configSchema": ["type": "object", "required": ["baseUrl"], "properties": ["baseUrl": ["type": "string"]]],
            "auth": ["type": "client_certificate"],
            "methods": [
                [
                    "name": "whoami", "verb": "POST", "path": "/whoami", "body": ["note": "{{params.note}}"], "logBodies": true,
                    "paramSchema": ["type": "object", "properties": ["note": ["type": "string"]]],
                ]
            ],
        ]
    }

    /// The base64 lines of a PEM.
    static func secretLines(_ pem: String) -> [String] {
        pem.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-----") && $0.count >= 16 }
    }

    @Test func clientCertificateCallsThroughTheAPI() async throws {
        let peer = try await MutualTLSPeer.shared()
        let dir = NSTemporaryDirectory() + "switchboard-mtls-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = ServerConfiguration(logLevel: .trace)
        config.dataDirectory = dir
        let logs = CapturedLogs()
        let app = try await buildApplication(config, logger: logs.logger)
        let key = peer.client.privateKeyPEM
        let responses = try await app.test(.router) { client -> [JSON] in
            var responses: [JSON] = []
            let created = try await client.call(.post, "/v1/definitions?publish=true", json: Self.definition("mtls-e2e"))
            #expect(created.status == 201, "\(created.body)")
            let c = try await client.call(
                .post, "/v1/connections", json: ["definitionKey": "mtls-e2e", "name": "bank", "config": ["baseUrl": .string(peer.baseURL)]])
            #expect(c.status == 201, "\(c.body)")
            let id = try #require(c.body["id"]?.stringValue)
            #expect(c.body["status"] == "PENDING_AUTHENTICATION")

            // A malformed key: 422 naming the field, nothing stored, no key material in the answer.
            let bad = try await client.call(
                .put, "/v1/connections/\(id)/credentials",
                json: [
                    "type": "client_certificate", "certificatePEM": .string(peer.client.certificatePEM),
                    "privateKeyPEM": .string(String(key.prefix(400)) + "\n-----END RSA PRIVATE KEY-----\n"),
                ])
            #expect(bad.status == 422)
            #expect(bad.body["error"]?["code"] == "VALIDATION_ERROR")
            #expect(bad.body["error"]?["details"]?[0]?["path"] == "/privateKeyPEM")
            responses.append(bad.body)

            let put = try await client.call(
                .put, "/v1/connections/\(id)/credentials",
                json: [
                    "type": "client_certificate", "certificatePEM": .string(peer.client.certificatePEM), "privateKeyPEM": .string(key),
                    "caCertificatePEM": .string(peer.serverCA),
                ])
            #expect(put.status == 200, "\(put.body)")
            #expect(put.body["connectionStatus"] == "CONNECTED")
            responses.append(put.body)
            let info = try await client.call(.get, "/v1/connections/\(id)/credentials")
            #expect(info.body["expiresAt"]?.stringValue != nil)
            responses.append(info.body)

            // The call goes over mutual TLS: the upstream saw our certificate.
            let ok = try await client.call(.post, "/v1/connections/\(id)/methods/whoami", json: ["note": "hello"])
            #expect(ok.status == 200, "\(ok.body)")
            #expect(ok.body["data"]?["clientSubject"]?.stringValue?.hasSuffix("CN=switchboard-client") == true, "\(ok.body)")
            responses.append(ok.body)

            // A certificate the upstream does not trust: a typed TLS error, not a 500.
            _ = try await client.call(
                .put, "/v1/connections/\(id)/credentials",
                json: [
                    "type": "client_certificate", "certificatePEM": .string(peer.other.certificatePEM),
                    "privateKeyPEM": .string(peer.other.privateKeyPEM), "caCertificatePEM": .string(peer.serverCA),
                ])
            let refused = try await client.call(.post, "/v1/connections/\(id)/methods/whoami", json: ["note": "again"])
            #expect(refused.status == 502, "\(refused.body)")
            #expect(refused.body["error"]?["code"] == "UPSTREAM_TLS_ERROR", "\(refused.body)")
            #expect(refused.body["error"]?["message"]?.stringValue?.contains("refused the client certificate") == true)
            responses.append(refused.body)

            // An upstream whose CA is not given: its certificate is not trusted (verification is never off).
            _ = try await client.call(
                .put, "/v1/connections/\(id)/credentials",
                json: ["type": "client_certificate", "certificatePEM": .string(peer.client.certificatePEM), "privateKeyPEM": .string(key)])
            let untrusted = try await client.call(.post, "/v1/connections/\(id)/methods/whoami", json: [:])
            #expect(untrusted.status == 502)
            #expect(untrusted.body["error"]?["code"] == "UPSTREAM_TLS_ERROR")
            #expect(untrusted.body["error"]?["message"]?.stringValue?.contains("not trusted") == true, "\(untrusted.body)")
            responses.append(untrusted.body)

            // The execution records (the successful one logged its bodies) and the audit log.
            for r in [ok, refused, untrusted] {
                let execution = try #require(r.body["meta"]?["executionId"]?.stringValue)
                let record = try await client.call(.get, "/v1/executions/\(execution)")
                #expect(record.status == 200)
                responses.append(record.body)
            }
            #expect(responses.last?["errorCode"] == "UPSTREAM_TLS_ERROR")
            #expect(responses[responses.count - 3]["requestBody"]?.stringValue?.contains("hello") == true)
            responses.append(try await client.call(.get, "/v1/executions?connectionId=\(id)").body)
            responses.append(try await client.call(.get, "/v1/audit?connectionId=\(id)").body)
            responses.append(try await client.call(.get, "/v1/events?connectionId=\(id)").body)
            return responses
        }
        var haystacks: [(String, String)] = [("API responses", responses.map { $0.serialized() }.joined()), ("logs", logs.all)]
        #expect(logs.all.contains("credential vault ready"), "the logger captured nothing")
        for suffix in ["", "-wal", "-shm", "-journal"] {
            if let data = FileManager.default.contents(atPath: dir + "/switchboard.sqlite" + suffix) {
                haystacks.append(("sqlite" + suffix, String(decoding: data, as: UTF8.self)))
            }
        }
        #expect(haystacks.count >= 3)
        for pem in [key, peer.other.privateKeyPEM] {
            for line in Self.secretLines(pem) {
                for (name, text) in haystacks { #expect(!text.contains(line), "the private key is in the \(name)") }
            }
        }
        for (name, text) in haystacks { #expect(!text.contains("PRIVATE KEY-----"), "a PEM key is in the \(name)") }
    }
}
