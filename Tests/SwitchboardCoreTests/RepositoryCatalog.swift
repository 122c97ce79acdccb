import Foundation

/// The example definitions of `catalog/`, read from the repository.
enum RepositoryCatalog {
    static var root: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    static var stripe: String { get throws { try String(contentsOfFile: root + "/catalog/stripe.yaml", encoding: .utf8) } }
    static var httpbin: String { get throws { try String(contentsOfFile: root + "/catalog/httpbin.yaml", encoding: .utf8) } }
}
