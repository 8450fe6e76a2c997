import Foundation
import Basics

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

    /// The functions by name.
    public private(set) var functions: [String: TemplateFunction]
    /// The functions in name order: the parser stores an index into it with each call, so
    /// execution finds a function without hashing its name.
    private(set) var functionTable: [(name: String, function: TemplateFunction)]
    /// Each function name's index in `functionTable` (what the parser accepts), and a hash of the
    /// names: parse results are shared between sets with equal fingerprints.
    private var functionNames: [String: Int]
    private var fingerprint: Int
    var trees: [String: Tree] = [:]
    public var missingKey: MissingKey = .invalid
    /// What `now` and the other clock functions read (a render fixes it to the commit time).
    public var now: @Sendable () -> Date = { Date() }
    /// Where random functions (and key, certificate and password generators) draw from. Setting
    /// it starts fresh streams, so a seeded set repeats its values from the start.
    public var randomSource: RandomSource = .system { didSet { random = TemplateRandom(randomSource) } }
    private(set) var random = TemplateRandom(.system)
    /// Deepest nesting of `template`/`include` calls.
    public var maxDepth = 1010
    /// Most `range` iterations in one execution.
    public var maxIterations = 10_000_000
    /// Largest output of one execution, in bytes.
    public var maxOutput = 256 << 20

    /// A set with Go's builtin functions plus `functions` (which may replace builtins).
    public init(functions: [String: TemplateFunction] = [:]) {
        var all = Builtins.functions
        for (name, function) in functions { all[name] = function }
        self.functions = all
        (functionTable, functionNames, fingerprint) = Self.index(all)
    }

    private static func index(_ functions: [String: TemplateFunction])
        -> (table: [(name: String, function: TemplateFunction)], names: [String: Int], fingerprint: Int) {
        let sorted = functions.keys.sorted()
        var names: [String: Int] = [:]
        names.reserveCapacity(sorted.count)
        for (index, name) in sorted.enumerated() { names[name] = index }
        return (sorted.map { ($0, functions[$0]!) }, names, sorted.hashValue)
    }

    /// The function the parser resolved to `index`; `name` guards against a tree parsed before
    /// functions were added (indices moved), which is then looked up by name.
    func function(at index: Int, named name: String) -> TemplateFunction? {
        guard index < functionTable.count, functionTable[index].name == name else { return functions[name] }
        return functionTable[index].function
    }

    /// Adds or replaces functions. Replacing existing ones keeps the set's parse results reusable.
    public mutating func addFunctions(_ more: [String: TemplateFunction]) {
        var added = false
        for (name, function) in more {
            if functions.updateValue(function, forKey: name) == nil { added = true }
        }
        if added {
            (functionTable, functionNames, fingerprint) = Self.index(functions)
        } else {
            for (name, function) in more { functionTable[functionNames[name]!].function = function }
        }
    }

    /// Names of the templates in the set, sorted.
    public var templateNames: [String] { trees.keys.sorted() }

    public func contains(_ name: String) -> Bool { trees[name] != nil }

    /// Parses `text` as the template `name`, adding the templates it defines. An existing template
    /// is replaced unless the new one is empty (Go's rule).
    /// Parsing runs on a thread with a large stack, like execution, so deep nesting ends with an error.
    public mutating func parse(name: String, text: String) throws(TemplateError) {
        let functionNames = self.functionNames, fingerprint = self.fingerprint
        let parsed = Self.onLargeStack { () -> Result<(Tree, [Tree]), TemplateError> in
            Result { () throws(TemplateError) -> (Tree, [Tree]) in
                try ParseCache.shared.parse(name: name, text: text, functions: functionNames, fingerprint: fingerprint)
            }
        }
        add(try parsed.get())
    }

    /// A parsed template that can be added to other sets with the same functions (see `add(_:)`),
    /// so that parsing happens once per text.
    public struct Parsed: Sendable {
        let trees: (Tree, [Tree])
        let fingerprint: Int
    }

    /// Parses on the current thread without adding the result; add it with `add(_:)`.
    public func parseOnly(name: String, text: String) throws(TemplateError) -> Parsed {
        Parsed(trees: try Parser.parse(name: name, text: text, functions: functionNames), fingerprint: fingerprint)
    }

    /// Parses many texts at once, spread over the machine's cores (each on a large stack), and
    /// returns each one's result in the order given; nothing is added to the set. A chart's
    /// templates are parsed this way: parsing is most of a single `helm template` run.
    public func parseAll(_ sources: [(name: String, text: String)]) -> [Result<Parsed, TemplateError>] {
        let functionNames = self.functionNames, fingerprint = self.fingerprint
        return LargeStackThreads.map(sources.count) { index in
            Result { () throws(TemplateError) -> Parsed in
                Parsed(trees: try Parser.parse(name: sources[index].name, text: sources[index].text, functions: functionNames),
                       fingerprint: fingerprint)
            }
        }
    }

    /// Adds a template parsed earlier (by a set with the same functions).
    public mutating func add(_ parsed: Parsed) {
        add(parsed.trees)
    }

    /// The identity of this set's function names (parses are reusable between equal ones).
    public var functionsFingerprint: Int { fingerprint }

    /// Parses on the current thread. Use it inside `onLargeStack` (or where deep nesting cannot
    /// occur); `parse` does this for one call.
    public mutating func parseInPlace(name: String, text: String) throws(TemplateError) {
        _ = try parseReturningTop(name: name, text: text)
    }

    /// `parseInPlace`, returning the text's own top-level tree: as in Go, an empty one (blank text,
    /// comments) does not replace a template of the same name, yet it is what executing the
    /// parsed template runs (Helm's `tpl` of such text gives the blanks back, not the caller's output).
    mutating func parseReturningTop(name: String, text: String) throws(TemplateError) -> Tree {
        let parsed = try ParseCache.shared.parse(name: name, text: text, functions: functionNames, fingerprint: fingerprint)
        add(parsed)
        return parsed.0
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

    /// Executes on the current thread. Use it inside `onLargeStack`; `execute` does this for one call.
    public func executeInPlace(_ name: String, data: TemplateValue) throws(TemplateError) -> String {
        guard trees[name] != nil else {
            throw TemplateError(kind: .exec, template: name, line: 0, column: nil, action: nil,
                                message: "no template \"\(name)\" associated with template set")
        }
        return try Execution(set: self).run(name, data: data)
    }

    /// Executes on the current thread and also returns where each part of the output came from
    /// (the template file, line and column of the text or action that wrote it).
    public func executeInPlaceMapped(_ name: String, data: TemplateValue) throws(TemplateError) -> (String, TemplateOutputMap) {
        guard trees[name] != nil else {
            throw TemplateError(kind: .exec, template: name, line: 0, column: nil, action: nil,
                                message: "no template \"\(name)\" associated with template set")
        }
        let execution = Execution(set: self)
        execution.recordOrigins = true
        let output = try execution.run(name, data: data)
        return (output, TemplateOutputMap(entries: execution.origins))
    }

    /// Runs `body` on a thread with a 64 MiB stack and waits for it (see `LargeStackThreads`).
    public static func onLargeStack<T>(_ body: @escaping @Sendable () -> T) -> T {
        LargeStackThreads.run(body)
    }
}
