import Basics
import Foundation
import KubeModel
import Testing
@testable import Validation

/// The engine against `kyverno test` files written for each construct (PolicyCases/), and the
/// repository's own policies against their tests (policies/tests).
@Suite struct PolicyTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = here.deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ file: URL) throws -> PolicyTest {
        try PolicyTest.run(file: file.path) { path in
            guard let data = FileManager.default.contents(atPath: (path as NSString).standardizingPath) else {
                throw CocoaError(.fileNoSuchFile)
            }
            return Array(data)
        }
    }

    @Test(arguments: ["anchors", "operators", "matching", "conditions"])
    func constructs(_ name: String) throws {
        let test = try Self.run(Self.here.appendingPathComponent("PolicyCases/\(name)/kyverno-test.yaml"))
        #expect(test.rows.count >= 10)
        for row in test.rows where !row.passed {
            Issue.record("\(row.policy)/\(row.rule) \(row.kind) \(row.resource): expected \(row.expected), got \(row.actual) \(row.message)")
        }
    }

    @Test func repositoryPolicies() throws {
        let test = try Self.run(Self.repositoryRoot.appendingPathComponent("policies/tests/kyverno-test.yaml"))
        #expect(test.rows.count >= 30 && test.failed == 0, "\(test.rows.filter { !$0.passed })")
    }

    static func object(_ yaml: String, file: String = "m.yaml") throws -> Object {
        let value = try JSONReader.values(yaml)[0]
        return Object(content: value.objectValue!, provenance: Provenance(release: "r", file: file, documentIndex: 0, line: 3))
    }

    @Test func findingsBySeverityAndUnsupportedRulesOnce() throws {
        let policies = try PolicyLoader.policies(in: Array("""
            apiVersion: kyverno.io/v1
            kind: ClusterPolicy
            metadata: {name: p}
            spec:
              validationFailureAction: Audit
              rules:
                - name: audit-label
                  match: {any: [{resources: {kinds: [ConfigMap]}}]}
                  validate: {message: "label {{ request.object.metadata.name }}", pattern: {metadata: {labels: {team: "?*"}}}}
                - name: enforce-data
                  match: {any: [{resources: {kinds: [ConfigMap]}}]}
                  validate: {failureAction: Enforce, message: needs data, pattern: {data: {key: "?*"}}}
                - name: manifests
                  match: {any: [{resources: {kinds: [ConfigMap]}}]}
                  validate: {manifests: {attestors: []}}
                - name: add-label
                  match: {any: [{resources: {kinds: [ConfigMap]}}]}
                  mutate:
                    patchStrategicMerge: {metadata: {labels: {team: x}}}
            """.utf8), file: "policies/p.yaml")
        #expect(policies.count == 1)
        let a = try Self.object(#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "n"}}"#)
        let b = try Self.object(#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b", "namespace": "n", "labels": {"team": "x"}}, "data": {"key": "v"}}"#)
        let findings = PolicyCheck(policies: policies).check([a, b])
        #expect(findings.map(\.description).sorted() == [
            "m.yaml:3:1: error: [p/enforce-data] needs data (ConfigMap n/a, data)",
            "m.yaml:3:1: warning: [p/audit-label] label a (ConfigMap n/a, metadata.labels)",
            "policies/p.yaml:15:18: warning: [p/manifests] cannot check this rule: not supported by gitops: validate.manifests; the rule is not checked (ConfigMap n/a)",
            "policies/p.yaml:18:7: warning: [p/add-label] cannot check this rule: not supported by gitops: mutate rules; the rule is not checked (ConfigMap n/a)",
        ].sorted(), "at the rule's unsupported part, not the policy's first line")
    }
}
