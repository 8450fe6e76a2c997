import Basics
import Cluster
import Foundation
import KubeModel
import KubeTestServer
import Testing
import TestSupport
import YAML

/// `gitops sync ENV --once` end to end against the test API server, on a copy of this repository:
/// a first sync of production, a no-op resync, a deleted object healed, an object deleted from Git
/// pruned, a mass prune refused, a broken commit blocked, a failing pre-sync hook stopping the sync.
@Suite(.serialized) struct SyncCommandTests {
    struct Setup {
        /// Replaced by a test that restarts the server.
        var server: KubeTestHTTPSServer
        let copy: ClusterDiffTests.Copy
        let kubeconfig: String
        var cluster: [String] { ["--repo", copy.path, "--kubeconfig", kubeconfig, "--context", "kube-test-server"] }

        init() async throws {
            server = try KubeTestHTTPSServer()
            copy = try ClusterDiffTests.Copy()
            kubeconfig = copy.path + "/.kubeconfig"
            try server.kubeconfig().write(toFile: kubeconfig, atomically: true, encoding: .utf8)
            // The Prometheus operator's CRDs are installed by the cluster's owners, not by the environment.
            let client = try KubeClient(connection: try KubeConfig.load(explicitPath: kubeconfig).connection())
            let crds = copy.path + "/crds/monitoring.coreos.com.yaml"
            for document in try YAML.values(Array(try Data(contentsOf: URL(fileURLWithPath: crds))), file: crds) {
                _ = try await client.apply(try #require(document.objectValue), fieldManager: "cluster-admin")
            }
        }

        func sync(_ extra: [String] = []) throws -> GitopsRun { try GitopsRun(["sync", "production", "--once", "--timeout", "5"] + cluster + extra) }

        func client() throws -> KubeClient { try KubeClient(connection: try KubeConfig.load(explicitPath: kubeconfig).connection()) }

        func finish() {
            server.shutdown()
            copy.remove()
        }
    }

    static let configMaps = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")
    static let quotas = GroupVersionKind(group: "", version: "v1", kind: "ResourceQuota")

    @Test func firstSyncResyncHealAndPrune() async throws {
        let setup = try await Setup()
        defer { setup.finish() }
        let first = try setup.sync()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("applied Namespace blog-production\n") && first.stdout.contains("hook Job blog-production/blog-migrate-1-4-2\n")
                && first.stdout.hasSuffix("applied 36, pruned 0, unchanged 0, hooks 1; healthy\n"), "\(first.stdout)")
        // The Namespace is applied before the hook that runs in it.
        let log = setup.server.api.requestLog
        let namespaceAt = try #require(log.firstIndex { $0.hasPrefix("PATCH /api/v1/namespaces/blog-production") && !$0.contains("/blog-production/") })
        let hookAt = try #require(log.firstIndex { $0.hasPrefix("PATCH") && $0.contains("/jobs/blog-migrate") })
        #expect(namespaceAt < hookAt)

        let diff = try GitopsRun(["diff", "production"] + setup.cluster)
        #expect(diff.status == 0 && diff.stdout == "0 to create, 0 to update, 0 to prune, 37 unchanged\n", "\(diff.stdout)\(diff.stderr)")
        let again = try setup.sync()
        #expect(again.status == 0 && again.stdout.hasSuffix("applied 0, pruned 0, unchanged 36, hooks 1; healthy\n"), "\(again.stdout)")
        #expect(again.stdout.contains("(already done)"), "a hook that succeeded for this revision is not run again")
        // Even once its Job is gone (ttlSecondsAfterFinished, a restart): the status records it succeeded.
        let client = try setup.client()
        let jobs = GroupVersionKind(group: "batch", version: "v1", kind: "Job")
        try await client.delete(jobs, namespace: "blog-production", name: "blog-migrate-1-4-2")
        let resumed = try setup.sync()
        #expect(resumed.status == 0 && resumed.stdout.contains("hook Job blog-production/blog-migrate-1-4-2 (already done)"), "\(resumed.stdout)")
        #expect(try await client.get(jobs, namespace: "blog-production", name: "blog-migrate-1-4-2") == nil)
        let status = try GitopsRun(["status", "production"] + setup.cluster)
        #expect(status.status == 0 && status.stdout.hasPrefix("production: Synced at "), "\(status.stdout)\(status.stderr)")

        // Someone deletes an object in the cluster: the next sync puts it back.
        try await client.delete(Self.configMaps, namespace: "blog-production", name: "blog")
        let healed = try setup.sync()
        #expect(healed.status == 0 && healed.stdout.contains("applied ConfigMap blog-production/blog\n"), "\(healed.stdout)")

