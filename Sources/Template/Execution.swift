import Foundation

/// One execution of a template: Go's `state`.
final class Execution {
    private enum LoopSignal: Error { case breakLoop, continueLoop }

    /// Where errors point: the kind of element being evaluated and its byte position. Only the
    /// position is kept while executing (no copies of tree nodes); the element's text is found in
    /// the tree when an error is reported.
    private struct Location {
        enum Kind: UInt8 { case node, command, operand, none }
        var kind: Kind
        var pos: Int

        static let none = Location(kind: .none, pos: 0)
        static func node(_ n: TemplateNode) -> Location { Location(kind: .node, pos: n.pos) }
        static func command(_ c: Command) -> Location { Location(kind: .command, pos: c.pos) }
        static func operand(_ o: Operand) -> Location { Location(kind: .operand, pos: o.pos) }
    }

    /// The set executing; its parts used on every step are kept in the fields below (reading
    /// them through the struct would copy it).
    private var set: TemplateSet { didSet { cacheSet() } }
    private var trees: [String: Tree] = [:]
    private var functionTable: [(name: String, function: TemplateFunction)] = []
    private var missingKey: TemplateSet.MissingKey = .invalid
    private var maxDepth = 0, maxIterations = 0, maxOutput = 0
    /// How deep each template is being included right now (Helm's includedNames).
    private var includeCounts: [String: Int] = [:]
    private(set) var now: @Sendable () -> Date = { Date() }
    private(set) var random = TemplateRandom(.system)
    private var output: [UInt8] = []
    /// The variables of every active template call; lookups see those from `frameBase` on (a
    /// called template starts with only `$`, as in Go).
    private var variables: [(name: String, value: TemplateValue)] = []
    private var frameBase = 0
    /// Where each piece of output came from, when asked for (`recordOrigins`).
    var recordOrigins = false
    private(set) var origins: [TemplateOutputMap.Entry] = []
    private var depth = 0
    private var iterations = 0
    private var tree: Tree
    private var location: Location = .none
    private lazy var context = CallContext(execution: self)

    init(set: TemplateSet) {
        self.set = set
        tree = Tree(name: "", parseName: "", source: [], root: [])
        cacheSet()
    }

    private func cacheSet() {
        trees = set.trees
        functionTable = set.functionTable
        missingKey = set.missingKey
        (maxDepth, maxIterations, maxOutput) = (set.maxDepth, set.maxIterations, set.maxOutput)
        (now, random) = (set.now, set.random)
    }

    private func function(at index: Int, named name: String) -> TemplateFunction? {
        if index < functionTable.count, functionTable[index].name == name { return functionTable[index].function }
        return set.functions[name]
    }

    var treeName: String { tree.name }

