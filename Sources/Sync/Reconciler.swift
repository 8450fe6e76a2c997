import Basics
import Cluster
import Drift
import Foundation
import KubeModel
import Rollouts

/// How a sync behaves.
public struct SyncOptions: Sendable {
    public var environment: String
    /// Where the inventory and status ConfigMaps live.
    public var namespace: String
    public var revision: String
    public var fieldManager = "gitops"
    /// Take over fields other managers own (off: a conflict stops the apply of that object).
    public var forceConflicts = false
    public var prune = true
    /// A prune deleting more than this share of the inventory is refused unless `allowMassPrune`.
    public var maximumPruneShare = 0.5
    public var allowMassPrune = false
    /// How long to wait for health (per wave, per hook) before calling it Degraded.
    public var healthTimeout: Double = 300
    public var pollInterval: Double = 1
    public var ignore = IgnoreRules()
    /// What must not be pruned: objects other environments render, data-holding kinds without an
    /// opt-in (see `PruneGuard`).
    public var pruneGuard: PruneGuard
    /// Other environments that may share the cluster, with their namespaces: their inventories
    /// are read so an object one of them applied is never pruned by this one.
    public var siblings: [(name: String, namespace: String)] = []
    /// Asked before each object, hook and health poll: true stops the sync there (SIGTERM), with
    /// `SyncError.interrupted`; the object in progress is finished first.
    public var stopRequested: @Sendable () -> Bool = { false }

    public init(environment: String, namespace: String, revision: String) {
        self.environment = environment
        self.namespace = namespace
        self.revision = revision
        pruneGuard = PruneGuard(environment: environment)
    }

    /// `revision` as messages print it.
    public var shortRevision: String { Self.short(revision) }

    /// A commit id's first seven characters; anything else (`working tree of 1a2b3c4`) as it is.
    public static func short(_ revision: String) -> String { revision.count == 40 ? String(revision.prefix(7)) : revision }
}

/// What a sync did.
public struct SyncReport: Sendable {
    public var revision: String
    public var applied: [String] = []
    /// How many of `applied` did not exist before.
    public var created = 0
    public var pruned: [String] = []
    public var unchanged = 0
    public var hooks: [String] = []
    /// Helm hooks a sync does not run (test, delete and rollback hooks), with why.
    public var notApplied: [String] = []
    /// Objects that are not healthy at the end, with why.
    public var unhealthy: [String: Health] = [:]
    public var warnings: [String] = []
    /// Where each rollout of the environment stands after this sync.
    public var rollouts: [RolloutOutcome] = []
    /// Healthy, and no rollout of this revision aborted (the stable version runs instead).
    public var converged: Bool { unhealthy.isEmpty && !rollouts.contains { $0.record.state.phase == .aborted } }

    /// `applied 3, pruned 1, unchanged 21; healthy` and so on.
    public var summary: String {
        "applied \(applied.count), pruned \(pruned.count), unchanged \(unchanged), hooks \(hooks.count); "
            + (unhealthy.isEmpty ? "healthy" : "\(unhealthy.count) not healthy")
            + rollouts.filter(\.rolling).map { "; rollout of \($0.workload): \($0.record.state.phase.rawValue), \($0.record.state.message)" }.joined()
    }
}

/// Converges a cluster to an environment's objects: pre-sync hooks, then CRDs and Namespaces,
/// then each wave (applied with server-side apply where they differ, waited for), prune of what
/// the environment no longer has (refused when it would delete too much), health, post-sync hooks,
/// and the inventory and status ConfigMaps.
public struct Reconciler: Sendable {
    public let client: KubeClient
    public let options: SyncOptions
    /// Shared objects that keep another environment's label, set once the live state is read.
    private var owners: [ResourceKey: String] = [:]

    public init(client: KubeClient, options: SyncOptions) {
        self.client = client
        self.options = options
    }

