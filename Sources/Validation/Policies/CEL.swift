import Basics
import Foundation

/// The part of CEL (Common Expression Language) that Kubernetes and Kyverno `validate.cel` rules
/// use: literals, lists and maps, `?:`, `||`, `&&`, comparisons, `in`, arithmetic, field and index
/// access with optional forms (`.?field`, `[?key]`, `orValue`, `hasValue`), `has()`, the macros
/// `all`, `exists`, `exists_one`, `map`, `filter`, and the string and list functions policies call.
struct CEL {
    indirect enum Node {
        case literal(Value)
        case identifier(String)
        case list([Node])
        case map([(Node, Node)])
        case member(Node, String, optional: Bool)
        case index(Node, Node, optional: Bool)
        case call(String, target: Node?, [Node])
        case unary(String, Node)
        case binary(String, Node, Node)
        case conditional(Node, Node, Node)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A value during evaluation; `optional` is CEL's optional type (`.?` and friends).
    enum Result {
        case value(Value)
        case optional(Value?)

        var plain: Value {
            switch self {
            case .value(let v): return v
            case .optional(let v): return v ?? .null
            }
        }
    }

    let root: Node

    init(_ text: String) throws {
        var parser = Parser(tokens: try Self.tokens(text), text: text)
        root = try parser.conditional()
        guard parser.peek == .end else { throw Failure(description: "unexpected '\(parser.peek)' in \(text)") }
    }

    func evaluate(_ variables: [String: Value]) throws -> Value {
        try Evaluator(variables: variables).eval(root).plain
    }

    // MARK: Tokens

    enum Token: Equatable, CustomStringConvertible {
        case identifier(String), int(Int64), double(Double), string(String)
        case op(String), end

        var description: String {
            switch self {
            case .identifier(let s), .op(let s): return s
            case .int(let i): return String(i)
            case .double(let d): return String(d)
            case .string(let s): return "'\(s)'"
            case .end: return "end of expression"
            }
        }
    }

    static func tokens(_ text: String) throws -> [Token] {
        let c = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        func at(_ k: Int) -> Unicode.Scalar? { i + k < c.count ? c[i + k] : nil }
        while i < c.count {
            let ch = c[i]
            if CharacterSet.whitespacesAndNewlines.contains(ch) { i += 1; continue }
            // Strings, with r-prefix (raw) and triple quotes.
            var raw = false
            if (ch == "r" || ch == "R"), let q = at(1), q == "'" || q == "\"" { raw = true; i += 1 }
            if let q = at(0), q == "'" || q == "\"" {
                let triple = at(1) == q && at(2) == q
                i += triple ? 3 : 1
                var s = ""
                while i < c.count {
                    if triple ? (c[i] == q && at(1) == q && at(2) == q) : c[i] == q { break }
                    if c[i] == "\\" && !raw, let next = at(1) {
                        switch next {
                        case "n": s += "\n"
                        case "t": s += "\t"
                        case "r": s += "\r"
                        case "\\": s += "\\"
                        case "'": s += "'"
                        case "\"": s += "\""
                        default: s.unicodeScalars.append("\\"); s.unicodeScalars.append(next)
                        }
                        i += 2
                        continue
                    }
                    s.unicodeScalars.append(c[i]); i += 1
                }
                guard i < c.count else { throw Failure(description: "unterminated string in \(text)") }
                i += triple ? 3 : 1
                tokens.append(.string(s))
                continue
            }
            if raw { i -= 1 }
            if CharacterSet.letters.contains(ch) || ch == "_" {
                var name = ""
                while let d = at(0), CharacterSet.alphanumerics.contains(d) || d == "_" { name.unicodeScalars.append(d); i += 1 }
                tokens.append(.identifier(name))
                continue
            }
            if CharacterSet.decimalDigits.contains(ch) {
                var digits = ""
                var isDouble = false
                while let d = at(0), CharacterSet.decimalDigits.contains(d) || (d == "." && !isDouble && at(1).map(CharacterSet.decimalDigits.contains) == true)
                        || ((d == "e" || d == "E") && !digits.isEmpty) {
                    if d == "." || d == "e" || d == "E" { isDouble = true }
                    digits.unicodeScalars.append(d); i += 1
                }
                if at(0) == "u" || at(0) == "U" { i += 1 }
                tokens.append(isDouble ? .double(Double(digits) ?? 0) : .int(Int64(digits) ?? 0))
                continue
            }
            let two = at(1).map { String(ch) + String($0) } ?? ""
            if ["==", "!=", "<=", ">=", "&&", "||", ".?", "[?"].contains(two) {
                tokens.append(.op(two)); i += 2; continue
            }
            guard "+-*/%!<>?:.,()[]{}".unicodeScalars.contains(ch) else {
                throw Failure(description: "unexpected '\(ch)' in \(text)")
            }
            tokens.append(.op(String(ch))); i += 1
        }
        tokens.append(.end)
        return tokens
    }

    // MARK: Parser

    struct Parser {
        var tokens: [Token]
        var text: String
        var position = 0
        var peek: Token { tokens[position] }
        /// How deeply the expression being read is nested (brackets, arguments, `!` and `-`).
        var depth = 0
        /// Deeper than any real policy nests; a thread's stack holds it in a debug build too.
        static let maximumDepth = 50

        /// Counts one level of nesting; an expression nested deeper is refused, not a stack overflow.
        mutating func nest() throws {
            depth += 1
            guard depth <= Self.maximumDepth else {
                throw Failure(description: "the expression nests more than \(Self.maximumDepth) levels deep in \(text.prefix(80))...")
            }
        }

        mutating func next() -> Token {
            let t = tokens[position]
            if position < tokens.count - 1 { position += 1 }
            return t
        }

        mutating func accept(_ op: String) -> Bool {
            if peek == .op(op) { _ = next(); return true }
            return false
        }

        mutating func expect(_ op: String) throws {
            guard accept(op) else { throw Failure(description: "expected '\(op)' but found '\(peek)' in \(text)") }
        }

        mutating func conditional() throws -> Node {
            try nest()
            defer { depth -= 1 }
            let condition = try or()
            guard accept("?") else { return condition }
            let then = try conditional()
            try expect(":")
            return .conditional(condition, then, try conditional())
        }

        mutating func or() throws -> Node {
            var left = try and()
            while accept("||") { left = .binary("||", left, try and()) }
            return left
        }

        mutating func and() throws -> Node {
            var left = try relation()
            while accept("&&") { left = .binary("&&", left, try relation()) }
            return left
        }

        mutating func relation() throws -> Node {
            var left = try addition()
            while true {
                if case .op(let op) = peek, ["==", "!=", "<", "<=", ">", ">="].contains(op) {
                    _ = next(); left = .binary(op, left, try addition())
                } else if peek == .identifier("in") {
                    _ = next(); left = .binary("in", left, try addition())
                } else {
                    return left
                }
            }
        }

        mutating func addition() throws -> Node {
            var left = try multiplication()
            while case .op(let op) = peek, op == "+" || op == "-" { _ = next(); left = .binary(op, left, try multiplication()) }
            return left
        }

        mutating func multiplication() throws -> Node {
            var left = try unary()
            while case .op(let op) = peek, op == "*" || op == "/" || op == "%" { _ = next(); left = .binary(op, left, try unary()) }
            return left
        }

        mutating func unary() throws -> Node {
            try nest()
            defer { depth -= 1 }
            if accept("!") { return .unary("!", try unary()) }
            if accept("-") { return .unary("-", try unary()) }
            return try member()
        }

        mutating func member() throws -> Node {
            var node = try primary()
            while true {
                if accept(".") || peek == .op(".?") {
                    let optional = accept(".?")
                    guard case .identifier(let name) = next() else { throw Failure(description: "expected a field name in \(text)") }
                    if !optional, accept("(") {
                        node = .call(name, target: node, try arguments(")"))
                    } else {
                        node = .member(node, name, optional: optional)
                    }
                } else if accept("[") {
                    let key = try conditional()
                    try expect("]")
                    node = .index(node, key, optional: false)
                } else if accept("[?") {
                    let key = try conditional()
                    try expect("]")
                    node = .index(node, key, optional: true)
                } else {
                    return node
                }
            }
        }

        mutating func arguments(_ close: String) throws -> [Node] {
            var args: [Node] = []
            while !accept(close) {
                args.append(try conditional())
                if !accept(",") { try expect(close); break }
            }
            return args
        }

        mutating func primary() throws -> Node {
            switch next() {
            case .int(let i): return .literal(.int(i))
            case .double(let d): return .literal(.float(d))
            case .string(let s): return .literal(.string(s))
            case .identifier(let name):
                switch name {
                case "true": return .literal(.bool(true))
                case "false": return .literal(.bool(false))
                case "null": return .literal(.null)
                default:
                    if accept("(") { return .call(name, target: nil, try arguments(")")) }
                    return .identifier(name)
                }
            case .op("("):
                let inner = try conditional()
                try expect(")")
                return inner
            case .op("["):
                return .list(try arguments("]"))
            case .op("{"):
                var entries: [(Node, Node)] = []
                while !accept("}") {
                    let key = try conditional()
                    try expect(":")
                    entries.append((key, try conditional()))
                    if !accept(",") { try expect("}"); break }
                }
                return .map(entries)
            case let other:
                throw Failure(description: "unexpected '\(other)' in \(text)")
            }
        }
    }
}

/// Evaluation, with CEL's error semantics for `&&`/`||` (an error on one side is absorbed when the
/// other side decides).
struct Evaluator {
    var variables: [String: Value]

