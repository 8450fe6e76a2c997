import Basics
import Foundation

/// JMESPath's built-in functions that policies use, and a few of Kyverno's own.
enum JMESFunctions {
    struct Unsupported: Error, CustomStringConvertible {
        var name: String
        var description: String { "the JMESPath function \(name)() is not supported by gitops" }
    }

    static func call(_ name: String, _ args: [Value]) throws -> Value {
        func string(_ i: Int) -> String? { args.indices.contains(i) ? args[i].stringValue : nil }
        switch name {
        case "length":
            switch args.first {
            case .string(let s)?: return .int(Int64(s.unicodeScalars.count))
            case .array(let a)?: return .int(Int64(a.count))
            case .object(let o)?: return .int(Int64(o.count))
            default: return .null
            }
        case "to_string":
            guard let value = args.first else { return .null }
            if case .string = value { return value }
            return .string(compactJSON(value))
        case "to_number":
            switch args.first {
            case .int?, .float?: return args[0]
            case .string(let s)?:
                if let i = Int64(s) { return .int(i) }
                return Double(s).map { .float($0) } ?? .null
            default: return .null
            }
        case "contains":
            guard args.count == 2 else { return .null }
            switch args[0] {
            case .string(let s): return .bool(args[1].stringValue.map { $0.isEmpty || s.contains($0) } ?? false)
            case .array(let items): return .bool(items.contains { JMESPath.equal($0, args[1]) })
            default: return .bool(false)
            }
        case "starts_with": return .bool(string(0).map { s in string(1).map { s.hasPrefix($0) } ?? false } ?? false)
        case "ends_with": return .bool(string(0).map { s in string(1).map { s.hasSuffix($0) } ?? false } ?? false)
        case "join":
            guard let separator = string(0), case .array(let items)? = args.dropFirst().first else { return .null }
            return .string(items.compactMap(\.stringValue).joined(separator: separator))
        case "keys":
            guard case .object(let o)? = args.first else { return .null }
            return .array(o.keys.map { .string($0) })
        case "values":
            guard case .object(let o)? = args.first else { return .null }
            return .array(o.values)
        case "type":
            switch args.first {
            case .null?, nil: return .string("null")
            case .bool?: return .string("boolean")
            case .int?, .float?: return .string("number")
            case .string?: return .string("string")
            case .array?: return .string("array")
            case .object?: return .string("object")
            }
        case "not_null": return args.first { $0 != .null } ?? .null
        case "max", "min":
            guard case .array(let items)? = args.first, !items.isEmpty else { return .null }
            if let numbers = Optional(items.compactMap(JMESPath.number)), numbers.count == items.count {
                let pick = name == "max" ? numbers.max()! : numbers.min()!
                return items.first { JMESPath.number($0) == pick } ?? .null
            }
            let strings = items.compactMap(\.stringValue)
            guard strings.count == items.count else { return .null }
            return .string(name == "max" ? strings.max()! : strings.min()!)
        case "sum":
            guard case .array(let items)? = args.first else { return .null }
            let total = items.compactMap(JMESPath.number).reduce(0, +)
            return total == total.rounded() && abs(total) < 9e15 ? .int(Int64(total)) : .float(total)
        case "abs":
            guard let n = args.first.flatMap(JMESPath.number) else { return .null }
            return n == n.rounded() ? .int(Int64(abs(n))) : .float(abs(n))
        case "reverse":
            switch args.first {
            case .array(let a)?: return .array(a.reversed())
            case .string(let s)?: return .string(String(s.reversed()))
            default: return .null
            }
        case "sort":
            guard case .array(let items)? = args.first else { return .null }
            if items.allSatisfy({ JMESPath.number($0) != nil }) {
                return .array(items.sorted { JMESPath.number($0)! < JMESPath.number($1)! })
            }
            return .array(items.sorted { ($0.stringValue ?? "") < ($1.stringValue ?? "") })
        case "to_lower", "lower": return string(0).map { .string($0.lowercased()) } ?? .null
        case "to_upper", "upper": return string(0).map { .string($0.uppercased()) } ?? .null
        case "split":
            guard let s = string(0), let separator = string(1) else { return .null }
            return .array(s.components(separatedBy: separator).map { .string($0) })
        case "regex_match":
            guard let pattern = string(0), let s = args.count > 1 ? PatternValue.text(of: args[1]) : nil,
                  let regex = try? NSRegularExpression(pattern: pattern) else { return .null }
            return .bool(regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil)
        case "truncate":
            guard let s = string(0), args.count > 1, let n = JMESPath.number(args[1]) else { return .null }
            return .string(String(s.prefix(max(0, Int(n)))))
        case "to_array":
            guard let value = args.first else { return .null }
            if case .array = value { return value }
            return .array([value])
        case "regex_replace_all", "regex_replace_all_literal":
            guard let pattern = string(0), args.count > 2, let source = PatternValue.text(of: args[1]),
                  let replacement = PatternValue.text(of: args[2]), let regex = try? NSRegularExpression(pattern: pattern) else { return .null }
            let template = name == "regex_replace_all_literal" ? NSRegularExpression.escapedTemplate(for: replacement)
                : replacement.replacingOccurrences(of: #"\$\{?(\d+)\}?"#, with: "\\$$1", options: .regularExpression)
            return .string(regex.stringByReplacingMatches(in: source, range: NSRange(source.startIndex..., in: source), withTemplate: template))
        case "replace_all":
            guard let s = string(0), let old = string(1), let new = string(2) else { return .null }
            return .string(s.replacingOccurrences(of: old, with: new))
        case "replace":
            guard let s = string(0), let old = string(1), let new = string(2), args.count > 3, let n = JMESPath.number(args[3]) else { return .null }
            if n < 0 { return .string(s.replacingOccurrences(of: old, with: new)) }
            var out = s
            for _ in 0..<Int(n) {
                guard let range = out.range(of: old) else { break }
                out.replaceSubrange(range, with: new)
            }
            return .string(out)
        case "equal_fold":
            guard let a = string(0), let b = string(1) else { return .null }
            return .bool(a.lowercased() == b.lowercased())
        case "trim":
            guard let s = string(0), let cut = string(1) else { return .null }
            return .string(s.trimmingCharacters(in: CharacterSet(charactersIn: cut)))
        case "base64_decode":
            guard let s = string(0), let data = Data(base64Encoded: s) else { return .null }
            return .string(String(decoding: data, as: UTF8.self))
        case "base64_encode":
            return string(0).map { .string(Data($0.utf8).base64EncodedString()) } ?? .null
        case "parse_json":
            guard let s = string(0), let value = try? JSONReader.values(s).first else { return .null }
            return value
        case "items":
            guard case .object(let o)? = args.first else { return .null }
            let keyName = string(1) ?? "key", valueName = string(2) ?? "value"
            return .array(o.map { key, value in .object([keyName: .string(key), valueName: value]) })
        case "add", "subtract", "multiply", "divide", "modulo":
            guard args.count == 2, let a = JMESPath.number(args[0]), let b = JMESPath.number(args[1]) else { return .null }
            let result: Double
            switch name {
            case "add": result = a + b
            case "subtract": result = a - b
            case "multiply": result = a * b
            case "divide": guard b != 0 else { return .null }; result = a / b
            default: guard b != 0 else { return .null }; result = a.truncatingRemainder(dividingBy: b)
            }
            return result == result.rounded() && abs(result) < 9e15 ? .int(Int64(result)) : .float(result)
        default:
            throw Unsupported(name: name)
        }
    }

    /// JSON text without spaces, as JMESPath's to_string writes non-strings.
    static func compactJSON(_ value: Value) -> String { JSONWriter.compact(value) }
}

/// Kyverno's `{{ expression }}` substitution in strings and values.
enum Variables {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Substitutes every `{{ }}` in `value` (strings inside lists and objects too). A string that is
    /// exactly one `{{ }}` becomes the expression's value (a list, a number...).
    static func substitute(_ value: Value, context: Value) throws -> Value {
        switch value {
        case .string(let s): return try substitute(s, context: context)
        case .array(let items): return .array(try items.map { try substitute($0, context: context) })
        case .object(let object):
            var out = ValueObject()
            for (key, item) in object { out[key] = try substitute(item, context: context) }
            return .object(out)
        default: return value
        }
    }

