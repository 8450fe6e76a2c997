import Basics

/// After prefixes, suffixes and hashes renamed objects, the fields that name them (a Pod's
/// ConfigMap volume, a RoleBinding's roleRef, an Ingress backend, ...) are changed to the new
/// names, as kustomize's name-reference transformer does: a reference to any earlier name of an
/// object of the referred kind, in the same namespace, takes that object's current name.
enum NameReferences {
    static func fix(_ resources: [KustomizeResource]) -> [KustomizeResource] {
        let renamed = resources.filter { !$0.previousNames.isEmpty }
        guard !renamed.isEmpty else { return resources }
        func newName(_ kind: String, _ old: String, namespace: String) -> String? {
            let candidates = renamed.filter { $0.kind == kind && $0.previousNames.contains(old) }
            let sameNamespace = candidates.filter { $0.isClusterScoped || $0.namespace == namespace }
            return (sameNamespace.count == 1 ? sameNamespace.first : candidates.count == 1 ? candidates.first : nil)?.name
        }
        return resources.map { resource in
            var resource = resource
            let namespace = resource.namespace
            func update(_ path: String, kind: String) {
                resource.object = FieldSpec(nil, path, create: false).apply(to: resource.object) { value in
                    guard case .string(let old)? = value, let name = newName(kind, old, namespace: namespace) else { return value }
                    return .string(name)
                }
            }
            if let podSpec = FieldSpecs.podSpecPaths[resource.kind] {
                for (kind, path) in FieldSpecs.podReferences { update(podSpec + "/" + path, kind: kind) }
            }
            for reference in FieldSpecs.otherReferences where reference.referrer == nil || reference.referrer == resource.kind {
                if reference.path.hasPrefix("roleRef"), resource.object["roleRef"]?["kind"]?.stringValue != reference.kind { continue }
                if reference.path.hasPrefix("subjects") {
                    resource = subjects(resource) { newName("ServiceAccount", $0, namespace: $1) }
                    continue
                }
                if reference.path.hasPrefix("spec/scaleTargetRef"), resource.object["spec"]?["scaleTargetRef"]?["kind"]?.stringValue != reference.kind { continue }
                update(reference.path, kind: reference.kind)
            }
            return resource
        }
    }

    /// RoleBinding subjects: service accounts by name, in the subject's own namespace.
    static func subjects(_ resource: KustomizeResource, _ newName: (String, String) -> String?) -> KustomizeResource {
        guard case .array(let subjects)? = resource.object["subjects"] else { return resource }
        var resource = resource
        resource.object["subjects"] = .array(subjects.map { subject in
            guard case .object(var s) = subject, s["kind"]?.stringValue == "ServiceAccount", let name = s["name"]?.stringValue,
                  let renamed = newName(name, s["namespace"]?.stringValue ?? resource.namespace) else { return subject }
            s["name"] = .string(renamed)
            return .object(s)
        })
        return resource
    }
}

/// kustomize's `legacy` output order (kubectl kustomize's default): kinds in a fixed order first
/// (Namespace, ..., PodDisruptionBudget), webhooks last, others between; then group, version and
/// kind; then namespace and name.
enum LegacyOrder {
    static let first = ["Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
                        "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
                        "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
                        "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget"]
    static let last = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]

    static func rank(_ kind: String, first: [String], last: [String]) -> Int {
        if let index = last.firstIndex(of: kind) { return 1 + index }
        if let index = first.firstIndex(of: kind) { return -first.count + index }
        return 0
    }

    static func gvkString(_ r: KustomizeResource) -> String {
        [r.group.isEmpty ? "~G" : r.group, r.version.isEmpty ? "~V" : r.version, r.kind.isEmpty ? "~K" : r.kind].joined(separator: "_")
    }

    static func idString(_ r: KustomizeResource) -> String {
        let gvk = [r.kind.isEmpty ? "[noKind]" : r.kind, r.version.isEmpty ? "[noVer]" : r.version, r.group.isEmpty ? "[noGrp]" : r.group]
            .joined(separator: ".")
        return [gvk, r.namespace.isEmpty ? "~X" : r.namespace, r.name.isEmpty ? "~N" : r.name].joined(separator: "|")
    }


    static func sorted(_ resources: [KustomizeResource], first: [String] = first, last: [String] = last) -> [KustomizeResource] {
        let keys = resources.map { SortKey($0, first: first, last: last) }
        return resources.indices.sorted { x, y in
            if keys[x] < keys[y] { return true }
            if keys[y] < keys[x] { return false }
            return x < y
        }.map { resources[$0] }
    }

    /// What the order compares, computed once per object.
    struct SortKey {
        var gvk: (String, String, String)
        var rank: Int
        var isNamespace: Bool
        var hasNoGroup: Bool
        var gvkBytes: [UInt8]
        var idBytes: [UInt8]

        init(_ r: KustomizeResource, first: [String], last: [String]) {
            gvk = (r.group, r.version, r.kind)
            rank = LegacyOrder.rank(r.kind, first: first, last: last)
            isNamespace = r.kind == "Namespace"
            hasNoGroup = r.group.isEmpty
            gvkBytes = Array(LegacyOrder.gvkString(r).utf8)
            idBytes = Array(LegacyOrder.idString(r).utf8)
        }

        static func < (a: SortKey, b: SortKey) -> Bool {
            if a.gvk != b.gvk {
                if a.rank != b.rank { return a.rank < b.rank }
                if a.isNamespace && b.isNamespace && (a.hasNoGroup || b.hasNoGroup) {
                    return b.gvkBytes.lexicographicallyPrecedes(a.gvkBytes)
                }
                return a.gvkBytes.lexicographicallyPrecedes(b.gvkBytes)
            }
            return a.idBytes.lexicographicallyPrecedes(b.idBytes)
        }
    }
}
