import Foundation

/// Files of the repository (catalog, fixtures) located from this source file, so tests run from any directory.
public enum RepositoryFiles {
    public static var root: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: root + "/" + relativePath) else {
            throw TestSetupError("cannot read \(relativePath)")
        }
        return [UInt8](data)
    }
}

/// Polls `condition` every 20 ms until it holds (true) or `timeout` passes (false), for effects that arrive
/// asynchronously (another node's notification); assert on the result.
public func waitUntil(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: .milliseconds(20))
    }
    return true
}
