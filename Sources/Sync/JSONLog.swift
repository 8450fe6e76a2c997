import Basics
import Foundation
import Secrets

/// Structured logs: one JSON object a line on standard error (time, level, environment, revision,
/// message, fields). Callers never pass secrets; URLs are redacted by `SyncSource`.
public struct JSONLog: Sendable {
    public var environment: String

    public init(environment: String) { self.environment = environment }

    public func info(_ message: String, revision: String? = nil, _ fields: [String: String] = [:]) { write("info", message, revision, fields) }
    public func warning(_ message: String, revision: String? = nil, _ fields: [String: String] = [:]) { write("warning", message, revision, fields) }
    public func error(_ message: String, revision: String? = nil, _ fields: [String: String] = [:]) { write("error", message, revision, fields) }

    private func write(_ level: String, _ message: String, _ revision: String?, _ fields: [String: String]) {
        var object: ValueObject = ["time": .string(ISO8601DateFormatter().string(from: Date())), "level": .string(level),
                                   "environment": .string(environment)]
        if let revision { object["revision"] = .string(revision) }
        object["message"] = .string(message)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { object[key] = .string(value) }
        // A decrypted value never reaches the log.
        FileHandle.standardError.write(Data((Redaction.redact(JSONWriter.compact(.object(object))) + "\n").utf8))
    }
}