    typealias Result = CEL.Result

    func fail(_ message: String) -> CEL.Failure { CEL.Failure(description: message) }

    func eval(_ node: CEL.Node) throws -> Result {
        switch node {
        case .literal(let v): return .value(v)
        case .identifier(let name):
            guard let value = variables[name] else { throw fail("undeclared reference to '\(name)'") }
            return .value(value)
        case .list(let items): return .value(.array(try items.map { try eval($0).plain }))
        case .map(let entries):
            var object = ValueObject()
            for (key, value) in entries {
                guard case .string(let k) = try eval(key).plain else { throw fail("map keys must be strings") }
                object[k] = try eval(value).plain
            }
            return .value(.object(object))
        case .member(let target, let name, let optional):
            return try field(try eval(target), name, optional: optional)
        case .index(let target, let key, let optional):
            return try index(try eval(target), try eval(key).plain, optional: optional)
        case .unary("!", let inner):
            guard case .bool(let b) = try eval(inner).plain else { throw fail("no such overload for '!'") }
            return .value(.bool(!b))
        case .unary(_, let inner):
            switch try eval(inner).plain {
            case .int(let i): return .value(.int(-i))
            case .float(let d): return .value(.float(-d))
            default: throw fail("no such overload for '-'")
            }
        case .conditional(let condition, let then, let otherwise):
            guard case .bool(let b) = try eval(condition).plain else { throw fail("a condition must be a bool") }
            return try eval(b ? then : otherwise)
        case .binary(let op, let left, let right):
            return try binary(op, left, right)
        case .call(let name, let target, let args):
            return try call(name, target, args)
        }
    }

