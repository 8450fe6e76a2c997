import Basics
import Cluster
import Foundation
import KubeModel
import KubeTestServer
import Testing

/// Faults in what the sync job depends on, end to end (issue 17): the API server restarted
/// mid-sync, connections reset mid-answer, a conflict on apply, a token that expires mid-run, a Git
/// remote that refuses connections and then force-moves its branch, and SIGKILL at random points.
/// After each: the next run converges, nothing is applied twice in a harmful way, the status says
/// what happened.
@Suite(.serialized) struct FaultTests {
    static let jobs = GroupVersionKind(group: "batch", version: "v1", kind: "Job")

    /// A `gitops sync` process the test can signal.
    final class SyncProcess {
        let process = Process()
        private let out = Pipe(), err = Pipe()

        init(_ arguments: [String]) throws {
            process.executableURL = GitopsRun.executable
            process.arguments = arguments
            process.standardOutput = out
            process.standardError = err
            try process.run()
        }

        /// Waits for the exit; (status, stdout + stderr).
        func finish() -> (Int32, String) {
            let output = out.fileHandleForReading.readDataToEndOfFile() + err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: output, as: UTF8.self))
        }

        func kill9() { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    /// The status ConfigMap's revision.
    static func statusRevision(_ client: KubeClient) async throws -> String? {
        try await client.get(SyncCommandTests.configMaps, namespace: "blog-production", name: "gitops-production-status")?["data"]?["revision"]?.stringValue
    }

    /// Converged: `gitops diff` sees nothing to do and the status says Synced.
    static func expectConverged(_ setup: SyncCommandTests.Setup, _ context: String, repository: String? = nil) async throws {
        let diff = try GitopsRun(["diff", "production", "--repo", repository ?? setup.copy.path, "--kubeconfig", setup.kubeconfig, "--context", "kube-test-server"])
        #expect(diff.status == 0 && diff.stdout.hasPrefix("0 to create, 0 to update, 0 to prune,"), "\(context): \(diff.stdout)\(diff.stderr)")
        #expect(try await SyncStatusReader.result(try setup.client()) == "Synced", "\(context)")
    }

    @Test func anAPIServerRestartedMidSyncLeavesATruthfulStatusAndTheNextSyncConverges() async throws {
        var setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        setup.server.api.injectFaults(Array(repeating: KubeAPI.latency(0.05), count: 5_000))
        let sync = try SyncProcess(["sync", "production", "--once", "--timeout", "30"] + setup.cluster)
        defer { sync.kill9() }
        #expect(try await SyncServiceTests.eventually(60) { setup.server.api.requestLog.filter { $0.hasPrefix("PATCH") }.count >= 10 })
        // Down for three seconds (longer than the client's retries), then back with every object kept.
        setup.server = try setup.server.restarted(after: 3)
        let (status, output) = sync.finish()
        #expect(sync.process.terminationReason == .exit, "\(output)")
        #expect(!output.contains(setup.server.api.token))
        let client = try setup.client()
        if status == 0 {
            // The client's retries outlasted the downtime (a loaded machine is slow to give up).
            #expect(try await SyncStatusReader.result(client) == "Synced")
        } else {
            #expect(output.contains("127.0.0.1"), "the run names the server it could not reach: \(output)")
            #expect(try await SyncStatusReader.result(client) != "Synced", "the status does not claim a sync that did not finish")
        }
        setup.server.api.clearFaults()
        let next = try setup.sync()
        #expect(next.status == 0 && next.stdout.hasSuffix("hooks 1; healthy\n"), "\(next.stdout)\(next.stderr)")
        try await Self.expectConverged(setup, "after the restart")
    }

    @Test func connectionsResetMidAnswerAreRetriedAndEveryWriteLandsOnce() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        // Every fourth answer cut in half after the server acted on the request (writes included).
        setup.server.api.injectFaults(Array(repeating: [KubeAPI.truncatedResponse, KubeAPI.latency(0), KubeAPI.latency(0), KubeAPI.latency(0)],
                                            count: 40).flatMap { $0 })
        let run = try setup.sync()
        #expect(run.status == 0 && run.stdout.hasSuffix("applied 36, pruned 0, unchanged 0, hooks 1; healthy\n"), "\(run.stdout)\(run.stderr)")
        setup.server.api.clearFaults()
        let client = try setup.client()
        let hooks = try await client.list(try await client.resource(for: Self.jobs), namespace: "blog-production")
        #expect(hooks.map { $0["metadata"]?["name"]?.stringValue } == ["blog-migrate-1-4-2"], "the hook ran once")
        try await Self.expectConverged(setup, "after resets")
    }

    @Test func aConflictOnApplyFailsThatSyncNamingTheObjectAndTheNextConverges() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        // Two 409s on the blog Deployment's apply (the object changed while the server wrote it):
        // retried, and the sync goes through.
        let blogApply: @Sendable (APIRequest) -> Bool = { $0.method == "PATCH" && $0.path.hasSuffix("/deployments/blog") }
        setup.server.api.injectFault(KubeAPI.fault(409), times: 2, matching: blogApply)
        let retried = try setup.sync()
        #expect(retried.status == 0, "\(retried.stdout)\(retried.stderr)")
        // 409s that do not stop: that sync fails, naming the object and the conflict.
        setup.server.api.injectFault(KubeAPI.fault(409), times: 100, matching: blogApply)
        try setup.copy.write("environments/production/blog.yaml",
                             try String(contentsOfFile: setup.copy.path + "/environments/production/blog.yaml", encoding: .utf8)
                                .replacingOccurrences(of: "maxReplicas: 10", with: "maxReplicas: 11"))
        try setup.copy.run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qam", "eleven")
        let run = try setup.sync()
        #expect(run.status != 0 && run.stderr.contains("deployments/blog") && run.stderr.contains("409") && run.stderr.contains("conflict"),
                "\(run.stdout)\(run.stderr)")
        let client = try setup.client()
        #expect(try await SyncStatusReader.result(client) != "Synced")
        setup.server.api.clearFaults()
        let next = try setup.sync()
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        try await Self.expectConverged(setup, "after the conflict")
    }

    @Test func aTokenThatExpiresMidRunIsRenewedByTheExecPlugin() async throws {
        let daemon = try PushTests.Daemon()
        defer { daemon.stop() }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        // The kubeconfig's user is an exec plugin printing whatever token the file holds now.
        let tokenFile = setup.copy.path + "/.token"
        try setup.server.api.token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let plugin = setup.copy.path + "/.token-plugin"
        try """
            #!/bin/sh
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$(cat '\(tokenFile)')"
            """.write(toFile: plugin, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plugin)
        let kubeconfig = setup.server.kubeconfig().replacingOccurrences(
            of: "token: \(setup.server.api.token)",
            with: "exec: {apiVersion: client.authentication.k8s.io/v1, command: \(plugin)}")
        try kubeconfig.write(toFile: setup.kubeconfig, atomically: true, encoding: .utf8)

        let job = try SyncServiceTests.Job(daemon: daemon, setup: setup, arguments: ["--interval", "1"])
        defer { job.kill9() }
        let client = try setup.client()
        #expect(try await SyncServiceTests.eventually { try await SyncStatusReader.result(client) == "Synced" }, "\(job.log)")
        // The token expires: the server takes only the new one, which the plugin now prints.
        let renewed = UUID().uuidString
        setup.server.api.rotateToken(to: renewed)
        try renewed.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try job.push("s/minAvailable: 2/minAvailable: 1/", "production: one pod may go")
        let head = try PushTests.sh("git -C '\(job.work)' rev-parse --short=7 HEAD")
        #expect(try await SyncServiceTests.eventually { try await Self.statusRevision(client)?.hasPrefix(head) == true }, "\(job.log)")
        #expect(try await SyncStatusReader.result(client) == "Synced")
        #expect(!job.log.contains(renewed), "no token in the log")
        kill(job.process.processIdentifier, SIGTERM)
        #expect(try await SyncServiceTests.eventually(10) { !job.process.isRunning })
    }

    @Test func aGitRemoteThatRefusesConnectionsThenForceMovesItsBranch() async throws {
        let daemon = try PushTests.Daemon()
        defer { daemon.stop() }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        let job = try SyncServiceTests.Job(daemon: daemon, setup: setup, arguments: ["--interval", "1"])
        defer { job.kill9() }
        let client = try setup.client()
        #expect(try await SyncServiceTests.eventually { try await SyncStatusReader.result(client) == "Synced" }, "\(job.log)")
        let first = try #require(try await Self.statusRevision(client))

        // The remote refuses connections: polls fail and say so; the job keeps running and the
        // status still names the revision that is applied.
        daemon.pause()
        let failuresBefore = job.log.components(separatedBy: "\"level\":\"error\"").count
        #expect(try await SyncServiceTests.eventually { job.log.components(separatedBy: "\"level\":\"error\"").count > failuresBefore + 1 }, "\(job.log)")
        #expect(job.process.isRunning && job.log.contains("127.0.0.1:\(daemon.port)"), "\(job.log)")
        #expect(try await Self.statusRevision(client) == first)
        try daemon.resume()

        // The branch is force-moved to a commit that does not descend from the applied one.
        try job.push("s/minAvailable: 2/minAvailable: 1/", "production: one pod may go")
        _ = try PushTests.sh("""
            cd '\(job.work)' && git reset -q --hard HEAD~1 && sed -i 's/maxReplicas: 10/maxReplicas: 12/' environments/production/blog.yaml &&
            git commit -qam 'production: up to twelve replicas (rewritten history)' && git push -q -f origin main
            """)
        let moved = try PushTests.sh("git -C '\(job.work)' rev-parse --short=7 HEAD")
        #expect(try await SyncServiceTests.eventually(30) { try await Self.statusRevision(client)?.hasPrefix(moved) == true }, "\(job.log)")
        #expect(try await SyncStatusReader.result(client) == "Synced")
        kill(job.process.processIdentifier, SIGTERM)
        #expect(try await SyncServiceTests.eventually(10) { !job.process.isRunning })
        try await Self.expectConverged(setup, "after the force-move", repository: job.work)
    }

    /// `gitops` under a file-size limit of `kilobytes`, with SIGXFSZ ignored: every write past the
    /// limit fails (EFBIG) as writes on a full disk fail (ENOSPC), without needing a disk to fill.
    static func withFileSizeLimit(_ kilobytes: Int, _ arguments: [String], environment: [String: String] = [:]) throws -> GitopsRun {
        try GitopsRun(["-c", "ulimit -f \(kilobytes); trap '' XFSZ; exec \"$0\" \"$@\"", GitopsRun.executable.path] + arguments,
                      environment: environment, executable: URL(fileURLWithPath: "/bin/bash"))
    }

    /// Every file gitops leaves in `folder` (hidden ones too), recursively.
    static func files(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
    }

    @Test func aFullDiskLeavesNoPartialFiles() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        #expect(try setup.sync().status == 0)
        let scratch = setup.copy.path + "/.disk"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)

        // A snapshot that cannot be written: an error saying why, and no folder, whole or partial.
        let snapshot = scratch + "/snapshot"
        let saved = try Self.withFileSizeLimit(2, ["snapshot", "production", "--out", snapshot] + setup.cluster)
        #expect(saved.status != 0 && saved.stderr.contains("File too large") && saved.stderr.contains("nothing was kept"), "\(saved.stdout)\(saved.stderr)")
        #expect(Self.files(scratch) == [], "\(Self.files(scratch))")

        // A secret encrypted in place: the file keeps its old bytes.
        let secret = scratch + "/secret.yaml"
        let plaintext = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n" + (0..<80).map { "  key\($0): \(String(repeating: "v", count: 40))\n" }.joined()
        try plaintext.write(toFile: secret, atomically: true, encoding: .utf8)
        let encrypted = try Self.withFileSizeLimit(4, ["secret", "encrypt", secret, "--age", TestSecrets.recipient])
        #expect(encrypted.status != 0 && encrypted.stderr.contains("File too large") && encrypted.stderr.contains("nothing was changed"),
                "\(encrypted.stdout)\(encrypted.stderr)")
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == plaintext)
        #expect(Self.files(scratch) == ["secret.yaml"], "\(Self.files(scratch))")

        // The chart cache: a pull that cannot store the archive leaves no partial file, and the
        // next pull (with room) stores and verifies it.
        let repository = try LocalHelmRepository(chart: GitopsProcessTests.repositoryRoot + "/charts/redis", versions: ["1.0.0"])
        defer { repository.stop() }
        let cache = scratch + "/cache"
        let pull = ["chart", "pull", "redis", "--repo", repository.url, "--version", "1.0.0", "--cache-dir", cache, "-d", scratch + "/pulled"]
        let refused = try Self.withFileSizeLimit(1, pull)
        #expect(refused.status != 0 && refused.stderr.contains("File too large"), "\(refused.stdout)\(refused.stderr)")
        #expect(!Self.files(cache).contains { $0.hasSuffix(".partial") }, "\(Self.files(cache))")
        let pulled = try GitopsRun(pull)
        #expect(pulled.status == 0, "\(pulled.stdout)\(pulled.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch + "/pulled/redis-1.0.0.tgz"))
    }

    /// SIGKILL at a random moment of a sync, fifty times, with the repository changing halfway
    /// (one object removed, one added): every run after a kill starts cleanly, and the end state is
    /// exactly the repository's, with the removed object pruned and nothing else.
    @Test func sigkillAtRandomPointsFiftyTimes() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        let seed = ProcessInfo.processInfo.environment["GITOPS_FAULT_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        let cache = setup.copy.path + "/.sync-cache"
        let arguments = ["sync", "production", "--once", "--timeout", "30", "--repo-url", "file://" + setup.copy.path, "--cache", cache,
                         "--kubeconfig", setup.kubeconfig, "--context", "kube-test-server"]
        // Every answer a little late, so that kills land inside fetches, applies, hooks and prunes.
        setup.server.api.injectFaults(Array(repeating: KubeAPI.latency(0.02), count: 200_000))
        let client = try setup.client()
        var completed = 0
        for round in 0..<50 {
            if round == 25 {
                // Halfway: the repository drops the namespace's LimitRange and adds a ConfigMap.
                _ = try PushTests.sh("""
                    cd '\(setup.copy.path)' &&
                    printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: added-later, namespace: blog-production, labels: {app.kubernetes.io/name: extra, app.kubernetes.io/part-of: blog}}\\ndata: {a: "1"}\\n' > environments/production/platform/added-later.yaml &&
                    git rm -q environments/production/platform/limit-range.yaml &&
                    git -c user.email=t@example.com -c user.name=T add -A && git -c user.email=t@example.com -c user.name=T commit -qm 'halfway'
                    """)
            }
            let sync = try SyncProcess(arguments)
            let delay = Double(random.next() % 2_500) / 1_000
            try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            let killed = sync.process.isRunning
            sync.kill9()
            let (status, output) = sync.finish()
            if !killed {
                #expect(status == 0, "round \(round) (seed \(seed)) finished but failed: \(output)")
                completed += 1
            }
            // Whatever the moment, the status is readable and says one of its known results.
            let result = try await SyncStatusReader.result(client)
            #expect(result == nil || ["Synced", "Syncing", "Interrupted", "Failed", "Degraded", "Progressing"].contains(result!),
                    "round \(round) (seed \(seed)): status \(result ?? "none")")
        }
        setup.server.api.clearFaults()
        let final = try GitopsRun(arguments)
        #expect(final.status == 0, "seed \(seed): \(final.stdout)\(final.stderr)")
        try await Self.expectConverged(setup, "seed \(seed)")
        let limits = GroupVersionKind(group: "", version: "v1", kind: "LimitRange")
        #expect(try await client.get(limits, namespace: "blog-production", name: "container-defaults") == nil, "the removed object was pruned")
        #expect(try await client.get(SyncCommandTests.configMaps, namespace: "blog-production", name: "added-later") != nil)
        let hooks = try await client.list(try await client.resource(for: Self.jobs), namespace: "blog-production")
        #expect(hooks.count == 1, "one migration Job: \(hooks.map { $0["metadata"]?["name"]?.stringValue ?? "?" })")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).allSatisfy { !$0.hasSuffix(".lock") }, "no lock left in the cache")
        print("sigkill rounds: seed \(seed), \(completed) of 50 finished before their kill")
    }
}
