import Basics
import YAML

/// What `kubectl kustomize` prints: each object's fields in sorted order, block style with lists
/// not indented under their key, scalars quoted as go-yaml quotes them, documents separated by `---`.
public enum KustomizeOutput {
    public static func yaml(_ resources: [KustomizeResource]) -> String {
        resources.map { GoYAMLEmitter.emit(sortedKeys(.object($0.object))) }.joined(separator: "---\n")
    }

    /// Keys in byte order at every level, as Go's encoding of a map writes them.
    static func sortedKeys(_ value: Value) -> Value {
        switch value {
        case .object(let object):
            let keys = object.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            return .object(ValueObject(keys.map { ($0, sortedKeys(object[$0]!)) }))
        case .array(let items): return .array(items.map(sortedKeys))
        default: return value
        }
    }
}
