import Basics
import Foundation
import KubeModel

/// What the Kubernetes schema folder says about built-in kinds: which groups are Kubernetes'
/// own, which kinds and versions a version serves, and the API versions removed since 1.16, so a
/// misspelt kind or a removed API version is an error that says what to write instead.
public final class BuiltInAPIs: @unchecked Sendable {
    /// The API groups Kubernetes itself serves (CRDs may use `*.k8s.io` groups too: Gateway API,
    /// volume snapshots; those are not built in).
    public static let groups: Set<String> = [
        "", "apps", "batch", "autoscaling", "policy", "extensions", "networking.k8s.io", "rbac.authorization.k8s.io",
        "storage.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io", "certificates.k8s.io",
        "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io", "node.k8s.io",
        "scheduling.k8s.io", "resource.k8s.io", "apiregistration.k8s.io", "authentication.k8s.io",
        "authorization.k8s.io", "internal.apiserver.k8s.io", "storagemigration.k8s.io",
    ]

    /// API versions removed from Kubernetes: (group, version, kinds or all, removed in, replacement).
    static let removals: [(group: String, version: String, kinds: Set<String>?, removedIn: String, replacement: String)] = [
        ("extensions", "v1beta1", ["Deployment", "DaemonSet", "ReplicaSet"], "1.16", "apps/v1"),
        ("extensions", "v1beta1", ["NetworkPolicy"], "1.16", "networking.k8s.io/v1"),
        ("extensions", "v1beta1", ["PodSecurityPolicy"], "1.16", "nothing (Pod Security admission replaced it)"),
        ("extensions", "v1beta1", ["Ingress"], "1.22", "networking.k8s.io/v1"),
        ("apps", "v1beta1", nil, "1.16", "apps/v1"),
        ("apps", "v1beta2", nil, "1.16", "apps/v1"),
        ("networking.k8s.io", "v1beta1", ["Ingress", "IngressClass"], "1.22", "networking.k8s.io/v1"),
        ("admissionregistration.k8s.io", "v1beta1", nil, "1.22", "admissionregistration.k8s.io/v1"),
        ("apiextensions.k8s.io", "v1beta1", nil, "1.22", "apiextensions.k8s.io/v1"),
        ("apiregistration.k8s.io", "v1beta1", nil, "1.22", "apiregistration.k8s.io/v1"),
        ("authentication.k8s.io", "v1beta1", nil, "1.22", "authentication.k8s.io/v1"),
        ("authorization.k8s.io", "v1beta1", nil, "1.22", "authorization.k8s.io/v1"),
        ("certificates.k8s.io", "v1beta1", nil, "1.22", "certificates.k8s.io/v1"),
        ("coordination.k8s.io", "v1beta1", nil, "1.22", "coordination.k8s.io/v1"),
        ("rbac.authorization.k8s.io", "v1beta1", nil, "1.22", "rbac.authorization.k8s.io/v1"),
        ("scheduling.k8s.io", "v1beta1", nil, "1.22", "scheduling.k8s.io/v1"),
        ("storage.k8s.io", "v1beta1", ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"], "1.22", "storage.k8s.io/v1"),
        ("batch", "v1beta1", ["CronJob"], "1.25", "batch/v1"),
        ("discovery.k8s.io", "v1beta1", nil, "1.25", "discovery.k8s.io/v1"),
        ("events.k8s.io", "v1beta1", nil, "1.25", "events.k8s.io/v1"),
        ("autoscaling", "v2beta1", nil, "1.25", "autoscaling/v2"),
        ("policy", "v1beta1", ["PodDisruptionBudget"], "1.25", "policy/v1"),
        ("policy", "v1beta1", ["PodSecurityPolicy"], "1.25", "nothing (Pod Security admission replaced it)"),
        ("node.k8s.io", "v1beta1", nil, "1.25", "node.k8s.io/v1"),
        ("autoscaling", "v2beta2", nil, "1.26", "autoscaling/v2"),
        ("flowcontrol.apiserver.k8s.io", "v1beta1", nil, "1.26", "flowcontrol.apiserver.k8s.io/v1"),
        ("storage.k8s.io", "v1beta1", ["CSIStorageCapacity"], "1.27", "storage.k8s.io/v1"),
        ("flowcontrol.apiserver.k8s.io", "v1beta2", nil, "1.29", "flowcontrol.apiserver.k8s.io/v1"),
        ("flowcontrol.apiserver.k8s.io", "v1beta3", nil, "1.32", "flowcontrol.apiserver.k8s.io/v1"),
    ]

    /// The folder of one Kubernetes version's schemas (`v1.31.0-local`).
    public let folder: String
    /// `1.31`, read from the folder's name.
    public let version: String?
    /// Lower-cased kind → versions, per first label of the group (`apps`, `networking`; "" for core).
    private let kinds: [String: [String: Set<String>]]
    private let lock = NSLock()
    private var properKinds: [String: String] = [:]

    public init(folder: String) {
        self.folder = folder
        let name = (folder as NSString).lastPathComponent
        version = name.hasPrefix("v") ? SchemaCatalog.versionNumbers(String(name.dropFirst().split(separator: "-")[0]))
            .map { $0.prefix(2).map(String.init).joined(separator: ".") } : nil
        var kinds: [String: [String: Set<String>]] = [:]
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where file.hasSuffix(".json") {
            let parts = file.dropLast(5).split(separator: "-").map(String.init)
            switch parts.count {
            case 2: kinds["", default: [:]][parts[0], default: []].insert(parts[1])
            case 3: kinds[parts[1], default: [:]][parts[0], default: []].insert(parts[2])
            default: continue
            }
        }
        self.kinds = kinds
    }

    static func label(of group: String) -> String { group.split(separator: ".").first.map(String.init) ?? "" }

    /// Why `gvk` (a built-in group's, without a schema here) is wrong, with what to write instead;
    /// nil when the group is not Kubernetes' own.
    public func problem(with gvk: GroupVersionKind) -> (rule: String, message: String)? {
        guard Self.groups.contains(gvk.group) else { return nil }
        let served = "Kubernetes \(version ?? "")".trimmingCharacters(in: .whitespaces)
        let removal = Self.removals.first { $0.group == gvk.group && $0.version == gvk.version && ($0.kinds?.contains(gvk.kind) ?? true) }
        let byKind = kinds[Self.label(of: gvk.group)] ?? [:]
        if let versions = byKind[gvk.kind.lowercased()] {
            let now = versions.sorted(by: Self.newer).map { gvk.group.isEmpty ? $0 : "\(gvk.group)/\($0)" }
            var message = "\(gvk.apiVersion) \(gvk.kind) is not served by \(served)"
            if let removal { message += " (removed in \(removal.removedIn))" }
            message += "; use \(removal?.replacement ?? now.first ?? "a served version")"
            if removal == nil || removal?.replacement.hasPrefix("nothing") == false, let first = now.first, removal?.replacement != first {
                message += " (served: \(now.joined(separator: ", ")))"
            }
            return ("schema.removedAPI", message)
        }
        if let removal {
            return ("schema.removedAPI", "\(gvk.apiVersion) \(gvk.kind) is not served by \(served) (removed in \(removal.removedIn)); use \(removal.replacement)")
        }
        var message = "unknown kind '\(gvk.kind)' in \(gvk.apiVersion)"
        if let suggestion = suggestion(for: gvk, among: byKind) { message += "; did you mean '\(suggestion)'?" }
        else { message += "; if it is a custom resource, its group is not \(gvk.group.isEmpty ? "the core group" : gvk.group)" }
        return ("schema.unknownKind", message)
    }

    /// The built-in kind closest to `gvk.kind`, properly cased (read from its schema).
    private func suggestion(for gvk: GroupVersionKind, among byKind: [String: Set<String>]) -> String? {
        var candidates = Array(byKind.keys).filter { !$0.hasSuffix("list") }
        while let closest = Suggestion.closest(to: gvk.kind.lowercased(), in: candidates) {
            if let proper = properKind(closest, versions: byKind[closest] ?? [], group: gvk.group) { return proper }
            candidates.removeAll { $0 == closest }
        }
        return nil
    }

    /// The kind as its schema names it (`x-kubernetes-group-version-kind`); nil for a type that is
    /// not a kind of its own (`ingressbackend`).
    private func properKind(_ lower: String, versions: Set<String>, group: String) -> String? {
        let key = group + "/" + lower
        if let known = lock.withLock({ properKinds[key] }) { return known.isEmpty ? nil : known }
        var found = ""
        if let version = versions.sorted(by: Self.newer).first {
            let name = group.isEmpty ? "\(lower)-\(version).json" : "\(lower)-\(Self.label(of: group))-\(version).json"
            if let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name)),
               let value = try? JSONReader.values(String(decoding: data, as: UTF8.self)).first,
               let kind = value["x-kubernetes-group-version-kind"]?.arrayValue?.first?["kind"]?.stringValue {
                found = kind
            }
        }
        lock.withLock { properKinds[key] = found }
        return found.isEmpty ? nil : found
    }

    /// Kubernetes' version order: v2 > v1 > v1beta2 > v1beta1 > v1alpha1.
    static func newer(_ a: String, _ b: String) -> Bool {
        func rank(_ v: String) -> (Int, Int, Int) {
            let scanner = v.dropFirst()
            let major = Int(scanner.prefix { $0.isNumber }) ?? 0
            let rest = scanner.drop { $0.isNumber }
            let stage = rest.hasPrefix("beta") ? 1 : rest.hasPrefix("alpha") ? 0 : 2
            let minor = Int(rest.drop { !$0.isNumber }) ?? 0
            return (major, stage, minor)
        }
        return rank(a) > rank(b)
    }
}
