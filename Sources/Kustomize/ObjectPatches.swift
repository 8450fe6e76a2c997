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

    /// RFC 6902 operations applied in order.
    public static func jsonPatch(_ patch: Value, to target: Value) throws(Failure) -> Value {
        do {
            return try JSONPatch(patch).apply(to: target)
        } catch {
            throw Failure(description: error.message)
        }
    }

    /// A strategic merge patch (lists merged by their merge keys, `$patch` directives).
    public static func strategicMerge(_ patch: ValueObject, to target: ValueObject) throws(Failure) -> ValueObject {
        do {
            guard let merged = try StrategicMerge.apply(patch, to: target) else { throw Failure(description: "the patch deletes the object ($patch: delete)") }
            return merged
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(description: (error as? StrategicMerge.Failure)?.message ?? "\(error)")
        }
    }
}
