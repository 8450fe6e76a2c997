import Foundation

/// A set of named templates sharing functions, like Go's `*template.Template`.
public struct TemplateSet: Sendable {
    /// What a field lookup on a map does when the key is absent (Go's `missingkey` option).
    public enum MissingKey: Sendable {
        /// `<no value>` (Go's default).
        case invalid
        /// The zero value, nil (Helm's default).
        case zero
        /// An error (Helm's `--strict`).
        case error
    }

    public private(set) var functions: [String: TemplateFunction]
    var trees: [String: Tree] = [:]
    public var missingKey: MissingKey = .invalid
    /// Deepest nesting of `template`/`include` calls.
    public var maxDepth = 1000
    /// Most `range` iterations in one execution.
    public var maxIterations = 10_000_000
    /// Largest output of one execution, in bytes.
    public var maxOutput = 256 << 20

    /// A set with Go's builtin functions plus `functions` (which may replace builtins).
    public init(functions: [String: TemplateFunction] = [:]) {
        var all = Builtins.functions
        for (name, function) in functions { all[name] = function }
        self.functions = all
    }

    /// Adds or replaces functions.
    public mutating func addFunctions(_ more: [String: TemplateFunction]) {
        for (name, function) in more { functions[name] = function }
    }

    /// Names of the templates in the set, sorted.
    public var templateNames: [String] { trees.keys.sorted() }

    public func contains(_ name: String) -> Bool { trees[name] != nil }

    /// Parses `text` as the template `name`, adding the templates it defines. An existing template
    /// is replaced unless the new one is empty (Go's rule).
    /// Parsing runs on a thread with a large stack, like execution, so deep nesting ends with an error.
    public mutating func parse(name: String, text: String) throws(TemplateError) {
        let functionNames = Set(functions.keys)
        let parsed = Self.onLargeStack { () -> Result<(Tree, [Tree]), TemplateError> in
            Result { () throws(TemplateError) -> (Tree, [Tree]) in
                try Parser.parse(name: name, text: text, functions: functionNames)
            }
        }
        add(try parsed.get())
    }

    /// Parses on the current thread (for `tpl`, already running on a large stack).
    mutating func parseInPlace(name: String, text: String) throws(TemplateError) {
        add(try Parser.parse(name: name, text: text, functions: Set(functions.keys)))
    }

    private mutating func add(_ parsed: (Tree, [Tree])) {
        associate(parsed.0)
        for tree in parsed.1 { associate(tree) }
    }

    private mutating func associate(_ tree: Tree) {
        if trees[tree.name] != nil && tree.isEmpty { return }
        trees[tree.name] = tree
    }

    /// Executes the template `name` with `data` as dot and returns its output.
    /// Runs on a thread with a large stack so deeply nested templates end with an error, not a crash.
    public func execute(_ name: String, data: TemplateValue) throws(TemplateError) -> String {
        guard trees[name] != nil else {
            throw TemplateError(kind: .exec, template: name, line: 0, column: nil, action: nil,
                                message: "no template \"\(name)\" associated with template set")
        }
        let result = Self.onLargeStack { () -> Result<String, TemplateError> in
            let execution = Execution(set: self)
            return Result { () throws(TemplateError) -> String in try execution.run(name, data: data) }
        }
        return try result.get()
    }

    /// Runs `body` on a thread with a 64 MiB stack and waits for it.
    static func onLargeStack<T>(_ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = body()
            done.signal()
        }
        thread.stackSize = 64 << 20
        thread.start()
        done.wait()
        return box.value!
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
