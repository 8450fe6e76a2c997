/// Whether a kind's objects live in a namespace.
public enum Scope: String, Sendable, Hashable {
    case namespaced = "Namespaced"
    case cluster = "Cluster"
}

/// Decides the scope of kinds: built-in Kubernetes kinds, plus kinds defined by
/// CustomResourceDefinitions (which take precedence for their own group and kind).
public struct ScopeTable: Sendable {
    private var custom: [GroupKind: Scope] = [:]

    public init() {}

    /// Records the scope a CRD declares for its kind.
    public mutating func define(_ groupKind: GroupKind, scope: Scope) { custom[groupKind] = scope }

    /// The scope of `groupKind`; kinds nobody declares are taken as namespaced, as most are.
    public func scope(of groupKind: GroupKind) -> Scope {
        if let scope = custom[groupKind] { return scope }
        return Self.builtinClusterScoped.contains(groupKind) ? .cluster : .namespaced
    }

    /// Built-in kinds that are cluster-scoped.
    public static let builtinClusterScoped: Set<GroupKind> = {
        let byGroup: [String: [String]] = [
            "": ["Namespace", "Node", "PersistentVolume", "ComponentStatus"],
            "rbac.authorization.k8s.io": ["ClusterRole", "ClusterRoleBinding"],
            "apiextensions.k8s.io": ["CustomResourceDefinition"],
            "storage.k8s.io": ["StorageClass", "CSIDriver", "CSINode", "VolumeAttachment", "VolumeAttributesClass"],
            "scheduling.k8s.io": ["PriorityClass"],
            "networking.k8s.io": ["IngressClass", "IPAddress", "ServiceCIDR"],
            "apiregistration.k8s.io": ["APIService"],
            "admissionregistration.k8s.io": [
                "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
                "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
            ],
            "certificates.k8s.io": ["CertificateSigningRequest", "ClusterTrustBundle"],
            "node.k8s.io": ["RuntimeClass"],
            "flowcontrol.apiserver.k8s.io": ["FlowSchema", "PriorityLevelConfiguration"],
            "policy": ["PodSecurityPolicy"],
            "authentication.k8s.io": ["TokenReview", "SelfSubjectReview"],
            "authorization.k8s.io": ["SubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview"],
            "resource.k8s.io": ["DeviceClass", "ResourceSlice"],
            "internal.apiserver.k8s.io": ["StorageVersion"],
            "storagemigration.k8s.io": ["StorageVersionMigration"],
        ]
        return Set(byGroup.flatMap { group, kinds in kinds.map { GroupKind(group: group, kind: $0) } })
    }()
}
