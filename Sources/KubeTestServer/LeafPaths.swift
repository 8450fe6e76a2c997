import Basics
import KubeModel

/// Field paths as server-side apply tracks them: a path is its segments joined by U+001F; a
/// segment is `f:<field>` or `k:<key JSON>` for an item of a keyed list (`k:{"name":"web"}`), as in
/// managedFields' FieldsV1. Lists without keys are atomic leaves.
enum LeafPaths {
    static let separator: Character = "\u{1F}"

    /// The leaf fields `object` sets (its identity — apiVersion, kind, name, namespace — aside).
    static func of(_ object: ValueObject) -> Set<String> {
        var out = Set<String>()
        func walk(_ value: Value, _ path: [String], field: String?) {
            switch value {
            case .object(let map) where !map.isEmpty:
                for (key, item) in map { walk(item, path + ["f:" + key], field: key) }
            case .array(let items) where !items.isEmpty:
                if let field, let keys = ListMergeKeys.keys(field: field, items: items) {
                    for item in items { walk(item, path + ["k:" + keyJSON(item, keys)], field: nil) }
                } else {
                    out.insert(path.joined(separator: String(separator)))
                }
            default:
                out.insert(path.joined(separator: String(separator)))
            }
        }
        for (key, value) in object where key != "apiVersion" && key != "kind" && key != "status" {
            if key == "metadata", case .object(let metadata) = value {
                for (field, item) in metadata where !["name", "namespace", "managedFields", "resourceVersion", "uid",
                                                      "generation", "creationTimestamp"].contains(field) {
                    walk(item, ["f:metadata", "f:" + field], field: field)
                }
            } else {
                walk(value, ["f:" + key], field: key)
            }
        }
        return out
    }

    static func keyJSON(_ item: Value, _ keys: [String]) -> String {
        var key = ValueObject()
        for name in keys.sorted() { key[name] = item[name] ?? (name == "protocol" ? .string("TCP") : .null) }
        return JSONWriter.compact(.object(key))
    }

    /// `.spec.template.spec.containers[name=web].image`, for messages.
    static func display(_ path: String) -> String {
        path.split(separator: separator).map { segment -> String in
            if segment.hasPrefix("f:") { return "." + segment.dropFirst(2) }
            return "[" + segment.dropFirst(2) + "]"
        }.joined()
    }

    private static func segments(_ path: String) -> [Substring] { path.split(separator: separator) }

    static func value(at path: String, in object: ValueObject) -> Value? {
        var current: Value? = .object(object)
        for segment in segments(path) {
            if segment.hasPrefix("f:") {
                current = current?[String(segment.dropFirst(2))]
            } else {
                guard case .array(let items)? = current else { return nil }
                let key = String(segment.dropFirst(2))
                current = items.first { item in
                    guard let wanted = try? JSONReader.values(key).first?.objectValue else { return false }
                    return ListMergeKeys.sameEntry(item, .object(wanted), keys: Array(wanted.keys))
                }
            }
        }
        return current
    }

    static func removing(_ path: String, from object: ValueObject) -> ValueObject {
        func remove(_ value: Value, _ rest: ArraySlice<Substring>) -> Value? {
            guard let segment = rest.first else { return nil }
            if segment.hasPrefix("f:") {
                guard case .object(var map) = value else { return value }
                let key = String(segment.dropFirst(2))
                if rest.count == 1 { map[key] = nil } else if let inner = map[key] {
                    map[key] = remove(inner, rest.dropFirst())
                    if let cleaned = map[key], cleaned == .object([:]) || cleaned == .array([]) { map[key] = nil }
                }
                return .object(map)
            }
            guard case .array(var items) = value, let wanted = try? JSONReader.values(String(segment.dropFirst(2))).first?.objectValue,
                  let index = items.firstIndex(where: { ListMergeKeys.sameEntry($0, .object(wanted), keys: Array(wanted.keys)) }) else { return value }
            if rest.count == 1 { items.remove(at: index) } else if let inner = remove(items[index], rest.dropFirst()) { items[index] = inner }
            return .array(items)
        }
        return remove(.object(object), segments(path)[...])?.objectValue ?? object
    }

    /// `applied` over `base`: maps merge, keyed lists merge by key, other lists and scalars replace.
    static func merge(_ applied: ValueObject, into base: ValueObject) -> ValueObject {
        func merge(_ top: Value, _ bottom: Value?, field: String?) -> Value {
            switch (top, bottom) {
            case (.object(let a), .object(let b)?):
                var out = b
                for (key, value) in a { out[key] = merge(value, b[key], field: key) }
                return .object(out)
            case (.array(let a), .array(let b)?):
                guard let field, let keys = ListMergeKeys.keys(field: field, items: a) else { return top }
                var out = b
                for item in a {
                    if let index = out.firstIndex(where: { ListMergeKeys.sameEntry($0, item, keys: keys) }) {
                        out[index] = merge(item, out[index], field: nil)
                    } else {
                        out.append(item)
                    }
                }
                return .object(["items": .array(out)])["items"]!
            default:
                return top
            }
        }
        return merge(.object(applied), .object(base), field: nil).objectValue ?? applied
    }

    /// managedFields' FieldsV1 for a set of paths.
    static func fieldsV1(_ paths: Set<String>) -> Value {
        var root = ValueObject()
        func insert(_ segments: ArraySlice<Substring>, into map: inout ValueObject) {
            guard let first = segments.first else { return }
            var inner = map[String(first)]?.objectValue ?? ValueObject()
            insert(segments.dropFirst(), into: &inner)
            map[String(first)] = .object(inner)
        }
        for path in paths.sorted() { insert(segments(path)[...], into: &root) }
        return .object(root)
    }
}