    public func sync(_ objects: [Object]) async throws -> SyncReport {
        var reconciler = self
        do {
            return try await reconciler.converge(objects)
        } catch let error as ClusterError {
            // A stop request abandoned a request in flight: the same as stopping at a checkpoint.
            guard case .interrupted(let message) = error else { throw error }
            throw SyncError.interrupted("\(message) at revision \(options.shortRevision); the next sync carries on")
        }
    }

    private mutating func converge(_ objects: [Object]) async throws -> SyncReport {
        let environment = options.environment
        let plan = try SyncPlan(objects.map { LiveState.labelled($0, environment: environment) })
        // Helm test hooks and the like are not part of what the environment keeps in the cluster.
        let desired = plan.steps.map(\.object)
        var report = SyncReport(revision: options.revision)
        report.notApplied = plan.skipped.map { "\($0.displayName) (\(HelmHook.annotation): \($0.annotation(HelmHook.annotation) ?? ""))" }
        let inventory = try await Inventory.read(client, options: options)
        // Hooks already run for this revision (recorded as each succeeds): a restart does not run them again.
        var hooksDone = try await SyncStatus.hooksSucceeded(client, options: options)
        // What the other environments on the cluster applied counts as theirs too.
        var guardrail = options.pruneGuard
        for (key, names) in try await Inventory.readSiblings(client, options: options) { guardrail.sharedWith[key, default: []].formUnion(names) }
        let pruneGuard = guardrail

        // What differs, as the API server predicts the apply; shared objects keep their owner's label.
        let state = try await LiveState.read(client: client, desired: plan.mainObjects, environment: environment, serverSide: true,
                                             fieldManager: options.fieldManager) { pruneGuard.ownerLabel(for: $0, live: $1) }
        owners = state.owners
        report.warnings += state.warnings
        let drift = Drift.compare(desired: state.desired, live: state.live, ignore: options.ignore) { _ in false }
        let differing = Set(drift.entries.filter { $0.action != .unchanged }.map(\.key))
        try refuseContested(drift, desired: plan.mainObjects, guard: pruneGuard)
        report.created = drift.entries.filter { $0.action == .create }.count
        report.unchanged = drift.entries.filter { $0.action == .unchanged }.count

        // CRDs and Namespaces first (hooks run inside the namespaces), then the pre-sync hooks, each
        // run to completion (a failure stops the sync), then the other waves in order.
        var waves = plan.waves
        let foundations = waves.first.map { $0.allSatisfy { $0.kind == "CustomResourceDefinition" || $0.kind == "Namespace" } } == true
            ? waves.removeFirst() : []
        for (index, wave) in ([foundations] + waves).enumerated() {
            for object in wave where differing.contains(object.key) {
                try checkpoint(report)
                _ = try await apply(object, report: &report)
                report.applied.append(object.displayName)
            }
            // The next wave starts once this one is healthy (CRDs established, Namespaces there, ...);
            // a rollout's new version is watched by the rollout, which aborts rather than waits.
            for (name, health) in try await waitForHealth(wave.filter { $0.label(CanaryObjects.roleLabel) == nil }) { report.unhealthy[name] = health }
            if index == 0 {
                for hook in plan.steps where hook.phase == .preSync { try await runHook(hook.object, done: &hooksDone, into: &report) }
            }
        }

        if options.prune {
            report.pruned = try await prune(desired: desired, live: state.live, inventory: inventory, guard: pruneGuard, report: &report)
        }
        for hook in plan.steps where hook.phase == .postSync { try await runHook(hook.object, done: &hooksDone, into: &report) }
        try await Inventory.write(client, options: options, keys: desired.map(\.key))
        return report
    }

    // MARK: Steps

