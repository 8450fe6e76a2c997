import Basics
import Cluster
import Foundation
import KubeModel
import Testing
import TestSupport

/// The sync job as a process, against `git daemon` and the test API server on 127.0.0.1: the
/// first sync, a merged promotion picked up by polling and by webhook, a deleted object healed, a
/// broken commit refused while the last good revision stays applied (status and /metrics say so),
/// SIGTERM, and a restart resuming from the status.
@Suite struct SyncServiceTests {
    /// Whether `check` holds within `seconds`; asked once more at the end (a test task that a
    /// loaded pool wakes after the deadline still sees what happened meanwhile).
    static func eventually(_ seconds: Double = 20, _ check: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await check() { return true }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        return try await check()
    }

    /// A bare repository of the copy served by the daemon, a working clone to push from, and the
    /// sync job running as a process (standard error into a log file).
    final class Job {
        private(set) var process = Process()
        let work: String
        let logFile: String
        let url: String
        let daemon: PushTests.Daemon
        let setup: SyncCommandTests.Setup
        var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

        init(daemon: PushTests.Daemon, setup: SyncCommandTests.Setup, arguments: [String], environment: [String: String] = [:]) throws {
            self.daemon = daemon
            self.setup = setup
            let bare = daemon.root + "/envs.git"
            work = daemon.root + "/work"
            logFile = daemon.root + "/sync.log"
            url = "git://127.0.0.1:\(daemon.port)/envs.git"
            _ = try PushTests.sh("""
                git clone -q --bare '\(setup.copy.path)' '\(bare)' && git clone -q '\(url)' '\(work)' &&
                git -C '\(work)' config user.name Pat && git -C '\(work)' config user.email pat@example.com
                """)
            try start(arguments, environment: environment)
        }

        /// Starts the job (again, after it stopped: a restart keeps the cache and the log).
        func start(_ arguments: [String], environment: [String: String] = [:]) throws {
            process = Process()
            process.executableURL = GitopsRun.executable
            process.arguments = ["sync", "production", "--repo-url", url, "--cache", daemon.root + "/cache", "--timeout", "5",
                                 "--kubeconfig", setup.kubeconfig, "--context", "kube-test-server"] + arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            if !FileManager.default.fileExists(atPath: logFile) { _ = FileManager.default.createFile(atPath: logFile, contents: nil) }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
            handle.seekToEndOfFile()
            process.standardError = handle
            process.standardOutput = FileHandle.nullDevice
            try process.run()
        }

        /// Commits and pushes an edit of production's blog values.
        func push(_ sed: String, _ message: String) throws {
            _ = try PushTests.sh("cd '\(work)' && sed -i '\(sed)' environments/production/blog.yaml && git commit -qam '\(message)' && git push -q origin main")
        }

        /// Promotes staging's blog image tag to production as a merged promotion, pushed to the daemon.
        func promote() throws -> GitopsRun {
            try GitopsRun(["promote", "staging", "production", "--merge", "--push", "origin", "--repo", work])
        }

        func kill9() { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    @Test func pollsHealsRefusesAndStops() async throws {
        let daemon = try PushTests.Daemon()
        defer { daemon.stop() }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        // A new version applied all at once (rollouts have their own tests).
        try RolloutCommandTests.dropRollouts(setup.copy)
        let job = try Job(daemon: daemon, setup: setup, arguments: ["--interval", "1"])
        defer { job.kill9() }
        let process = job.process
        func log() -> String { job.log }
        let client = try setup.client()
        func status() async throws -> String? {
            try await SyncStatusReader.result(client)
        }

        #expect(try await Self.eventually { try await status() == "Synced" }, "first sync: \(log())")
        let pdbs = GroupVersionKind(group: "policy", version: "v1", kind: "PodDisruptionBudget")

        // A merged promotion (staging's 1.5.0 to production) is picked up by polling, its migration hook run.
        let promotion = try job.promote()
        #expect(promotion.status == 0, "\(promotion.stdout)\(promotion.stderr)")
        let deployments = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
        func image() async throws -> Value? {
            try await client.get(deployments, namespace: "blog-production", name: "blog")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"]
        }
        #expect(try await Self.eventually { try await image() == "ghcr.io/example/blog:1.5.0" }, "\(log())")
        #expect(try await client.get(GroupVersionKind(group: "batch", version: "v1", kind: "Job"), namespace: "blog-production", name: "blog-migrate-1-5-0") != nil)
        _ = try PushTests.sh("git -C '\(job.work)' pull -q --ff-only")
        try job.push("s/minAvailable: 2/minAvailable: 1/", "production: one pod may go")
        #expect(try await Self.eventually {
            try await client.get(pdbs, namespace: "blog-production", name: "blog")?["spec"]?["minAvailable"] == .int(1)
        }, "\(log())")

