import Cluster
import Foundation
import Testing
import TestSupport
import KubeModel
import YAML
import Basics

/// Progressive rollouts end to end through `gitops sync`, on a copy of this repository against
/// kube-test-server: production's canary (as environment.yaml declares it, its analysis reading a
/// real Prometheus that scrapes a test exporter) and staging's blue-green with its smoke Job.
@Suite(.serialized) struct RolloutCommandTests {
    static let deployments = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    static let ingresses = GroupVersionKind(group: "networking.k8s.io", version: "v1", kind: "Ingress")
    static let services = GroupVersionKind(group: "", version: "v1", kind: "Service")
    static let configMaps = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")

    /// Production's rollout as declared, made quick for a test: Prometheus at `address`, 8 s
    /// windows, measurements a second apart, pauses of a second.
    static func quicken(_ copy: ClusterDiffTests.Copy, environment: String = "production", prometheus address: String, http url: String = "") throws {
        try copy.edit("environments/\(environment)/environment.yaml") {
            $0.replacingOccurrences(of: "http://prometheus-operated.monitoring:9090", with: address)
                .replacingOccurrences(of: "[2m]", with: "[8s]")
                .replacingOccurrences(of: "interval: 30s", with: "interval: 1s")
                .replacingOccurrences(of: "interval: 5s", with: "interval: 1s")
                .replacingOccurrences(of: "count: 4", with: "count: 2")
                .replacingOccurrences(of: "pause: 2m", with: "pause: 1s")
                .replacingOccurrences(of: "scaleDownDelay: 10m", with: "scaleDownDelay: 1s")
                .replacingOccurrences(of: "http://blog-preview.blog-staging.svc/actuator/health/readiness", with: url)
        }
    }

