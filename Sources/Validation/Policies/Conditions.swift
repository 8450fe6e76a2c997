import Basics
import Foundation

/// Kyverno's conditions (`deny.conditions`, `preconditions`): `any`/`all` blocks (a plain list is
/// `all`) of `key` `operator` `value`, both sides after `{{ }}` substitution.
enum Conditions {
    struct Unsupported: Error, CustomStringConvertible {
        var description: String
    }

    /// Whether the conditions hold. An empty block holds.
    static func hold(_ conditions: Value?, context: Value) throws -> Bool {
        guard let conditions else { return true }
        if case .array(let list) = conditions { return try list.allSatisfy { try hold(condition: $0, context: context) } }
        var result = true
        if case .array(let any)? = conditions["any"], !any.isEmpty {
            result = try any.contains { try hold(condition: $0, context: context) }
        }
        if result, case .array(let all)? = conditions["all"] {
            result = try all.allSatisfy { try hold(condition: $0, context: context) }
        }
        return result
    }

    static func hold(condition: Value, context: Value) throws -> Bool {
        let key = try Variables.substitute(condition["key"] ?? .null, context: context)
        let value = try Variables.substitute(condition["value"] ?? .null, context: context)
        let op = condition["operator"]?.stringValue ?? ""
        switch op {
        case "Equals", "Equal": return equals(key, value)
        case "NotEquals", "NotEqual": return !equals(key, value)
        case "In", "AllIn": return items(key).allSatisfy { contained($0, in: value) }
        case "AnyIn": return items(key).contains { contained($0, in: value) }
        case "NotIn", "AllNotIn": return items(key).allSatisfy { !contained($0, in: value) }
        case "AnyNotIn": return items(key).contains { !contained($0, in: value) }
        case "GreaterThan": return order(key, value).map { $0 == .orderedDescending } ?? false
        case "GreaterThanOrEquals": return order(key, value).map { $0 != .orderedAscending } ?? false
        case "LessThan": return order(key, value).map { $0 == .orderedAscending } ?? false
        case "LessThanOrEquals": return order(key, value).map { $0 != .orderedDescending } ?? false
        case "DurationGreaterThan": return durationOrder(key, value).map { $0 == .orderedDescending } ?? false
        case "DurationGreaterThanOrEquals": return durationOrder(key, value).map { $0 != .orderedAscending } ?? false
        case "DurationLessThan": return durationOrder(key, value).map { $0 == .orderedAscending } ?? false
        case "DurationLessThanOrEquals": return durationOrder(key, value).map { $0 != .orderedDescending } ?? false
        default: throw Unsupported(description: "the condition operator '\(op)' is not supported by gitops")
        }
    }

    private static func items(_ value: Value) -> [Value] {
        if case .array(let list) = value { return list }
        return [value]
    }

    /// Equality with wildcards in the expected string, numbers by value, quantities and durations.
    static func equals(_ key: Value, _ value: Value) -> Bool {
        if case .string(let expected) = value, let actual = PatternValue.text(of: key), key.stringValue != nil || expected.contains("*") == false {
            if Wildcard.match(expected, actual) { return true }
        }
        if let order = order(key, value) { return order == .orderedSame }
        return JMESPath.equal(key, value)
    }

    private static func contained(_ item: Value, in value: Value) -> Bool {
        switch value {
        case .array(let list):
            return list.contains { candidate in
                if case .string(let pattern) = candidate, let text = PatternValue.text(of: item) {
                    return Wildcard.match(pattern, text) || inRange(text, pattern)
                }
                return JMESPath.equal(item, candidate)
            }
        case .string(let s):
            // A string value: the key must be a substring-free match of it (Kyverno compares as one item).
            guard let text = PatternValue.text(of: item) else { return false }
            return Wildcard.match(s, text) || inRange(text, s)
        default:
            return JMESPath.equal(item, value)
        }
    }

    private static func inRange(_ text: String, _ range: String) -> Bool {
        let parts = range.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Double(parts[0]), let high = Double(parts[1]), let x = Double(text) else { return false }
        return x >= low && x <= high
    }

    /// Numbers, then quantities, then durations; nil when the sides do not compare.
    static func order(_ key: Value, _ value: Value) -> ComparisonResult? {
        if let a = JMESPath.number(key) ?? key.stringValue.flatMap(Double.init),
           let b = JMESPath.number(value) ?? value.stringValue.flatMap(Double.init) {
            return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
        }
        if let a = PatternValue.text(of: key).flatMap(Quantity.init), let b = PatternValue.text(of: value).flatMap(Quantity.init) {
            return a.value < b.value ? .orderedAscending : a.value > b.value ? .orderedDescending : .orderedSame
        }
        return durationOrder(key, value)
    }

    static func durationOrder(_ key: Value, _ value: Value) -> ComparisonResult? {
        func seconds(_ v: Value) -> Double? {
            if let n = JMESPath.number(v) { return n }
            return v.stringValue.flatMap(GoDurationText.seconds)
        }
        guard let a = seconds(key), let b = seconds(value) else { return nil }
        return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
    }
}