        // Someone deletes an object in the cluster: healed at the next poll.
        try await client.delete(SyncCommandTests.configMaps, namespace: "blog-production", name: "blog")
        #expect(try await Self.eventually { try await client.get(SyncCommandTests.configMaps, namespace: "blog-production", name: "blog") != nil },
                "\(log())")

        // A broken commit is refused: status Blocked, the last good revision stays applied.
        try job.push("s/tag: \"1.5.0\"/tag: latest/", "production: latest")
        #expect(try await Self.eventually { try await status() == "Blocked" }, "\(log())")
        #expect(try await image() == "ghcr.io/example/blog:1.5.0")
        #expect(log().contains("\"message\":\"revision refused; the last good revision stays applied\""))
        #expect(!log().contains(setup.server.api.token), "no secret in the logs")

        kill(process.processIdentifier, SIGTERM)
        #expect(try await Self.eventually(10) { !process.isRunning }, "exits on SIGTERM")
        #expect(process.terminationStatus == 0 && log().contains("\"message\":\"stopped\""))

        // A restart resumes from the status: the refused revision is not tried (or reported) again.
        let refusals = log().components(separatedBy: "revision refused").count
        try job.start(["--interval", "1"])
        #expect(try await Self.eventually { log().contains("\"message\":\"resuming from the recorded status\"") && log().contains("\"result\":\"Blocked\"") },
                "\(log())")
        try await Task.sleep(nanoseconds: 2_500_000_000)
        #expect(log().components(separatedBy: "revision refused").count == refusals, "\(log())")
        #expect(try await status() == "Blocked")
        kill(job.process.processIdentifier, SIGTERM)
        #expect(try await Self.eventually(10) { !job.process.isRunning })
    }

    @Test func aRegistryThatIsDownFailsThePollAndALaterPollSyncs() async throws {
        let registry = try LocalRegistry(tokenAuth: false)
        defer { registry.stop() }
        let daemon = try PushTests.Daemon()
        defer { daemon.stop() }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        // production gains a release from the registry, locked and committed.
        let charts = setup.copy.path + "/.charts"
        let pushed = try GitopsRun(["chart", "push", GitopsProcessTests.repositoryRoot + "/charts/redis", "oci://\(registry.host)/extra", "--plain-http", "--cache-dir", charts])
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let file = setup.copy.path + "/environments/production/environment.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try (text + "    - name: extra-cache\n      chart: oci://\(registry.host)/extra/redis\n      version: \"^1.0\"\n").write(toFile: file, atomically: true, encoding: .utf8)
        let lock = try GitopsRun(["chart", "lock", "production", "--repo", setup.copy.path, "--plain-http", "--cache-dir", charts])
        #expect(lock.status == 0, "\(lock.stderr)")
        try setup.copy.run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qam", "production: a cache from the registry")
        try setup.copy.run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "add", "environments/production/charts.lock")
        try setup.copy.run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qm", "the lock")
        // The registry is down when the job starts with an empty chart cache.
        registry.pause()
        let job = try Job(daemon: daemon, setup: setup, arguments: ["--interval", "1", "--plain-http", "--cache-dir", daemon.root + "/charts"])
        defer { job.kill9() }
        let client = try setup.client()
        #expect(try await Self.eventually { job.log.contains("fetching the charts revision") }, "\(job.log)")
        #expect(try await SyncStatusReader.result(client) != "Blocked", "a fetch failure is not a refused revision")
        #expect(!job.log.contains("revision refused"))
        // Back up: a later poll fetches, renders and applies.
        try registry.resume()
        #expect(try await Self.eventually { try await SyncStatusReader.result(client) == "Synced" }, "\(job.log)")
        let deployments = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
        #expect(try await client.get(deployments, namespace: "blog-production", name: "extra-cache") != nil)
        kill(job.process.processIdentifier, SIGTERM)
        #expect(try await Self.eventually(10) { !job.process.isRunning })
    }

    @Test func webhooksTriggerAFetchAndMetricsReport() async throws {
        let daemon = try PushTests.Daemon()
        defer { daemon.stop() }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        try RolloutCommandTests.dropRollouts(setup.copy)
        // A long interval: only the webhook can make it fetch in time.
        let job = try Job(daemon: daemon, setup: setup, arguments: ["--interval", "600", "--listen", "127.0.0.1:0"],
                          environment: ["GITOPS_WEBHOOK_SECRET": "s3cret"])
        defer { job.kill9() }
        let process = job.process
        func log() -> String { job.log }
        let client = try setup.client()
        #expect(try await Self.eventually { try await SyncStatusReader.result(client) == "Synced" }, "\(log())")
        let address = try #require(log().split(separator: "\n").first { $0.contains("\"message\":\"listening\"") }
            .flatMap { line in line.range(of: "\"address\":\"").map { line[$0.upperBound...].prefix { $0 != "\"" } } })
        func curl(_ arguments: String) throws -> String { try PushTests.sh("curl -s -o /dev/null -w '%{http_code}' \(arguments)") }
        #expect(try curl("http://\(address)/healthz") == "200")
        #expect(try curl("http://\(address)/readyz") == "200")
        let metrics = try PushTests.sh("curl -s http://\(address)/metrics")
        #expect(metrics.contains(#"gitops_sync_total{environment="production",result="Synced"} 1"#)
                && metrics.contains(#"gitops_sync_total{environment="production",result="Blocked"} 0"#)
                && metrics.contains(#"gitops_objects{environment="production",state="missing"} 36"#)
                && metrics.contains(#"gitops_revision_info{environment="production",revision=""#)
                && metrics.contains("gitops_sync_duration_seconds_count 1") && metrics.contains("gitops_git_fetch_duration_seconds_count"), "\(metrics)")

        let promotion = try job.promote()
        #expect(promotion.status == 0, "\(promotion.stdout)\(promotion.stderr)")
        let body = #"{"ref":"refs/heads/main"}"#
        #expect(try curl("-X POST -H 'X-Hub-Signature-256: sha256=0000' -d '\(body)' http://\(address)/hooks/github") == "401")
        #expect(try PushTests.sh("head -c 5000000 /dev/zero | tr '\\0' x | curl -s -o /dev/null -w '%{http_code}' -X POST -H 'X-Hub-Signature-256: sha256=0000' --data-binary @- http://\(address)/hooks/github") == "413")
        let signature = try PushTests.sh("printf '%s' '\(body)' | openssl dgst -sha256 -hmac s3cret | sed 's/^.* //'")
        let other = #"{"ref":"refs/heads/feature"}"#
        let otherSignature = try PushTests.sh("printf '%s' '\(other)' | openssl dgst -sha256 -hmac s3cret | sed 's/^.* //'")
        #expect(try curl("-X POST -H 'X-Hub-Signature-256: sha256=\(otherSignature)' -d '\(other)' http://\(address)/hooks/github") == "200",
                "a push to another branch is acknowledged and ignored")
        #expect(try curl("-X POST -H 'X-Hub-Signature-256: sha256=\(signature)' -d '\(body)' http://\(address)/hooks/github") == "202")
        #expect(try await Self.eventually(15) {
            try await client.get(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"), namespace: "blog-production", name: "blog")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "ghcr.io/example/blog:1.5.0"
        }, "the webhook made it fetch the merged promotion: \(log())")
        _ = try PushTests.sh("git -C '\(job.work)' pull -q --ff-only")
        #expect(try curl("-X POST -H 'X-Gitlab-Token: s3cret' http://\(address)/hooks/gitlab") == "202")

        // A broken commit, fetched on a GitLab push event: refused, and /metrics and the status say so.
        try job.push("s/tag: \"1.5.0\"/tag: latest/", "production: latest")
        #expect(try curl("-X POST -H 'X-Gitlab-Token: s3cret' -H 'X-Gitlab-Event: Push Hook' -d '{\"ref\":\"refs/heads/main\"}' http://\(address)/hooks/gitlab") == "202")
        #expect(try await Self.eventually(15) { try await SyncStatusReader.result(client) == "Blocked" }, "\(log())")
        let after = try PushTests.sh("curl -s http://\(address)/metrics")
        #expect(after.contains(#"gitops_sync_total{environment="production",result="Blocked"} 1"#), "\(after)")
        kill(process.processIdentifier, SIGTERM)
        #expect(try await Self.eventually(10) { !process.isRunning })
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "a clean stop, not a crash: \(job.log.suffix(2000))")
    }
}

