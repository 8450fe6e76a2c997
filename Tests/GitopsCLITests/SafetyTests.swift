import Basics
import Cluster
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KubeModel
import KubeTestServer
import Testing
import YAML

/// What a trial as a new user found (issue 12), end to end against the test API server: one
/// environment's broken files do not stop the others.
@Suite(.serialized) struct SafetyTests {
    @Test func aBrokenSiblingEnvironmentIsAWarningNotAStop() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        // dev names a chart that is not there, and an empty environment folder sits beside it.
        try setup.copy.edit("environments/dev/environment.yaml") { $0.replacingOccurrences(of: "chart: charts/blog", with: "chart: charts/blgo") }
        try FileManager.default.createDirectory(atPath: setup.copy.path + "/environments/qa", withIntermediateDirectories: true)
        let repo = ["--repo", setup.copy.path]

        let render = try GitopsRun(["render", "production"] + repo)
        #expect(render.status == 0 && render.stdout.contains("kind: Deployment"), "\(render.stderr)")
        #expect(render.stderr.contains("warning: environment 'dev' does not load (1 error, the first: environments/dev/environment.yaml:")
                && render.stderr.contains("warning: environment 'qa' does not load"), "\(render.stderr)")
        let validate = try GitopsRun(["validate", "production"] + repo)
        #expect(validate.status == 0 && validate.stdout.hasSuffix("1 environment, 36 objects: 0 errors, 0 warnings\n"), "\(validate.stdout)\(validate.stderr)")
        let synced = try setup.sync()
        #expect(synced.status == 0 && synced.stdout.hasSuffix("healthy\n"), "\(synced.stdout)\(synced.stderr)")
        let status = try GitopsRun(["status", "production"] + setup.cluster)
        #expect(status.status == 0 && status.stdout.hasPrefix("production: Synced at "), "\(status.stdout)\(status.stderr)")

        // --all reports them as errors, in every output format (code scanning sees them).
        let all = try GitopsRun(["validate", "--all", "--output", "sarif"] + repo)
        #expect(all.status == 1 && all.stdout.contains("\"uri\": \"environments/dev/environment.yaml\"") && all.stdout.contains("charts/blgo"), "\(all.stdout)\(all.stderr)")
        #expect(all.stdout.contains("environments/qa") && all.stdout.contains("model.noEnvironmentFile"), "\(all.stdout)")
        // The broken one itself still fails, with its file, line and column.
        let dev = try GitopsRun(["render", "dev"] + repo)
        #expect(dev.status == 2 && dev.stderr.contains("environments/dev/environment.yaml:") && dev.stderr.contains("charts/blgo"), "\(dev.stderr)")

        // production's own file broken: the revision is blocked and recorded so, nothing applied.
        try setup.copy.edit("environments/production/environment.yaml") { $0.replacingOccurrences(of: "chart: charts/redis", with: "chart: charts/redsi") }
        let blocked = try setup.sync()
        #expect(blocked.status == 1 && blocked.stderr.contains("environments/production/environment.yaml:")
                && blocked.stderr.contains("blocked: environment 'production' does not load"), "\(blocked.stdout)\(blocked.stderr)")
        let client = try setup.client()
        #expect(try await SyncStatusReader.result(client) == "Blocked")
    }

    @Test func aParseErrorInASourceEnvironmentIsNotAlsoAMissingEnvironment() throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        try copy.edit("environments/staging/environment.yaml") { $0.replacingOccurrences(of: "kind: Environment", with: "kind: Environment\n  bad: [") }
        let all = try GitopsRun(["validate", "--all", "--repo", copy.path])
        #expect(all.status == 1 && all.stdout.contains("environments/staging/environment.yaml:") && !all.stdout.contains("there is no environments/staging"),
                "\(all.stdout)\(all.stderr)")
        let production = try GitopsRun(["render", "production", "--repo", copy.path])
        #expect(production.status == 0 && production.stderr.contains("warning: environment 'staging' does not load"), "\(production.stderr)")
    }

    /// A TCP port that accepts connections (the kernel completes them from the backlog) and never
    /// answers: a hung API server, a black-holing proxy.
    final class SilentServer {
        let socket: Int32
        let port: Int

        init() throws {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.socket = socket
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
            guard bound == 0, listen(socket, 64) == 0 else { throw CocoaError(.fileWriteUnknown) }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(socket) }

        func kubeconfig(at path: String) throws {
            try """
                apiVersion: v1
                kind: Config
                current-context: silent
                clusters: [{name: silent, cluster: {server: "https://127.0.0.1:\(port)", insecure-skip-tls-verify: true}}]
                users: [{name: silent, user: {token: abc}}]
                contexts: [{name: silent, context: {cluster: silent, user: silent}}]

                """.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    @Test func aServerThatNeverAnswersGivesDeadlinesThatHoldAndSIGTERMIsHonouredAtOnce() async throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        let silent = try SilentServer()
        let kubeconfig = copy.path + "/.kubeconfig"
        try silent.kubeconfig(at: kubeconfig)
        let cluster = ["--repo", copy.path, "--kubeconfig", kubeconfig, "--context", "silent"]

        // The deadline holds for the whole call, retries included.
        let started = Date()
        let diff = try GitopsRun(["diff", "production", "--request-timeout", "2"] + cluster)
        let took = Date().timeIntervalSince(started)
        #expect(diff.status == 2 && diff.stderr.contains("no answer from https://127.0.0.1:\(silent.port) within 2 s"), "\(diff.stderr)")
        #expect(took < 6, "took \(took) s")

        // SIGTERM while a request waits (default deadline 30 s): abandoned at once, Interrupted.
        let process = Process()
        process.executableURL = GitopsRun.executable
        process.arguments = ["sync", "production", "--once"] + cluster
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let signalled = Date()
        kill(process.processIdentifier, SIGTERM)
        #expect(try await SyncServiceTests.eventually(15) { !process.isRunning })
        let stopped = Date().timeIntervalSince(signalled)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 1 && stderr.contains("stopped on request"), "\(stderr)")
        #expect(stopped < 8, "stopped \(stopped) s after SIGTERM (the status write gets 5 s)")
    }
}
