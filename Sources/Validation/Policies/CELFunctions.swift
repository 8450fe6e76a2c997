import Basics
import Foundation

/// CEL's standard functions and the Kubernetes string and list extensions policies call.
enum CELFunctions {
    static func call(_ name: String, target: CEL.Result?, _ args: [Value], evaluator: Evaluator) throws -> CEL.Result {
        func fail(_ message: String) -> CEL.Failure { CEL.Failure(description: message) }
        // Optional values.
        if case .optional(let inner)? = target {
            switch name {
            case "orValue": return .value(inner ?? (args.first ?? .null))
            case "hasValue": return .value(.bool(inner != nil))
            case "value":
                guard let inner else { throw fail("optional.none() has no value") }
                return .value(inner)
            default:
                guard let inner else { throw fail("\(name)() on an empty optional") }
                return try call(name, target: .value(inner), args, evaluator: evaluator)
            }
        }
        let receiver = target?.plain
        let subject = receiver ?? args.first
        let rest = receiver == nil ? Array(args.dropFirst()) : args
        func string(_ value: Value?) throws -> String {
            guard case .string(let s)? = value else { throw fail("\(name)() needs a string") }
            return s
        }
        switch name {
        case "size":
            switch subject {
            case .string(let s)?: return .value(.int(Int64(s.unicodeScalars.count)))
            case .array(let a)?: return .value(.int(Int64(a.count)))
            case .object(let o)?: return .value(.int(Int64(o.count)))
            default: throw fail("no such overload for size()")
            }
        case "startsWith": return .value(.bool(try string(subject).hasPrefix(try string(rest.first))))
        case "endsWith": return .value(.bool(try string(subject).hasSuffix(try string(rest.first))))
        case "contains":
            if case .array(let items)? = subject { return .value(.bool(items.contains { JMESPath.equal($0, rest.first ?? .null) })) }
            let needle = try string(rest.first), haystack = try string(subject)
            return .value(.bool(needle.isEmpty || SprigLikeSearch.contains(haystack, needle)))
        case "matches":
            let s = try string(subject), pattern = try string(rest.first)
            guard let regex = try? NSRegularExpression(pattern: pattern) else { throw fail("invalid regular expression \(pattern)") }
            return .value(.bool(regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil))
        case "lowerAscii": return .value(.string(try string(subject).lowercased()))
        case "upperAscii": return .value(.string(try string(subject).uppercased()))
        case "trim": return .value(.string(try string(subject).trimmingCharacters(in: .whitespacesAndNewlines)))
        case "split":
            let s = try string(subject), separator = try string(rest.first)
            return .value(.array(s.components(separatedBy: separator).map { .string($0) }))
        case "join":
            guard case .array(let items)? = subject else { throw fail("join() needs a list") }
            let separator = rest.first?.stringValue ?? ""
            return .value(.string(items.compactMap(\.stringValue).joined(separator: separator)))
        case "replace":
            let s = try string(subject), old = try string(rest.first), new = try string(rest.dropFirst().first)
            return .value(.string(s.replacingOccurrences(of: old, with: new)))
        case "indexOf", "lastIndexOf":
            let s = try string(subject), needle = try string(rest.first)
            let range = name == "indexOf" ? s.range(of: needle, options: .literal) : s.range(of: needle, options: [.literal, .backwards])
            return .value(.int(range.map { Int64(s.unicodeScalars.distance(from: s.unicodeScalars.startIndex, to: $0.lowerBound)) } ?? -1))
        case "substring":
            let scalars = Array(try string(subject).unicodeScalars)
            guard let start = rest.first.flatMap(JMESPath.number).map(Int.init), start >= 0, start <= scalars.count else {
                throw fail("substring() index out of range")
            }
            let end = rest.dropFirst().first.flatMap(JMESPath.number).map(Int.init) ?? scalars.count
            guard end >= start, end <= scalars.count else { throw fail("substring() index out of range") }
            var out = ""
            out.unicodeScalars.append(contentsOf: scalars[start..<end])
            return .value(.string(out))
        case "string":
            guard let v = subject else { throw fail("string() needs an argument") }
            if case .string = v { return .value(v) }
            return .value(.string(PatternValue.text(of: v) ?? JMESFunctions.compactJSON(v)))
        case "int":
            switch subject {
            case .int?: return .value(subject!)
            case .float(let d)?: return .value(.int(Int64(d)))
            case .string(let s)?: guard let i = Int64(s) else { throw fail("cannot convert '\(s)' to int") }; return .value(.int(i))
            default: throw fail("no such overload for int()")
            }
        case "double":
            guard let d = subject.flatMap({ JMESPath.number($0) ?? $0.stringValue.flatMap(Double.init) }) else { throw fail("no such overload for double()") }
            return .value(.float(d))
        case "bool":
            switch subject {
            case .bool?: return .value(subject!)
            case .string(let s)?: return .value(.bool(["true", "True", "TRUE", "t", "1"].contains(s)))
            default: throw fail("no such overload for bool()")
            }
        case "dyn": return .value(subject ?? .null)
        case "type":
            switch subject {
            case .string?: return .value(.string("string"))
            case .int?: return .value(.string("int"))
            case .float?: return .value(.string("double"))
            case .bool?: return .value(.string("bool"))
            case .array?: return .value(.string("list"))
            case .object?: return .value(.string("map"))
            default: return .value(.string("null_type"))
            }
        case "keys":
            guard case .object(let o)? = subject else { throw fail("keys() needs a map") }
            return .value(.array(o.keys.map { .string($0) }))
        case "values":
            guard case .object(let o)? = subject else { throw fail("values() needs a map") }
            return .value(.array(o.values))
        case "isSorted":
            guard case .array(let items)? = subject else { throw fail("isSorted() needs a list") }
            return .value(.bool(zip(items, items.dropFirst()).allSatisfy { a, b in
                if let x = JMESPath.number(a), let y = JMESPath.number(b) { return x <= y }
                return (a.stringValue ?? "") <= (b.stringValue ?? "")
            }))
        case "sum", "min", "max":
            guard case .array(let items)? = subject else { throw fail("\(name)() needs a list") }
            let numbers = items.compactMap(JMESPath.number)
            guard numbers.count == items.count, !(numbers.isEmpty && name != "sum") else { throw fail("\(name)() needs numbers") }
            let result = name == "sum" ? numbers.reduce(0, +) : name == "min" ? numbers.min()! : numbers.max()!
            return .value(items.allSatisfy({ if case .int = $0 { return true }; return false }) ? .int(Int64(result)) : .float(result))
        case "duration":
            // Durations compare as seconds.
            guard let seconds = try string(subject).isEmpty ? nil : GoDurationText.seconds(try string(subject)) else {
                throw fail("invalid duration")
            }
            return .value(.float(seconds))
        case "none" where receiver == nil: return .optional(nil)
        case "of": return .optional(subject)
        case "orValue": return .value(receiver ?? .null)
        case "hasValue": return .value(.bool(true))
        default:
            throw fail("the CEL function \(name)() is not supported by gitops")
        }
    }
}

/// Byte-wise substring search (as Go's strings.Contains).
enum SprigLikeSearch {
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        haystack.utf8.count >= needle.utf8.count && haystack.range(of: needle, options: .literal) != nil
    }
}
