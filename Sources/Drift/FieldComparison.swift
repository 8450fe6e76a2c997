import Basics
import Foundation
import KubeModel

/// One field that differs: what Git wants and what is there (nil: absent).
public struct FieldChange: Sendable, Hashable {
    public var path: FieldPath
    public var desired: Value?
    public var live: Value?
}

/// Compares only the fields the desired object sets (others belong to the server or to other
/// controllers), merging lists by their Kubernetes merge keys (containers by name, ports by port...).
enum FieldComparison {
    static func mergeKeys(field: String, items: [Value]) -> [String]? { ListMergeKeys.keys(field: field, items: items) }

    static func matches(_ a: Value, _ b: Value, keys: [String]) -> Bool { ListMergeKeys.sameEntry(a, b, keys: keys) }

    static func changes(desired: Value, live: Value?) -> [FieldChange] {
        var out: [FieldChange] = []
        var path: [PathElement] = []
        compare(desired, live, field: nil, parent: nil, &path, &out)
        return out
    }

    /// `field` is the key of the value compared, `parent` the key of the object holding it.
    private static func compare(_ desired: Value, _ live: Value?, field: String?, parent: String?,
                                _ path: inout [PathElement], _ out: inout [FieldChange]) {
        // An empty map or list Git sets is the same as none.
        if live == nil || live == .null, Normalizer.isEmpty(desired) { return }
        switch desired {
        case .object(let wanted):
            guard case .object(let actual)? = live else {
                out.append(FieldChange(path: FieldPath(path), desired: desired, live: live))
                return
            }
            for (key, value) in wanted {
                path.append(.key(key))
                compare(value, actual[key], field: key, parent: field, &path, &out)
                path.removeLast()
            }
        case .array(let wanted):
            guard case .array(let actual)? = live else {
                out.append(FieldChange(path: FieldPath(path), desired: desired, live: live))
                return
            }
            if let keys = field.flatMap({ mergeKeys(field: $0, items: wanted) }) {
                for (index, item) in wanted.enumerated() {
                    let match = actual.first { matches($0, item, keys: keys) }
                    path.append(.index(index))
                    if let match { compare(item, match, field: nil, parent: field, &path, &out) } else {
                        out.append(FieldChange(path: FieldPath(path), desired: item, live: nil))
                    }
                    path.removeLast()
                }
            } else if wanted.count != actual.count {
                out.append(FieldChange(path: FieldPath(path), desired: desired, live: live))
            } else {
                for (index, item) in wanted.enumerated() {
                    path.append(.index(index))
                    compare(item, actual[index], field: nil, parent: field, &path, &out)
                    path.removeLast()
                }
            }
        default:
            if Normalizer.quantityParents.contains(parent ?? ""), let a = quantity(desired), let b = live.flatMap(quantity), a == b { return }
            if !same(desired, live) { out.append(FieldChange(path: FieldPath(path), desired: desired, live: live)) }
        }
    }

    static func quantity(_ value: Value) -> Decimal? {
        switch value {
        case .string(let s): return Quantity(s)?.value
        case .int(let i): return Decimal(i)
        case .float(let d): return Decimal(d)
        default: return nil
        }
    }

    /// Scalars equal by value: numbers numerically, and a number equal to its text form
    /// (int-or-string fields written either way).
    static func same(_ a: Value?, _ b: Value?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        switch (a, b) {
        case let (.int(x), .float(y)), let (.float(y), .int(x)): return Double(x) == y
        case let (.int(x), .string(y)), let (.string(y), .int(x)): return String(x) == y
        default: return a == b
        }
    }

    /// `live` reduced to the fields `desired` sets (lists aligned by merge key), for showing a diff.
    static func project(_ live: Value?, onto desired: Value, field: String? = nil) -> Value? {
        switch desired {
        case .object(let wanted):
            guard case .object(let actual)? = live else { return live }
            var out = ValueObject()
            for (key, value) in wanted {
                if let projected = project(actual[key], onto: value, field: key) { out.appendUnchecked(key, projected) }
            }
            return .object(out)
        case .array(let wanted):
            guard case .array(let actual)? = live else { return live }
            if let keys = field.flatMap({ mergeKeys(field: $0, items: wanted) }) {
                var out: [Value] = []
                for item in wanted {
                    if let match = actual.first(where: { matches($0, item, keys: keys) }), let projected = project(match, onto: item) {
                        out.append(projected)
                    }
                }
                return .array(out)
            }
            guard wanted.count == actual.count else { return live }
            return .array(zip(actual, wanted).compactMap { project($0, onto: $1) })
        default:
            return live
        }
    }
}
