import Basics
import Crypto
import KubeModel

/// Secret values in snapshots: `gitops snapshot` saves each `data` value as a SHA-256 digest of its
/// base64 text, never the value, and marks the Secret with an annotation; a comparison with such a
/// Secret digests the desired values the same way, so changes still show.
public enum SecretDigests {
    /// Marks a Secret whose `data` values are digests.
    public static let annotation = "gitops/snapshot-secret-values"
    public static let scheme = "sha256"

    /// `object` (a live Secret) with every field that can hold a value masked: `stringData` folded
    /// into `data`, each `data` value replaced by its digest, kubectl's last-applied annotation
    /// (a copy of the whole Secret as applied) removed, and the annotation set. Other objects unchanged.
    public static func digested(_ object: Object) -> Object {
        guard isSecret(object) else { return object }
        var copy = object
        copy.content = Normalizer.mergingStringData(copy.content)
        if case .object(let data)? = copy.content["data"] {
            var digests = ValueObject()
            for (key, value) in data { digests[key] = .string(digest(value)) }
            copy.content["data"] = .object(digests)
        }
        var metadata = copy.content["metadata"]?.objectValue ?? [:]
        var annotations = metadata["annotations"]?.objectValue ?? [:]
        annotations[Normalizer.lastApplied] = nil
        annotations[annotation] = .string(scheme)
        metadata["annotations"] = .object(annotations)
        copy.content["metadata"] = .object(metadata)
        return copy
    }

    /// Whether `live` holds digests rather than values.
    static func holdsDigests(_ live: Object) -> Bool {
        isSecret(live) && live.content["metadata"]?["annotations"]?[annotation]?.stringValue == scheme
    }

    /// The normalised desired value with its `data` digested, to compare with a digested live Secret.
    static func digestData(of desired: Value) -> Value {
        guard case .object(var content) = desired, case .object(let data)? = content["data"] else { return desired }
        var digests = ValueObject()
        for (key, value) in data { digests[key] = .string(digest(value)) }
        content["data"] = .object(digests)
        return .object(content)
    }

    static func digest(_ value: Value) -> String {
        let text = value.stringValue ?? JSONWriter.compact(value)
        return scheme + ":" + SHA256.hash(data: Array(text.utf8)).map { zeroPaddedHex(UInt64($0), width: 2, uppercase: false) }.joined()
    }

    private static func isSecret(_ object: Object) -> Bool { object.kind == "Secret" && object.gvk.group.isEmpty }
}