    private func field(_ target: Result, _ name: String, optional: Bool) throws -> Result {
        switch target {
        case .optional(let inner):
            guard let inner else { return .optional(nil) }
            return try field(.value(inner), name, optional: true)
        case .value(let value):
            guard case .object(let object) = value else {
                if optional && value == .null { return .optional(nil) }
                throw fail("no such key: \(name)")
            }
            if let found = object[name] { return optional ? .optional(found) : .value(found) }
            if optional { return .optional(nil) }
            throw fail("no such key: \(name)")
        }
    }

    private func index(_ target: Result, _ key: Value, optional: Bool) throws -> Result {
        let base: Value
        switch target {
        case .optional(nil): return .optional(nil)
        case .optional(let v?): base = v
        case .value(let v): base = v
        }
        let isOptional = optional || { if case .optional = target { return true }; return false }()
        switch (base, key) {
        case (.object(let object), .string(let k)):
            if let found = object[k] { return isOptional ? .optional(found) : .value(found) }
        case (.array(let items), .int(let i)):
            if items.indices.contains(Int(i)) { return isOptional ? .optional(items[Int(i)]) : .value(items[Int(i)]) }
        default:
            break
        }
        if isOptional { return .optional(nil) }
        throw fail("no such key: \(PatternValue.text(of: key) ?? key.typeName)")
    }

