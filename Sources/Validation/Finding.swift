import Basics
import KubeModel

/// Something `gitops validate` reports about a rendered object: where to fix it, which rule, what.
public struct Finding: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error, warning

        public static func < (a: Severity, b: Severity) -> Bool { a == .error && b == .warning }
    }

    public var severity: Severity
    /// The closest place a person edits.
    public var location: SourceLocation
    /// `schema`, `schema.missing`, or `<policy>/<rule>`.
    public var rule: String
    public var message: String
    /// `Deployment blog-production/blog`.
    public var object: String
    /// The field the finding is about (empty: the whole object).
    public var path: FieldPath
    /// The environment rendered.
    public var environment: String

    public init(severity: Severity, location: SourceLocation, rule: String, message: String, object: String,
                path: FieldPath = FieldPath(), environment: String = "") {
        self.severity = severity
        self.location = location
        self.rule = rule
        self.message = message
        self.object = object
        self.path = path
        self.environment = environment
    }

    /// A problem that kept an environment from loading or rendering (a YAML syntax error, a
    /// broken chart): the rule is its code.
    public init(diagnostic: Diagnostic, environment: String) {
        self.init(severity: diagnostic.severity == .error ? .error : .warning,
                  location: diagnostic.location ?? SourceLocation(file: "environments/\(environment)/environment.yaml", line: 1, column: 1),
                  rule: diagnostic.code, message: diagnostic.message, object: "", environment: environment)
    }

    /// `file:line:col: error: [rule] message (Kind namespace/name, field.path)`; without the
    /// parenthesis for a problem that is about no object.
    public var description: String {
        let subject = path.elements.isEmpty ? object : "\(object), \(path)"
        return "\(location.file):\(location.line):\(location.column): \(severity.rawValue): [\(rule)] \(message)" + (subject.isEmpty ? "" : " (\(subject))")
    }

    /// As JSON: file, line, column, severity, rule, message, object, path, environment.
    public var jsonValue: Value {
        .object([
            "file": .string(location.file), "line": .int(Int64(location.line)), "column": .int(Int64(location.column)),
            "severity": .string(severity.rawValue), "rule": .string(rule), "message": .string(message), "object": .string(object),
            "path": .string(path.description), "environment": .string(environment),
        ])
    }

    /// How findings are listed: by file, line, column, then rule.
    public static func ordered(_ a: Finding, _ b: Finding) -> Bool {
        (a.location.file, a.location.line, a.location.column, a.rule, a.message)
            < (b.location.file, b.location.line, b.location.column, b.rule, b.message)
    }
}