extension SyncServiceTests {
    /// The job rolls a pushed version out as production declares it; with no Prometheus to ask,
    /// the analysis is inconclusive and it waits; promote and abort come over HTTP (with the
    /// secret as bearer token, refused without); /metrics shows the step, weight, phase, verdicts
    /// and the abort.
    @Test func theJobRollsOutAndTakesPromoteAndAbortOverHTTP() async throws {
        let daemon = try PushTests.Daemon()
        defer { daemon.stop() }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        try RolloutCommandTests.quicken(setup.copy, prometheus: "http://127.0.0.1:\(Int.random(in: 50_000...59_000))")
        try setup.copy.run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qam", "quick rollouts")
        let job = try Job(daemon: daemon, setup: setup, arguments: ["--interval", "600", "--listen", "127.0.0.1:0"],
                          environment: ["GITOPS_WEBHOOK_SECRET": "s3cret"])
        defer { job.kill9() }
        let client = try setup.client()
        #expect(try await Self.eventually { try await SyncStatusReader.result(client) == "Synced" }, "\(job.log)")
        let address = try #require(job.log.split(separator: "\n").first { $0.contains("\"message\":\"listening\"") }
            .flatMap { line in line.range(of: "\"address\":\"").map { line[$0.upperBound...].prefix { $0 != "\"" } } })
        func curl(_ arguments: String) throws -> String { try PushTests.sh("curl -s -o /dev/null -w '%{http_code}' \(arguments)") }
        func record() async throws -> [String: String] { try await RolloutCommandTests.record(client) }

