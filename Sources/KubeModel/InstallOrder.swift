/// Helm's install order of kinds (helm.sh/helm/v4 `releaseutil.InstallOrder`).
public enum InstallOrder {
    public static let kinds: [String] = [
        "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
        "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
        "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
        "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
        "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
        "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    ]

    private static let rank: [String: Int] = Dictionary(uniqueKeysWithValues: kinds.enumerated().map { ($1, $0) })

    /// The position of `kind` in the install order; nil for kinds Helm does not list.
    public static func rank(of kind: String) -> Int? { rank[kind] }

    /// Whether `a` installs before `b`: listed kinds in Helm's order, unknown kinds after them in
    /// alphabetical order; then by namespace, name and group.
    public static func precedes(_ a: Object, _ b: Object) -> Bool {
        let ra = rank[a.kind], rb = rank[b.kind]
        switch (ra, rb) {
        case let (x?, y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil) where a.kind != b.kind: return a.kind < b.kind
        default: break
        }
        return (a.namespace, a.name, a.gvk.group) < (b.namespace, b.name, b.gvk.group)
    }

    /// `objects` in install order (stable, deterministic).
    public static func sorted(_ objects: [Object]) -> [Object] {
        objects.enumerated().sorted { x, y in
            if precedes(x.element, y.element) { return true }
            if precedes(y.element, x.element) { return false }
            return x.offset < y.offset
        }.map(\.element)
    }
}
