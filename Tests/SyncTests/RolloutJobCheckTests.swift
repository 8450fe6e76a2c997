import Basics
import Cluster
import Foundation
import KubeTestServer
import Rollouts
import Sync
import Testing
import YAML

/// A smoke-test Job as an analysis check, against kube-test-server (whose Jobs complete at once,
/// or fail when annotated kube-test-server/fail).
@Suite struct RolloutJobCheckTests {
    static func check(failing: Bool, timeout: String = "30s") throws -> MetricCheck {
        let text = """
            - name: smoke
              job:
                metadata: {annotations: {kube-test-server/fail: "\(failing)"}}
                spec:
                  backoffLimit: 0
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: smoke, image: "curlimages/curl:8.8.0", args: ["-f", "http://blog-preview/healthz"]}]
              timeout: \(timeout)

            """
        return try MetricCheck.parse(try YAMLParser.parse(Array(text.utf8), file: "environment.yaml").first!, file: "environment.yaml")[0]
    }

    @Test func aJobThatSucceedsPassesAndOneThatFailsFails() async throws {
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let file = NSTemporaryDirectory() + "gitops-jobcheck-\(UUID().uuidString).kubeconfig"
        try server.kubeconfig().write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let client = try KubeClient(connection: try KubeConfig.load(explicitPath: file).connection())
        var configured = RolloutJobCheck(client: client, namespace: "blog-production", environment: "production", prefix: "blog-rollout-b3c4d5e")
        configured.pollInterval = 0.05
        let jobs = configured

        let passing = try Self.check(failing: false)
        #expect(passing.timeout == 30)
        let passed = await AnalysisRunner(measure: { await jobs.measure($0) }).run(passing)
        #expect(passed.verdict == .passed && passed.measurements == [.success("the Job blog-rollout-b3c4d5e-smoke succeeded")], "\(passed)")

        let failed = await AnalysisRunner(measure: { await jobs.measure($0) }).run(try Self.check(failing: true))
        #expect(failed.verdict == .failed && failed.summary.contains("the job failed: BackoffLimitExceeded"), "\(failed)")
        // Run again after the failure: the earlier Job is replaced, not reused.
        let again = await AnalysisRunner(measure: { await jobs.measure($0) }).run(passing)
        #expect(again.verdict == .passed, "\(again)")
    }

    @Test func aJobCheckIsParsedWithItsOwnDefaultsAndAnUnreachableClusterIsInconclusive() async throws {
        #expect(try Self.check(failing: false, timeout: "2m").timeout == 120)
        #expect { try MetricCheck.parse(try YAMLParser.parse(Array("- name: x\n  job: {spec: {}}\n".utf8), file: "e.yaml").first!, file: "e.yaml") }
            throws: { "\($0)".contains("e.yaml:2:8: error: job: needs spec: a Job spec with template.spec.containers") }
        let file = NSTemporaryDirectory() + "gitops-jobcheck-\(UUID().uuidString).kubeconfig"
        try """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:\(Int.random(in: 50_000...59_000))", insecure-skip-tls-verify: true}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c

            """.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let client = try KubeClient(connection: try KubeConfig.load(explicitPath: file).connection(), retry: RetryPolicy(attempts: 1))
        let jobs = RolloutJobCheck(client: client, namespace: "ns", environment: "e", prefix: "p")
        let result = await AnalysisRunner(measure: { await jobs.measure($0) }).run(try Self.check(failing: false))
        #expect(result.verdict == .inconclusive && result.summary.contains("could not be started"), "\(result)")
    }
}
