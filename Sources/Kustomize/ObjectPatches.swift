import Basics

/// The three patch types the Kubernetes API accepts on PATCH, for the test API server: JSON merge
/// patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch (the merge keys and
/// directives kustomize and the API server share).
public enum ObjectPatches {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// RFC 7386: objects merged key by key, `null` removes, anything else replaces.
    public static func mergePatch(_ patch: Value, to target: Value) -> Value {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? ValueObject()
        for (key, value) in patchObject {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = mergePatch(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    static let serverDirectivePrefixes = ["$setElementOrder/", "$deleteFromPrimitiveList/", "$retainKeys"]

    static func isServerDirective(_ key: String) -> Bool { serverDirectivePrefixes.contains { key.hasPrefix($0) } }

    /// The patch without the API server's own directives, for the merge kustomize and the server share.
    static func withoutServerDirectives(_ patch: Value) -> Value {
        switch patch {
        case .object(let object):
            var result = ValueObject()
            for (key, value) in object where !isServerDirective(key) { result[key] = withoutServerDirectives(value) }
            return .object(result)
        case .array(let items): return .array(items.map(withoutServerDirectives))
        default: return patch
        }
    }

    /// Applies the directives of `patch` to the merged `result`, at the places they stand.
    static func applyServerDirectives(_ patch: Value, to result: Value) -> Value {
        guard case .object(let directives) = patch, case .object(var object) = result else { return result }
        for (key, value) in directives {
            if key.hasPrefix("$setElementOrder/") {
                let field = String(key.dropFirst("$setElementOrder/".count))
                guard case .array(let order) = value, case .array(let items)? = object[field] else { continue }
                // The listed elements in the order given, then any others as they were.
                var remaining = items
                var ordered: [Value] = []
                for wanted in order {
                    if let index = remaining.firstIndex(where: { sameElement($0, wanted) }) { ordered.append(remaining.remove(at: index)) }
                }
                object[field] = .array(ordered + remaining)
            } else if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                guard case .array(let gone) = value, case .array(let items)? = object[field] else { continue }
                object[field] = .array(items.filter { !gone.contains($0) })
            } else if key == "$retainKeys" {
                guard case .array(let kept) = value else { continue }
                let names = Set(kept.compactMap(\.stringValue))
                for name in object.keys where !names.contains(name) { object[name] = nil }
            } else if case .object = value, let child = object[key] {
                object[key] = applyServerDirectives(value, to: child)
            } else if case .array(let patchItems) = value, case .array(var items)? = object[key] {
                for patchItem in patchItems where patchItem.objectValue?.keys.contains(where: isServerDirective) == true {
                    if let index = items.firstIndex(where: { sameElement($0, withoutServerDirectives(patchItem), keysOnly: true) }) {
                        items[index] = applyServerDirectives(patchItem, to: items[index])
                    }
                }
                object[key] = .array(items)
            }
        }
        return .object(object)
    }

    /// Whether a list element is the one `wanted` names: a scalar equal to it, or a map with every
    /// scalar field of `wanted` (its merge key) at the same value.
    static func sameElement(_ item: Value, _ wanted: Value, keysOnly: Bool = false) -> Bool {
        guard case .object(let fields) = wanted, case .object(let candidate) = item else { return item == wanted }
        let keys = fields.filter { key, value in
            !isServerDirective(key) && key != "$patch" && value.objectValue == nil && value.arrayValue == nil
                && (!keysOnly || ["name", "containerPort", "mountPath", "devicePath", "ip", "port", "topologyKey", "type"].contains(key))
        }
        return !keys.isEmpty && keys.allSatisfy { candidate[$0.key] == $0.value }
    }

    /// RFC 6902 operations applied in order.
    public static func jsonPatch(_ patch: Value, to target: Value) throws(Failure) -> Value {
        do {
            return try JSONPatch(patch).apply(to: target)
        } catch {
            throw Failure(description: error.message)
        }
    }

    /// A strategic merge patch (lists merged by their merge keys, `$patch` directives), with the
    /// directives only the API server knows (kubectl edit and apply send them):
    /// `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>` and `$retainKeys`.
    public static func strategicMerge(_ patch: ValueObject, to target: ValueObject) throws(Failure) -> ValueObject {
        do {
            guard case .object(let plain) = withoutServerDirectives(.object(patch)),
                  let merged = try StrategicMerge.apply(plain, to: target) else {
                throw Failure(description: "the patch deletes the object ($patch: delete)")
            }
            guard case .object(let directed) = applyServerDirectives(.object(patch), to: .object(merged)) else { return merged }
            return directed
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(description: (error as? StrategicMerge.Failure)?.message ?? "\(error)")
        }
    }
}
