import Basics
import Foundation

/// Kyverno's comparison of one value with a scalar pattern: booleans and numbers by value, `nil`
/// matching empty values, strings with `|` (or), `&` (and), the operators `>`, `<`, `>=`, `<=`,
/// `!` and ranges `a-b`, `!a-b`, compared as durations, then quantities, then with `*`/`?` wildcards.
enum PatternValue {
    static func matches(_ value: Value, _ pattern: Value) -> Bool {
        switch pattern {
        case .bool(let b):
            if case .bool(let v) = value { return v == b }
            return false
        case .int(let i):
            switch value {
            case .int(let v): return v == i
            case .float(let d): return d == d.rounded(.towardZero) && Int64(exactly: d) == i
            case .string(let s): return Int64(s) == i
            default: return false
            }
        case .float(let f):
            switch value {
            case .int(let v): return f == f.rounded(.towardZero) && Int64(exactly: f) == v
            case .float(let d): return d == f
            case .string(let s): return Double(s) == f
            default: return false
            }
        case .null:
            switch value {
            case .null: return true
            case .int(let v): return v == 0
            case .float(let d): return d == 0
            case .string(let s): return s.isEmpty
            case .bool(let b): return !b
            default: return false
            }
        case .object:
            if case .object = value { return true }
            return false
        case .array:
            return false
        case .string(let text):
            if case .string(let s) = value, s == text { return true }
            for alternative in text.split(separator: "|", omittingEmptySubsequences: false) {
                let conditions = alternative.split(separator: "&", omittingEmptySubsequences: false)
                if conditions.allSatisfy({ matchesOne(value, $0.trimmingCharacters(in: .whitespaces)) }) { return true }
            }
            return false
        }
    }

    enum Operator: String {
        case equal = "", notEqual = "!", more = ">", less = "<", moreEqual = ">=", lessEqual = "<="
    }

    private static let inRange = try! NSRegularExpression(pattern: #"^(\d+(\.\d+)?)([^-]*)-(\d+(\.\d+)?)([^-]*)$"#)
    private static let notInRange = try! NSRegularExpression(pattern: #"^(\d+(\.\d+)?)([^-]*)!-(\d+(\.\d+)?)([^-]*)$"#)

    private static func fullMatch(_ regex: NSRegularExpression, _ s: String) -> Bool {
        regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    /// One condition: `value` against an operator and operand.
    static func matchesOne(_ value: Value, _ pattern: String) -> Bool {
        if fullMatch(notInRange, pattern) {
            let ends = pattern.components(separatedBy: "!-")
            return matchesOne(value, "<" + ends[0]) || matchesOne(value, ">" + ends[1])
        }
        if fullMatch(inRange, pattern) {
            let ends = pattern.split(separator: "-", maxSplits: 1).map(String.init)
            return matchesOne(value, ">=" + ends[0]) && matchesOne(value, "<=" + ends[1])
        }
        var op = Operator.equal
        if pattern.count >= 2 {
            for candidate in [Operator.moreEqual, .lessEqual, .more, .less, .notEqual] where pattern.hasPrefix(candidate.rawValue) {
                op = candidate
                break
            }
        }
        let operand = String(pattern.dropFirst(op.rawValue.count)).trimmingCharacters(in: .whitespaces)
        if let result = compareDurations(value, operand, op) { return result }
        if startsWithNumber(operand) { return compareNumberLike(value, operand, op) }
        return compareString(value, operand, op)
    }

    static func startsWithNumber(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first else { return false }
        if CharacterSet.decimalDigits.contains(first) { return true }
        if first == ".", s.unicodeScalars.dropFirst().first.map(CharacterSet.decimalDigits.contains) == true { return true }
        return false
    }

    static func text(of value: Value) -> String? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .float(let d): return GoFloat.format(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    private static func compareString(_ value: Value, _ operand: String, _ op: Operator) -> Bool {
        guard op == .equal || op == .notEqual, let text = text(of: value) else { return false }
        let matched = Wildcard.match(operand, text)
        return op == .notEqual ? !matched : matched
    }

    private static func compareNumberLike(_ value: Value, _ operand: String, _ op: Operator) -> Bool {
        let text: String
        switch value {
        case .null: text = "0"
        case .string(let s): text = s
        case .int(let i): text = String(i)
        case .float(let d): text = String(format: "%f", d)
        default: return false
        }
        if let pattern = Quantity(operand) {
            guard let quantity = Quantity(text) else { return false }
            let order: ComparisonResult = quantity.value < pattern.value ? .orderedAscending : quantity.value > pattern.value ? .orderedDescending : .orderedSame
            return compare(order, op)
        }
        return Wildcard.match(operand, text)
    }

    /// Durations (`30s`, `1h30m`) when both sides are durations with units.
    private static func compareDurations(_ value: Value, _ operand: String, _ op: Operator) -> Bool? {
        guard case .string(let text) = value, operand.contains(where: \.isLetter), text.contains(where: \.isLetter),
              let pattern = GoDurationText.seconds(operand), let actual = GoDurationText.seconds(text) else { return nil }
        let order: ComparisonResult = actual < pattern ? .orderedAscending : actual > pattern ? .orderedDescending : .orderedSame
        return compare(order, op)
    }

    static func compare(_ order: ComparisonResult, _ op: Operator) -> Bool {
        switch op {
        case .equal: return order == .orderedSame
        case .notEqual: return order != .orderedSame
        case .more: return order == .orderedDescending
        case .less: return order == .orderedAscending
        case .moreEqual: return order != .orderedAscending
        case .lessEqual: return order != .orderedDescending
        }
    }
}

/// Go duration text (`1h30m`, `250ms`, `-1.5s`) in seconds.
enum GoDurationText {
    static func seconds(_ text: String) -> Double? {
        var s = Substring(text)
        var sign = 1.0
        if s.first == "-" || s.first == "+" { if s.first == "-" { sign = -1 }; s = s.dropFirst() }
        if s == "0" { return 0 }
        guard !s.isEmpty else { return nil }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var total = 0.0
        while !s.isEmpty {
            let number = s.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let amount = Double(number) else { return nil }
            s = s.dropFirst(number.count)
            guard let unit = units.first(where: { s.hasPrefix($0.0) && !(($0.0 == "m") && s.hasPrefix("ms")) }) else { return nil }
            total += amount * unit.1
            s = s.dropFirst(unit.0.count)
        }
        return sign * total
    }
}
