import ArgumentParser
import Basics
import Foundation
import Validation

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with Kyverno policies.",
        subcommands: [PolicyTestCommand.self])
}

struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run kyverno-test.yaml files (the `kyverno test` format) and compare each result with the expected one.",
        discussion: "Exit codes: 0 every result as expected, 1 some differ, 2 a test could not run.")

    @Argument(help: "A folder searched for kyverno-test.yaml files, or one such file (default: policies).")
    var path: String = "policies"

    func run() throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandFailure("'\(path)' does not exist; name a folder of policies with kyverno-test.yaml files")
        }
        var files: [String] = []
        if isDirectory.boolValue {
            let enumerator = manager.enumerator(atPath: path)
            while let entry = enumerator?.nextObject() as? String {
                if (entry as NSString).lastPathComponent == "kyverno-test.yaml" { files.append((path as NSString).appendingPathComponent(entry)) }
            }
            files.sort()
        } else {
            files = [path]
        }
        guard !files.isEmpty else { throw CommandFailure("no kyverno-test.yaml under '\(path)'") }
        var passed = 0, failed = 0
        var text = ""
        for file in files {
            let test = try PolicyTest.run(file: file) { path in
                guard let data = manager.contents(atPath: (path as NSString).standardizingPath) else {
                    throw CommandFailure("\(file): cannot read '\(path)'")
                }
                return Array(data)
            }
            passed += test.passed
            failed += test.failed
            text += "\(test.name) (\(file)): \(test.passed) passed, \(test.failed) failed\n"
            for row in test.rows where !row.passed {
                text += "  \(row.policy)/\(row.rule) \(row.kind) \(row.resource): expected \(row.expected), got \(row.actual)"
                    + (row.message.isEmpty ? "" : " (\(row.message))") + "\n"
            }
        }
        text += "\(passed) passed, \(failed) failed\n"
        Output.write(text)
        if failed > 0 { throw ExitCode(1) }
    }
}
