import Basics
import Foundation
import KubeModel

/// Both sides of a comparison are normalised first, so that what the API server adds or rewrites
/// is not drift: status and server bookkeeping go, Secret `stringData` becomes `data`, quantities
/// take one canonical form, port protocols default to TCP, and empty maps and lists count as absent.
public enum Normalizer {
    static let bookkeeping = ["managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink"]
    public static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    public static func normalize(_ object: Object) -> Object {
        var content = object.content
        content["status"] = nil
        if case .object(var metadata)? = content["metadata"] {
            for key in bookkeeping { metadata[key] = nil }
            if case .object(var annotations)? = metadata["annotations"] {
                annotations[lastApplied] = nil
                metadata["annotations"] = annotations.isEmpty ? nil : .object(annotations)
            }
            content["metadata"] = .object(metadata)
        }
        if object.kind == "Secret", object.gvk.group.isEmpty { content = mergingStringData(content) }
        var normalized = object
        normalized.content = (clean(.object(content), parentKey: nil).objectValue) ?? ValueObject()
        return normalized
    }

    /// A Secret's `stringData` folded into `data` (base64), as the API server stores it.
    static func mergingStringData(_ secret: ValueObject) -> ValueObject {
        guard case .object(let stringData)? = secret["stringData"] else { return secret }
        var content = secret
        var data = content["data"]?.objectValue ?? ValueObject()
        for (key, value) in stringData { data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString()) }
        content["data"] = .object(data)
        content["stringData"] = nil
        return content
    }

    /// Port protocols defaulted; whole floats as integers; empty maps and lists dropped.
    /// (Quantities are compared by value, not rewritten: the diff shows them as written.)
    static func clean(_ value: Value, parentKey: String?) -> Value {
        switch value {
        case .object(let object):
            var out = ValueObject()
            for (key, item) in object {
                let cleaned = clean(item, parentKey: key)
                if isEmpty(cleaned) { continue }
                out.appendUnchecked(key, cleaned)
            }
            if parentKey == "ports" || parentKey == nil, out["containerPort"] != nil || (out["port"] != nil && out["targetPort"] != nil) {
                if out["protocol"] == nil { out["protocol"] = .string("TCP") }
            }
            return .object(out)
        case .array(let items):
            return .array(items.map { clean($0, parentKey: parentKey) })
        case .float(let d) where d == d.rounded() && abs(d) < 9e15:
            return .int(Int64(d))
        default:
            return value
        }
    }

    /// Where quantities live: their values compare by amount (`1000m` = `1`, `1Gi` = `1024Mi`).
    static let quantityParents: Set<String> = ["requests", "limits", "hard", "capacity", "allocatable", "default",
                                               "defaultRequest", "max", "min", "maxLimitRequestRatio"]

    static func isEmpty(_ value: Value) -> Bool {
        switch value {
        case .null: return true
        case .object(let o): return o.isEmpty
        case .array(let a): return a.isEmpty
        default: return false
        }
    }
}
