import Basics
import ChartSources
import Cluster
import Drift
import Foundation
import Gates
import Git
import KubeModel
import Notifications
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
        /// Where remote charts come from: the cache (a volume the job keeps) and its own credentials.
        public var charts = ChartAccess(cache: .standard())
        public var options: @Sendable (inout SyncOptions) -> Void = { _ in }

        public init(environment: String, source: SyncSource) {
            self.environment = environment
            self.source = source
        }
    }

    let configuration: Configuration
    let client: KubeClient
    let log: JSONLog
    public let metrics: SyncMetrics
    private let stopping = StopFlag()
    private var wake = DispatchSemaphore(value: 0)
    /// The last revision that synced (converged or not), and the last one refused.
    public private(set) var lastApplied: String?
    public private(set) var lastRefused: String?
    private var resumed = false
    /// The environment's namespace at the last revision that loaded (where its status lives).
    private var knownNamespace: String? {
        get { namespaceLock.withLock { namespaceSeen } }
        set { namespaceLock.withLock { namespaceSeen = newValue } }
    }
    private var namespaceSeen: String?
    private var fetchedTree: GitTree?
    /// The tree of the latest commit fetched (applied or refused), for the dashboard; nil before the first fetch.
    public var latestTree: GitTree? { namespaceLock.withLock { fetchedTree } }
    /// The HTTP endpoints read the namespace and the tree from their own threads.
    private let namespaceLock = NSLock()
    /// The last sync's warnings (objects kept from a prune, fields taken back), logged when new.
    private var lastWarnings = Set<String>()
    /// The repository (or fetch cache), opened once and polled from then on.
    private var opened: Repository?
    /// Delivers events to the receivers gitops.yaml names, in the background.
    let notifier: Notifier
    /// The notification rules of the revision last loaded.
    private var notifications = NotificationSettings()
    /// The objects of the last revision that passed the gates (self-heal resyncs reuse them).
    private var prepared: (commit: String, revision: SyncPass.Prepared)?

    /// - Parameter repository: the source's repository when the caller already opened it.
    public init(configuration: Configuration, client: KubeClient, repository: Repository? = nil) {
        self.configuration = configuration
        self.client = client
        opened = repository
        let log = JSONLog(environment: configuration.environment)
        self.log = log
        metrics = SyncMetrics(environment: configuration.environment)
        notifier = Notifier { problem in log.warning(problem) }
    }

    /// Tells the receivers the rules name for `event`, without waiting for them.
    private func notify(_ event: Event) { notifier.notify(event, settings: notifications) }

    /// Asks the loop to stop after the reconcile in progress (SIGTERM).
    public func stop() {
        stopping.set()
        client.interrupt()  // a request waiting on a server that does not answer is abandoned at once
        wake.signal()
    }

    /// Triggers a fetch now (a webhook).
    public func trigger() { wake.signal() }

    /// Records a person's `promote` or `abort` of `workload`'s rollout (the HTTP endpoint) and
    /// wakes the loop to act on it; the answer for the caller.
    func requestRollout(workload: String, action: String, by person: String) async -> (ok: Bool, message: String) {
        guard let namespace = knownNamespace else { return (false, "no revision loaded yet; try again after the first sync") }
        let environment = configuration.environment
        do {
            let (record, _) = try await RolloutRecord.read(client, environment: environment, namespace: namespace, workload: workload)
            guard let record, record.state.isActive else { return (false, "no rollout of \(workload) in progress") }
            try await RolloutRecord.request(client, environment: environment, namespace: namespace, workload: workload, action: action, by: person)
        } catch {
            return (false, "recording the \(action) failed: \(error)")
        }
        log.info("rollout: \(action) of \(workload) requested over HTTP", ["by": person])
        trigger()
        return (true, "\(action) of \(workload) recorded\n")
    }

    private var isStopping: Bool { stopping.isSet }

    /// Runs until `stop()`.
    public func run() {
        var failures = 0
        while !isStopping {
            var delay = configuration.interval
            do {
                try reconcileOnce()
                failures = 0
            } catch {
                if (error as? SyncError)?.statusResult == "Interrupted" {
                    log.info("sync interrupted; status recorded", ["reason": "\(error)"])
                    break
                }
                failures += 1
                delay = min(configuration.interval, pow(2, Double(failures)))
                log.error("sync failed; retrying in \(Int(delay)) s", ["error": "\(error)", "failures": String(failures)])
            }
            if isStopping { break }
            if rolloutWaiting { delay = min(delay, rolloutPollInterval) }
            Self.releaseFreedMemory()
            _ = wake.wait(timeout: .now() + delay)
        }
        log.info("stopped")
    }

    /// Hands the memory a reconcile freed back to the system before sleeping: the job is idle
    /// most of the time, and glibc otherwise keeps the peak of every thread's arena resident.
    static func releaseFreedMemory() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }

    /// Still the refused revision (the last good one stays), or the applied one without self-heal
    /// and no rollout of it waiting (for a person's promote or abort, or a pause).
    private func alreadyHandled(_ commit: String) -> Bool {
        commit == lastRefused || (commit == lastApplied && !configuration.selfHeal && !rolloutWaiting)
    }

    /// Whether a rollout of the last revision is still in progress: the job then looks again soon
    /// (a person's promote or abort is acted on within seconds, not an interval).
    private var rolloutWaiting = false
    /// How soon the job looks again while a rollout waits.
    public var rolloutPollInterval: Double = 5

    /// After a restart: the revision the status ConfigMap names counts as applied (or refused), so
    /// an unchanged revision is not synced again without self-heal and not refused twice; hooks
    /// that succeeded for it are recorded there as well and are not run again either way.
    private func resume(namespace: String) {
        let client = self.client, environment = configuration.environment
        guard let status = try? Blocking.run({ try await SyncStatus.read(client, environment: environment, namespace: namespace) }),
              let revision = status["revision"] else { return }
        switch status["result"] {
        case "Synced", "Degraded": lastApplied = revision
        case "Blocked": lastRefused = revision
        default: break
        }
        log.info("resuming from the recorded status", revision: revision, ["result": status["result"] ?? "?"])
    }

    /// Refuses a revision whose own environment.yaml has errors: logged, recorded as Blocked in
    /// the status (in the namespace the file still names, else the last one known), counted.
    private func refuse(_ commit: String, broken: BrokenEnvironment, started: Date) {
        lastRefused = commit
        let message = SyncPass.blockedMessage(revision: commit, broken: broken)
        log.error("revision refused; the last good revision stays applied", revision: commit,
                  ["error": message, "findings": broken.problems.prefix(5).map(\.description).joined(separator: "; "), "lastApplied": lastApplied ?? "none"])
        let namespace = broken.partial.map(\.namespace).flatMap { $0.isEmpty ? nil : $0 } ?? knownNamespace
        if let namespace {
            let options = SyncOptions(environment: configuration.environment, namespace: namespace, revision: commit)
            try? Blocking.run { await SyncPass(client: self.client, options: options).recordBlocked(message) }
        }
        metrics.recordSync(result: "Blocked", seconds: Date().timeIntervalSince(started), report: nil, revision: commit)
        notify(Event(.revisionBlocked, environment: configuration.environment, revision: commit, message: message,
                     details: broken.problems.prefix(5).map(\.description), key: "blocked|\(commit)"))
    }

    /// The revision's objects when it renders and passes the gates; otherwise nil, with the
    /// revision refused, logged, recorded in the status and counted.
    private func prepare(tree: GitTree, model: EnvironmentRepository, environment: Environment, commit: String,
                         pass: SyncPass, started: Date) -> SyncPass.Prepared? {
        do {
            return try SyncPass.prepare(tree: tree, model: model, environment: environment, revision: commit,
                                        renderTime: Date(timeIntervalSince1970: tree.commit.time), seedSecret: configuration.seedSecret,
                                        chartCache: configuration.charts.cache)
        } catch {
            lastRefused = commit
            var fields = ["error": "\(error)", "lastApplied": lastApplied ?? "none"]
            if case .blocked(_, let findings) = error as? SyncError { fields["findings"] = findings.prefix(5).joined(separator: "; ") }
            log.error("revision refused; the last good revision stays applied", revision: commit, fields)
            try? Blocking.run { await pass.recordBlocked("\(error)") }
            metrics.recordSync(result: "Blocked", seconds: Date().timeIntervalSince(started), report: nil, revision: commit)
            var findings: [String] = []
            if case .blocked(_, let list) = error as? SyncError { findings = Array(list.prefix(5)) }
            notify(Event(.revisionBlocked, environment: configuration.environment, revision: commit, message: "\(error)", details: findings, key: "blocked|\(commit)"))
            return nil
        }
    }

    /// One pass: fetch, and reconcile when there is something to do.
    public func reconcileOnce() throws {
        let fetchStarted = Date()
        let (repository, commit) = try configuration.source.latest(reusing: opened)
        opened = repository
        metrics.recordFetch(seconds: Date().timeIntervalSince(fetchStarted))
        let started = Date()
        let short = String(commit.prefix(7))
        if alreadyHandled(commit) { return }
        let tree = try repository.tree(at: commit)
        namespaceLock.withLock { fetchedTree = tree }
        let model = try RepositoryLoader.loadEach(from: tree)
        notifications = model.settings.notifications
        // Another environment's broken files never stop this one; its own block the revision.
        if let broken = model.brokenEnvironment(named: configuration.environment) {
            refuse(commit, broken: broken, started: started)
            return
        }
        guard let environment = model.environment(named: configuration.environment) else {
            throw SyncError.invalid("no environment '\(configuration.environment)' at \(short)")
        }
        knownNamespace = environment.namespace
        if !resumed {
            resumed = true
            resume(namespace: environment.namespace)
            if alreadyHandled(commit) { return }
        }
        var options = SyncOptions(environment: environment.name, namespace: environment.namespace, revision: commit)
        options.ignore = IgnoreRules(environment.ignoreDifferences)
        configuration.options(&options)
        let stopping = self.stopping
        options.stopRequested = { stopping.isSet }
        var configured = SyncPass(client: client, options: options, metrics: metrics)
        configured.log = log
        let pass = configured
        let objects: SyncPass.Prepared
        if let prepared, prepared.commit == commit {
            objects = prepared.revision  // rendered and checked at an earlier poll: a commit renders the same every time
        } else {
            // The archives the locks pin, fetched before the render; a failure is retried at the
            // next poll (the registry may be down), never recorded as a refused revision.
            if ChartPrefetch.needed(model.environments, tree: tree) {
                var access = configuration.charts
                let stopping = self.stopping
                access.stopRequested = { stopping.isSet }
                let charts = access
                do {
                    try Blocking.run { try await ChartPrefetch.ensure(model.environments, tree: tree, access: charts) }
                } catch {
                    throw SyncError.invalid("fetching the charts revision \(short) pins failed: \(error)")
                }
            }
            guard let fresh = prepare(tree: tree, model: model, environment: environment, commit: commit, pass: pass, started: started) else { return }
            objects = fresh
            prepared = (commit, fresh)
        }
        let result: SyncReport
        do {
            result = try Blocking.run { try await pass.reconcile(objects) }
        } catch {
            let result = (error as? SyncError)?.statusResult ?? "Failed"
            metrics.recordSync(result: result, seconds: Date().timeIntervalSince(started), report: nil, revision: commit)
            if result == "Failed" {
                notify(Event(.syncFailed, environment: environment.name, revision: commit, message: "sync of \(short) failed: \(error)", key: "failed|\(commit)|\(error)"))
            }
            throw error
        }
        metrics.recordSync(result: result.converged ? "Synced" : "Degraded", seconds: Date().timeIntervalSince(started), report: result, revision: commit)
        // What the sync kept or took back, said once (not at every poll while it stays the same).
        for warning in result.warnings where !lastWarnings.contains(warning) { log.warning(warning, revision: commit) }
        lastWarnings = Set(result.warnings)
        if commit != lastApplied || !result.applied.isEmpty || !result.pruned.isEmpty {
            log.info("synced", revision: commit, ["applied": String(result.applied.count), "pruned": String(result.pruned.count),
                                                   "unchanged": String(result.unchanged), "healthy": String(result.converged)])
        }
        events(of: result, commit: commit, environment: environment.name)
        lastApplied = commit
        if let repository = opened {
            for (ok, message) in RolloutGitRollback.propose(result, rollouts: objects.rollouts, environment: environment.name,
                                                            target: .of(configuration.source, repository: repository)) {
                if ok { log.info(message, revision: commit) } else { log.error(message, revision: commit) }
            }
        }
        rolloutWaiting = result.rollouts.contains { $0.record.state.isActive }
    }
}

