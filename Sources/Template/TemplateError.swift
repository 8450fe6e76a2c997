/// A template parse or execution error, printed the way Go's text/template (and so Helm) prints it:
/// `template: NAME:LINE: message` for parse errors and
/// `template: NAME:LINE:COL: executing "TEMPLATE" at <ACTION>: message` for execution errors.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case parse, exec }

    public var kind: Kind
    /// The parse name of the template text where it happened (a file name for charts).
    public var template: String
    public var line: Int
    /// 0-based byte column, as Go reports it (execution errors only).
    public var column: Int?
    /// The text of the action being executed.
    public var action: String?
    /// The name of the template being executed (may differ from `template` for defined templates).
    public var executing: String?
    public var message: String

    init(kind: Kind, template: String, line: Int, column: Int?, action: String?, executing: String? = nil,
         message: String) {
        self.kind = kind
        self.template = template
        self.line = line
        self.column = column
        self.action = action
        self.executing = executing
        self.message = message
    }

    public var description: String {
        switch kind {
        case .parse:
            return "template: \(template):\(line): \(message)"
        case .exec:
            guard let column, let action else { return "template: \(executing ?? template): \(message)" }
            return "template: \(template):\(line):\(column): executing \"\(executing ?? template)\" at <\(action)>: \(message)"
        }
    }
}

/// An error raised by a template function; the executor reports it as `error calling NAME: message`.
public struct FunctionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
