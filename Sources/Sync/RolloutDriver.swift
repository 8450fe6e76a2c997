import Basics
import Cluster
import Drift
import Foundation
import KubeModel
import Rollouts

/// What a sync pass does for one release's rollout.
public struct RolloutPlan: Sendable {
    public enum Mode: Sendable, Equatable {
        /// No rollout: the release is applied as Git has it (first install, unchanged template,
        /// a return to the stable version, or a rollout that completed).
        case direct
        /// A rollout in progress: the sync applies its objects for the recorded step, then drives it.
        case rolling
        /// An aborted rollout of this template: the stable version stays until Git changes.
        case held
    }

    public var release: String
    public var spec: RolloutSpec
    public var mode: Mode
    public var record: RolloutRecord
    /// The release's objects as Git has them at the revision (steady form).
    public var objects: [Object]
    /// The stable version's workload.
    public var stable: Object
    /// Whether the record changed (a new rollout, or a direct one to note) and must be written.
    var fresh: Bool
    /// Whether a rollout was in progress (or aborted) that this plan ends.
    var replacesActive = false
    /// The stable version's live replicas, for a workload an autoscaler sizes.
    var autoscaled: Int?
}

/// How one rollout ended this pass, for the report and the terminal.
public struct RolloutOutcome: Sendable {
    public var workload: String
    public var record: RolloutRecord
    public var applied: [String] = []
    /// False when the release was applied as Git has it (no rollout ran or is held).
    public var rolling = true
    /// The rollout aborted in this sync (not an earlier one, held since).
    public var abortedNow = false
}

/// Runs the rollouts of a sync: before the reconcile, which objects hold each release at its
/// recorded step (`plan`); after it, the steps themselves (`drive`): weights, pauses, analyses,
/// the switch, completion or abort, each recorded before the next begins.
public struct RolloutDriver: Sendable {
    public let client: KubeClient
    public let options: SyncOptions
    public let log: JSONLog
    public var metrics: SyncMetrics?
    /// How often health is read while waiting.
    public var pollInterval: Double

    public init(client: KubeClient, options: SyncOptions, log: JSONLog, metrics: SyncMetrics? = nil) {
        self.client = client
        self.options = options
        self.log = log
        self.metrics = metrics
        pollInterval = options.pollInterval
    }

    static let deployments = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")

    // MARK: Before the reconcile

    /// Each rollout's plan, and `objects` with every rolling or held release's objects replaced by
    /// those its record says (the stable version beside the new one, traffic as the step has it).
    public func plan(_ objects: [Object], rollouts: [(release: String, spec: RolloutSpec)]) async throws -> (objects: [Object], plans: [RolloutPlan]) {
        var objects = objects
        var plans: [RolloutPlan] = []
        for (release, spec) in rollouts {
            let positions = objects.indices.filter { objects[$0].provenance.release == release }
            let own = positions.map { objects[$0] }
            guard let new = own.first(where: { $0.kind == "Deployment" && $0.name == spec.workload }) else {
                throw SyncError.invalid("release '\(release)' renders no Deployment '\(spec.workload)' (rollout.workload)")
            }
            let plan = try await plan(release: release, spec: spec, objects: own, new: new)
            if plan.mode != .direct {
                let replaced = try Self.desired(plan)
                for position in positions.reversed() { objects.remove(at: position) }
                let insertion = positions.first ?? objects.endIndex
                objects.insert(contentsOf: replaced, at: insertion)
            }
            plans.append(plan)
        }
        return (objects, plans)
    }

    func plan(release: String, spec: RolloutSpec, objects: [Object], new: Object) async throws -> RolloutPlan {
        let namespace = new.namespace.isEmpty ? options.namespace : new.namespace
        let live = try await client.get(Self.deployments, namespace: namespace, name: spec.workload)
        var plan = try await decide(release: release, spec: spec, objects: objects, new: new, live: live)
        // An autoscaler sizes a workload that declares no replicas: the canary follows what runs.
        if case .int(let replicas)? = live?["spec"]?["replicas"] { plan.autoscaled = Int(replicas) }
        return plan
    }