extension SyncService {
    /// What a sync that reached the cluster tells the receivers: a new revision synced, objects
    /// put back (self-heal), objects not healthy, a rollout aborted.
    private func events(of result: SyncReport, commit: String, environment: String) {
        let short = SyncOptions.short(commit)
        for outcome in result.rollouts where outcome.abortedNow {
            notify(Event(.rolloutAborted, environment: environment, revision: commit, message: "rollout of \(outcome.workload) aborted: \(outcome.record.state.message)",
                         details: outcome.record.analysis, key: "rollout|\(outcome.workload)|\(outcome.record.hash)"))
        }
        if !result.unhealthy.isEmpty {
            let names = result.unhealthy.keys.sorted()
            notify(Event(.healthDegraded, environment: environment, revision: commit, message: "\(names.count) objects not healthy at \(short)",
                         details: names.map { "\($0): \(result.unhealthy[$0]!)" }, key: "degraded|\(commit)|\(names.joined(separator: ","))"))
        } else if commit != lastApplied {
            notify(Event(.syncSucceeded, environment: environment, revision: commit, message: "synced \(short): \(result.summary)", key: "synced|\(commit)"))
        } else if !result.applied.isEmpty || !result.pruned.isEmpty {
            notify(Event(.driftHealed, environment: environment, revision: commit, message: "put back what differed from \(short) in the cluster",
                         details: result.applied + result.pruned.map { "pruned \($0)" }, key: "drift|\(commit)|\(result.applied.sorted().joined(separator: ","))"))
        }
    }
}

#if os(Linux)
/// glibc's `malloc_trim`, which the Glibc module does not export.
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