    /// Refuses, before anything is applied, an environment that renders a shared object
    /// differently from the environment that applied it (see `PruneGuard.contested`).
    private func refuseContested(_ drift: DriftReport, desired: [Object], guard pruneGuard: PruneGuard) throws(SyncError) {
        let contested = pruneGuard.contested(drift, desired: desired, owners: owners, label: LiveState.environmentLabel)
        guard !contested.isEmpty else { return }
        throw SyncError.refused("\(options.environment) renders objects that another environment also renders, differently: "
            + contested.joined(separator: "; ")
            + "; nothing was applied. Render them alike in both environments, render them in one only, or give them different names")
    }

    /// Throws `SyncError.interrupted` when a stop was asked for; `progress` says how far it got.
    private func checkpoint(_ progress: @autoclosure () -> String) throws(SyncError) {
        guard options.stopRequested() else { return }
        throw SyncError.interrupted("stopped on request at revision \(options.shortRevision) \(progress()); the next sync carries on")
    }

    private func checkpoint(_ report: SyncReport) throws(SyncError) {
        try checkpoint("after applying \(report.applied.count) and pruning \(report.pruned.count) objects")
    }

    /// Server-side apply of `object`. A conflict with fields set by imperative updates (`kubectl
    /// edit`, `scale`, `patch`, a dashboard: managers whose last operation is `Update`) is a manual
    /// change self-heal puts back, so those fields are taken over (and said so in `report`); a
    /// conflict with another applier (a manager whose operation is `Apply`: another declarative
    /// owner) stops the apply unless `forceConflicts`.
    private func apply(_ object: Object, report: inout SyncReport) async throws -> ValueObject {
        // A shared object keeps the label of the environment that owns it.
        let object = owners[object.key].map { LiveState.labelled(object, environment: $0) } ?? object
        // Ignored fields are not applied: left to whoever owns them (an HPA, a webhook, a person).
        let content = options.ignore.stripped(object).content
        do {
            return try await client.apply(content, fieldManager: options.fieldManager, force: options.forceConflicts)
        } catch {
            guard case .api(let failure) = error, failure.reason == .conflict else { throw error }
            let managers = failure.conflictingManagers
            if try await onlyUpdated(object, by: managers) {
                let fields = failure.causes.map(\.field).joined(separator: ", ")
                report.warnings.append("\(object.displayName): put back \(fields), changed in the cluster by \(managers.joined(separator: ", "))")
                return try await client.apply(content, fieldManager: options.fieldManager, force: true)
            }
            throw SyncError.refused("\(object.displayName): fields owned by \(failure.conflictingManagers.joined(separator: ", ")) would change (\(failure.causes.map(\.field).joined(separator: ", "))); pass --force-conflicts to take them over")
        }
    }

    /// Whether every one of `managers` last wrote `object` with an update rather than an apply.
    private func onlyUpdated(_ object: Object, by managers: [String]) async throws -> Bool {
        guard !managers.isEmpty,
              let live = try await client.get(object.gvk, namespace: object.namespace.isEmpty ? nil : object.namespace, name: object.name) else { return false }
        var operations: [String: String] = [:]
        for entry in live["metadata"]?["managedFields"]?.arrayValue ?? [] {
            if let manager = entry["manager"]?.stringValue, let operation = entry["operation"]?.stringValue { operations[manager] = operation }
        }
        return managers.allSatisfy { operations[$0] == "Update" }
    }

    /// A hook Job: skipped when the status records it succeeded for this revision or it is there
    /// and complete, else (re)created and waited for, and recorded; a failure stops the sync.
    private func runHook(_ hook: Object, done: inout Set<String>, into report: inout SyncReport) async throws {
        try checkpoint(report)
        if done.contains(hook.displayName) {
            report.hooks.append("\(hook.displayName) (already done)")
            return
        }
        let namespace = hook.namespace.isEmpty ? nil : hook.namespace
        if let existing = try await client.get(hook.gvk, namespace: namespace, name: hook.name) {
            switch Health.of(existing, kind: hook.kind) {
            case .healthy:
                report.hooks.append("\(hook.displayName) (already done)")
                return
            default:
                // Jobs are immutable: a failed or stale run is deleted and made again.
                try await client.delete(hook.gvk, namespace: namespace, name: hook.name, propagation: .background)
            }
        }
        _ = try await apply(hook, report: &report)
        let result = try await waitForHealth([hook])
        if let health = result.values.first {
            throw SyncError.hookFailed("hook \(hook.displayName) did not succeed (\(health)); nothing after it was applied")
        }
        done.insert(hook.displayName)
        try await SyncStatus.recordHooks(client, options: options, succeeded: done)
        report.hooks.append(hook.displayName)
    }