    /// Direct, rolling or held, from the record, the live workload and the new template.
    private func decide(release: String, spec: RolloutSpec, objects: [Object], new: Object, live: ValueObject?) async throws -> RolloutPlan {
        let hash = RolloutObjects.recordedHash(of: new.content) ?? RolloutObjects.templateHash(of: new)
        let (found, _) = try await RolloutRecord.read(client, environment: options.environment, namespace: options.namespace, workload: spec.workload)
        guard let live else { return direct(release: release, spec: spec, objects: objects, new: new, hash: hash, found: found, fresh: true) }  // first install: nothing runs to protect
        if let found {
            let stable = found.stable.map { Object(content: $0, provenance: new.provenance) } ?? Self.stableForm(of: live, provenance: new.provenance)
            if found.hash == hash {
                switch found.state.phase {
                case .completed: return direct(release: release, spec: spec, objects: objects, new: new, hash: hash, found: found,
                                               fresh: found.state.revision != options.revision || found.stableHash != hash)
                case .aborted: return RolloutPlan(release: release, spec: spec, mode: .held, record: found, objects: objects, stable: stable, fresh: false)
                case .progressing, .paused: return RolloutPlan(release: release, spec: spec, mode: .rolling, record: found, objects: objects, stable: stable, fresh: false)
                }
            }
            // Back to the stable version (a revert, or a fix of an aborted one): applied as it is.
            if found.stableHash == hash { return direct(release: release, spec: spec, objects: objects, new: new, hash: hash, found: found, fresh: true) }
            // A new version: rolled out from the stable one (replacing any rollout in progress).
            let stableRevision = found.state.phase == .completed ? found.state.revision : found.state.stableRevision
            var record = RolloutRecord(workload: spec.workload, state: RolloutState(revision: options.revision, stableRevision: stableRevision),
                                       hash: hash, stableHash: found.stableHash, stable: stable.content)
            record.handledRequest = found.handledRequest
            record.state.message = "rolling out \(options.shortRevision) from \(SyncOptions.short(stableRevision))"
            return RolloutPlan(release: release, spec: spec, mode: .rolling, record: record, objects: objects, stable: stable, fresh: true)
        }
        // No record (the rollout: block is new): the live workload is the stable version.
        let liveHash = RolloutObjects.recordedHash(of: live)
        if liveHash == hash { return direct(release: release, spec: spec, objects: objects, new: new, hash: hash, found: found, fresh: true) }
        let stable = Self.stableForm(of: live, provenance: new.provenance)
        let previous = try await SyncStatus.read(client, environment: options.environment, namespace: options.namespace)?["revision"] ?? "the running version"
        var record = RolloutRecord(workload: spec.workload, state: RolloutState(revision: options.revision, stableRevision: previous),
                                   hash: hash, stableHash: liveHash ?? "live", stable: stable.content)
        record.state.message = "rolling out \(options.shortRevision) from the running version"
        return RolloutPlan(release: release, spec: spec, mode: .rolling, record: record, objects: objects, stable: stable, fresh: true)
    }

    /// The release applied as Git has it, recorded as the stable version.
    private func direct(release: String, spec: RolloutSpec, objects: [Object], new: Object, hash: String, found: RolloutRecord?, fresh: Bool) -> RolloutPlan {
        var state = RolloutState(revision: options.revision, stableRevision: options.revision)
        state.phase = .completed
        state.weight = 100
        state.message = "\(options.shortRevision) runs"
        var record = RolloutRecord(workload: spec.workload, state: state, hash: hash, stableHash: hash, stable: new.content)
        record.handledRequest = found?.handledRequest ?? ""
        var plan = RolloutPlan(release: release, spec: spec, mode: .direct, record: record, objects: objects, stable: new, fresh: fresh)
        plan.replacesActive = found.map { $0.state.phase != .completed } ?? false
        return plan
    }

    /// A live workload as something to apply again: without what the server keeps about it.
    static func stableForm(of live: ValueObject, provenance: Provenance) -> Object {
        var content = live
        var metadata = content["metadata"]?.objectValue ?? [:]
        for key in ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink"] { metadata[key] = nil }
        if var annotations = metadata["annotations"]?.objectValue {
            annotations["deployment.kubernetes.io/revision"] = nil
            annotations["kubectl.kubernetes.io/last-applied-configuration"] = nil
            metadata["annotations"] = annotations.isEmpty ? nil : .object(annotations)
        }
        content["metadata"] = .object(metadata)
        content["status"] = nil
        return Object(content: content, provenance: provenance)
    }

    // MARK: After the reconcile