        // An object deleted from Git is pruned.
        try FileManager.default.removeItem(atPath: setup.copy.path + "/environments/production/platform/resource-quota.yaml")
        let pruned = try setup.sync()
        #expect(pruned.status == 0 && pruned.stdout.contains("pruned ResourceQuota blog-production/compute\n"), "\(pruned.stdout)\(pruned.stderr)")
        #expect(try await client.get(Self.quotas, namespace: "blog-production", name: "compute") == nil)
    }

    @Test func refusalsLeaveTheClusterAsItWas() async throws {
        let setup = try await Setup()
        defer { setup.finish() }
        #expect(try setup.sync().status == 0)
        let client = try setup.client()

        // A broken commit (an Enforce policy fails: an unpinned image) is blocked: nothing applied, the status says so.
        let blog = "environments/production/blog.yaml"
        try setup.copy.edit(blog) { $0.replacingOccurrences(of: "tag: \"1.4.2\"", with: "tag: latest") }
        let blocked = try setup.sync()
        #expect(blocked.status == 1 && blocked.stderr.contains("blocked") && blocked.stdout.contains("disallow-latest-tag"), "\(blocked.stdout)\(blocked.stderr)")
        #expect(try await client.get(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"), namespace: "blog-production", name: "blog")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "ghcr.io/example/blog:1.4.2")
        let status = try GitopsRun(["status", "production"] + setup.cluster)
        #expect(status.status == 1 && status.stdout.contains("Blocked"), "\(status.stdout)")
        try setup.copy.edit(blog) { $0.replacingOccurrences(of: "tag: latest", with: "tag: \"1.4.2\"") }

        // Most of the environment disappears from Git: the prune is refused, nothing is deleted.
        let platform = setup.copy.path + "/environments/production/platform"
        let moved = setup.copy.path + "/platform-aside"
        try FileManager.default.moveItem(atPath: platform, toPath: moved)
        try FileManager.default.createDirectory(atPath: platform, withIntermediateDirectories: true)
        try setup.copy.edit("environments/production/environment.yaml") {
            $0.replacingOccurrences(of: "    - name: postgresql\n      chart: charts/postgresql\n      valuesFiles: [postgresql.yaml]\n", with: "")
              .replacingOccurrences(of: "    - name: redis\n      chart: charts/redis\n", with: "")
              .replacingOccurrences(of: "    - name: network\n      kustomize: environments/production/network\n", with: "")
              .replacingOccurrences(of: "    - name: gitops-sync\n      chart: charts/gitops-sync\n      valuesFiles: [gitops-sync.yaml]\n"
                                    + "      # The sync job's image enters dev from CI (gitops set) and moves on by promotion.\n      promote: [image.tag]\n", with: "")
        }
        let refused = try setup.sync()
        #expect(refused.status == 1 && refused.stderr.contains("refusing to prune"), "\(refused.stdout)\(refused.stderr)")
        #expect(try await client.get(Self.quotas, namespace: "blog-production", name: "compute") != nil)
        try FileManager.default.removeItem(atPath: platform)
        try FileManager.default.moveItem(atPath: moved, toPath: platform)
        try setup.copy.run("git", "checkout", "--", "environments/production/environment.yaml")

        // A failing pre-sync hook stops the sync: the new object of the same change is not applied.
        try setup.copy.write("environments/production/platform/hook.yaml", """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: check-schema
              labels: {app.kubernetes.io/name: check-schema, app.kubernetes.io/part-of: blog}
              annotations: {gitops/hook: pre-sync, kube-test-server/fail: "true"}
            spec:
              template:
                metadata:
                  labels: {app.kubernetes.io/name: check-schema, app.kubernetes.io/part-of: blog}
                spec:
                  restartPolicy: Never
                  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
                  containers:
                    - name: check
                      image: ghcr.io/example/blog:1.4.2
                      resources: {limits: {cpu: 100m, memory: 64Mi}, requests: {cpu: 50m, memory: 32Mi}}
                      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: {drop: [ALL]}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: after-the-hook
              labels: {app.kubernetes.io/name: after-the-hook, app.kubernetes.io/part-of: blog}
            data: {a: "1"}

            """)
        let failed = try setup.sync()
        #expect(failed.status == 1 && failed.stderr.contains("hook Job blog-production/check-schema did not succeed"), "\(failed.stdout)\(failed.stderr)")
        #expect(try await client.get(Self.configMaps, namespace: "blog-production", name: "after-the-hook") == nil)
    }

