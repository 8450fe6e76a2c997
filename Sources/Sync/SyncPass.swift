import Basics
import ChartSources
import Cluster
import Drift
import Foundation
import Gates
import KubeModel
import RepoModel
import Render
import Rollouts

/// One sync of an environment at one revision, as `gitops sync --once` and the job both run it:
/// render and gates first (a failure blocks the revision with nothing applied), then the
/// reconcile, with its outcome recorded in the status ConfigMap whatever it is.
public struct SyncPass: Sendable {
    public let client: KubeClient
    public let options: SyncOptions
    /// Where rollout steps are logged and counted.
    public var log: JSONLog
    public var metrics: SyncMetrics?

    public init(client: KubeClient, options: SyncOptions, metrics: SyncMetrics? = nil) {
        self.client = client
        self.options = options
        self.log = JSONLog(environment: options.environment)
        self.metrics = metrics
    }

    /// A revision ready to reconcile: the environment's objects, checked, and what the other
    /// environments on the cluster render (never pruned by this one).
    public struct Prepared: Sendable {
        public var objects: [Object]
        public var shared: SharedObjects
        /// The releases that roll out progressively, with how.
        public var rollouts: [(release: String, spec: RolloutSpec)] = []

        /// `options` with the prune guard and the siblings of this revision.
        public func configure(_ options: inout SyncOptions) {
            options.pruneGuard = PruneGuard(environment: options.environment, sharedWith: shared.renderedBy, unknownSiblings: shared.unknown,
                                            versions: shared.versions)
            options.siblings = shared.siblings
        }
    }

    /// The environment's objects when the revision renders and passes schemas and policies;
    /// otherwise `SyncError.blocked` with the findings (a setup error, such as a missing schema
    /// folder, is thrown as it is).
    public static func prepare(tree: any FileTree, model: EnvironmentRepository, environment: Environment, revision: String,
                               renderTime: Date, seedSecret: String?, chartCache: ChartCache = .standard()) throws -> Prepared {
        let short = SyncOptions.short(revision)
        do {
            let checker = try EnvironmentChecker(tree: tree, model: model, renderTime: renderTime, seedSecret: seedSecret, chartCache: chartCache)
            let renderer = Renderer(tree: tree, renderTime: renderTime, seedSecret: seedSecret, chartCache: chartCache)
            let objects = try renderer.render(environment).objects
            // A Secret is never applied half-decrypted: a file the job has no key for blocks the revision.
            let locked = renderer.lockedSecrets
            guard locked.isEmpty else {
                throw SyncError.blocked("revision \(short) blocked: the job has no key for \(locked.map(\.file).joined(separator: ", "))",
                                        findings: locked.map { "\($0.file): SOPS-encrypted for \($0.recipients.joined(separator: ", ")); mount its age key (secrets.ageKeySecret in charts/gitops-sync) or SOPS_AGE_KEY_FILE" })
            }
            let report = checker.check(objects, of: environment)
            guard report.passed else {
                throw SyncError.blocked("revision \(short) blocked: \(report.summary)", findings: report.errors.map(\.description))
            }
            var prepared = Prepared(objects: objects, shared: SharedObjects.of(environment, in: model, renderer: renderer, own: objects))
            prepared.rollouts = environment.releases.compactMap { release in release.rollout.map { (release.name, $0) } }
            return prepared
        } catch let error as DiagnosticError {
            throw SyncError.blocked("revision \(short) blocked: it does not render", findings: [error.description])
        }
    }

    /// Why a revision whose own environment.yaml has errors is blocked, for the status and the terminal.
    public static func blockedMessage(revision: String, broken: BrokenEnvironment) -> String {
        "revision \(SyncOptions.short(revision)) blocked: \(broken.summary)"
    }

    /// Records a blocked revision in the status (best effort: the cluster may be what failed).
    public func recordBlocked(_ message: String) async {
        try? await SyncStatus.write(client, options: options, result: "Blocked", message: message, report: nil)
    }

    /// Reconciles, then drives the rollouts, and records the result: Synced or Degraded, else
    /// Failed or Interrupted (and rethrows). A release rolling out is applied as its recorded step
    /// has it; pre-sync hooks (migrations) run before any of its traffic moves.
    public func reconcile(_ prepared: Prepared) async throws -> SyncReport {
        var options = self.options
        prepared.configure(&options)
        do {
            let driver = RolloutDriver(client: client, options: options, log: log, metrics: metrics)
            let (objects, plans) = try await driver.plan(prepared.objects, rollouts: prepared.rollouts)
            var report = try await Reconciler(client: client, options: options).sync(objects)
            try await SyncStatus.write(client, options: options, result: report.converged ? "Synced" : "Degraded", message: report.summary, report: report)
            guard !plans.isEmpty else { return report }
            report.rollouts = try await driver.drive(plans)
            report.applied += report.rollouts.flatMap(\.applied)
            try await SyncStatus.write(client, options: options, result: report.converged ? "Synced" : "Degraded", message: report.summary, report: report)
            return report
        } catch {
            var error = error
            // A stop request abandoned a request in flight (a rollout's, outside the reconciler).
            if case .interrupted(let message)? = error as? ClusterError {
                error = SyncError.interrupted("\(message) at revision \(options.shortRevision); the next sync carries on")
            }
            let result = (error as? SyncError)?.statusResult ?? "Failed"
            try? await SyncStatus.write(client, options: options, result: result, message: "\(error)", report: nil)
            throw error
        }
    }
}