    /// Drives every plan as far as it goes now: until each rollout completes, aborts, or waits for
    /// a person. A stop request leaves traffic where it is (the record says the step) and throws.
    public func drive(_ plans: [RolloutPlan]) async throws -> [RolloutOutcome] {
        var outcomes: [RolloutOutcome] = []
        for plan in plans {
            var plan = plan
            switch plan.mode {
            case .direct:
                if plan.fresh {
                    // Back to the stable version in the middle of a rollout: its objects go.
                    if plan.replacesActive { try await deleteExtras(plan) }
                    try await plan.record.write(client, environment: options.environment, namespace: options.namespace)
                }
                outcomes.append(RolloutOutcome(workload: plan.spec.workload, record: plan.record, rolling: false))
            case .held:
                outcomes.append(RolloutOutcome(workload: plan.spec.workload, record: plan.record))
            case .rolling:
                if plan.fresh {
                    try await plan.record.write(client, environment: options.environment, namespace: options.namespace)
                    log.info("rollout started", revision: options.revision, fields(plan.record))
                }
                outcomes.append(try await run(&plan))
            }
            metrics?.recordRollout(plan.record)
        }
        return outcomes
    }

    private func fields(_ record: RolloutRecord, _ extra: [String: String] = [:]) -> [String: String] {
        var fields = ["workload": record.workload, "step": String(record.state.step), "weight": String(record.state.weight),
                      "phase": record.state.phase.rawValue, "detail": record.state.message]
        for (key, value) in extra { fields[key] = value }
        return fields
    }

    /// The steps of one rollout, each applied, logged and recorded.
    private func run(_ plan: inout RolloutPlan) async throws -> RolloutOutcome {
        var outcome = RolloutOutcome(workload: plan.spec.workload, record: plan.record)
        var analysis: (verdict: Verdict, summary: String)?
        var waitingSince: Date?
        while true {
            try checkpoint(plan)
            let (_, request) = try await RolloutRecord.read(client, environment: options.environment, namespace: options.namespace, workload: plan.spec.workload)
            if let request {
                plan.record.handledRequest = request.id
                switch request.action {
                case "promote": plan.record.state.promoteRequested = true
                case "abort": plan.record.state.abortRequested = true
                default: break
                }
                log.info("rollout: \(request.action) requested by \(request.by)", revision: options.revision, fields(plan.record))
            }
            let health = try await newVersionHealth(plan, waitingSince: waitingSince)
            let observation = RolloutObservation(health: health, analysis: analysis?.verdict, analysisSummary: analysis?.summary ?? "",
                                                 now: Date().timeIntervalSince1970)
            analysis = nil
            let before = plan.record
            let action = RolloutMachine.next(&plan.record.state, spec: plan.spec, observed: observation)
            if action != .waitForHealth { waitingSince = nil }
            switch action {
            case .setWeight, .deployPreview, .switchActive:
                outcome.applied += try await applyRolloutObjects(plan)
                try await record(plan, logging: "rollout step")
            case .waitForHealth:
                waitingSince = waitingSince ?? Date()
                if plan.record != before { try await record(plan, logging: nil) }
                try await pause(until: Date().addingTimeInterval(pollInterval), plan)
            case .waitUntil(let time):
                if plan.record != before { try await record(plan, logging: "rollout paused") }
                try await pauseUnlessAsked(until: Date(timeIntervalSince1970: time), plan)
            case .waitForPerson:
                if plan.record != before { try await record(plan, logging: "rollout waits for a person") }
                outcome.record = plan.record
                return outcome
            case .analyse(let names):
                try await record(plan, logging: "rollout analysis started")
                let result = try await analyse(names, plan: &plan)
                analysis = result
            case .complete, .scaleDownOld:
                outcome.applied += try await finish(plan)
                plan.record.stableHash = plan.record.hash
                plan.record.stable = plan.objects.first { $0.kind == "Deployment" && $0.name == plan.spec.workload }?.content
                plan.record.state.stableRevision = plan.record.state.revision
                try await record(plan, logging: "rollout completed")
                outcome.record = plan.record
                return outcome
            case .abort(let why):
                outcome.applied += try await rollBack(plan)
                try await record(plan, logging: nil)
                log.error("rollout aborted; the stable version keeps all traffic", revision: options.revision, fields(plan.record, ["reason": why]))
                metrics?.recordRolloutAbort()
                outcome.record = plan.record
                outcome.abortedNow = true
                return outcome
            case .none:
                outcome.record = plan.record
                return outcome
            }
        }
    }

