import Foundation

/// A function callable from templates.
public struct TemplateFunction: Sendable {
    public typealias Body = @Sendable (CallContext, [TemplateValue]) throws -> TemplateValue

    /// Fewest arguments accepted.
    public var minArguments: Int
    /// Most arguments accepted; nil for variadic functions.
    public var maxArguments: Int?
    /// Whether arguments arrive as they are (a missing value stays `.missing`); otherwise
    /// missing values arrive as `.null`, as Go passes them to `interface{}` parameters.
    public var rawArguments: Bool
    public var body: Body

    public init(arguments: Int, raw: Bool = false, _ body: @escaping Body) {
        minArguments = arguments
        maxArguments = arguments
        rawArguments = raw
        self.body = body
    }

    public init(atLeast: Int, raw: Bool = false, _ body: @escaping Body) {
        minArguments = atLeast
        maxArguments = nil
        rawArguments = raw
        self.body = body
    }

    public init(minArguments: Int, maxArguments: Int?, raw: Bool = false, _ body: @escaping Body) {
        self.minArguments = minArguments
        self.maxArguments = maxArguments
        rawArguments = raw
        self.body = body
    }
}

/// What a function may ask of the execution that calls it (Helm's `include` and `tpl` need it).
public final class CallContext: @unchecked Sendable {
    unowned let execution: Execution

    init(execution: Execution) { self.execution = execution }

    /// The name of the template being executed.
    public var templateName: String { execution.treeName }

    /// The set's clock.
    public var now: Date { execution.now() }

    /// The random stream of the template being executed.
    var random: TemplateRandom.Stream { execution.random.stream(templateName) }

    /// Executes the named template of the set with `data` and returns its output.
    public func execute(template name: String, data: TemplateValue) throws -> String {
        try execution.include(name, data: data)
    }

    /// Parses `text` as a template (in a copy of the set, so it sees every defined template) and executes it.
    public func parseAndExecute(name: String, text: String, data: TemplateValue) throws -> String {
        try execution.evaluate(text: text, name: name, data: data)
    }
}
