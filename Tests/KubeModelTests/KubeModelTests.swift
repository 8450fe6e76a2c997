import Basics
import KubeModel
import Testing

@Suite struct KubeModelTests {
    func object(_ apiVersion: String, _ kind: String, _ name: String, namespace: String = "") -> Object {
        var metadata: ValueObject = ["name": .string(name)]
        if !namespace.isEmpty { metadata["namespace"] = .string(namespace) }
        return Object(content: ["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": .object(metadata)],
                      provenance: Provenance(release: "r", file: "f.yaml", documentIndex: 0, line: 1))
    }

    @Test(arguments: [("apps/v1", "apps", "v1"), ("v1", "", "v1"), ("networking.k8s.io/v1", "networking.k8s.io", "v1")])
    func apiVersions(_ apiVersion: String, _ group: String, _ version: String) {
        let gvk = GroupVersionKind(apiVersion: apiVersion, kind: "K")
        #expect(gvk.group == group && gvk.version == version && gvk.apiVersion == apiVersion)
    }

    @Test func installOrderFollowsHelmThenNamespaceThenName() {
        let objects = [
            object("example.com/v1", "Widget", "w"), object("apps/v1", "Deployment", "b", namespace: "ns"),
            object("apps/v1", "Deployment", "a", namespace: "ns"), object("v1", "Service", "s", namespace: "ns"),
            object("example.com/v1", "Gadget", "g"), object("v1", "Namespace", "ns"),
            object("networking.k8s.io/v1", "NetworkPolicy", "deny", namespace: "ns"),
            object("v1", "LimitRange", "l", namespace: "ns"), object("v1", "ResourceQuota", "q", namespace: "ns"),
            object("scheduling.k8s.io/v1", "PriorityClass", "p"),
            object("apps/v1", "Deployment", "z", namespace: "another"),
        ]
        let order = InstallOrder.sorted(objects).map { "\($0.kind)/\($0.namespace)/\($0.name)" }
        #expect(order == [
            "PriorityClass//p", "Namespace//ns", "NetworkPolicy/ns/deny", "ResourceQuota/ns/q", "LimitRange/ns/l",
            "Service/ns/s", "Deployment/another/z", "Deployment/ns/a", "Deployment/ns/b", "Gadget//g", "Widget//w",
        ])
    }

    @Test func scopes() {
        var table = ScopeTable()
        #expect(table.scope(of: GroupKind(group: "", kind: "Namespace")) == .cluster)
        #expect(table.scope(of: GroupKind(group: "rbac.authorization.k8s.io", kind: "ClusterRole")) == .cluster)
        #expect(table.scope(of: GroupKind(group: "apps", kind: "Deployment")) == .namespaced)
        #expect(table.scope(of: GroupKind(group: "example.com", kind: "Widget")) == .namespaced)
        table.define(GroupKind(group: "example.com", kind: "Widget"), scope: .cluster)
        #expect(table.scope(of: GroupKind(group: "example.com", kind: "Widget")) == .cluster)
    }

    @Test func keysIgnoreVersion() {
        #expect(object("apps/v1", "Deployment", "a", namespace: "n").key
                == object("apps/v1beta1", "Deployment", "a", namespace: "n").key)
        #expect(object("apps/v1", "Deployment", "a", namespace: "n").key.description == "Deployment.apps n/a")
    }
}