    private func record(_ plan: RolloutPlan, logging message: String?) async throws {
        try await plan.record.write(client, environment: options.environment, namespace: options.namespace)
        metrics?.recordRollout(plan.record)
        if let message { log.info(message, revision: options.revision, fields(plan.record)) }
    }

    private func checkpoint(_ plan: RolloutPlan) throws(SyncError) {
        guard options.stopRequested() else { return }
        throw SyncError.interrupted("stopped on request during the rollout of \(plan.spec.workload) at step \(plan.record.state.step + 1) (\(plan.record.state.weight)% to the new version, traffic left there); the next sync carries on")
    }

    /// Sleeps until `date` in short slices, so a stop request is honoured within a second.
    private func pause(until date: Date, _ plan: RolloutPlan) async throws {
        while Date() < date {
            try checkpoint(plan)
            let slice = min(date.timeIntervalSinceNow, 0.5)
            if slice > 0 { try await Task.sleep(nanoseconds: UInt64(slice * 1_000_000_000)) }
        }
    }

    /// A timed pause that a person's promote or abort ends early (looked for every 2 s).
    private func pauseUnlessAsked(until date: Date, _ plan: RolloutPlan) async throws {
        while Date() < date {
            try await pause(until: min(date, Date().addingTimeInterval(2)), plan)
            let (_, request) = try await RolloutRecord.read(client, environment: options.environment, namespace: options.namespace, workload: plan.spec.workload)
            if request != nil { return }
        }
    }

    /// The new version's health; still progressing after the health timeout counts as degraded.
    private func newVersionHealth(_ plan: RolloutPlan, waitingSince: Date?) async throws -> RolloutObservation.Health {
        let name = RolloutObjects.newVersionName(of: plan.spec)
        guard let live = try await client.get(Self.deployments, namespace: workloadNamespace(plan), name: name) else {
            return .progressing
        }
        switch Health.of(live, kind: "Deployment") {
        case .healthy: return .healthy
        case .degraded(let why): return .degraded(why)
        case .progressing:
            if let waitingSince, Date().timeIntervalSince(waitingSince) > options.healthTimeout {
                return .degraded("not healthy after \(Int(options.healthTimeout)) s")
            }
            return .progressing
        }
    }

    private func workloadNamespace(_ plan: RolloutPlan) -> String {
        let workload = plan.objects.first { $0.kind == "Deployment" && $0.name == plan.spec.workload }
        return workload.map { $0.namespace.isEmpty ? options.namespace : $0.namespace } ?? options.namespace
    }

    /// Runs the named checks against the new version: Prometheus and HTTP over the network, job
    /// checks in the cluster. A stop request during it throws; the step runs again on resume.
    private func analyse(_ names: [String], plan: inout RolloutPlan) async throws -> (verdict: Verdict, summary: String) {
        let checks = plan.spec.analysis.filter { names.contains($0.name) }
        let jobs = RolloutJobCheck(client: client, namespace: workloadNamespace(plan), environment: options.environment,
                                   prefix: "\(plan.spec.workload)-rollout-\(plan.record.hash.prefix(8))")
        let stop = options.stopRequested
        let results: [CheckResult] = await MeasurementClient.with { http in
            var runner = AnalysisRunner { check in
                if case .job = check.provider { return await jobs.measure(check) }
                return await http.measure(check)
            }
            runner.sleep = { seconds in
                let end = Date().addingTimeInterval(seconds)
                while Date() < end {
                    if stop() { throw CancellationError() }
                    try await Task.sleep(nanoseconds: UInt64(min(end.timeIntervalSinceNow, 0.5).clamped * 1_000_000_000))
                }
            }
            return await runner.run(checks)
        }
        try checkpoint(plan)
        for result in results { metrics?.recordAnalysis(result.verdict) }
        plan.record.analysis = results.map { "\($0.check): \($0.verdict.rawValue): \($0.summary)" }
        let verdict = Verdict.combined(results.map(\.verdict))
        log.info("rollout analysis \(verdict.rawValue)", revision: options.revision, fields(plan.record, ["checks": plan.record.analysis.joined(separator: "; ")]))
        let summary = results.filter { $0.verdict != .passed }.map { "\($0.check) \($0.summary)" }.joined(separator: "; ")
        return (verdict, summary.isEmpty ? "passed" : summary)
    }

    // MARK: Applying

