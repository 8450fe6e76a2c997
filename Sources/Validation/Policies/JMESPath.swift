import Basics
import Foundation

/// The JMESPath that Kyverno policies use in `{{ }}`: identifiers (bare or quoted), `.`, indexes
/// (negative too), slices, `[]` flattening, `[*]` and `.*` projections, `[?filter]`, `|`, `||`,
/// `&&`, `!`, comparisons, literals (`` `json` ``, `'raw'`), multi-select lists and hashes, `@`,
/// and the functions length, to_string, to_number, contains, starts_with, ends_with, join, keys,
/// values, type, not_null, max, min, sum, abs, reverse, sort, lower (Kyverno's `to_lower`),
/// upper (`to_upper`), split, regex_match and truncate.
struct JMESPath {
    indirect enum Node {
        case current
        case field(String)
        case subexpression(Node, Node)
        case index(Node, Int)
        case slice(Node, Int?, Int?, Int?)
        case flatten(Node)
        /// `left[*].right` / `left.*.right` / `left[?f].right`: right applied to each element.
        case projection(Node, Node)
        case objectProjection(Node, Node)
        case filter(Node, Node, Node)
        case literal(Value)
        case pipe(Node, Node)
        case or(Node, Node)
        case and(Node, Node)
        case not(Node)
        case compare(String, Node, Node)
        case function(String, [Node])
        case multiList([Node])
        case multiHash([(String, Node)])
    }

    struct SyntaxError: Error, CustomStringConvertible {
        var description: String
    }

    let root: Node

    init(_ text: String) throws {
        var parser = Parser(tokens: try Lexer.tokens(text))
        root = try parser.expression(0)
        guard parser.peek == .end else { throw SyntaxError(description: "unexpected '\(parser.peek)' in '\(text)'") }
    }

    func evaluate(_ data: Value) throws -> Value { try Self.eval(root, data) }

    // MARK: Lexer

    enum Token: Equatable, CustomStringConvertible {
        case identifier(String), quoted(String), number(Int), literal(Value), rawString(String)
        case dot, star, at, lbracket, rbracket, lbrace, rbrace, lparen, rparen, comma, colon, pipe, or, and, not
        case flatten, filterStart, compare(String), end

        var description: String {
            switch self {
            case .identifier(let s), .quoted(let s), .rawString(let s): return s
            case .number(let n): return String(n)
            case .literal: return "`literal`"
            case .compare(let op): return op
            case .end: return "end"
            case .dot: return "."
            case .star: return "*"
            case .at: return "@"
            case .lbracket: return "["
            case .rbracket: return "]"
            case .lbrace: return "{"
            case .rbrace: return "}"
            case .lparen: return "("
            case .rparen: return ")"
            case .comma: return ","
            case .colon: return ":"
            case .pipe: return "|"
            case .or: return "||"
            case .and: return "&&"
            case .not: return "!"
            case .flatten: return "[]"
            case .filterStart: return "[?"
            }
        }
    }