    /// The copy without staging's and production's `rollout:` blocks (committed): for tests of
    /// the sync job's other duties, where a new version is applied all at once.
    static func dropRollouts(_ copy: ClusterDiffTests.Copy) throws {
        for environment in ["staging", "production"] {
            try copy.edit("environments/\(environment)/environment.yaml") { text in
                var kept: [Substring] = [], skipping = false
                for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                    let indent = line.prefix { $0 == " " }.count
                    if line == "      rollout:" { skipping = true; while kept.last?.hasPrefix("      # ") == true { kept.removeLast() }; continue }
                    if skipping, indent > 6 || line.isEmpty { continue }
                    skipping = false
                    kept.append(line)
                }
                return kept.joined(separator: "\n")
            }
        }
        try copy.run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qam", "no rollouts")
    }

    static func setTag(_ copy: ClusterDiffTests.Copy, _ tag: String, environment: String = "production") throws {
        try copy.edit("environments/\(environment)/blog.yaml") { text in
            text.replacingOccurrences(of: #"tag: "[0-9.]+""#, with: "tag: \"\(tag)\"", options: .regularExpression)
        }
    }

    static func image(_ client: KubeClient, _ name: String = "blog", namespace: String = "blog-production") async throws -> String? {
        try await client.get(deployments, namespace: namespace, name: name)?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"]?.stringValue
    }

    static func record(_ client: KubeClient, environment: String = "production", namespace: String = "blog-production") async throws -> [String: String] {
        var data: [String: String] = [:]
        for (key, value) in try await client.get(configMaps, namespace: namespace, name: "gitops-\(environment)-rollout-blog")?["data"]?.objectValue ?? [:] {
            data[key] = value.stringValue
        }
        return data
    }

    /// The weights of the `rollout step` log lines, in order.
    static func weights(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.contains(#""message":"rollout step""#) }.compactMap { line in
            line.firstRange(of: #""weight":""#).map { line[$0.upperBound...].prefix { $0 != "\"" } }
        }
    }

    /// Production with steps 10, 25, a 10-minute pause, 50, 100 (no analysis): synced once, then a
    /// new version's sync started as a process and waited for until it sits in the pause at 25%.
    static func startPausedRollout(_ setup: SyncCommandTests.Setup) async throws -> (Process, Pipe, KubeClient) {
        try quicken(setup.copy, prometheus: "http://127.0.0.1:1")
        try setup.copy.edit("environments/production/environment.yaml") {
            $0.replacingOccurrences(of: "            - analysis: [error-rate, p95-latency]\n", with: "")
                .replacingOccurrences(of: "pause: 1s", with: "pause: 10m")
        }
        let client = try setup.client()
        let first = try setup.sync()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        try setTag(setup.copy, "1.5.0")
        let process = Process()
        process.executableURL = GitopsRun.executable
        process.arguments = ["sync", "production", "--once", "--timeout", "20"] + setup.cluster
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        #expect(try await SyncServiceTests.eventually(30) { try await record(client)["step"] == "2" }, "the rollout reached its pause")
        return (process, err, client)
    }

    /// Prometheus and the exporter, once Prometheus has two scrapes of the canary job to take a rate of.
    static func prometheus() async throws -> (PrometheusExporter, TestPrometheus)? {
        guard (try? TestProcess.output(["sh", "-c", "command -v prometheus"])).map({ !$0.isEmpty }) == true else {
            Issue.record("prometheus is not installed (scripts/setup installs Debian's package)")
            return nil
        }
        let exporter = try PrometheusExporter()
        let prometheus = try TestPrometheus(scraping: exporter.port, job: "blog-canary")
        let query = #"sum(rate(http_server_requests_seconds_count{job="blog-canary"}[8s]))"#
        for _ in 0..<200 {
            let answer = (try? TestProcess.output(["curl", "-s", "--max-time", "2", "-G", prometheus.address + "/api/v1/query", "--data-urlencode", "query=" + query])) ?? ""
            if answer.contains(#""result":[{"#) { return (exporter, prometheus) }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("Prometheus at \(prometheus.address) had no data after 40 s")
        return (exporter, prometheus)
    }

    @Test func validateChecksWhatARolloutNames() throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        let good = try GitopsRun(["validate", "--all", "--repo", copy.path])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        try copy.edit("environments/production/environment.yaml") {
            $0.replacingOccurrences(of: "workload: blog\n        strategy: canary", with: "workload: blogg\n        strategy: canary")
                .replacingOccurrences(of: "{nginx: {ingress: blog}}", with: "{nginx: {ingress: web}}")
        }
        let wrong = try GitopsRun(["validate", "production", "--repo", copy.path])
        #expect(wrong.status == 1, "\(wrong.stdout)\(wrong.stderr)")
        #expect(wrong.stdout.contains("[rollout.reference] release 'blog' renders no Deployment 'blogg' (rollout.workload); it renders blog"), "\(wrong.stdout)")
        #expect(wrong.stdout.contains("renders no Ingress 'web' (rollout.canary.traffic.nginx.ingress); it renders blog"), "\(wrong.stdout)")

        try copy.edit("environments/production/environment.yaml") { $0.replacingOccurrences(of: "setWeight: 25", with: "setWeight: 125") }
        let malformed = try GitopsRun(["validate", "production", "--repo", copy.path])
        #expect(malformed.status == 1 && malformed.stdout.contains("setWeight is a percentage from 0 to 100"), "\(malformed.stdout)\(malformed.stderr)")
    }

    /// A good canary walks every step to 100%; a rising 5xx rate aborts at the first analysis with
    /// the stable version keeping all traffic, and is not retried; a slow p95 aborts too; the next
    /// good version rolls out from the stable one.
    @Test func canaryRollsOutAGoodVersionAndRollsBackBadOnes() async throws {
        guard let (exporter, prometheus) = try await Self.prometheus() else { return }
        defer { exporter.stop(); prometheus.stop() }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        try Self.quicken(setup.copy, prometheus: prometheus.address)
        let client = try setup.client()

        // The first install: nothing runs yet, so nothing to roll out from.
        let first = try setup.sync()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(!first.stdout.contains("rollout blog:"), "nothing rolled out: \(first.stdout)")
        #expect(try await Self.image(client)?.hasSuffix(":1.4.2") == true)

        // A good version: every weight, each analysis passes, then it is the stable version.
        try Self.setTag(setup.copy, "1.5.0")
        let good = try setup.sync()
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("rollout blog: completed at step 9, 100% to"), "\(good.stdout)")
        #expect(try await Self.image(client)?.hasSuffix(":1.5.0") == true)
        #expect(try await client.get(Self.deployments, namespace: "blog-production", name: "blog-canary") == nil)
        #expect(try await client.get(Self.ingresses, namespace: "blog-production", name: "blog-canary") == nil)
        #expect(Self.weights(good.stderr) == ["10", "25", "50", "100"], "\(good.stderr)")
        #expect(good.stderr.contains(#""message":"rollout analysis passed""#), "\(good.stderr)")
        // The canary Ingress carried each weight; the migration hook ran before any traffic moved.
        let log = setup.server.api.requestLog.filter { $0.hasPrefix("PATCH") && !$0.hasSuffix("(dry run)") }
        let hookAt = try #require(log.firstIndex { $0.contains("/jobs/blog-migrate-1-5-0") })
        let canaryAt = try #require(log.firstIndex { $0.contains("/ingresses/blog-canary") })
        #expect(hookAt < canaryAt)
        let diff = try GitopsRun(["diff", "production"] + setup.cluster)
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        #expect(try await Self.record(client)["phase"] == "completed")

        // A version with a rising 5xx rate: aborted at the first analysis, rolled back by itself.
        exporter.set(errorRate: 0.3, latency: 0.03)
        try await Task.sleep(for: .seconds(3))
        try Self.setTag(setup.copy, "1.6.0")
        let bad = try setup.sync()
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        #expect(bad.stdout.contains("rollout blog: aborted at step 2, 0% to"), "\(bad.stdout)")
        #expect(bad.stdout.contains("analysis failed: error-rate failed"), "\(bad.stdout)")
        #expect(bad.stderr.contains(#""message":"rollout aborted; the stable version keeps all traffic""#), "\(bad.stderr)")
        #expect(try await Self.image(client)?.hasSuffix(":1.5.0") == true, "the stable version runs")
        #expect(try await client.get(Self.deployments, namespace: "blog-production", name: "blog-canary") == nil)
        #expect(try await client.get(Self.ingresses, namespace: "blog-production", name: "blog-canary") == nil, "no traffic to the canary")
        var record = try await Self.record(client)
        #expect(record["phase"] == "aborted" && record["analysis"]?.contains("error-rate: failed") == true, "\(record)")
        // Not retried: the next sync of the same revision keeps the stable version.
        exporter.set(errorRate: 0, latency: 0.03)
        let again = try setup.sync()
        #expect(again.status == 1 && again.stdout.contains("rollout blog: aborted"), "\(again.stdout)")
        #expect(!again.stderr.contains("rollout started"), "\(again.stderr)")
        #expect(try await Self.image(client)?.hasSuffix(":1.5.0") == true)
        let status = try GitopsRun(["status", "production"] + setup.cluster)
        #expect(status.stdout.contains("rollout of blog: aborted"), "\(status.stdout)")

        // A slow version: p95 of 450 ms against the 200 ms objective.
        exporter.set(errorRate: 0, latency: 0.45)
        try await Task.sleep(for: .seconds(9))
        try Self.setTag(setup.copy, "1.6.1")
        let slow = try setup.sync()
        #expect(slow.status == 1 && slow.stdout.contains("p95-latency failed"), "\(slow.stdout)\(slow.stderr)")
        #expect(try await Self.image(client)?.hasSuffix(":1.5.0") == true)

        // Fixed: the next version rolls out from the stable one.
        exporter.set(errorRate: 0, latency: 0.03)
        try await Task.sleep(for: .seconds(9))
        try Self.setTag(setup.copy, "1.6.2")
        let fixed = try setup.sync()
        #expect(fixed.status == 0 && fixed.stdout.contains("rollout blog: completed"), "\(fixed.stdout)\(fixed.stderr)")
        #expect(try await Self.image(client)?.hasSuffix(":1.6.2") == true)
        record = try await Self.record(client)
        #expect(record["stableRevision"] == record["revision"] && record["phase"] == "completed", "\(record)")
    }

    /// A `pause: {}` step waits for `gitops rollout promote`; Prometheus unreachable makes the
    /// analysis inconclusive, which waits for a person too (never a pass); `gitops rollout abort`
    /// puts all traffic back on the stable version. While paused, diff does not count the
    /// rollout's objects as drift.
    @Test func manualGatesAndAnUnreachablePrometheusWaitForAPerson() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        let closed = "http://127.0.0.1:\(Int.random(in: 50_000...59_000))"
        try Self.quicken(setup.copy, prometheus: closed)
        try setup.copy.edit("environments/production/environment.yaml") {
            $0.replacingOccurrences(of: "            - pause: 1s\n", with: "            - pause: {}\n")
        }
        let client = try setup.client()
        let first = try setup.sync()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")

        try Self.setTag(setup.copy, "1.5.0")
        let paused = try setup.sync(["--timeout", "20"])
        // Step 2's analysis has no Prometheus to ask: inconclusive, so the rollout waits at 10%.
        #expect(paused.status == 0, "\(paused.stdout)\(paused.stderr)")
        #expect(paused.stdout.contains("rollout blog: paused at step 2, 10% to"), "\(paused.stdout)")
        #expect(paused.stdout.contains("analysis inconclusive"), "\(paused.stdout)")
        let canary = try await client.get(Self.ingresses, namespace: "blog-production", name: "blog-canary")
        #expect(canary?["metadata"]?["annotations"]?["nginx.ingress.kubernetes.io/canary-weight"]?.stringValue == "10")
        let status = try GitopsRun(["rollout", "status", "production"] + setup.cluster)
        #expect(status.status == 0 && status.stdout.contains("blog: paused, step 2, 10% to"), "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("analysis error-rate: inconclusive"), "\(status.stdout)")
        let diff = try GitopsRun(["diff", "production"] + setup.cluster)
        #expect(!diff.stdout.contains("blog-canary"), "the rollout's objects are not drift: \(diff.stdout)")

        // promote: past the inconclusive analysis to 25%, then the pause: {} step waits.
        let promote = try GitopsRun(["rollout", "promote", "production", "blog"] + setup.cluster)
        #expect(promote.status == 0 && promote.stdout.contains("promote of blog in production recorded"), "\(promote.stdout)\(promote.stderr)")
        let gated = try setup.sync()
        #expect(gated.stdout.contains("rollout blog: paused at step 4, 25% to"), "\(gated.stdout)\(gated.stderr)")
        #expect(gated.stdout.contains("paused until `gitops rollout promote`"), "\(gated.stdout)")
        #expect(gated.stderr.contains("rollout: promote requested by"), "\(gated.stderr)")
        // Synced again without a request: it stays where it is.
        let still = try setup.sync()
        #expect(still.stdout.contains("rollout blog: paused at step 4, 25% to"), "\(still.stdout)")

        // abort: the stable version takes all traffic back; the canary's objects go.
        let abort = try GitopsRun(["rollout", "abort", "production"] + setup.cluster)
        #expect(abort.status == 0, "\(abort.stdout)\(abort.stderr)")
        let aborted = try setup.sync()
        #expect(aborted.status == 1 && aborted.stdout.contains("rollout blog: aborted at step 4, 0% to"), "\(aborted.stdout)\(aborted.stderr)")
        #expect(aborted.stdout.contains("aborted by a person"), "\(aborted.stdout)")
        #expect(aborted.stderr.contains("rollback.git: the sync does not follow a branch, so the revert of blog is not proposed"), "\(aborted.stderr)")
        #expect(try await Self.image(client)?.hasSuffix(":1.4.2") == true)
        #expect(try await client.get(Self.ingresses, namespace: "blog-production", name: "blog-canary") == nil)
        #expect(try await client.get(Self.deployments, namespace: "blog-production", name: "blog-canary") == nil)
        let none = try GitopsRun(["rollout", "promote", "production"] + setup.cluster)
        #expect(none.status != 0 && none.stderr.contains("no rollout of blog in progress in production"), "\(none.stderr)")
    }

    /// Staging's blue-green: the new version beside the old behind blog-preview, its readiness
    /// answered and its smoke Job passed, then blog switches to it in one apply. The job killed
    /// (SIGKILL) after the switch leaves traffic on the new version and resumes at the same step
    /// (the checks are not run again); then the old version is replaced.
    @Test func blueGreenSwitchesAfterItsSmokeJobAndResumesAfterAKill() async throws {
        let exporter = try PrometheusExporter()
        defer { exporter.stop() }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        try Self.quicken(setup.copy, environment: "staging", prometheus: "", http: "http://127.0.0.1:\(exporter.port)/metrics.txt")
        try setup.copy.edit("environments/staging/environment.yaml") { $0.replacingOccurrences(of: "scaleDownDelay: 1s", with: "scaleDownDelay: 6s") }
        let client = try setup.client()
        let arguments = ["sync", "staging", "--once", "--timeout", "20"] + setup.cluster
        let first = try GitopsRun(arguments)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        func selector() async throws -> String? {
            try await client.get(Self.services, namespace: "blog-staging", name: "blog")?["spec"]?["selector"]?["gitops/rollout-role"]?.stringValue
        }
        #expect(try await selector() == "stable")

        try Self.setTag(setup.copy, "1.6.0", environment: "staging")
        let process = Process()
        process.executableURL = GitopsRun.executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var switched = false
        for _ in 0..<300 where !switched {
            let record = try await Self.record(client, environment: "staging", namespace: "blog-staging")
            switched = record["step"] == "3"
            if !switched { try await Task.sleep(for: .milliseconds(100)) }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(switched, "the rollout reached its scale-down delay")
        // Killed mid-step: traffic stays where it was (on the new version), the old one still runs.
        #expect(try await selector() == "preview")
        #expect(try await Self.image(client, namespace: "blog-staging")?.hasSuffix(":1.5.0") == true)
        #expect(try await Self.image(client, "blog-preview", namespace: "blog-staging")?.hasSuffix(":1.6.0") == true)
        let smokeRuns = { setup.server.api.requestLog.filter { $0.hasPrefix("POST") || $0.hasPrefix("PATCH") }.filter { $0.contains("/jobs/blog-rollout-") && !$0.hasSuffix("(dry run)") }.count }
        let runsBefore = smokeRuns()
        #expect(runsBefore >= 1, "the smoke Job ran")

        let resumed = try GitopsRun(arguments)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("rollout blog: completed at step 4"), "\(resumed.stdout)")
        #expect(!resumed.stderr.contains("rollout analysis started"), "resumed after the checks: \(resumed.stderr)")
        #expect(smokeRuns() == runsBefore)
        #expect(try await selector() == "stable")
        #expect(try await Self.image(client, namespace: "blog-staging")?.hasSuffix(":1.6.0") == true)
        #expect(try await client.get(Self.deployments, namespace: "blog-staging", name: "blog-preview") == nil)
        #expect(try await client.get(Self.services, namespace: "blog-staging", name: "blog-preview")?["spec"]?["selector"]?["gitops/rollout-role"]?.stringValue == "stable")
    }

    /// SIGTERM during a timed pause stops within seconds with traffic left where it was (25%) and
    /// the step recorded; the next sync resumes there (promote ends the pause early) rather than
    /// starting again at 10%.
    @Test func sigtermMidStepLeavesTrafficWhereItWas() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        let (process, err, client) = try await Self.startPausedRollout(setup)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let signalled = Date()
        kill(process.processIdentifier, SIGTERM)
        #expect(try await SyncServiceTests.eventually(10) { !process.isRunning })
        let stopped = Date().timeIntervalSince(signalled)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stopped < 5, "stopped \(stopped) s after SIGTERM")
        #expect(process.terminationStatus == 1 && stderr.contains("stopped on request during the rollout of blog at step 3 (25% to the new version, traffic left there)"), "\(stderr)")
        let canary = try await client.get(Self.ingresses, namespace: "blog-production", name: "blog-canary")
        #expect(canary?["metadata"]?["annotations"]?["nginx.ingress.kubernetes.io/canary-weight"]?.stringValue == "25")
        #expect(try await client.get(SyncCommandTests.configMaps, namespace: "blog-production", name: "gitops-production-status")?["data"]?["result"]?.stringValue == "Interrupted")

        let promote = try GitopsRun(["rollout", "promote", "production"] + setup.cluster)
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        let resumed = try setup.sync()
        #expect(resumed.status == 0 && resumed.stdout.contains("rollout blog: completed"), "\(resumed.stdout)\(resumed.stderr)")
        #expect(Self.weights(resumed.stderr) == ["50", "100"], "resumed at the pause: \(resumed.stderr)")
        #expect(try await Self.image(client)?.hasSuffix(":1.5.0") == true)
    }

    /// A promote during a timed pause ends it within seconds, while the sync waits in it.
    @Test func aPromoteEndsARunningPauseEarly() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        let (process, _, client) = try await Self.startPausedRollout(setup)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let promote = try GitopsRun(["rollout", "promote", "production"] + setup.cluster)
        #expect(promote.status == 0, "\(promote.stderr)")
        #expect(try await SyncServiceTests.eventually(15) { !process.isRunning }, "the pause ended on the promote")
        #expect(process.terminationStatus == 0)
        #expect(try await Self.record(client)["phase"] == "completed")
        #expect(try await Self.image(client)?.hasSuffix(":1.5.0") == true)
    }

    /// rollback.git: an abort while the job follows a branch proposes the revert as a rollback
    /// branch (the environment's files as the last good revision has them), never merged by itself.
    @Test func anAbortProposesTheRevertInGit() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        let copy = setup.copy
        func commit(_ message: String) throws { try copy.run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qam", message) }
        try Self.quicken(copy, prometheus: "http://127.0.0.1:1")
        try commit("quick rollouts")
        let good = try TestProcess.output(["git", "rev-parse", "HEAD"], in: copy.path, trimmed: true)
        let first = try setup.sync(["--revision", "main"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        try Self.setTag(copy, "1.5.0")
        try commit("production: blog 1.5.0")
        let paused = try setup.sync(["--revision", "main"])
        #expect(paused.stdout.contains("rollout blog: paused at step 2"), "\(paused.stdout)\(paused.stderr)")
        _ = try GitopsRun(["rollout", "abort", "production"] + setup.cluster)
        let aborted = try setup.sync(["--revision", "main"])
        #expect(aborted.status == 1, "\(aborted.stdout)\(aborted.stderr)")
        #expect(aborted.stdout.contains("rollback.git: proposed the revert of blog to \(good.prefix(7)) as rollback/production/"), "\(aborted.stdout)\(aborted.stderr)")
        let branches = try TestProcess.output(["git", "branch", "--list", "rollback/*", "--format", "%(refname:short)"], in: copy.path, trimmed: true)
        #expect(branches.split(separator: "\n").count == 1, "\(branches)")
        let values = try TestProcess.output(["git", "show", "\(branches):environments/production/blog.yaml"], in: copy.path)
        #expect(values.contains(#"tag: "1.4.2""#), "\(values)")
        #expect(try TestProcess.output(["git", "rev-parse", "main"], in: copy.path, trimmed: true) != good, "main is not changed by the job")
        // Held: synced again, nothing more is proposed.
        let again = try setup.sync(["--revision", "main"])
        #expect(!again.stdout.contains("rollback.git"), "\(again.stdout)")
    }

    /// The sync job's PrometheusRule, as production renders it, read by Prometheus' own promtool:
    /// an aborted rollout pages within minutes, a rollout waiting for a person warns after 30.
    @Test func theSyncJobAlertsOnAnAbortedOrWaitingRollout() throws {
        guard (try? TestProcess.output(["sh", "-c", "command -v promtool"])).map({ !$0.isEmpty }) == true else {
            Issue.record("promtool is not installed (Debian's prometheus package has it; scripts/setup installs it)")
            return
        }
        let render = try GitopsRun(["render", "production", "--repo", GitopsProcessTests.repositoryRoot])
        #expect(render.status == 0, "\(render.stderr)")
        let rule = try #require(try YAML.values(Array(render.stdout.utf8), file: "render").first {
            $0["kind"]?.stringValue == "PrometheusRule" && $0["metadata"]?["name"]?.stringValue == "gitops-sync-production"
        })
        let folder = NSTemporaryDirectory() + "gitops-rules-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try JSONWriter.write(.object(["groups": rule["spec"]?["groups"] ?? .null])).write(toFile: folder + "/rules.json", atomically: true, encoding: .utf8)
        try """
            rule_files: [rules.json]
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'gitops_rollout_phase{environment="production",workload="blog",phase="aborted"}'
                    values: '0 0 1 1 1 1'
                  - series: 'gitops_rollout_phase{environment="production",workload="blog",phase="paused"}'
                    values: '1x40'
                alert_rule_test:
                  - eval_time: 5m
                    alertname: GitopsRolloutAborted
                    exp_alerts:
                      - exp_labels: {severity: page, workload: blog}
                        exp_annotations:
                          summary: "The rollout of blog in production was aborted and rolled back (gitops rollout status production; docs/operations.md#rollout-aborted)."
                  - eval_time: 20m
                    alertname: GitopsRolloutWaiting
                  - eval_time: 35m
                    alertname: GitopsRolloutWaiting
                    exp_alerts:
                      - exp_labels: {severity: warning, workload: blog}
                        exp_annotations:
                          summary: "The rollout of blog in production has waited 30 minutes for gitops rollout promote or abort (docs/operations.md#rollout-stuck)."

            """.write(toFile: folder + "/tests.yaml", atomically: true, encoding: .utf8)
        let check = try TestProcess.output(["sh", "-c", "cd '\(folder)' && promtool check rules rules.json && promtool test rules tests.yaml 2>&1"], requireSuccess: false)
        #expect(check.contains("SUCCESS") && !check.contains("FAILED"), "\(check)")
    }
}
