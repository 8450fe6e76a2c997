/// A message about an input, tied to where in that input a person should look.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error, warning, note
    }

    /// A stable identity for the kind of problem (for tests and tooling), e.g. `yaml.syntax`.
    public var code: String
    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    /// The text of the offending line, when known; printed under the message with a caret.
    public var sourceLine: String?
    /// Where the caret goes in `sourceLine` when that is an excerpt (a long line's window); nil:
    /// the location's column.
    public var caretColumn: Int?

    public init(code: String, severity: Severity = .error, location: SourceLocation?, message: String,
                sourceLine: String? = nil, caretColumn: Int? = nil) {
        self.code = code
        self.severity = severity
        self.location = location
        self.message = message
        self.sourceLine = sourceLine
        self.caretColumn = caretColumn
    }

    /// `file:line:col: error: message`, followed by the source line and a caret when known.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): \(message)"
        if let sourceLine, let location {
            text += "\n" + sourceLine + "\n" + Diagnostic.caretPadding(sourceLine, column: caretColumn ?? location.column) + "^"
        }
        return text
    }

    /// Spaces (tabs kept) to put a caret under character `column` (1-based) of `line`.
    static func caretPadding(_ line: String, column: Int) -> String {
        var padding = ""
        for (index, character) in line.enumerated() where index < column - 1 {
            padding.append(character == "\t" ? "\t" : " ")
        }
        if column - 1 > line.count { padding += String(repeating: " ", count: column - 1 - line.count) }
        return padding
    }
}

/// One or more diagnostics raised together: everything wrong with an input, not only the first.
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public init(_ diagnostic: Diagnostic) { self.diagnostics = [diagnostic] }

    /// Convenience for a single error at a location.
    public init(code: String, at location: SourceLocation?, _ message: String, sourceLine: String? = nil) {
        self.diagnostics = [Diagnostic(code: code, location: location, message: message, sourceLine: sourceLine)]
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }

    /// The first error on one line, where it is, and how many more there are:
    /// `FILE:3:7: the message (and 2 more problems)`.
    public var firstProblem: String {
        let errors = diagnostics.filter { $0.severity == .error }
        guard let first = errors.first ?? diagnostics.first else { return "an unknown problem" }
        let place = first.location.map { "\($0): " } ?? ""
        let more = errors.count > 1 ? " (and \(errors.count - 1) more problem\(errors.count == 2 ? "" : "s"))" : ""
        return place + (first.message.split(separator: "\n").first.map(String.init) ?? "") + more
    }
}

/// Collects diagnostics while checking an input so that all of them are reported at once.
public struct DiagnosticCollector: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    public mutating func append(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    public mutating func error(_ code: String, at location: SourceLocation?, _ message: String,
                               sourceLine: String? = nil) {
        diagnostics.append(Diagnostic(code: code, location: location, message: message, sourceLine: sourceLine))
    }

    /// Runs `body`, recording a thrown `DiagnosticError`'s diagnostics instead of propagating it.
    public mutating func capture<T>(_ body: () throws -> T) -> T? {
        do { return try body() } catch let error as DiagnosticError {
            diagnostics += error.diagnostics
            return nil
        } catch {
            diagnostics.append(Diagnostic(code: "internal", location: nil, message: "\(error)"))
            return nil
        }
    }

    /// Orders the diagnostics by file, line and column (stable for equal positions).
    public mutating func sortByLocation() {
        diagnostics = diagnostics.enumerated().sorted { a, b in
            let la = a.element.location, lb = b.element.location
            let ka = (la?.file ?? "", la?.line ?? 0, la?.column ?? 0), kb = (lb?.file ?? "", lb?.line ?? 0, lb?.column ?? 0)
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
    }

    /// Throws all collected diagnostics if any of them is an error.
    public func throwIfErrors() throws(DiagnosticError) {
        if hasErrors { throw DiagnosticError(diagnostics) }
    }
}
