import Foundation

/// Runs a program (found on PATH) and returns its standard output, standard error discarded: the
/// one process runner every test target uses.
public enum TestProcess {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `trimmed` drops surrounding whitespace; `requireSuccess` throws when the program exits
    /// with a status other than 0; `environment` is added to the test process's.
    @discardableResult
    public static func output(_ arguments: [String], in folder: String? = nil, trimmed: Bool = true,
                              requireSuccess: Bool = false, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if requireSuccess, process.terminationStatus != 0 {
            throw Failure(description: "\(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        let text = String(decoding: data, as: UTF8.self)
        return trimmed ? text.trimmingCharacters(in: .whitespacesAndNewlines) : text
    }
}
