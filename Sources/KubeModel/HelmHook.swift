import Foundation

/// Helm's hook annotation (`helm.sh/hook`) as a sync reads it.
public enum HelmHook {
    public static let annotation = "helm.sh/hook"

    /// What a sync does with a Helm hook.
    public enum SyncRole: Sendable, Equatable {
        /// `pre-install`/`pre-upgrade`: run before the main objects.
        case preSync
        /// `post-install`/`post-upgrade`: run after them.
        case postSync
        /// `test` (run by `helm test` only), `pre-delete`, `post-delete`, `pre-rollback`,
        /// `post-rollback`: no sync counterpart, never applied (as Argo CD does).
        case notApplied
    }

    /// The hook types of `object`, lower-cased; nil when it is not a Helm hook.
    public static func types(of object: Object) -> Set<String>? {
        guard let text = object.annotation(annotation) else { return nil }
        let types = Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
        return types.isEmpty ? nil : types
    }

    /// How a sync treats `object`; nil when it is not a Helm hook.
    public static func syncRole(of object: Object) -> SyncRole? {
        guard let types = types(of: object) else { return nil }
        if !types.isDisjoint(with: ["pre-install", "pre-upgrade"]) { return .preSync }
        if !types.isDisjoint(with: ["post-install", "post-upgrade"]) { return .postSync }
        return .notApplied
    }

    /// Whether `object` is a Helm test hook (`test`, or the older `test-success`/`test-failure`),
    /// which `helm template --skip-tests` leaves out.
    public static func isTest(_ object: Object) -> Bool {
        guard let types = types(of: object) else { return false }
        return !types.isDisjoint(with: ["test", "test-success", "test-failure"])
    }
}

extension Object {
    /// `metadata.annotations[name]`.
    public func annotation(_ name: String) -> String? { content["metadata"]?["annotations"]?[name]?.stringValue }
    /// `metadata.labels[name]`.
    public func label(_ name: String) -> String? { content["metadata"]?["labels"]?[name]?.stringValue }
}
