/// A Kubernetes API group, version and kind (`apps/v1` `Deployment`; the core group is `""`).
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// Splits an `apiVersion` (`apps/v1`, `v1`) and pairs it with `kind`.
    public init(apiVersion: String, kind: String) {
        if let slash = apiVersion.lastIndex(of: "/") {
            group = String(apiVersion[..<slash])
            version = String(apiVersion[apiVersion.index(after: slash)...])
        } else {
            group = ""
            version = apiVersion
        }
        self.kind = kind
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }

    public var description: String { "\(apiVersion) \(kind)" }
}

/// A kind within its API group, without version: what identity and scope depend on.
public struct GroupKind: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var group: String
    public var kind: String

    public init(group: String, kind: String) {
        self.group = group
        self.kind = kind
    }

    public var description: String { group.isEmpty ? kind : "\(kind).\(group)" }

    public static func < (a: GroupKind, b: GroupKind) -> Bool { (a.group, a.kind) < (b.group, b.kind) }
}

/// What identifies an object in a cluster: group, kind, namespace and name (not the version).
public struct ResourceKey: Sendable, Hashable, CustomStringConvertible {
    public var groupKind: GroupKind
    /// Empty for cluster-scoped objects.
    public var namespace: String
    public var name: String

    public init(group: String, kind: String, namespace: String, name: String) {
        self.groupKind = GroupKind(group: group, kind: kind)
        self.namespace = namespace
        self.name = name
    }

    /// `Deployment.apps blog-production/blog`, `Namespace blog-production`.
    public var description: String {
        namespace.isEmpty ? "\(groupKind) \(name)" : "\(groupKind) \(namespace)/\(name)"
    }
}