    func run(_ name: String, data: TemplateValue) throws(TemplateError) -> String {
        guard let tree = trees[name] else {
            throw TemplateError(kind: .exec, template: name, line: 0, column: nil, action: nil,
                                message: "no template \"\(name)\" associated with template set")
        }
        self.tree = tree
        let data: TemplateValue = data.isNil ? .missing : data
        variables = [("$", data)]
        frameBase = 0
        do {
            try walk(data, tree.root)
        } catch let error as TemplateError {
            throw error
        } catch {
            throw failure("\(error)")
        }
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: Errors

    private func failure(_ message: String) -> TemplateError {
        if location.kind != .none {
            let (line, column) = tree.position(location.pos)
            let text = NodeText.find(in: tree.root, kind: location.kind.rawValue, pos: location.pos) ?? ""
            return TemplateError(kind: .exec, template: tree.parseName, line: line, column: column, action: text,
                                 executing: tree.name, message: message)
        }
        return TemplateError(kind: .exec, template: tree.parseName, line: 0, column: nil, action: nil, executing: tree.name,
                             message: message)
    }

    // MARK: Variables

    private func push(_ name: String, _ value: TemplateValue) { variables.append((name, value)) }

    private var mark: Int { variables.count }

    private func pop(to mark: Int) { variables.removeLast(variables.count - mark) }

    private func setVariable(_ name: String, _ value: TemplateValue) throws(TemplateError) {
        var index = variables.count - 1
        while index >= frameBase {
            if variables[index].name == name {
                variables[index].value = value
                return
            }
            index -= 1
        }
        throw failure("undefined variable: \(name)")
    }

    private func setTopVariable(_ n: Int, _ value: TemplateValue) {
        variables[variables.count - n].value = value
    }

    private func variable(_ name: String) throws(TemplateError) -> TemplateValue {
        var index = variables.count - 1
        while index >= frameBase {
            if variables[index].name == name { return variables[index].value }
            index -= 1
        }
        throw failure("undefined variable: \(name)")
    }

    // MARK: Walking

    private func write(_ text: String) throws(TemplateError) {
        output.append(contentsOf: text.utf8)
        if output.count > maxOutput { throw failure("output exceeds \(maxOutput) bytes") }
    }

    private func walk(_ dot: TemplateValue, _ nodes: [TemplateNode]) throws {
        for node in nodes { try walk(dot, node) }
    }

    private func walk(_ dot: TemplateValue, _ node: TemplateNode) throws {
        switch node {
        case .text(let text, let pos):
            if recordOrigins { origins.append(TemplateOutputMap.Entry(offset: output.count, tree: tree, pos: pos, literal: true)) }
            try write(text)
        case .action(let pipe, _):
            location = .node(node)
            let value = try evalPipeline(dot, pipe)
            if pipe.declarations.isEmpty { try printValue(node, value) }
        case .ifNode(let pipe, let list, let elseList, _), .withNode(let pipe, let list, let elseList, _):
            let saved = mark
            defer { pop(to: saved) }
            location = .node(node)
            let value = try evalPipeline(dot, pipe)
            if value.isTrue {
                if case .withNode = node { try walk(value, list) } else { try walk(dot, list) }
            } else if let elseList {
                try walk(dot, elseList)
            }
        case .rangeNode(let pipe, let list, let elseList, _):
            try walkRange(dot, node, pipe, list, elseList)
        case .templateCall(let name, let pipe, _):
            location = .node(node)
            guard let target = trees[name] else { throw failure("template \"\(name)\" not defined") }
            if depth >= maxDepth { throw failure("exceeded maximum template depth (\(maxDepth))") }
            let newDot = try pipe.map { (p: Pipe) throws -> TemplateValue in try evalPipeline(dot, p) } ?? .missing
            try call(target, dot: newDot)
        case .breakNode:
            throw LoopSignal.breakLoop
        case .continueNode:
            throw LoopSignal.continueLoop
        case .list(let nodes, _):
            try walk(dot, nodes)
        }
    }

    /// Runs `target` with a fresh variable scope (`$` = dot), as `{{template}}` and `include` do.
    private func call(_ target: Tree, dot: TemplateValue) throws {
        if depth >= maxDepth { throw failure("exceeded maximum template depth (\(maxDepth))") }
        let savedTree = tree, savedLocation = location, savedBase = frameBase, savedMark = mark
        depth += 1
        tree = target
        variables.append(("$", dot))
        frameBase = savedMark
        defer {
            depth -= 1
            tree = savedTree
            pop(to: savedMark)
            frameBase = savedBase
            location = savedLocation
        }
        try walk(dot, target.root)
    }

    private func walkRange(_ dot: TemplateValue, _ node: TemplateNode, _ pipe: Pipe, _ list: [TemplateNode],
                           _ elseList: [TemplateNode]?) throws {
        location = .node(node)
        let saved = mark
        defer { pop(to: saved) }
        let value = try evalPipeline(dot, pipe)
        let iterationMark = mark
        func iterate(_ index: TemplateValue, _ element: TemplateValue) throws -> Bool {
            iterations += 1
            if iterations > maxIterations {
                throw failure("range: more than \(maxIterations) iterations; stopping")
            }
            if !pipe.declarations.isEmpty {
                if pipe.isAssign {
                    try setVariable(pipe.declarations[0], pipe.declarations.count > 1 ? index : element)
                } else {
                    setTopVariable(1, element)
                }
            }
            if pipe.declarations.count > 1 {
                if pipe.isAssign { try setVariable(pipe.declarations[1], element) } else { setTopVariable(2, index) }
            }
            defer { pop(to: iterationMark) }
            do {
                try walk(element, list)
            } catch LoopSignal.continueLoop {
                return true
            } catch LoopSignal.breakLoop {
                return false
            }
            return true
        }
        switch value.collectionView {
        case .list(let items):
            if items.isEmpty { break }
            for (i, item) in items.enumerated() where try !iterate(.int(Int64(i)), item) { return }
            return
        case .map(let map):
            if map.isEmpty { break }
            for (key, item) in map.sorted where try !iterate(.string(key), item) { return }
            return
        case .int(let n):
            if pipe.declarations.count > 1 {
                throw failure("can't use \(n) to iterate over more than one variable")
            }
            if n <= 0 { break }
            for i in 0..<n where try !iterate(.int(i), .int(i)) { return }
            return
        case .missing, .null:
            break
        case .bytes(let bytes):
            if bytes.isEmpty { break }
            for (i, byte) in bytes.enumerated() where try !iterate(.int(Int64(i)), .int(Int64(byte))) { return }
            return
        default:
            throw failure("range can't iterate over \(GoFormat.value(value))")
        }
        if let elseList { try walk(dot, elseList) }
    }

    private func printValue(_ node: TemplateNode, _ value: TemplateValue) throws {
        location = .node(node)
        if recordOrigins {
            var entry = TemplateOutputMap.Entry(offset: output.count, tree: tree, pos: node.pos, literal: false)
            if case .action(let pipe, _) = node { entry.valuesPath = Self.valuesPath(of: pipe) }
            origins.append(entry)
        }
        switch value {
        case .missing, .null: try write("<no value>")
        default: try write(GoFormat.value(value))
        }
    }

    /// Functions that only re-format the value a pipeline prints.
    private static let formatting: Set<String> = ["quote", "squote", "toString", "int", "int64", "float64", "toJson",
                                                   "toYaml", "lower", "upper", "trim", "b64enc", "toRawJson"]

    /// The `.Values` path an action prints directly (`.Values.a.b`, `$.Values.a.b`, then only
    /// formatting functions), nil for anything else.
    static func valuesPath(of pipe: Pipe) -> [String]? {
        guard pipe.declarations.isEmpty, let first = pipe.commands.first, first.args.count == 1 else { return nil }
        var path: [String]
        switch first.args[0] {
        case .field(let idents, _) where idents.first == "Values" && idents.count > 1: path = Array(idents.dropFirst())
        case .variable(let idents, _) where idents.first == "$" && idents.count > 2 && idents[1] == "Values": path = Array(idents.dropFirst(2))
        default: return nil
        }
        for command in pipe.commands.dropFirst() {
            guard command.args.count == 1, case .identifier(let name, _, _) = command.args[0], formatting.contains(name) else { return nil }
        }
        if path.isEmpty { return nil }
        return path
    }

    // MARK: Pipelines and commands

    private func evalPipeline(_ dot: TemplateValue, _ pipe: Pipe) throws -> TemplateValue {
        var value: TemplateValue = .missing
        for (i, command) in pipe.commands.enumerated() {
            value = try evalCommand(dot, command, final: i == 0 ? nil : value)
            // A nil interface result is no value (Go unwraps interface{} results).
            if case .null = value { value = .missing }
        }
        for name in pipe.declarations {
            if pipe.isAssign { try setVariable(name, value) } else { push(name, value) }
        }
        return value
    }

    /// `final` is the previous pipeline stage's value; nil when there is no previous stage.
    private func notAFunction(_ args: [Operand], _ final: TemplateValue?) throws {
        if args.count > 1 || final != nil {
            throw failure("can't give argument to non-function \(args[0].text)")
        }
    }

    private func evalCommand(_ dot: TemplateValue, _ command: Command, final: TemplateValue?) throws -> TemplateValue {
        let first = command.args[0]
        switch first {
        case .field(let idents, _):
            location = .operand(first)
            return try evalFieldChain(dot, receiver: dot, idents, args: command.args, final: final)
        case .chain(let node, let fields, _):
            location = .operand(first)
            if case .nilValue = node { throw failure("indirection through explicit nil in \(first.text)") }
            let receiver = try evalArgument(dot, node)
            return try evalFieldChain(dot, receiver: receiver, fields, args: command.args, final: final)
        case .identifier(let name, let index, _):
            return try evalFunction(dot, name, index, command: command, args: command.args, final: final)
        case .pipe(let pipe, _):
            location = .operand(first)
            try notAFunction(command.args, final)
            return try evalPipeline(dot, pipe)
        case .variable(let idents, _):
            location = .operand(first)
            let value = try variable(idents[0])
            if idents.count == 1 {
                try notAFunction(command.args, final)
                return value
            }
            return try evalFieldChain(dot, receiver: value, Array(idents.dropFirst()), args: command.args, final: final)
        default:
            break
        }
        location = .operand(first)
        try notAFunction(command.args, final)
        switch first {
        case .bool(let b, _): return .bool(b)
        case .dot: return dot
        case .nilValue: throw failure("nil is not a command")
        case .number(let n, _): return try idealConstant(n)
        case .string(let s, _): return .string(s)
        default: throw failure("can't evaluate command \(first.text)")
        }
    }

    private func idealConstant(_ n: NumberLiteral) throws(TemplateError) -> TemplateValue {
        if let constant = n.constant { return constant }
        throw failure("\(n.text) overflows int")
    }

    private func evalFieldChain(_ dot: TemplateValue, receiver: TemplateValue, _ idents: [String], args: [Operand],
                                final: TemplateValue?) throws -> TemplateValue {
        var receiver = receiver
        for ident in idents.dropLast() {
            receiver = try evalField(dot, ident, args: [], final: nil, receiver: receiver)
        }
        return try evalField(dot, idents[idents.count - 1], args: args, final: final, receiver: receiver)
    }

    private func evalField(_ dot: TemplateValue, _ name: String, args: [Operand], final: TemplateValue?,
                           receiver: TemplateValue) throws -> TemplateValue {
        let hasArgs = args.count > 1 || final != nil
        switch receiver {
        case .missing:
            if missingKey == .error { throw failure("nil data; no entry for key \"\(name)\"") }
            return .missing
        case .null:
            throw failure("nil pointer evaluating interface {}.\(name)")
        case .object(let object):
            if let method = object.method(name) {
                var values: [TemplateValue] = []
                for arg in args.dropFirst() { values.append(try evalArgument(dot, arg)) }
                if let final { values.append(final) }
                do {
                    return try method(values.map { $0.isMissing ? .null : $0 })
                } catch let error as TemplateError {
                    throw error
                } catch {
                    throw failure("error calling \(name): \(error)")
                }
            }
            if let value = object.field(name) {
                if hasArgs { throw failure("\(name) has arguments but cannot be invoked as function") }
                return value
            }
            throw failure("can't evaluate field \(name) in type \(object.typeName)")
        case .map(let map):
            if hasArgs { throw failure("\(name) is not a method but has arguments") }
            if let value = map[name] { return value }
            switch missingKey {
            case .invalid: return .missing
            case .zero: return .null
            case .error: throw failure("map has no entry for key \"\(name)\"")
            }
        default:
            throw failure("can't evaluate field \(name) in type \(receiver.typeName)")
        }
    }

    /// An argument's value (Go's evalArg for an `interface{}`/`reflect.Value` parameter).
    private func evalArgument(_ dot: TemplateValue, _ node: Operand) throws -> TemplateValue {
        location = .operand(node)
        switch node {
        case .dot: return dot
        case .nilValue: return .null
        case .field(let idents, _): return try evalFieldChain(dot, receiver: dot, idents, args: [node], final: nil)
        case .variable(let idents, _):
            let value = try variable(idents[0])
            if idents.count == 1 { return value }
            return try evalFieldChain(dot, receiver: value, Array(idents.dropFirst()), args: [node], final: nil)
        case .pipe(let pipe, _): return try evalPipeline(dot, pipe)
        case .identifier(let name, let index, _):
            return try evalFunction(dot, name, index, command: Command(pos: node.pos, args: [node]), args: [node], final: nil)
        case .chain(let inner, let fields, _):
            if case .nilValue = inner { throw failure("indirection through explicit nil in \(node.text)") }
            let receiver = try evalArgument(dot, inner)
            return try evalFieldChain(dot, receiver: receiver, fields, args: [node], final: nil)
        case .bool(let b, _): return .bool(b)
        case .string(let s, _): return .string(s)
        case .number(let n, _): return try idealConstant(n)
        }
    }

    private func evalFunction(_ dot: TemplateValue, _ name: String, _ index: Int, command: Command, args: [Operand],
                              final: TemplateValue?) throws -> TemplateValue {
        location = .operand(args[0])
        guard let function = function(at: index, named: name) else {
            throw failure("\"\(name)\" is not a defined function")
        }
        let given = args.count - 1 + (final == nil ? 0 : 1)
        location = .command(command)
        if let max = function.maxArguments, max == function.minArguments, given != max {
            throw failure("wrong number of args for \(name): want \(max) got \(given)")
        }
        if given < function.minArguments {
            throw failure("wrong number of args for \(name): want at least \(function.minArguments) got \(given)")
        }
        if let max = function.maxArguments, given > max {
            throw failure("wrong number of args for \(name): want at most \(max) got \(given)")
        }
        // `and` and `or` evaluate their arguments only as far as needed.
        if name == "and" || name == "or", function.rawArguments {
            var value: TemplateValue = .missing
            for arg in args.dropFirst() {
                value = try evalArgument(dot, arg)
                if value.isTrue == (name == "or") { return value }
            }
            if let final { value = final }
            return value
        }
        var values: [TemplateValue] = []
        values.reserveCapacity(given)
        for arg in args.dropFirst() {
            let value = try evalArgument(dot, arg)
            values.append(function.rawArguments || !value.isMissing ? value : .null)
        }
        if let final { values.append(function.rawArguments || !final.isMissing ? final : .null) }
        location = .command(command)
        do {
            return try function.body(context, values)
        } catch let error as TemplateError where name != "include" && name != "tpl" && name != "template" {
            throw error
        } catch {
            throw failure("error calling \(name): \(error)")
        }
    }

    // MARK: Helm's include and tpl

    func include(_ name: String, data: TemplateValue) throws -> String {
        guard let target = trees[name] else {
            throw FunctionError("template: no template \"\(name)\" associated with template \"\(tree.name)\"")
        }
        // Helm's own limit on a template including itself, in its words (before the depth limit).
        let nested = (includeCounts[name] ?? 0) + 1
        if nested > Self.includeRecursionLimit {
            throw FunctionError("rendering template has a nested reference name: \(name): unable to execute template")
        }
        includeCounts[name] = nested
        defer { includeCounts[name] = nested - 1 }
        return try include(target, data: data)
    }

    /// Helm's recursionMaxNums: how deep one template may include itself.
    static let includeRecursionLimit = 1000

    /// Executes `target` with `data` and returns what it printed.
    func include(_ target: Tree, data: TemplateValue) throws -> String {
        // The included output goes after the caller's, and is cut off again.
        let start = output.count
        defer {
            output.removeSubrange(start...)
            while let last = origins.last, last.offset >= start { origins.removeLast() }
        }
        try call(target, dot: data)
        return String(decoding: output[start...], as: UTF8.self)
    }

    func evaluate(text: String, name: String, data: TemplateValue) throws -> String {
        var copy = set
        let top = try copy.parseReturningTop(name: name, text: text)
        let savedSet = set
        set = copy
        defer { set = savedSet }
        return try include(top, data: data)
    }
}

extension TemplateValue {
    var isMissing: Bool {
        if case .missing = self { return true }
        return false
    }
}
