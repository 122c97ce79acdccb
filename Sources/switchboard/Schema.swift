import ArgumentParser
import Foundation
import JSONSchema
import JSONValue
import SwitchboardCore

/// `switchboard schema validate`: validates documents against a JSON Schema 2020-12, locally.
struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Work with JSON Schemas (draft 2020-12).", subcommands: [Validate.self])

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate one document (--instance) or JSON Lines on stdin against a schema.",
            discussion: """
                Prints one line per invalid document (its line number for JSONL) with every error as `/pointer: message`. \
                Exits 0 when every document is valid, 1 when one is not, 2 when the schema or input cannot be read.
                """)

        @Option(help: "The schema file (JSON or YAML).") var schema: String
        @Option(help: "One document to validate (JSON); without it, JSON Lines are read from stdin.") var instance: String?
        @Flag(name: .customLong("no-formats"), help: "Treat `format` as an annotation instead of an assertion.") var noFormats = false
        @Flag(name: .customLong("first-error"), help: "Report only the first error of each document.") var firstError = false

        func run() throws {
            guard let schemaData = FileManager.default.contents(atPath: schema) else { throw fail("cannot read \(schema)") }
            let schemaJSON: JSON
            do {
                schemaJSON = try DocumentReader.read([UInt8](schemaData), format: DocumentReader.format(forFileName: schema))
            } catch { throw fail("\(schema) is not valid JSON or YAML: \(error)") }
            let metaProblems = JSONSchema.validateSchema(schemaJSON)
            if !metaProblems.isEmpty {
                for p in metaProblems { print("schema\(p.instanceLocation): \(p.message)") }
                throw fail("\(schema) is not a valid JSON Schema")
            }
            let compiled: JSONSchema
            do { compiled = try JSONSchema.compile(schemaJSON, options: .init(formatAssertion: !noFormats)) } catch {
                throw fail("the schema does not compile: \(error)")
            }
            let mode: ValidationMode = firstError ? .firstError : .allErrors
            var invalid = 0
            var total = 0
            func check(_ doc: JSON, label: String) {
                total += 1
                let result = compiled.validate(doc, mode: mode)
                guard !result.isValid else { return }
                invalid += 1
                print("\(label): invalid")
                for e in result.errors { print("  \(e.description)") }
            }
            if let instance {
                guard let data = FileManager.default.contents(atPath: instance) else { throw fail("cannot read \(instance)") }
                do { check(try JSON(parsing: [UInt8](data)), label: instance) } catch { throw fail("\(instance) is not valid JSON: \(error)") }
            } else {
                var lineNumber = 0
                while let line = readLine(strippingNewline: true) {
                    lineNumber += 1
                    if line.allSatisfy(\.isWhitespace) { continue }
                    do { check(try JSON(parsing: line), label: "line \(lineNumber)") } catch {
                        invalid += 1
                        total += 1
                        print("line \(lineNumber): not valid JSON: \(error)")
                    }
                }
            }
            print("\(total - invalid) valid, \(invalid) invalid")
            if invalid > 0 { throw ExitCode(1) }
        }

        func fail(_ message: String) -> any Error {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            return ExitCode(2)
        }
    }
}

