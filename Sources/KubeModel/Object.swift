import Basics

/// A Kubernetes object as rendered: its content and where it came from.
public struct Object: Sendable, Hashable {
    /// The object's content (`apiVersion`, `kind`, `metadata`, ...).
    public var content: ValueObject
    public var provenance: Provenance

    public init(content: ValueObject, provenance: Provenance) {
        self.content = content
        self.provenance = provenance
    }

    public var apiVersion: String { content["apiVersion"]?.stringValue ?? "" }
    public var kind: String { content["kind"]?.stringValue ?? "" }
    public var gvk: GroupVersionKind { GroupVersionKind(apiVersion: apiVersion, kind: kind) }
    public var name: String { content["metadata"]?["name"]?.stringValue ?? "" }

    /// `metadata.namespace`, empty when not set.
    public var namespace: String {
        get { content["metadata"]?["namespace"]?.stringValue ?? "" }
        set {
            var metadata = content["metadata"]?.objectValue ?? ValueObject()
            if newValue.isEmpty {
                metadata["namespace"] = nil
            } else {
                // Right after the name, where kubectl shows it.
                metadata.insert("namespace", .string(newValue), at: (metadata.index(of: "name") ?? -1) + 1)
            }
            content["metadata"] = .object(metadata)
        }
    }

    public var key: ResourceKey {
        ResourceKey(group: gvk.group, kind: kind, namespace: namespace, name: name)
    }
}

extension Object {
    /// `Deployment blog-production/blog` (cluster-scoped: `Namespace blog-production`).
    public var displayName: String {
        namespace.isEmpty ? "\(kind) \(name)" : "\(kind) \(namespace)/\(name)"
    }
}