    private func binary(_ op: String, _ leftNode: CEL.Node, _ rightNode: CEL.Node) throws -> Result {
        if op == "&&" || op == "||" {
            let decisive = op == "||"
            var leftError: Error?
            do {
                if case .bool(let l) = try eval(leftNode).plain, l == decisive { return .value(.bool(decisive)) }
            } catch { leftError = error }
            let right = try eval(rightNode).plain
            guard case .bool(let r) = right else { throw fail("no such overload for '\(op)'") }
            if r == decisive { return .value(.bool(decisive)) }
            if let leftError { throw leftError }
            return .value(.bool(!decisive))
        }
        let l = try eval(leftNode).plain, r = try eval(rightNode).plain
        switch op {
        case "==": return .value(.bool(JMESPath.equal(l, r)))
        case "!=": return .value(.bool(!JMESPath.equal(l, r)))
        case "in":
            switch r {
            case .array(let items): return .value(.bool(items.contains { JMESPath.equal($0, l) }))
            case .object(let object): return .value(.bool(l.stringValue.map { object[$0] != nil } ?? false))
            default: throw fail("no such overload for 'in'")
            }
        case "<", "<=", ">", ">=":
            let order: ComparisonResult
            if let a = JMESPath.number(l), let b = JMESPath.number(r) {
                order = a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
            } else if case .string(let a) = l, case .string(let b) = r {
                order = a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
            } else {
                throw fail("no such overload for '\(op)'")
            }
            switch op {
            case "<": return .value(.bool(order == .orderedAscending))
            case "<=": return .value(.bool(order != .orderedDescending))
            case ">": return .value(.bool(order == .orderedDescending))
            default: return .value(.bool(order != .orderedAscending))
            }
        case "+":
            switch (l, r) {
            case let (.string(a), .string(b)): return .value(.string(a + b))
            case let (.array(a), .array(b)): return .value(.array(a + b))
            case let (.int(a), .int(b)): return .value(.int(a &+ b))
            default:
                guard let a = JMESPath.number(l), let b = JMESPath.number(r) else { throw fail("no such overload for '+'") }
                return .value(.float(a + b))
            }
        default:
            if case .int(let a) = l, case .int(let b) = r {
                switch op {
                case "-": return .value(.int(a &- b))
                case "*": return .value(.int(a &* b))
                case "/": guard b != 0 else { throw fail("division by zero") }; return .value(.int(a / b))
                default: guard b != 0 else { throw fail("modulus by zero") }; return .value(.int(a % b))
                }
            }
            guard let a = JMESPath.number(l), let b = JMESPath.number(r) else { throw fail("no such overload for '\(op)'") }
            switch op {
            case "-": return .value(.float(a - b))
            case "*": return .value(.float(a * b))
            case "/": return .value(.float(a / b))
            default: return .value(.float(a.truncatingRemainder(dividingBy: b)))
            }
        }
    }

    private func call(_ name: String, _ targetNode: CEL.Node?, _ args: [CEL.Node]) throws -> Result {
        // Macros take their arguments unevaluated.
        switch name {
        case "has" where targetNode == nil:
            guard args.count == 1, case .member(let base, let field, _) = args[0] else { throw fail("has() needs a field selection") }
            guard let target = try? eval(base).plain, case .object(let object) = target else { return .value(.bool(false)) }
            return .value(.bool(object[field] != nil))
        case "all", "exists", "exists_one", "map", "filter":
            guard let targetNode, args.count >= 2, case .identifier(let variable) = args[0] else {
                throw fail("\(name)() needs a variable and an expression")
            }
            let items: [Value]
            switch try eval(targetNode).plain {
            case .array(let list): items = list
            case .object(let object): items = object.keys.map { .string($0) }
            case .null: items = []
            default: throw fail("\(name)() needs a list or a map")
            }
            func with(_ item: Value) -> Evaluator {
                var inner = self
                inner.variables[variable] = item
                return inner
            }
            func predicate(_ item: Value, _ node: CEL.Node) throws -> Bool {
                guard case .bool(let b) = try with(item).eval(node).plain else { throw fail("\(name)() needs a bool predicate") }
                return b
            }
            switch name {
            case "all":
                var firstError: Error?
                for item in items {
                    do { if try !predicate(item, args[1]) { return .value(.bool(false)) } } catch { firstError = firstError ?? error }
                }
                if let firstError { throw firstError }
                return .value(.bool(true))
            case "exists":
                var firstError: Error?
                for item in items {
                    do { if try predicate(item, args[1]) { return .value(.bool(true)) } } catch { firstError = firstError ?? error }
                }
                if let firstError { throw firstError }
                return .value(.bool(false))
            case "exists_one":
                return .value(.bool(try items.filter { try predicate($0, args[1]) }.count == 1))
            case "filter":
                return .value(.array(try items.filter { try predicate($0, args[1]) }))
            default:
                if args.count == 3 {
                    return .value(.array(try items.filter { try predicate($0, args[1]) }.map { try with($0).eval(args[2]).plain }))
                }
                return .value(.array(try items.map { try with($0).eval(args[1]).plain }))
            }
        default:
            break
        }
        let target = try targetNode.map { try eval($0) }
        let values = try args.map { try eval($0).plain }
        return try CELFunctions.call(name, target: target, values, evaluator: self)
    }
}