    /// The release's objects for the plan's recorded state.
    static func desired(_ plan: RolloutPlan) throws(SyncError) -> [Object] {
        do {
            return try RolloutObjects.desired(plan.objects, spec: plan.spec, state: plan.record.state, stable: plan.stable, autoscaled: plan.autoscaled)
        } catch {
            throw SyncError.invalid("rollout of \(plan.spec.workload): \(error)")
        }
    }

    /// Applies what holds the release at its recorded step: the stable and new versions, the
    /// rollout's Services and the traffic router.
    private func applyRolloutObjects(_ plan: RolloutPlan) async throws -> [String] {
        return try await apply(Self.desired(plan).filter { isRolloutObject($0, plan.spec) })
    }

    /// The objects a rollout changes: the workload, what it adds, the Services and the router.
    private func isRolloutObject(_ object: Object, _ spec: RolloutSpec) -> Bool {
        if object.label(CanaryObjects.roleLabel) != nil && object.kind != "Service" { return true }
        switch object.kind {
        case "Deployment": return object.name == spec.workload
        case "Service", "Ingress", "HTTPRoute": return true
        default: return false
        }
    }

    private func apply(_ objects: [Object]) async throws -> [String] {
        var applied: [String] = []
        for object in objects {
            let labelled = LiveState.labelled(object, environment: options.environment)
            _ = try await client.apply(options.ignore.stripped(labelled).content, fieldManager: options.fieldManager, force: options.forceConflicts)
            applied.append(object.displayName)
        }
        return applied
    }

    /// Waits until `name` is healthy (a stop request or the health timeout ends the wait).
    private func waitHealthy(_ object: Object, _ plan: RolloutPlan) async throws -> Health {
        let deadline = Date().addingTimeInterval(options.healthTimeout)
        while true {
            try checkpoint(plan)
            let health = try await client.get(object.gvk, namespace: object.namespace.isEmpty ? nil : object.namespace, name: object.name)
                .map { Health.of($0, kind: object.kind) } ?? .progressing("not created yet")
            if health.isFinal || Date() >= deadline { return health }
            try await pause(until: Date().addingTimeInterval(pollInterval), plan)
        }
    }

    /// The new version becomes the stable one: the workload as Git has it (while the new version's
    /// own pods still serve), waited for; then traffic as Git has it, and the rollout's extra
    /// objects deleted.
    private func finish(_ plan: RolloutPlan) async throws -> [String] {
        guard let workload = plan.objects.first(where: { $0.kind == "Deployment" && $0.name == plan.spec.workload }) else { return [] }
        var applied = try await apply([workload])
        let health = try await waitHealthy(workload, plan)
        if case .degraded(let why) = health {
            throw SyncError.refused("rollout of \(workload.displayName): the new version ran healthy beside the stable one but \(workload.displayName) is not healthy with it (\(why)); its traffic stays on the rollout's objects until it is")
        }
        applied += try await apply(plan.objects.filter { isRolloutObject($0, plan.spec) && $0.kind != "Deployment" })
        try await deleteExtras(plan)
        return applied
    }

    /// All traffic back on the stable version, the new version's objects deleted.
    private func rollBack(_ plan: RolloutPlan) async throws -> [String] {
        let applied = try await apply(Self.desired(plan).filter { isRolloutObject($0, plan.spec) })
        try await deleteExtras(plan)
        return applied
    }

    private func deleteExtras(_ plan: RolloutPlan) async throws {
        for key in RolloutObjects.extras(of: plan.spec, namespace: workloadNamespace(plan)) {
            // Deployments (apps/v1), Services (v1) and Ingresses (networking.k8s.io/v1).
            let gvk = GroupVersionKind(group: key.groupKind.group, version: "v1", kind: key.groupKind.kind)
            // Only this environment's: an object of that name another environment (or a person)
            // owns in a shared namespace is never deleted. Already gone is what was wanted.
            guard let live = try await client.get(gvk, namespace: key.namespace, name: key.name),
                  live["metadata"]?["labels"]?[LiveState.environmentLabel]?.stringValue == options.environment else { continue }
            do {
                try await client.delete(gvk, namespace: key.namespace, name: key.name, propagation: .background)
            } catch {
                guard case .api(let failure) = error, failure.reason == .notFound else { throw error }
            }
        }
    }
}

private extension Double {
    /// Not negative.
    var clamped: Double { Swift.max(self, 0) }
}