    static func substitute(_ textIn: String, context: Value) throws -> Value {
        guard textIn.contains("{{") else { return .string(textIn) }
        let text = try resolvingNested(textIn, context: context)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}"), trimmed.components(separatedBy: "{{").count == 2 {
            return try evaluate(String(trimmed.dropFirst(2).dropLast(2)), context: context)
        }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) else {
                out += rest[open.lowerBound...]
                return .string(out)
            }
            let result = try evaluate(String(rest[open.upperBound..<close.lowerBound]), context: context)
            if case .string(let s) = result { out += s } else { out += JMESFunctions.compactJSON(result) }
            rest = rest[close.upperBound...]
        }
        out += rest
        return .string(out)
    }

    /// Variables inside another `{{ }}` (`{{ regex_match('^x', '{{ request.object.a }}') }}`) are
    /// substituted first, as text.
    static func resolvingNested(_ text: String, context: Value) throws -> String {
        var text = text
        while true {
            let bytes = Array(text.utf8)
            var depth = 0, innermost: (open: Int, close: Int)?
            var index = 0
            var opens: [Int] = []
            while index + 1 < bytes.count {
                if bytes[index] == UInt8(ascii: "{"), bytes[index + 1] == UInt8(ascii: "{") {
                    opens.append(index); depth += 1; index += 2; continue
                }
                if bytes[index] == UInt8(ascii: "}"), bytes[index + 1] == UInt8(ascii: "}"), let open = opens.popLast() {
                    if depth >= 2 && innermost == nil { innermost = (open, index) }
                    depth -= 1; index += 2; continue
                }
                index += 1
            }
            guard let (open, close) = innermost else { return text }
            let expression = String(decoding: bytes[(open + 2)..<close], as: UTF8.self)
            let value = try evaluate(expression, context: context)
            let replacement = value.stringValue ?? JMESFunctions.compactJSON(value)
            text = String(decoding: bytes[..<open], as: UTF8.self) + replacement + String(decoding: bytes[(close + 2)...], as: UTF8.self)
        }
    }

    static func evaluate(_ expression: String, context: Value) throws -> Value {
        var text = expression.trimmingCharacters(in: .whitespaces)
        // `{{- expr }}`: Kyverno's "raw" marker.
        if text.hasPrefix("-") { text = String(text.dropFirst()).trimmingCharacters(in: .whitespaces) }
        do {
            return try JMESPath(text).evaluate(context)
        } catch let error as JMESFunctions.Unsupported {
            throw Failure(description: error.description)
        } catch {
            throw Failure(description: "cannot evaluate {{ \(text) }}: \(error)")
        }
    }
}