    @Test func apiFaultsAreSurvived() async throws {
        let setup = try await Setup()
        defer { setup.finish() }
        // Errors, throttling with Retry-After, dropped connections and slow answers, never more than
        // three in a row (the client tries five times).
        let round: [APIResponse] = [KubeAPI.fault(500), KubeAPI.latency(0), KubeAPI.fault(429, retryAfter: 1), KubeAPI.droppedConnection,
                                    KubeAPI.latency(0), KubeAPI.fault(503), KubeAPI.latency(0.3), KubeAPI.fault(504), KubeAPI.latency(0)]
        setup.server.api.injectFaults(Array(repeating: round, count: 6).flatMap { $0 })
        let first = try setup.sync()
        #expect(first.status == 0 && first.stdout.hasSuffix("applied 36, pruned 0, unchanged 0, hooks 1; healthy\n"), "\(first.stdout)\(first.stderr)")
        setup.server.api.clearFaults()
        let diff = try GitopsRun(["diff", "production"] + setup.cluster)
        #expect(diff.status == 0 && diff.stdout == "0 to create, 0 to update, 0 to prune, 37 unchanged\n", "\(diff.stdout)\(diff.stderr)")
    }

    @Test func sigtermMidSyncFinishesTheObjectRecordsTheStopAndTheNextSyncCarriesOn() async throws {
        let setup = try await Setup()
        defer { setup.finish() }
        // Every answer a little late, so the sync is still running when the signal comes.
        setup.server.api.injectFaults(Array(repeating: KubeAPI.latency(0.3), count: 2_000))
        let sync = try FaultTests.SyncProcess(["sync", "production", "--once", "--timeout", "30"] + setup.cluster)
        let process = sync.process
        defer { sync.kill9() }
        // Signalled while the migration hook is being waited for (after the Namespace was applied).
        #expect(try await SyncServiceTests.eventually(60) { setup.server.api.requestLog.contains { $0.hasPrefix("PATCH") && $0.contains("/jobs/blog-migrate") } })
        let signalled = Date()
        kill(process.processIdentifier, SIGTERM)
        #expect(try await SyncServiceTests.eventually(10) { !process.isRunning }, "exits well within a grace period")
        let (_, stderr) = sync.finish()
        #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(stderr)")
        #expect(stderr.contains("stopped on request"), "\(stderr)")
        #expect(Date().timeIntervalSince(signalled) < 10)
        setup.server.api.clearFaults()
        let client = try setup.client()
        #expect(try await SyncStatusReader.result(client) == "Interrupted")
        #expect(try await client.get(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"), namespace: "blog-production", name: "blog") == nil,
                "nothing after the stop was applied")

