import Foundation
import Testing
import TestSupport
import KubeModel

/// A release's `rollout:` on a copy of this repository: read and checked by `validate`; refused by
/// the sync job, which does not run rollouts yet, rather than applied all at once.
@Suite struct RolloutCommandTests {
    static func declare(_ copy: ClusterDiffTests.Copy, workload: String = "blog", ingress: String = "blog") throws {
        try copy.edit("environments/production/environment.yaml") {
            $0.replacingOccurrences(of: "      valuesFiles: [blog.yaml]\n      promote: [image.tag]\n", with: """
                      valuesFiles: [blog.yaml]
                      promote: [image.tag]
                      rollout:
                        workload: \(workload)
                        strategy: canary
                        canary:
                          steps: [{setWeight: 10}, {analysis: [error-rate]}, {setWeight: 100}]
                          traffic: {nginx: {ingress: \(ingress)}}
                        analysis:
                          - name: error-rate
                            prometheus: {address: "http://prometheus.monitoring:9090", query: "sum(rate(http_server_requests_seconds_count{status=~'5..'}[1m]))"}
                            successCondition: "< 0.5"

                """)
        }
    }

    @Test func validateChecksWhatARolloutNames() throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        try Self.declare(copy)
        let good = try GitopsRun(["validate", "production", "--repo", copy.path])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")

        try copy.run("git", "checkout", "-q", "--", "environments/production/environment.yaml")
        try Self.declare(copy, workload: "blogg", ingress: "web")
        let wrong = try GitopsRun(["validate", "production", "--repo", copy.path])
        #expect(wrong.status == 1, "\(wrong.stdout)\(wrong.stderr)")
        #expect(wrong.stdout.contains("environments/production/environment.yaml:29:9: error: [rollout.reference] release 'blog' renders no Deployment 'blogg' (rollout.workload); it renders blog"), "\(wrong.stdout)")
        #expect(wrong.stdout.contains("renders no Ingress 'web' (rollout.canary.traffic.nginx.ingress); it renders blog"), "\(wrong.stdout)")

        try copy.edit("environments/production/environment.yaml") { $0.replacingOccurrences(of: "setWeight: 10}", with: "setWeight: 110}") }
        let malformed = try GitopsRun(["validate", "production", "--repo", copy.path])
        #expect(malformed.status == 1 && malformed.stdout.contains("setWeight is a percentage from 0 to 100"), "\(malformed.stdout)\(malformed.stderr)")
    }

    @Test func theSyncJobRefusesARolloutItCannotRunYet() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        try Self.declare(setup.copy)
        let run = try setup.sync()
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("blocked: release 'blog' declares rollout:, which this version of gitops checks but does not run yet"), "\(run.stderr)")
        let client = try setup.client()
        let deployment = try await client.get(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"), namespace: "blog-production", name: "blog")
        #expect(deployment == nil, "nothing applied")
    }
}
