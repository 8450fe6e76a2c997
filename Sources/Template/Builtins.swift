/// Go text/template's predefined functions, with Go's semantics and messages.
enum Builtins {
    static let functions: [String: TemplateFunction] = [
        "and": TemplateFunction(atLeast: 1, raw: true) { _, args in args.last ?? .missing },
        "or": TemplateFunction(atLeast: 1, raw: true) { _, args in args.last ?? .missing },
        "not": TemplateFunction(arguments: 1, raw: true) { _, args in .bool(!args[0].isTrue) },
        "len": TemplateFunction(arguments: 1, raw: true) { _, args in .int(Int64(try length(args[0]))) },
        "index": TemplateFunction(atLeast: 1, raw: true) { _, args in try index(args[0], Array(args.dropFirst())) },
        "slice": TemplateFunction(atLeast: 1, raw: true) { _, args in try slice(args[0], Array(args.dropFirst())) },
        "print": TemplateFunction(atLeast: 0) { _, args in .string(GoFormat.sprint(args)) },
        "println": TemplateFunction(atLeast: 0) { _, args in .string(GoFormat.sprintln(args)) },
        "printf": TemplateFunction(atLeast: 1) { _, args in
            guard case .string(let format) = args[0] else {
                throw FunctionError("wrong type for value; expected string; got \(args[0].typeName)")
            }
            return .string(GoFormat.sprintf(format, Array(args.dropFirst())))
        },
        "html": TemplateFunction(atLeast: 0) { _, args in .string(Escaping.html(joined(args))) },
        "js": TemplateFunction(atLeast: 0) { _, args in .string(Escaping.js(joined(args))) },
        "urlquery": TemplateFunction(atLeast: 0) { _, args in .string(Escaping.queryEscape(joined(args))) },
        "eq": TemplateFunction(atLeast: 1, raw: true) { _, args in
            .bool(try Comparison.equal(args[0], Array(args.dropFirst())))
        },
        "ne": TemplateFunction(arguments: 2, raw: true) { _, args in .bool(!(try Comparison.equal(args[0], [args[1]]))) },
        "lt": TemplateFunction(arguments: 2, raw: true) { _, args in .bool(try Comparison.less(args[0], args[1])) },
        "le": TemplateFunction(arguments: 2, raw: true) { _, args in
            .bool(try Comparison.less(args[0], args[1]) || Comparison.equal(args[0], [args[1]]))
        },
        "gt": TemplateFunction(arguments: 2, raw: true) { _, args in
            .bool(!(try Comparison.less(args[0], args[1]) || Comparison.equal(args[0], [args[1]])))
        },
        "ge": TemplateFunction(arguments: 2, raw: true) { _, args in .bool(!(try Comparison.less(args[0], args[1]))) },
        "call": TemplateFunction(atLeast: 1, raw: true) { _, args in
            throw FunctionError("non-function \(GoFormat.value(args[0])) of type \(args[0].typeName)")
        },
    ]

    /// Go's evalArgs for html/js/urlquery: one string argument as is, otherwise `fmt.Sprint`.
    /// text/template's evalArgs (for html, js, urlquery): a nil or missing argument prints as
    /// `<no value>` (not fmt's `<nil>`), then the arguments are joined as fmt.Sprint joins them.
    static func joined(_ args: [TemplateValue]) -> String {
        if args.count == 1, case .string(let s) = args[0] { return s }
        return GoFormat.sprint(args.map { argument in
            switch argument {
            case .null, .missing: .string("<no value>")
            default: argument
            }
        })
    }

    static func length(_ item: TemplateValue) throws -> Int {
        switch item.collectionView {
        case .string(let s): return s.utf8.count
        case .list(let l): return l.count
        case .map(let m): return m.count
        case .bytes(let b): return b.count
        case .null, .missing: throw FunctionError("len of nil pointer")
        default: throw FunctionError("len of type \(item.typeName)")
        }
    }

    /// An integer index argument checked against `cap` (Go's indexArg).
    static func indexArgument(_ index: TemplateValue, cap: Int) throws -> Int {
        let x: Int64
        switch index {
        case .int(let i): x = i
        case .missing, .null: throw FunctionError("cannot index slice/array with nil")
        default: throw FunctionError("cannot index slice/array with type \(index.typeName)")
        }
        if x < 0 || x > Int64(cap) { throw FunctionError("index out of range: \(x)") }
        return Int(x)
    }

