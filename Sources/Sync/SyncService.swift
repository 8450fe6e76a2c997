import Basics
import Cluster
import Drift
import Foundation
import Gates
import Git
import KubeModel
import RepoModel
import Render

/// The sync job: every `interval`, fetch the repository, and when there is a new revision (or,
/// with self-heal, every time) render it, pass the gates and reconcile. A revision that fails to
/// render or pass the gates is refused and the last good one stays applied; failures are retried
/// with exponential backoff capped at the interval.
public final class SyncService: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var environment: String
        public var source: SyncSource
        public var interval: Double = 60
        public var selfHeal = true
        public var seedSecret: String?
        public var options: @Sendable (inout SyncOptions) -> Void = { _ in }

        public init(environment: String, source: SyncSource) {
            self.environment = environment
            self.source = source
        }
    }

    let configuration: Configuration
    let client: KubeClient
    let log: JSONLog
    public let metrics = SyncMetrics()
    private let lock = NSLock()
    private var stopping = false
    private var wake = DispatchSemaphore(value: 0)
    /// The last revision that synced (converged or not), and the last one refused.
    public private(set) var lastApplied: String?
    public private(set) var lastRefused: String?

    public init(configuration: Configuration, client: KubeClient) {
        self.configuration = configuration
        self.client = client
        log = JSONLog(environment: configuration.environment)
    }

    /// Asks the loop to stop after the reconcile in progress (SIGTERM).
    public func stop() {
        lock.withLock { stopping = true }
        wake.signal()
    }

    /// Triggers a fetch now (a webhook).
    public func trigger() { wake.signal() }

    private var isStopping: Bool { lock.withLock { stopping } }

    /// Runs until `stop()`.
    public func run() {
        var failures = 0
        while !isStopping {
            var delay = configuration.interval
            do {
                try reconcileOnce()
                failures = 0
            } catch {
                failures += 1
                delay = min(configuration.interval, pow(2, Double(failures)))
                log.error("sync failed; retrying in \(Int(delay)) s", ["error": "\(error)", "failures": String(failures)])
            }
            if isStopping { break }
            _ = wake.wait(timeout: .now() + delay)
        }
        log.info("stopped")
    }

    /// One pass: fetch, and reconcile when there is something to do.
    public func reconcileOnce() throws {
        let fetchStarted = Date()
        let (repository, commit) = try configuration.source.latest()
        metrics.recordFetch(seconds: Date().timeIntervalSince(fetchStarted))
        let started = Date()
        let short = String(commit.prefix(7))
        if commit == lastRefused { return }  // still the refused revision: keep the last good one
        if commit == lastApplied && !configuration.selfHeal { return }
        let tree = try repository.tree(at: commit)
        let model = try RepositoryLoader.load(from: tree)
        guard let environment = model.environment(named: configuration.environment) else {
            throw SyncError.invalid("no environment '\(configuration.environment)' at \(short)")
        }
        let renderTime = Date(timeIntervalSince1970: tree.commit.time)
        var options = SyncOptions(environment: environment.name, namespace: environment.namespace, revision: commit)
        options.ignore = IgnoreRules(environment.ignoreDifferences)
        configuration.options(&options)
        let settled = options
        let objects: [Object]
        do {
            objects = try Renderer(tree: tree, renderTime: renderTime, seedSecret: configuration.seedSecret).render(environment).objects
            let report = try EnvironmentChecker(tree: tree, model: model, renderTime: renderTime, seedSecret: configuration.seedSecret)
                .check([environment.name])
            if !report.passed {
                throw SyncError.refused("revision \(short) blocked: \(report.summary): " + report.errors.prefix(3).map(\.description).joined(separator: "; "))
            }
        } catch {
            lastRefused = commit
            let message = "\(error)"
            log.error("revision refused; the last good revision stays applied", revision: commit, ["error": message, "lastApplied": lastApplied ?? "none"])
            try? Blocking.run { try await SyncStatus.write(self.client, options: settled, result: "Blocked", message: message, report: nil) }
            metrics.recordSync(result: "Blocked", seconds: Date().timeIntervalSince(started), report: nil, revision: commit)
            return
        }
        let client = self.client
        let result: SyncReport
        do {
            result = try Blocking.run { () async throws -> SyncReport in
                do {
                    let result = try await Reconciler(client: client, options: settled).sync(objects)
                    try await SyncStatus.write(client, options: settled, result: result.converged ? "Synced" : "Degraded", message: result.summary, report: result)
                    return result
                } catch {
                    try? await SyncStatus.write(client, options: settled, result: "Failed", message: "\(error)", report: nil)
                    throw error
                }
            }
        } catch {
            metrics.recordSync(result: "Failed", seconds: Date().timeIntervalSince(started), report: nil, revision: commit)
            throw error
        }
        metrics.recordSync(result: result.converged ? "Synced" : "Degraded", seconds: Date().timeIntervalSince(started), report: result, revision: commit)
        if commit != lastApplied || !result.applied.isEmpty || !result.pruned.isEmpty {
            log.info("synced", revision: commit, ["applied": String(result.applied.count), "pruned": String(result.pruned.count),
                                                   "unchanged": String(result.unchanged), "healthy": String(result.converged)])
        }
        lastApplied = commit
    }
}