    /// Polls until every object is healthy or has failed, or the timeout passes; the ones not
    /// healthy, with why (still progressing at the timeout is Degraded).
    private func waitForHealth(_ objects: [Object]) async throws -> [String: Health] {
        let deadline = Date().addingTimeInterval(options.healthTimeout)
        var pending = objects
        var failed: [String: Health] = [:]
        while !pending.isEmpty {
            try checkpoint("while waiting for \(pending.map(\.displayName).joined(separator: ", ")) to become healthy")
            // Several reads at once: a wave of hundreds of objects is one round trip's time per few.
            let client = self.client
            let healths = try await Concurrently.map(pending, concurrency: 8) { object throws(ClusterError) -> Health? in
                try await client.get(object.gvk, namespace: object.namespace.isEmpty ? nil : object.namespace, name: object.name)
                    .map { Health.of($0, kind: object.kind) }
            }
            var still: [Object] = []
            for (object, health) in zip(pending, healths) {
                switch health {
                case .healthy?: break
                case .degraded(let why)?: failed[object.displayName] = .degraded(why)
                case .progressing?, nil: still.append(object)
                }
            }
            pending = still
            if pending.isEmpty { break }
            if Date() >= deadline {
                for object in pending { failed[object.displayName] = .degraded("not healthy after \(Int(options.healthTimeout)) s") }
                break
            }
            try await Task.sleep(nanoseconds: UInt64(options.pollInterval * 1_000_000_000))
        }
        return failed
    }

    /// Deletes the environment's live objects Git no longer has, in reverse install order; what
    /// `guard` keeps (shared, data-holding, `gitops/prune: "false"`) is reported, not deleted;
    /// deleting more than the allowed share is refused.
    private func prune(desired: [Object], live: [Object], inventory: Set<ResourceKey>, guard pruneGuard: PruneGuard,
                       report: inout SyncReport) async throws -> [String] {
        let wanted = Set(desired.map(\.key))
        let environment = options.environment
        // Ours: labelled so, or in our inventory and labelled as no other environment's.
        let owned = live.filter { object in
            let label = object.label(LiveState.environmentLabel)
            return label == environment || (inventory.contains(object.key) && (label == nil || label == ""))
        }
        var candidates: [Object] = []
        for object in owned where !wanted.contains(object.key) && !Inventory.isOwn(object, options: options)
            && object.content["metadata"]?["ownerReferences"] == nil {
            switch pruneGuard.decide(object) {
            case .prune: candidates.append(object)
            case .keep(let why): report.warnings.append("kept \(object.displayName) although Git no longer has it: \(why)")
            }
        }
        guard !candidates.isEmpty else { return [] }
        let base = max(inventory.count, owned.count, 1)
        if !options.allowMassPrune, Double(candidates.count) > options.maximumPruneShare * Double(base) {
            throw SyncError.refused("refusing to prune \(candidates.count) of \(base) objects of \(options.environment) (more than \(Int(options.maximumPruneShare * 100))%); if that is intended, pass --allow-mass-prune")
        }
        var pruned: [String] = []
        for object in InstallOrder.sorted(candidates).reversed() {
            var progress = report
            progress.pruned = pruned
            try checkpoint(progress)
            try await client.delete(object.gvk, namespace: object.namespace.isEmpty ? nil : object.namespace, name: object.name, propagation: .background)
            pruned.append(object.displayName)
        }
        return pruned
    }
}
