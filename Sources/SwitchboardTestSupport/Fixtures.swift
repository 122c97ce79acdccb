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
