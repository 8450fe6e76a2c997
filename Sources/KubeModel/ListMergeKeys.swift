import Basics

/// The keys Kubernetes merges list items by (its list-map keys): containers, env and volumes by
/// name, ports by port and protocol, mounts by path. Lists without keys are atomic.
public enum ListMergeKeys {
    /// The keys for the list in `field` holding `items`; nil for an atomic list.
    public static func keys(field: String, items: [Value]) -> [String]? {
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets": return ["name"]
        case "volumeMounts": return ["mountPath"]
        case "volumeDevices": return ["devicePath"]
        case "ports":
            if items.allSatisfy({ $0["containerPort"] != nil }) { return ["containerPort", "protocol"] }
            if items.allSatisfy({ $0["port"] != nil }) { return ["port", "protocol"] }
            return nil
        case "tolerations", "args", "command": return nil
        default:
            return !items.isEmpty && items.allSatisfy({ $0.objectValue != nil && $0["name"] != nil }) ? ["name"] : nil
        }
    }

    /// Whether two items are the same entry (a missing `protocol` is TCP).
    public static func sameEntry(_ a: Value, _ b: Value, keys: [String]) -> Bool {
        keys.allSatisfy { key in
            let x = a[key] ?? (key == "protocol" ? .string("TCP") : nil), y = b[key] ?? (key == "protocol" ? .string("TCP") : nil)
            switch (x, y) {
            case let (.int(i)?, .float(d)?), let (.float(d)?, .int(i)?): return Double(i) == d
            default: return x == y
            }
        }
    }
}