    enum Lexer {
        static func tokens(_ text: String) throws -> [Token] {
            let chars = Array(text.unicodeScalars)
            var tokens: [Token] = []
            var i = 0
            func peek(_ offset: Int = 0) -> Unicode.Scalar? { i + offset < chars.count ? chars[i + offset] : nil }
            while i < chars.count {
                let c = chars[i]
                if c == " " || c == "\t" || c == "\n" { i += 1; continue }
                if CharacterSet.letters.contains(c) || c == "_" || c == "$" {
                    var name = ""
                    while let d = peek(), CharacterSet.alphanumerics.contains(d) || d == "_" || d == "$" { name.unicodeScalars.append(d); i += 1 }
                    tokens.append(.identifier(name))
                    continue
                }
                if CharacterSet.decimalDigits.contains(c) || (c == "-" && peek(1).map(CharacterSet.decimalDigits.contains) == true) {
                    var digits = String(c)
                    i += 1
                    while let d = peek(), CharacterSet.decimalDigits.contains(d) { digits.unicodeScalars.append(d); i += 1 }
                    tokens.append(.number(Int(digits) ?? 0))
                    continue
                }
                switch c {
                case ".": tokens.append(.dot); i += 1
                case "*": tokens.append(.star); i += 1
                case "@": tokens.append(.at); i += 1
                case "]": tokens.append(.rbracket); i += 1
                case "{": tokens.append(.lbrace); i += 1
                case "}": tokens.append(.rbrace); i += 1
                case "(": tokens.append(.lparen); i += 1
                case ")": tokens.append(.rparen); i += 1
                case ",": tokens.append(.comma); i += 1
                case ":": tokens.append(.colon); i += 1
                case "[":
                    if peek(1) == "]" { tokens.append(.flatten); i += 2 } else if peek(1) == "?" { tokens.append(.filterStart); i += 2 } else {
                        tokens.append(.lbracket); i += 1
                    }
                case "|":
                    if peek(1) == "|" { tokens.append(.or); i += 2 } else { tokens.append(.pipe); i += 1 }
                case "&":
                    guard peek(1) == "&" else { throw SyntaxError(description: "expression references (&) are not supported") }
                    tokens.append(.and); i += 2
                case "!":
                    if peek(1) == "=" { tokens.append(.compare("!=")); i += 2 } else { tokens.append(.not); i += 1 }
                case "=":
                    guard peek(1) == "=" else { throw SyntaxError(description: "'=' must be '=='") }
                    tokens.append(.compare("==")); i += 2
                case "<", ">":
                    if peek(1) == "=" { tokens.append(.compare(String(c) + "=")); i += 2 } else { tokens.append(.compare(String(c))); i += 1 }
                case "\"", "'", "`":
                    let quote = c
                    var body = ""
                    i += 1
                    while let d = peek(), d != quote {
                        if d == "\\", let next = peek(1) {
                            if quote == "\"" { body.unicodeScalars.append("\\") }
                            body.unicodeScalars.append(next); i += 2; continue
                        }
                        body.unicodeScalars.append(d); i += 1
                    }
                    guard peek() == quote else { throw SyntaxError(description: "unterminated \(quote) in '\(text)'") }
                    i += 1
                    switch quote {
                    case "\"":
                        guard let value = try? JSONReader.values("\"" + body + "\"").first, case .string(let name) = value else {
                            throw SyntaxError(description: "bad quoted identifier \"\(body)\"")
                        }
                        tokens.append(.quoted(name))
                    case "'":
                        tokens.append(.rawString(body.replacingOccurrences(of: "\\'", with: "'")))
                    default:
                        let json = body.replacingOccurrences(of: "\\`", with: "`")
                        if let value = try? JSONReader.values(json).first {
                            tokens.append(.literal(value))
                        } else {
                            tokens.append(.literal(.string(json.trimmingCharacters(in: .whitespaces))))
                        }
                    }
                default:
                    throw SyntaxError(description: "unexpected '\(c)' in '\(text)'")
                }
            }
            tokens.append(.end)
            return tokens
        }
    }

    // MARK: Parser (binding powers as in the JMESPath specification)

    struct Parser {
        var tokens: [Token]
        var position = 0
        var peek: Token { tokens[position] }
        /// How deeply the expression being read is nested (brackets, arguments, parentheses, `!`).
        var depth = 0
        /// Deeper than any real policy nests; a thread's stack holds it in a debug build too.
        static let maximumDepth = 50

        mutating func next() -> Token {
            let token = tokens[position]
            if position < tokens.count - 1 { position += 1 }
            return token
        }

        mutating func expect(_ token: Token) throws {
            guard next() == token else { throw SyntaxError(description: "expected '\(token)', found '\(tokens[max(0, position - 1)])'") }
        }

        static func power(_ token: Token) -> Int {
            switch token {
            case .pipe: return 1
            case .or: return 2
            case .and: return 3
            case .compare: return 5
            case .flatten: return 9
            case .star: return 20
            case .filterStart: return 21
            case .dot: return 40
            case .not: return 45
            case .lbracket, .lparen: return 55
            default: return 0
            }
        }

        mutating func expression(_ rbp: Int) throws -> Node {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maximumDepth else {
                throw SyntaxError(description: "the expression nests more than \(Self.maximumDepth) levels deep")
            }
            var left = try nud(next())
            while rbp < Self.power(peek) {
                left = try led(next(), left)
            }
            return left
        }

