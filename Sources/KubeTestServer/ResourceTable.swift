/// The resources the test API server serves: the common built-in kinds, plus any kind a
/// CustomResourceDefinition created through it declares.
struct ResourceInfo: Sendable, Hashable {
    var group: String
    var version: String
    /// The plural resource name in URLs (`deployments`).
    var resource: String
    var kind: String
    var namespaced: Bool
    /// kubectl's abbreviations (`deploy`, `cm`, `ns`).
    var shortNames: [String] = []

    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var verbs: [String] { ["create", "delete", "get", "list", "patch", "update", "watch"] }
}

enum BuiltInResources {
    static let shortNames: [String: [String]] = [
        "configmaps": ["cm"], "services": ["svc"], "pods": ["po"], "serviceaccounts": ["sa"], "persistentvolumeclaims": ["pvc"],
        "resourcequotas": ["quota"], "limitranges": ["limits"], "endpoints": ["ep"], "namespaces": ["ns"], "persistentvolumes": ["pv"],
        "nodes": ["no"], "deployments": ["deploy"], "statefulsets": ["sts"], "daemonsets": ["ds"], "replicasets": ["rs"],
        "cronjobs": ["cj"], "ingresses": ["ing"], "networkpolicies": ["netpol"], "poddisruptionbudgets": ["pdb"],
        "horizontalpodautoscalers": ["hpa"], "customresourcedefinitions": ["crd", "crds"],
    ]

    static let all: [ResourceInfo] = {
        var out: [ResourceInfo] = []
        func add(_ group: String, _ version: String, _ namespaced: Bool, _ pairs: [(String, String)]) {
            out += pairs.map { ResourceInfo(group: group, version: version, resource: $0.0, kind: $0.1, namespaced: namespaced,
                                            shortNames: shortNames[$0.0] ?? []) }
        }
        add("", "v1", true, [("configmaps", "ConfigMap"), ("secrets", "Secret"), ("services", "Service"), ("pods", "Pod"),
                             ("serviceaccounts", "ServiceAccount"), ("persistentvolumeclaims", "PersistentVolumeClaim"),
                             ("resourcequotas", "ResourceQuota"), ("limitranges", "LimitRange"), ("endpoints", "Endpoints")])
        add("", "v1", false, [("namespaces", "Namespace"), ("persistentvolumes", "PersistentVolume"), ("nodes", "Node")])
        add("apps", "v1", true, [("deployments", "Deployment"), ("statefulsets", "StatefulSet"), ("daemonsets", "DaemonSet"),
                                 ("replicasets", "ReplicaSet")])
        add("batch", "v1", true, [("jobs", "Job"), ("cronjobs", "CronJob")])
        add("networking.k8s.io", "v1", true, [("ingresses", "Ingress"), ("networkpolicies", "NetworkPolicy")])
        add("policy", "v1", true, [("poddisruptionbudgets", "PodDisruptionBudget")])
        add("autoscaling", "v2", true, [("horizontalpodautoscalers", "HorizontalPodAutoscaler")])
        add("rbac.authorization.k8s.io", "v1", true, [("roles", "Role"), ("rolebindings", "RoleBinding")])
        add("rbac.authorization.k8s.io", "v1", false, [("clusterroles", "ClusterRole"), ("clusterrolebindings", "ClusterRoleBinding")])
        add("apiextensions.k8s.io", "v1", false, [("customresourcedefinitions", "CustomResourceDefinition")])
        return out
    }()
}