        let next = try setup.sync()
        #expect(next.status == 0 && next.stdout.contains("applied Deployment blog-production/blog\n") && next.stdout.hasSuffix("hooks 1; healthy\n"),
                "\(next.stdout)\(next.stderr)")
        #expect(try await SyncStatusReader.result(client) == "Synced")
    }

    @Test func onceFromARemoteWithAnEmptyCache() async throws {
        let setup = try await Setup()
        defer { setup.finish() }
        let cache = setup.copy.path + "/.cache-" + UUID().uuidString
        let head = try TestProcess.output(["git", "rev-parse", "--short=7", "HEAD"], in: setup.copy.path)
        let run = try GitopsRun(["sync", "production", "--once", "--timeout", "5", "--repo-url", "file://" + setup.copy.path, "--cache", cache,
                                 "--kubeconfig", setup.kubeconfig, "--context", "kube-test-server"])
        #expect(run.status == 0 && run.stdout.hasSuffix("production at \(head): applied 36, pruned 0, unchanged 0, hooks 1; healthy\n"),
                "\(run.stdout)\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: cache + "/HEAD"), "a bare cache")
    }

    @Test func ignoredFieldsAreNeitherRevertedNorClaimed() async throws {
        let setup = try await Setup()
        defer { setup.finish() }
        #expect(try setup.sync().status == 0)
        let client = try setup.client()
        // Someone else takes over one field of the quota.
        let takeover: ValueObject = ["apiVersion": "v1", "kind": "ResourceQuota",
                                     "metadata": .object(["name": "compute", "namespace": "blog-production"]),
                                     "spec": .object(["hard": .object(["pods": "60"])])]
        _ = try await client.apply(takeover, fieldManager: "ops", force: true)
        // Git ignores that field, and changes another one of the same object.
        try setup.copy.edit("environments/production/environment.yaml") {
            $0.replacingOccurrences(of: "  namespace: blog-production\n", with: """
                  namespace: blog-production
                  ignoreDifferences:
                    - kind: ResourceQuota
                      name: compute
                      jsonPointers: [/spec/hard/pods]

                """)
        }
        try setup.copy.edit("environments/production/platform/resource-quota.yaml") { $0.replacingOccurrences(of: "requests.cpu: \"4\"", with: "requests.cpu: \"5\"") }
        let run = try setup.sync()
        #expect(run.status == 0 && run.stdout.contains("applied ResourceQuota blog-production/compute\n"), "\(run.stdout)\(run.stderr)")
        let quota = try await client.get(Self.quotas, namespace: "blog-production", name: "compute")
        #expect(quota?["spec"]?["hard"]?["requests.cpu"] == "5", "the changed field is applied")
        #expect(quota?["spec"]?["hard"]?["pods"] == "60", "the ignored field keeps the other manager's value")
        let managers = (quota?["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { entry -> String? in
            guard entry["manager"] == "gitops" else { return nil }
            return JSONWriter.compact(entry["fieldsV1"] ?? .null)
        }
        #expect(managers.count == 1 && !managers[0].contains("f:pods"), "gitops does not claim the ignored field: \(managers)")
        let diff = try GitopsRun(["diff", "production"] + setup.cluster)
        #expect(diff.status == 0, "\(diff.stdout)")
    }

    @Test func aServiceAccountBoundToTheNamespaceStillPrunes() async throws {
        let setup = try await Setup()
        defer { setup.finish() }
        // As the in-cluster job runs: namespaced kinds only in blog-production (a Role binding),
        // so every list across all namespaces is forbidden.
        setup.server.api.restrictNamespacedAccess(to: ["blog-production"])
        let first = try setup.sync()
        #expect(first.status == 0 && first.stdout.hasSuffix("applied 36, pruned 0, unchanged 0, hooks 1; healthy\n"), "\(first.stdout)\(first.stderr)")
        try FileManager.default.removeItem(atPath: setup.copy.path + "/environments/production/platform/resource-quota.yaml")
        let pruned = try setup.sync()
        #expect(pruned.status == 0 && pruned.stdout.contains("pruned ResourceQuota blog-production/compute\n"), "\(pruned.stdout)\(pruned.stderr)")
        #expect(setup.server.api.requestLog.contains("GET /api/v1/resourcequotas") && setup.server.api.requestLog.contains("GET /api/v1/namespaces/blog-production/resourcequotas"),
                "tried across namespaces, then listed the environment's namespace")
    }

    @Test func manualEditsArePutBackButAnotherApplierIsNotOverruled() async throws {
        let setup = try await Setup()
        defer { setup.finish() }
        #expect(try setup.sync().status == 0)
        let client = try setup.client()
        let deployments = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")

        // `kubectl edit`: an update (PUT) by another manager changes the image.
        var edited = try #require(try await client.get(deployments, namespace: "blog-production", name: "blog"))
        var spec = edited["spec"]?.objectValue ?? [:], template = spec["template"]?.objectValue ?? [:]
        var podSpec = template["spec"]?.objectValue ?? [:], containers = podSpec["containers"]?.arrayValue ?? []
        var container = containers[0].objectValue ?? [:]
        container["image"] = "ghcr.io/example/blog:hotfix"
        containers[0] = .object(container); podSpec["containers"] = .array(containers); template["spec"] = .object(podSpec)
        spec["template"] = .object(template); edited["spec"] = .object(spec)
        let put = setup.server.api.handle(APIRequest(method: "PUT", path: "/apis/apps/v1/namespaces/blog-production/deployments/blog",
                                                     query: ["fieldManager": "kubectl-edit"],
                                                     headers: ["authorization": "Bearer \(setup.server.api.token)", "content-type": "application/json"],
                                                     body: Array(JSONWriter.compact(.object(edited)).utf8)))
        #expect(put.status == 200, "\(String(decoding: put.body, as: UTF8.self))")
        let healed = try setup.sync()
        #expect(healed.status == 0 && healed.stdout.contains("applied Deployment blog-production/blog\n"), "\(healed.stdout)\(healed.stderr)")
        #expect(healed.stderr.contains("put back") && healed.stderr.contains("kubectl-edit"), "\(healed.stderr)")
        let image = try await client.get(deployments, namespace: "blog-production", name: "blog")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"]
        #expect(image == "ghcr.io/example/blog:1.4.2")

        // Another declarative owner (a server-side apply) is not overruled without --force-conflicts.
        let takeover: ValueObject = ["apiVersion": "v1", "kind": "ResourceQuota",
                                     "metadata": .object(["name": "compute", "namespace": "blog-production"]),
                                     "spec": .object(["hard": .object(["pods": "60"])])]
        _ = try await client.apply(takeover, fieldManager: "other-applier", force: true)
        let refused = try setup.sync()
        #expect(refused.status == 1 && refused.stderr.contains("fields owned by other-applier would change"), "\(refused.stdout)\(refused.stderr)")
        #expect(try await client.get(Self.quotas, namespace: "blog-production", name: "compute")?["spec"]?["hard"]?["pods"] == "60")
        let forced = try setup.sync(["--force-conflicts"])
        #expect(forced.status == 0, "\(forced.stdout)\(forced.stderr)")
        #expect(try await client.get(Self.quotas, namespace: "blog-production", name: "compute")?["spec"]?["hard"]?["pods"] == "40")
    }
}