        mutating func nud(_ token: Token) throws -> Node {
            switch token {
            case .identifier(let name):
                if peek == .lparen {
                    _ = next()
                    var args: [Node] = []
                    while peek != .rparen {
                        args.append(try expression(0))
                        if peek == .comma { _ = next() }
                    }
                    try expect(.rparen)
                    return .function(name, args)
                }
                return .field(name)
            case .quoted(let name): return .field(name)
            case .literal(let value): return .literal(value)
            case .rawString(let s): return .literal(.string(s))
            case .at: return .current
            case .not: return .not(try expression(Self.power(.not)))
            case .lparen:
                let inner = try expression(0)
                try expect(.rparen)
                return inner
            case .star: return .objectProjection(.current, try projectionRight(Self.power(.star)))
            case .flatten: return .projection(.flatten(.current), try projectionRight(Self.power(.flatten)))
            case .filterStart: return try filter(.current)
            case .lbracket:
                if case .number = peek { return try indexOrSlice(.current) }
                if peek == .star, tokens[position + 1] == .rbracket {
                    _ = next(); _ = next()
                    return .projection(.current, try projectionRight(Self.power(.star)))
                }
                var items: [Node] = []
                while peek != .rbracket {
                    items.append(try expression(0))
                    if peek == .comma { _ = next() }
                }
                try expect(.rbracket)
                return .multiList(items)
            case .lbrace:
                var pairs: [(String, Node)] = []
                while peek != .rbrace {
                    let key: String
                    switch next() {
                    case .identifier(let k), .quoted(let k): key = k
                    default: throw SyntaxError(description: "expected a key in a multi-select hash")
                    }
                    try expect(.colon)
                    pairs.append((key, try expression(0)))
                    if peek == .comma { _ = next() }
                }
                try expect(.rbrace)
                return .multiHash(pairs)
            default:
                throw SyntaxError(description: "unexpected '\(token)'")
            }
        }

        mutating func led(_ token: Token, _ left: Node) throws -> Node {
            switch token {
            case .dot:
                if peek == .star {
                    _ = next()
                    return .objectProjection(left, try projectionRight(Self.power(.star)))
                }
                if peek == .lbracket || peek == .lbrace {
                    return .subexpression(left, try nud(next()))
                }
                return .subexpression(left, try nud(next()))
            case .pipe: return .pipe(left, try expression(Self.power(.pipe)))
            case .or: return .or(left, try expression(Self.power(.or)))
            case .and: return .and(left, try expression(Self.power(.and)))
            case .compare(let op): return .compare(op, left, try expression(Self.power(token)))
            case .flatten: return .projection(.flatten(left), try projectionRight(Self.power(.flatten)))
            case .filterStart: return try filter(left)
            case .lbracket:
                if peek == .star, tokens[position + 1] == .rbracket {
                    _ = next(); _ = next()
                    return .projection(left, try projectionRight(Self.power(.star)))
                }
                return try indexOrSlice(left)
            default:
                throw SyntaxError(description: "unexpected '\(token)'")
            }
        }

        mutating func filter(_ left: Node) throws -> Node {
            let condition = try expression(0)
            try expect(.rbracket)
            return .filter(left, condition, try projectionRight(Self.power(.filterStart)))
        }

        mutating func indexOrSlice(_ left: Node) throws -> Node {
            var parts: [Int?] = [nil]
            var sawColon = false
            while peek != .rbracket {
                switch next() {
                case .number(let n): parts[parts.count - 1] = n
                case .colon: sawColon = true; parts.append(nil)
                case let other: throw SyntaxError(description: "unexpected '\(other)' in an index")
                }
            }
            try expect(.rbracket)
            if !sawColon { return .index(left, parts[0] ?? 0) }
            while parts.count < 3 { parts.append(nil) }
            return .projection(.slice(left, parts[0], parts[1], parts[2]), try projectionRight(Self.power(.star)))
        }