        try job.push(#"s/tag: "1.4.2"/tag: "1.5.0"/"#, "production: 1.5.0")
        #expect(try curl("-X POST -H 'X-Gitlab-Token: s3cret' http://\(address)/hooks/gitlab") == "202")
        #expect(try await Self.eventually(30) { let r = try await record(); return r["phase"] == "paused" && r["step"] == "1" }, "\(job.log)")
        let metrics = try PushTests.sh("curl -s http://\(address)/metrics")
        #expect(metrics.contains(#"gitops_rollout_step{environment="production",workload="blog"} 2"#)
                && metrics.contains(#"gitops_rollout_weight{environment="production",workload="blog"} 10"#)
                && metrics.contains(#"gitops_rollout_phase{environment="production",workload="blog",phase="paused"} 1"#)
                && metrics.contains(#"gitops_rollout_analysis_total{environment="production",result="inconclusive"} 2"#)
                && metrics.contains(#"gitops_rollout_analysis_total{environment="production",result="passed"} 0"#), "\(metrics)")

        #expect(try curl("-X POST http://\(address)/rollouts/blog/promote") == "401")
        #expect(try curl("-X POST -H 'Authorization: Bearer wrong' http://\(address)/rollouts/blog/promote") == "401")
        #expect(try curl("-X POST -H 'Authorization: Bearer s3cret' http://\(address)/rollouts/nothing/promote") == "409")
        #expect(try curl("-X POST -H 'Authorization: Bearer s3cret' -H 'X-Gitops-User: pat' http://\(address)/rollouts/blog/promote") == "202")
        // Past the inconclusive analysis: 25%, the pause, then the next analysis waits again.
        #expect(try await Self.eventually(30) { let r = try await record(); return r["phase"] == "paused" && r["step"] == "4" && r["weight"] == "25" }, "\(job.log)")
        #expect(job.log.contains(#""message":"rollout: promote requested by pat""#), "\(job.log)")

        #expect(try curl("-X POST -H 'Authorization: Bearer s3cret' http://\(address)/rollouts/blog/abort") == "202")
        #expect(try await Self.eventually(30) { try await record()["phase"] == "aborted" }, "\(job.log)")
        let image = try await RolloutCommandTests.image(client)
        #expect(image?.hasSuffix(":1.4.2") == true, "the stable version runs: \(image ?? "none")")
        let after = try PushTests.sh("curl -s http://\(address)/metrics")
        #expect(after.contains(#"gitops_rollout_aborts_total{environment="production"} 1"#)
                && after.contains(#"gitops_rollout_phase{environment="production",workload="blog",phase="aborted"} 1"#)
                && after.contains(#"gitops_rollout_weight{environment="production",workload="blog"} 0"#), "\(after)")
        #expect(job.log.contains(#""message":"rollout aborted; the stable version keeps all traffic""#), "\(job.log)")
        kill(job.process.processIdentifier, SIGTERM)
        #expect(try await Self.eventually(10) { !job.process.isRunning })
    }
}

extension SyncServiceTests {
    /// A local receiver: `POST /ok` appends the body to `bodies` (a line each); `POST /hang`
    /// answers after 30 s. Python's http.server, threaded.
    final class Receiver {
        let process = Process()
        let port = FreePort.next()
        let bodies = NSTemporaryDirectory() + "gitops-receiver-" + UUID().uuidString
        var received: [String] { ((try? String(contentsOfFile: bodies, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        init() throws {
            _ = FileManager.default.createFile(atPath: bodies, contents: nil)
            let script = """
                import http.server, sys, time
                class H(http.server.BaseHTTPRequestHandler):
                    def do_POST(self):
                        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                        if self.path == '/hang': time.sleep(30)
                        else:
                            with open(sys.argv[2], 'ab') as f: f.write(body.replace(b'\\n', b' ') + b'\\n')
                        self.send_response(200); self.end_headers()
                    def log_message(self, *a): pass
                http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
                """
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, String(port), bodies]
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Listening once it answers anything (a GET is 501 and records nothing).
            for _ in 0..<100 where (try? TestProcess.output(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/"])) ?? "000" == "000" {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }

        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: bodies)
        }
    }

    /// gitops.yaml's notifications: a new revision synced and a blocked one each post one message;
    /// a receiver that hangs does not hold up the syncs.
    @Test func syncsAndBlockedRevisionsPostOneMessageEach() async throws {
        let daemon = try PushTests.Daemon()
        defer { daemon.stop() }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        let receiver = try Receiver()
        defer { receiver.stop() }
        try setup.copy.edit("gitops.yaml") {
            $0 + """
                  notifications:
                    receivers:
                      - name: team
                        webhook: {urlFrom: {env: GITOPS_TEST_HOOK}}
                      - name: stuck
                        slack: {urlFrom: {env: GITOPS_TEST_HANG}}
                    rules:
                      - events: [sync-succeeded, revision-blocked, sync-failed]
                        environments: [production]
                        receivers: [team, stuck]

                """
        }
        try setup.copy.run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qam", "notifications")
        let base = "http://127.0.0.1:\(receiver.port)"
        let job = try Job(daemon: daemon, setup: setup, arguments: ["--interval", "1"],
                          environment: ["GITOPS_TEST_HOOK": base + "/ok", "GITOPS_TEST_HANG": base + "/hang"])
        defer { job.kill9() }
        let client = try setup.client()
        #expect(try await Self.eventually { try await SyncStatusReader.result(client) == "Synced" }, "\(job.log)")
        #expect(try await Self.eventually(10) { receiver.received.count == 1 }, "\(receiver.received)")
        #expect(receiver.received.first?.contains(#""event":"sync-succeeded","environment":"production""#) == true, "\(receiver.received)")

        // A broken commit: blocked, one message, not repeated at the next polls.
        try job.push("s/tag: \"1.4.2\"/tag: latest/", "production: latest")
        #expect(try await Self.eventually(15) { try await SyncStatusReader.result(client) == "Blocked" }, "\(job.log)")
        #expect(try await Self.eventually(10) { receiver.received.count == 2 }, "\(receiver.received)")
        #expect(receiver.received.last?.contains(#""event":"revision-blocked""#) == true, "\(receiver.received)")
        try await Task.sleep(for: .seconds(3))
        #expect(receiver.received.count == 2, "one message for one blocked revision: \(receiver.received)")

        // Fixed while the other receiver still hangs on its first messages: synced at once anyway.
        try job.push("s/tag: latest/tag: \"1.4.2\"/", "production: 1.4.2 again")
        let fixedAt = Date()
        #expect(try await Self.eventually(15) { try await SyncStatusReader.result(client) == "Synced" }, "\(job.log)")
        // The hanging receiver holds its request 30 s: a sync well before that was not held up by it.
        #expect(Date().timeIntervalSince(fixedAt) < 25, "a hanging receiver does not hold up a sync")
        #expect(!job.log.contains(base), "receiver URLs are never logged")
    }
}

/// The `result` of the sync status ConfigMap.
enum SyncStatusReader {
    static func result(_ client: KubeClient) async throws -> String? {
        try await client.get(SyncCommandTests.configMaps, namespace: "blog-production", name: "gitops-production-status")?["data"]?["result"]?.stringValue
    }
}
