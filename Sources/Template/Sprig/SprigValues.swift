import Basics
import Foundation

/// Sprig's value conversions and Go's parameter type checks.
enum SV {
    /// Sprig's `strval`: strings as they are, bytes as text, everything else `fmt.Sprint`-ed.
    static func strval(_ v: TemplateValue) -> String {
        switch v {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        default: return GoFormat.value(v)
        }
    }

    /// `cast.ToInt64`: numbers truncated, numeric strings parsed (base prefixes allowed), bools 1/0, else 0.
    static func toInt64(_ v: TemplateValue) -> Int64 {
        switch v {
        case .int(let i): return i
        case .float(let d): return d.isFinite && abs(d) < 9.2e18 ? Int64(d) : 0
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return GoLiteral.parseInt(s) ?? (Double(s).map { $0.isFinite && abs($0) < 9.2e18 ? Int64($0) : 0 } ?? 0)
        default: return 0
        }
    }

    /// `cast.ToFloat64`.
    static func toFloat64(_ v: TemplateValue) -> Double {
        switch v {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return GoLiteral.parseFloat(s) ?? 0
        default: return 0
        }
    }

    /// Sprig's `empty`: nil, false, 0, and empty strings, lists and maps.
    static func isEmpty(_ v: TemplateValue) -> Bool {
        if case .object = v.collectionView { return false }
        return !v.isTrue
    }

    /// Sprig's `strslice`: a list's elements as strings (nil elements dropped), or one string.
    static func strslice(_ v: TemplateValue) -> [String] {
        switch v {
        case .list(let items): return items.filter { !$0.isNil }.map(strval)
        case .missing, .null: return []
        default: return [strval(v)]
        }
    }

    /// Go's `reflect.Kind` name of a value, as Sprig's messages and `kindOf` print it.
    static func kind(_ v: TemplateValue) -> String {
        switch v {
        case .missing, .null: return "invalid"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float64"
        case .complex: return "complex128"
        case .string: return "string"
        case .list, .bytes: return "slice"
        case .map: return "map"
        case .object: return "struct"
        }
    }

    /// A list argument, or Sprig's `Cannot find NAME on type KIND` error.
    static func list(_ v: TemplateValue, _ message: String) throws -> [TemplateValue] {
        switch v.collectionView {
        case .list(let items): return items
        case .bytes(let b): return b.map { .int(Int64($0)) }
        default: throw FunctionError("\(message) \(kind(v))")
        }
    }

    // MARK: Go's checks of typed parameters

    static func string(_ v: TemplateValue) throws -> String {
        switch v {
        case .string(let s): return s
        case .missing, .null: throw FunctionError("invalid value; expected string")
        default: throw FunctionError("wrong type for value; expected string; got \(v.typeName)")
        }
    }

    static func int(_ v: TemplateValue) throws -> Int {
        switch v {
        case .int(let i): return Int(i)
        case .missing, .null: throw FunctionError("invalid value; expected int")
        default: throw FunctionError("wrong type for value; expected int; got \(v.typeName)")
        }
    }

    static func bool(_ v: TemplateValue) throws -> Bool {
        switch v {
        case .bool(let b): return b
        case .missing, .null: throw FunctionError("invalid value; expected bool")
        default: throw FunctionError("wrong type for value; expected bool; got \(v.typeName)")
        }
    }

    static func map(_ v: TemplateValue) throws -> TemplateMap {
        switch v {
        case .map(let m): return m
        // Go passes a nil for a map parameter as a nil map, which reads as empty (`hasKey` is
        // false, `merge` takes nothing from it): the template engine's zero value for the type.
        case .missing, .null: return TemplateMap()
        default: throw FunctionError("wrong type for value; expected map[string]interface {}; got \(v.typeName)")
        }
    }

    static func strings(_ values: [String]) -> TemplateValue { .list(values.map { .string($0) }) }

    /// Go's `reflect.DeepEqual` on template values.
    static func deepEqual(_ a: TemplateValue, _ b: TemplateValue, depth: Int = 0) -> Bool {
        if depth > 1000 { return false }
        switch (a, b) {
        case (.missing, .missing), (.null, .null), (.missing, .null), (.null, .missing): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.float(x), .float(y)): return x == y
        case let (.complex(a1, b1), .complex(a2, b2)): return a1 == a2 && b1 == b2
        case let (.string(x), .string(y)): return x == y
        case let (.bytes(x), .bytes(y)): return x == y
        case let (.list(x), .list(y)): return x.count == y.count && zip(x, y).allSatisfy { deepEqual($0, $1, depth: depth + 1) }
        case let (.map(x), .map(y)):
            if x.isSame(as: y) { return true }
            let ex = x.entries, ey = y.entries
            return ex.count == ey.count && ex.allSatisfy { key, value in ey[key].map { deepEqual(value, $0, depth: depth + 1) } ?? false }
        default: return false
        }
    }

    /// A deep copy (maps no longer shared).
    static func deepCopy(_ v: TemplateValue, depth: Int = 0) -> TemplateValue {
        if depth > 1000 { return .null }
        switch v {
        case .list(let items): return .list(items.map { deepCopy($0, depth: depth + 1) })
        case .map(let map): return .map(TemplateMap(entries: map.entries.mapValues { deepCopy($0, depth: depth + 1) }))
        default: return v
        }
    }
}

extension TemplateFunction {
    /// A one-string-argument function returning a string.
    static func stringToString(_ body: @escaping @Sendable (String) throws -> String) -> TemplateFunction {
        TemplateFunction(arguments: 1) { _, a in .string(try body(try SV.string(a[0]))) }
    }

    /// A function of a Go string's bytes: a string's UTF-8, or the raw bytes of a Go string that is
    /// not UTF-8 (a binary file from `.Files.Get`, carried as bytes).
    static func bytesToString(_ body: @escaping @Sendable ([UInt8]) throws -> String) -> TemplateFunction {
        TemplateFunction(arguments: 1) { _, a in
            if case .bytes(let raw) = a[0] { return .string(try body(raw)) }
            return .string(try body(Array(try SV.string(a[0]).utf8)))
        }
    }
}