    static func index(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        var item = item
        if item.isNil { throw FunctionError("index of untyped nil") }
        for index in indexes {
            switch item {
            case .list(let items):
                let x = try indexArgument(index, cap: items.count)
                guard x < items.count else { throw FunctionError("index out of range: \(x)") }
                item = items[x]
            case .string(let s):
                let bytes = Array(s.utf8)
                let x = try indexArgument(index, cap: bytes.count)
                guard x < bytes.count else { throw FunctionError("index out of range: \(x)") }
                item = .int(Int64(bytes[x]))
            case .bytes(let bytes):
                let x = try indexArgument(index, cap: bytes.count)
                guard x < bytes.count else { throw FunctionError("index out of range: \(x)") }
                item = .int(Int64(bytes[x]))
            case .map(let map):
                guard case .string(let key) = index else {
                    if index.isNil { throw FunctionError("value is nil; should be of type string") }
                    throw FunctionError("value has type \(index.typeName); should be string")
                }
                item = map[key] ?? .null
            case .null, .missing:
                throw FunctionError("index of nil pointer")
            default:
                throw FunctionError("can't index item of type \(item.typeName)")
            }
        }
        return item
    }

    static func slice(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        if item.isNil { throw FunctionError("slice of untyped nil") }
        if indexes.count > 3 { throw FunctionError("too many slice indexes: \(indexes.count)") }
        let count: Int
        switch item {
        case .string(let s):
            if indexes.count == 3 { throw FunctionError("cannot 3-index slice a string") }
            count = s.utf8.count
        case .list(let l): count = l.count
        case .bytes(let b): count = b.count
        default: throw FunctionError("can't slice item of type \(item.typeName)")
        }
        var bounds = [0, count, count]
        for (i, index) in indexes.enumerated() { bounds[i] = try indexArgument(index, cap: count) }
        if bounds[0] > bounds[1] { throw FunctionError("invalid slice index: \(bounds[0]) > \(bounds[1])") }
        if indexes.count == 3 && bounds[1] > bounds[2] {
            throw FunctionError("invalid slice index: \(bounds[1]) > \(bounds[2])")
        }
        switch item {
        case .string(let s): return .string(String(decoding: Array(s.utf8)[bounds[0]..<bounds[1]], as: UTF8.self))
        case .list(let l): return .list(Array(l[bounds[0]..<bounds[1]]))
        case .bytes(let b): return .bytes(Array(b[bounds[0]..<bounds[1]]))
        default: return item
        }
    }
}

/// Go text/template's eq and lt, with its rules for values of different kinds.
enum Comparison {
    enum Kind { case bool, complex, int, float, string, other }

    static func kind(_ value: TemplateValue) -> Kind {
        switch value {
        case .bool: return .bool
        case .complex: return .complex
        case .int: return .int
        case .float: return .float
        case .string: return .string
        default: return .other
        }
    }

    static func equal(_ first: TemplateValue, _ others: [TemplateValue]) throws -> Bool {
        if others.isEmpty { throw FunctionError("missing argument for comparison") }
        let k1 = kind(first)
        for other in others {
            let k2 = kind(other)
            var truth = false
            if k1 != k2 {
                if !first.isMissing && !other.isMissing && k1 != .other && k2 != .other {
                    throw FunctionError("incompatible types for comparison")
                }
                if k1 == .other || k2 == .other {
                    // nil against a basic value is simply unequal; other mixes cannot be compared.
                    if !first.isNil && !other.isNil && (k1 != .other || k2 != .other) {
                        throw FunctionError("incompatible types for comparison")
                    }
                }
            } else {
                switch (first, other) {
                case let (.bool(a), .bool(b)): truth = a == b
                case let (.complex(a, b), .complex(c, d)): truth = a == c && b == d
                case let (.int(a), .int(b)): truth = a == b
                case let (.float(a), .float(b)): truth = a == b
                case let (.string(a), .string(b)): truth = a == b
                default:
                    if first.isNil || other.isNil {
                        truth = first.isNil == other.isNil
                    } else {
                        switch first {
                        case .list, .map, .bytes:
                            throw FunctionError("non-comparable type \(GoFormat.value(first)): \(first.typeName)")
                        default:
                            truth = false
                        }
                    }
                }
            }
            if truth { return true }
        }
        return false
    }

    static func less(_ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        let k1 = kind(a), k2 = kind(b)
        if k1 == .other || k2 == .other { throw FunctionError("invalid type for comparison") }
        if k1 != k2 { throw FunctionError("incompatible types for comparison") }
        switch (a, b) {
        case let (.int(x), .int(y)): return x < y
        case let (.float(x), .float(y)): return x < y
        case let (.string(x), .string(y)): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        default: throw FunctionError("invalid type for comparison")
        }
    }
}
