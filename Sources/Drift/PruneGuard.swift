import Basics
import KubeModel

/// Decides which of an environment's live objects that Git no longer has it may delete. Kept:
/// objects annotated `gitops/prune: "false"`; objects another environment also renders (or lists
/// in its inventory); objects whose deletion destroys data — CustomResourceDefinitions (every
/// custom resource of the kind goes with them), Namespaces (everything in them), PersistentVolumeClaims
/// and PersistentVolumes — unless annotated `gitops/prune: "true"`, as Argo CD and Flux default to;
/// and cluster-scoped objects while another environment on the cluster cannot be rendered.
public struct PruneGuard: Sendable {
    public static let annotation = "gitops/prune"
    /// Kinds whose deletion deletes data.
    public static let dataKinds: [GroupKind: String] = [
        GroupKind(group: "apiextensions.k8s.io", kind: "CustomResourceDefinition"): "deleting a CustomResourceDefinition deletes every custom resource of its kind, in every namespace",
        GroupKind(group: "", kind: "Namespace"): "deleting a Namespace deletes everything in it",
        GroupKind(group: "", kind: "PersistentVolumeClaim"): "deleting a PersistentVolumeClaim can delete its volume's data",
        GroupKind(group: "", kind: "PersistentVolume"): "deleting a PersistentVolume can delete its data",
    ]

    public var environment: String
    /// Objects other environments render or have applied, with their names.
    public var sharedWith: [ResourceKey: Set<String>]
    /// Other environments on the cluster whose objects are unknown (they do not render).
    public var unknownSiblings: [String]
    /// How the other environments render the objects this one renders too: by object, by environment.
    public var versions: [ResourceKey: [String: Object]]

    public init(environment: String, sharedWith: [ResourceKey: Set<String>] = [:], unknownSiblings: [String] = [],
                versions: [ResourceKey: [String: Object]] = [:]) {
        self.environment = environment
        self.sharedWith = sharedWith
        self.unknownSiblings = unknownSiblings
        self.versions = versions
    }

    public enum Decision: Sendable, Equatable {
        case prune
        /// Not deleted, with why and what to do.
        case keep(String)
    }

    /// Whether `live` (not in Git any more) may be deleted.
    public func decide(_ live: Object) -> Decision {
        let annotation = live.annotation(Self.annotation)?.lowercased()
        if annotation == "false" { return .keep("annotated \(Self.annotation): \"false\"") }
        if let others = sharedWith[live.key], !others.isEmpty {
            return .keep("\(others.sorted().joined(separator: ", ")) also \(others.count == 1 ? "renders" : "render") it; it stays theirs")
        }
        if let why = Self.dataKinds[live.key.groupKind], annotation != "true" {
            return .keep("\(why); to delete it, annotate it \(Self.annotation): \"true\" or delete it by hand")
        }
        if live.namespace.isEmpty, !unknownSiblings.isEmpty {
            return .keep("cluster-scoped, and \(unknownSiblings.joined(separator: ", ")) (on the same cluster) does not render, so whether it still needs it is unknown")
        }
        return .prune
    }

    /// The label value to apply on an object `live` already carries: another environment's label
    /// stays while that environment still renders the object (shared ownership does not flip
    /// the label back and forth); otherwise this environment's.
    public func ownerLabel(for key: ResourceKey, live: String?) -> String {
        guard let live, live != environment, sharedWith[key]?.contains(live) == true else { return environment }
        return live
    }

    /// The shared objects this environment would overwrite with a version of its own: each update
    /// in `report` to an object another environment owns (`owners`, from `ownerLabel`), when this
    /// environment's version in `desired` differs from the owner's render in Git (`versions`) or,
    /// where the owner's render is unknown (it is only in an inventory), from the live object.
    /// Each is described by its fields and owner, never its values. A sync refuses them: the
    /// owner's next sync would put its version back. Both versions alike, a live difference is
    /// drift that either environment heals.
    /// - Parameter label: the environment label, which differs between the versions by design.
    public func contested(_ report: DriftReport, desired: [Object], owners: [ResourceKey: String], label: String) -> [String] {
        var desiredByKey: [ResourceKey: Object] = [:]
        for object in desired { desiredByKey[object.key] = object }
        return report.entries.filter { $0.action == .update }.compactMap { entry in
            guard let owner = owners[entry.key] else { return nil }
            let fields = if let theirs = versions[entry.key]?[owner], let mine = desiredByKey[entry.key] {
                Drift.differingFields(mine, theirs, ignoringLabel: label)
            } else {
                entry.changes.map(\.path.description).sorted()
            }
            if fields.isEmpty { return nil }
            let shown = fields.prefix(5).joined(separator: ", ") + (fields.count > 5 ? " and \(fields.count - 5) more" : "")
            return "\(entry.title) (\(shown)) belongs to environment \(owner)"
        }
    }
}
