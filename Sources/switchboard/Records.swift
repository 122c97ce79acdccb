import ArgumentParser
import AsyncHTTPClient
import Foundation
import JSONValue
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `switchboard records export|import`: synced records as JSON Lines or CSV files, streamed through the API.
struct Records: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export synced records to a file, or import a file into the records store.", subcommands: [Export.self, Import.self])

    /// `jsonl` or `csv` from --format, else from a file name's extension.
    static func format(_ option: String?, fileName: String?) throws -> String? {
        if let option {
            switch option.lowercased() {
            case "jsonl", "ndjson": return "jsonl"
            case "csv": return "csv"
            default: throw ValidationError("--format must be jsonl or csv")
            }
        }
        switch fileName.map({ URL(fileURLWithPath: $0).pathExtension.lowercased() }) {
        case "csv": return "csv"
        case "jsonl", "ndjson": return "jsonl"
        default: return nil
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stream an entity's records to a file (or stdout) as JSON Lines or CSV.",
            discussion: """
                The format is --format, else the --output file's extension (.csv, .jsonl, .ndjson), else jsonl. With --output \
                the file is written under a temporary name and renamed when complete.
                """)

        @Argument(help: "The connection id (conn_...).") var connection: String
        @Argument(help: "The entity type (as in the sync's entityType).") var entity: String
        @Option(help: "jsonl or csv.") var format: String?
        @Option(help: "Comma-separated fields (dotted paths allowed) to export, in this order.") var fields: String?
        @Flag(name: .customLong("include-deleted"), help: "Export deleted records too.") var includeDeleted = false
        @Option(name: .shortAndLong, help: "Write to this file instead of stdout.") var output: String?
        @Option(help: "Give up after this many seconds.") var timeout: Int = 3600
        @OptionGroup var api: APIOptions

        func run() async throws {
            let format = try Records.format(format, fileName: output) ?? "jsonl"
            var path = "/v1/connections/\(percentEncode(connection))/records/\(percentEncode(entity))/export?format=\(format)"
            if let fields { path += "&fields=" + percentEncode(fields) }
            if includeDeleted { path += "&includeDeleted=true" }
            let temporary = output.map { $0 + ".partial-\(getpid())" }
            try await api.withClient { client in
                var request = HTTPClientRequest(url: client.baseURL + path)
                request.method = .GET
                let response: HTTPClientResponse
                do {
                    response = try await client.http.execute(request, timeout: .seconds(Int64(timeout)))
                } catch {
                    throw CLIError.unreachable(client.baseURL, error)
                }
                guard response.status == .ok else {
                    let bytes = try await response.body.collect(upTo: 1 << 20)
                    printError(describeError(status: Int(response.status.code), body: (try? JSON(parsing: Array(bytes.readableBytesView))) ?? .null))
                    throw ExitCode(1)
                }
                let fd: Int32
                if let temporary {
                    fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                    guard fd >= 0 else { throw ValidationError("cannot create \(temporary)") }
                } else {
                    fd = 1
                }
                do {
                    for try await chunk in response.body {
                        guard writeAll(fd, chunk.readableBytesView) else { throw ValidationError("cannot write \(temporary ?? "stdout")") }
                    }
                } catch {
                    if let temporary {
                        close(fd)
                        unlink(temporary)
                    }
                    throw error
                }
                if let temporary, let output {
                    close(fd)
                    guard rename(temporary, output) == 0 else { throw ValidationError("cannot rename \(temporary) to \(output)") }
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stream a JSON Lines or CSV file into an entity's records (upserted by id).",
            discussion: """
                The format is --format, else the file's extension (.csv, .jsonl, .ndjson). FILE may be - for stdin. CSV \
                values are imported as strings. Prints the server's summary (read, created, updated, unchanged, dropped, \
                failed, errors with line numbers); exits 1 if any line failed.
                """)

        @Argument(help: "The connection id (conn_...).") var connection: String
        @Argument(help: "The entity type to import into.") var entity: String
        @Argument(help: "The file (.jsonl, .ndjson or .csv), or - for stdin.") var file: String
        @Option(help: "jsonl or csv.") var format: String?
        @Option(help: "Run each record through this pipeline (pipe_...) first.") var pipeline: String?
        @Option(name: .customLong("id-field"), help: "Dotted path to each record's external id.") var idField: String = "id"
        @Option(help: "Give up after this many seconds.") var timeout: Int = 3600
        @OptionGroup var api: APIOptions

        func run() async throws {
            guard let format = try Records.format(format, fileName: file == "-" ? nil : file) else {
                throw ValidationError("cannot tell the format from '\(file)'; use --format jsonl or --format csv")
            }
            var length: Int64?
            if file != "-" {
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: file), let size = attributes[.size] as? NSNumber else {
                    throw ValidationError("cannot read \(file)")
                }
                length = size.int64Value
            }
            var path = "/v1/connections/\(percentEncode(connection))/records/\(percentEncode(entity))/import?format=\(format)"
            if let pipeline { path += "&pipeline=" + percentEncode(pipeline) }
            path += "&idField=" + percentEncode(idField)
            let chunks = FileChunks(path: file)
            let (status, body) = try await api.withClient { client -> (Int, JSON) in
                var request = HTTPClientRequest(url: client.baseURL + path)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: format == "csv" ? "text/csv" : "application/x-ndjson")
                request.body = .stream(chunks, length: length.map { .known($0) } ?? .unknown)
                let response: HTTPClientResponse
                do {
                    response = try await client.http.execute(request, timeout: .seconds(Int64(timeout)))
                } catch let error as FileChunks.ReadError {
                    throw ValidationError(error.message)
                } catch {
                    throw CLIError.unreachable(client.baseURL, error)
                }
                let bytes = try await response.body.collect(upTo: 16 << 20)
                return (Int(response.status.code), (try? JSON(parsing: Array(bytes.readableBytesView))) ?? .null)
            }
            guard status == 200 else {
                printError(describeError(status: status, body: body))
                throw ExitCode(1)
            }
            print(body.serialized(.pretty))
            if (body["failed"]?.intValue ?? 0) > 0 { throw ExitCode(1) }
        }
    }
}

/// A file (or stdin, for `-`) read in 64 KiB chunks, as the body of a streamed request.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    struct ReadError: Error {
        var message: String
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let path: String
        var fd: Int32 = -1
        var done = false

        mutating func next() async throws -> ByteBuffer? {
            guard !done else { return nil }
            if fd < 0 {
                fd = path == "-" ? 0 : open(path, O_RDONLY)
                guard fd >= 0 else { throw ReadError(message: "cannot open \(path)") }
            }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                done = true
                if fd > 0 { close(fd) }
                if n < 0 { throw ReadError(message: "cannot read \(path)") }
                return nil
            }
            return ByteBuffer(bytes: buffer[0..<n])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(path: path) }
}

/// Writes every byte to `fd`; false if the write failed.
func writeAll(_ fd: Int32, _ bytes: ByteBufferView) -> Bool {
    bytes.withContiguousStorageIfAvailable { buffer -> Bool in
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n <= 0 { return false }
            offset += n
        }
        return true
    } ?? writeAll(fd, ByteBuffer(bytes: Array(bytes)).readableBytesView)
}