        /// What follows a projection: `.x`, `[..]`, `[?..]` chains, or nothing (identity).
        mutating func projectionRight(_ bp: Int) throws -> Node {
            switch peek {
            case .dot:
                _ = next()
                return try expression(bp)
            case .lbracket, .filterStart, .flatten:
                return try expression(bp)
            default:
                if Self.power(peek) < 10 { return .current }
                return try expression(bp)
            }
        }
    }

    // MARK: Evaluation

    static func eval(_ node: Node, _ data: Value) throws -> Value {
        switch node {
        case .current: return data
        case .field(let name): return data[name] ?? .null
        case .subexpression(let left, let right): return try eval(right, try eval(left, data))
        case .index(let left, let index):
            guard case .array(let items) = try eval(left, data) else { return .null }
            let i = index < 0 ? items.count + index : index
            return items.indices.contains(i) ? items[i] : .null
        case .slice(let left, let start, let stop, let step):
            guard case .array(let items) = try eval(left, data) else { return .null }
            let step = step ?? 1
            guard step != 0 else { throw SyntaxError(description: "slice step cannot be 0") }
            func clamp(_ v: Int?, _ fallback: Int) -> Int {
                guard var v else { return fallback }
                if v < 0 { v += items.count }
                return step > 0 ? min(max(v, 0), items.count) : min(max(v, -1), items.count - 1)
            }
            var out: [Value] = []
            var i = clamp(start, step > 0 ? 0 : items.count - 1)
            let end = clamp(stop, step > 0 ? items.count : -1)
            while step > 0 ? i < end : i > end { out.append(items[i]); i += step }
            return .array(out)
        case .flatten(let left):
            guard case .array(let items) = try eval(left, data) else { return .null }
            var out: [Value] = []
            for item in items { if case .array(let inner) = item { out += inner } else { out.append(item) } }
            return .array(out)
        case .projection(let left, let right):
            guard case .array(let items) = try eval(left, data) else { return .null }
            return .array(try items.map { try eval(right, $0) }.filter { $0 != .null })
        case .objectProjection(let left, let right):
            guard case .object(let object) = try eval(left, data) else { return .null }
            return .array(try object.values.map { try eval(right, $0) }.filter { $0 != .null })
        case .filter(let left, let condition, let right):
            guard case .array(let items) = try eval(left, data) else { return .null }
            return .array(try items.filter { truthy(try eval(condition, $0)) }.map { try eval(right, $0) }.filter { $0 != .null })
        case .literal(let value): return value
        case .pipe(let left, let right): return try eval(right, try eval(left, data))
        case .or(let left, let right):
            let l = try eval(left, data)
            return truthy(l) ? l : try eval(right, data)
        case .and(let left, let right):
            let l = try eval(left, data)
            return truthy(l) ? try eval(right, data) : l
        case .not(let inner): return .bool(!truthy(try eval(inner, data)))
        case .compare(let op, let left, let right):
            return compare(op, try eval(left, data), try eval(right, data))
        case .multiList(let items):
            if data == .null { return .null }
            return .array(try items.map { try eval($0, data) })
        case .multiHash(let pairs):
            if data == .null { return .null }
            var object = ValueObject()
            for (key, node) in pairs { object[key] = try eval(node, data) }
            return .object(object)
        case .function(let name, let args):
            return try JMESFunctions.call(name, try args.map { try eval($0, data) })
        }
    }

    static func truthy(_ value: Value) -> Bool {
        switch value {
        case .null: return false
        case .bool(let b): return b
        case .string(let s): return !s.isEmpty
        case .array(let items): return !items.isEmpty
        case .object(let object): return !object.isEmpty
        default: return true
        }
    }

    static func number(_ value: Value) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }

    static func compare(_ op: String, _ a: Value, _ b: Value) -> Value {
        switch op {
        case "==": return .bool(equal(a, b))
        case "!=": return .bool(!equal(a, b))
        default:
            guard let x = number(a), let y = number(b) else { return .null }
            switch op {
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            default: return .bool(x >= y)
            }
        }
    }

    static func equal(_ a: Value, _ b: Value) -> Bool {
        if let x = number(a), let y = number(b) { return x == y }
        switch (a, b) {
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case let (.object(x), .object(y)): return x.count == y.count && x.allSatisfy { k, v in y[k].map { equal(v, $0) } ?? false }
        default: return a == b
        }
    }
}
