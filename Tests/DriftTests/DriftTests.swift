import Basics
import Foundation
import KubeModel
import RepoModel
import Testing
import YAML
@testable import Drift

@Suite struct DriftTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func objects(_ yaml: String) throws -> [Object] {
        var out: [Object] = []
        for value in try YAML.values(Array(yaml.utf8), file: "t.yaml") {
            let items = value["kind"]?.stringValue == "List" ? (value["items"]?.arrayValue ?? []) : [value]
            for item in items { out.append(Object(content: item.objectValue!, provenance: Provenance(release: "", file: "t.yaml", documentIndex: 0, line: 1))) }
        }
        return out
    }

    static func fixture(_ name: String, _ file: String) throws -> [Object] {
        try objects(try String(contentsOf: fixtures.appendingPathComponent("\(name)/\(file)"), encoding: .utf8))
    }

    @Test func liveObjectsAsTheServerReturnsThemShowNoDrift() throws {
        let report = Drift.compare(desired: try Self.fixture("server-defaults", "desired.yaml"),
                                   live: try Self.fixture("server-defaults", "live.yaml")) { _ in true }
        #expect(report.summary == "0 to create, 0 to update, 0 to prune, 3 unchanged", "\(report.entries.map { ($0.title, $0.changes) })")
    }

    @Test func oneChangedValueIsExactlyOneChange() throws {
        var desired = try Self.fixture("server-defaults", "desired.yaml")
        let yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop, labels: {app: web}}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                    - name: web
                      image: registry.example.com/web:1.3.0
                      ports: [{containerPort: 8080}]
                      resources: {requests: {cpu: "1", memory: 1Gi}, limits: {memory: 2Gi}}
                      env: [{name: MODE, value: production}]
            """
        desired[0] = try Self.objects(yaml)[0]
        let report = Drift.compare(desired: desired, live: try Self.fixture("server-defaults", "live.yaml")) { _ in true }
        let update = try #require(report.entries.first { $0.action == .update })
        #expect(update.title == "apps/v1 Deployment shop/web")
        #expect(update.changes.map(\.path.description) == ["spec.template.spec.containers[0].image"])
        #expect(update.diff.contains("-         image: registry.example.com/web:1.2.0") && update.diff.contains("+         image: registry.example.com/web:1.3.0"),
                "\(update.diff)")
        #expect(report.summary == "0 to create, 1 to update, 0 to prune, 2 unchanged")
    }

    @Test func secretValuesAreMaskedAndPruneNeedsOwnership() throws {
        let desired = try Self.objects("""
            apiVersion: v1
            kind: Secret
            metadata: {name: creds, namespace: shop}
            stringData: {password: new-secret, user: admin}
            """)
        let live = try Self.objects("""
            apiVersion: v1
            kind: Secret
            metadata: {name: creds, namespace: shop}
            data: {password: aHVudGVyMg==, user: YWRtaW4=}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: old, namespace: shop, labels: {gitops/environment: dev}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: someone-elses, namespace: shop}
            """)
        let report = Drift.compare(desired: desired, live: live) { $0.content["metadata"]?["labels"]?["gitops/environment"] == .string("dev") }
        let update = try #require(report.entries.first { $0.action == .update })
        #expect(update.changes.map(\.path.description) == ["data.password"])
        #expect(!update.diff.joined().contains("new-secret") && !update.diff.joined().contains("aHVudGVyMg=="))
        #expect(update.diff.contains { $0.hasPrefix("+ ") && $0.contains("password: '*** (") } || update.diff.contains { $0.hasPrefix("+ ") && $0.contains("password: \"*** (") },
                "\(update.diff)")
        #expect(report.entries.filter { $0.action == .prune }.map(\.title) == ["v1 ConfigMap shop/old"])
    }

    @Test func snapshotsHoldSecretDigestsThatStillCompare() throws {
        let desired = try Self.objects("""
            apiVersion: v1
            kind: Secret
            metadata: {name: creds, namespace: shop}
            stringData: {password: hunter2, user: admin}
            """)
        let live = try Self.objects("""
            apiVersion: v1
            kind: Secret
            metadata: {name: creds, namespace: shop, resourceVersion: "7"}
            data: {password: aHVudGVyMg==, user: YWRtaW4=}
            """).map(SecretDigests.digested)
        let saved = JSONWriter.compact(.object(live[0].content))
        #expect(!saved.contains("aHVudGVyMg==") && saved.contains("sha256:"), "no value is kept")
        let same = Drift.compare(desired: desired, live: live) { _ in false }
        #expect(same.entries.map(\.action) == [.unchanged])
        var changed = desired
        changed[0].content["stringData"] = .object(["password": "hunter3", "user": "admin"])
        let report = Drift.compare(desired: changed, live: live) { _ in false }
        #expect(report.entries.first?.changes.map(\.path.description) == ["data.password"])
        #expect(!report.entries[0].diff.joined().contains("hunter3"))
    }

    @Test func pruneGuardKeepsSharedAndDataHoldingObjects() throws {
        let objects = try Self.objects("""
            {apiVersion: v1, kind: Namespace, metadata: {name: shop}}
            ---
            {apiVersion: v1, kind: Namespace, metadata: {name: old, annotations: {gitops/prune: "true"}}}
            ---
            {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data, namespace: shop}}
            ---
            {apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: widgets.example.com}}
            ---
            {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: reader}}
            ---
            {apiVersion: v1, kind: ConfigMap, metadata: {name: app, namespace: shop}}
            ---
            {apiVersion: v1, kind: ConfigMap, metadata: {name: pinned, namespace: shop, annotations: {gitops/prune: "false"}}}
            """)
        let alone = PruneGuard(environment: "dev")
        let decisions = objects.map { alone.decide($0) == .prune }
        #expect(decisions == [false, true, false, false, true, true, false], "\(objects.map { alone.decide($0) })")
        guard case .keep(let why) = alone.decide(objects[0]) else { Issue.record("the Namespace is pruned"); return }
        #expect(why.hasPrefix("deleting a Namespace deletes everything in it; to delete it, annotate it gitops/prune: \"true\""))

        let shared = PruneGuard(environment: "dev", sharedWith: [objects[4].key: ["staging"]], unknownSiblings: [])
        #expect(shared.decide(objects[4]) == .keep("staging also renders it; it stays theirs"))
        #expect(shared.ownerLabel(for: objects[4].key, live: "staging") == "staging", "a shared object keeps its owner's label")
        #expect(shared.ownerLabel(for: objects[4].key, live: "prod") == "dev", "an owner that no longer renders it hands it over")
        #expect(shared.ownerLabel(for: objects[5].key, live: "staging") == "dev")
        let blind = PruneGuard(environment: "dev", unknownSiblings: ["qa"])
        #expect(blind.decide(objects[4]) != .prune && blind.decide(objects[5]) == .prune, "cluster-scoped objects wait for every sibling to render")
    }

    /// A shared object is contested only where this environment's render differs from its owner's
    /// (labels apart); a live difference with both alike is drift, and an owner whose render is
    /// unknown is compared with what is live.
    @Test func sharedObjectsRenderedDifferentlyAreContested() throws {
        let versions = try Self.objects("""
            {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: reader, labels: {gitops/environment: dev}}, rules: [{verbs: [get, list]}]}
            ---
            {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: reader, labels: {gitops/environment: staging}}, rules: [{verbs: [get, list]}]}
            ---
            {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: reader}, rules: [{verbs: [get, list, watch]}], aggregationRule: {clusterRoleSelectors: [{matchLabels: {a: b}}]}}
            ---
            {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: reader, labels: {gitops/environment: staging}}, rules: [{verbs: ["*"]}]}
            """)
        let (mine, alike, different, live) = (versions[0], versions[1], versions[2], versions[3])
        #expect(Drift.differingFields(mine, alike, ignoringLabel: "gitops/environment").isEmpty)
        #expect(Drift.differingFields(mine, different, ignoringLabel: "gitops/environment") == ["aggregationRule", "rules[0].verbs"])
        #expect(Drift.differingFields(different, mine, ignoringLabel: "gitops/environment") == ["aggregationRule", "rules[0].verbs"], "either way")

        // As a sync compares: its version with the owner's label kept, against what is live.
        let report = Drift.compare(desired: [alike], live: [live]) { _ in false }
        let owners = [mine.key: "staging"]
        func guarding(_ theirs: Object?) -> PruneGuard {
            PruneGuard(environment: "dev", sharedWith: [mine.key: ["staging"]], versions: theirs.map { [mine.key: ["staging": $0]] } ?? [:])
        }
        #expect(guarding(alike).contested(report, desired: [mine], owners: owners, label: "gitops/environment").isEmpty, "drift, healed by either")
        #expect(guarding(different).contested(report, desired: [mine], owners: owners, label: "gitops/environment")
                == ["rbac.authorization.k8s.io/v1 ClusterRole reader (aggregationRule, rules[0].verbs) belongs to environment staging"])
        #expect(guarding(nil).contested(report, desired: [mine], owners: owners, label: "gitops/environment")
                == ["rbac.authorization.k8s.io/v1 ClusterRole reader (rules[0].verbs) belongs to environment staging"], "compared with live")
        #expect(guarding(different).contested(report, desired: [mine], owners: [:], label: "gitops/environment").isEmpty, "this environment's own")
    }

    @Test func snapshotsMaskStringDataAndLastAppliedCopies() throws {
        // As a server that keeps what was written (or an object read back from a file) holds it, with
        // kubectl's copy of the applied Secret in an annotation.
        let live = try Self.objects("""
            apiVersion: v1
            kind: Secret
            metadata:
              name: creds
              namespace: shop
              annotations:
                kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"v1","kind":"Secret","stringData":{"password":"hunter2"}}'
            data: {user: YWRtaW4=}
            stringData: {password: hunter2}
            """).map(SecretDigests.digested)
        let saved = JSONWriter.compact(.object(live[0].content))
        #expect(!saved.contains("hunter2") && !saved.contains("aHVudGVyMg==") && !saved.contains("YWRtaW4=") && live[0].content["stringData"] == nil, "\(saved)")
        let desired = try Self.objects("""
            apiVersion: v1
            kind: Secret
            metadata: {name: creds, namespace: shop}
            stringData: {password: hunter2, user: admin}
            """)
        #expect(Drift.compare(desired: desired, live: live) { _ in false }.entries.map(\.action) == [.unchanged])
    }

    @Test func ignoreRulesFromTheEnvironmentAndTheAnnotation() throws {
        let desired = try Self.objects("""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: shop
              annotations: {gitops/ignore-differences: "/spec/template/spec/containers/0/image"}
            spec:
              replicas: 2
              template: {spec: {containers: [{name: web, image: "web:2"}]}}
            """)
        let live = try Self.objects("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              replicas: 5
              template: {spec: {containers: [{name: web, image: "web:1"}]}}
            """)
        let none = Drift.compare(desired: desired, live: live) { _ in true }
        #expect(none.entries.first?.changes.map(\.path.description) == ["spec.replicas"])
        let rules = IgnoreRules([IgnoreDifference(group: "apps", kind: "Deployment", name: "web*", paths: [".spec.replicas"])])
        let ignored = Drift.compare(desired: desired, live: live, ignore: rules) { _ in true }
        #expect(ignored.summary == "0 to create, 0 to update, 0 to prune, 1 unchanged")
        #expect(IgnoreRules.parse(".spec.template.spec.containers[0].image") == IgnoreRules.parse("/spec/template/spec/containers/0/image"))
    }

    @Test func unifiedDiffContext() {
        let lines = UnifiedDiff.lines("a\nb\nc\nd\ne\nf\ng\nh\ni", "a\nb\nc\nd\nX\nf\ng\nh\ni", context: 1)
        #expect(lines == ["  d", "- e", "+ X", "  f"])
    }
}
