import Basics

/// Where a rollout of one workload stands; kept by the sync job (in its status) so a restart
/// resumes at the recorded step.
public struct RolloutState: Sendable, Equatable {
    public enum Phase: String, Sendable {
        /// Moving through the steps.
        case progressing
        /// Waiting for a person: a `pause: {}` step, or an inconclusive analysis.
        case paused
        /// Stopped: traffic back on the stable version; not retried until Git changes.
        case aborted
        /// Every step done: the new version is the stable one.
        case completed
    }

    /// The revision being rolled out, and the last good one.
    public var revision: String
    public var stableRevision: String
    /// The index of the current step (for blue-green: of its fixed stages).
    public var step = 0
    /// The canary's share of traffic now.
    public var weight = 0
    public var phase = Phase.progressing
    /// When the current step began (seconds since 1970), for timed pauses and delays.
    public var stepStarted: Double?
    /// Why the rollout is where it is, for status and logs.
    public var message = ""
    /// Set by `gitops rollout promote` / `abort` (or the job's HTTP endpoints).
    public var promoteRequested = false
    public var abortRequested = false

    public init(revision: String, stableRevision: String) {
        self.revision = revision
        self.stableRevision = stableRevision
    }

    /// True while the rollout still has something to do (or a person to wait for).
    public var isActive: Bool { phase == .progressing || phase == .paused }

    /// As the keys of a ConfigMap's data (the sync job's status).
    public var record: [String: String] {
        var data = ["revision": revision, "stableRevision": stableRevision, "step": String(step), "weight": String(weight),
                    "phase": phase.rawValue, "message": message]
        if let stepStarted { data["stepStarted"] = GoFloat.format(stepStarted) }
        if promoteRequested { data["promoteRequested"] = "true" }
        if abortRequested { data["abortRequested"] = "true" }
        return data
    }

    /// From `record`; nil when it is not one (missing or malformed fields).
    public init?(record data: [String: String]) {
        guard let revision = data["revision"], let stable = data["stableRevision"], let step = data["step"].flatMap(Int.init), step >= 0,
              let weight = data["weight"].flatMap(Int.init), (0...100).contains(weight), let phase = data["phase"].flatMap(Phase.init(rawValue:))
        else { return nil }
        self.init(revision: revision, stableRevision: stable)
        self.step = step
        self.weight = weight
        self.phase = phase
        self.message = data["message"] ?? ""
        if let started = data["stepStarted"] {
            guard let seconds = Double(started), seconds.isFinite else { return nil }
            stepStarted = seconds
        }
        promoteRequested = data["promoteRequested"] == "true"
        abortRequested = data["abortRequested"] == "true"
    }
}

/// What the sync job does next for a rollout.
public enum RolloutAction: Sendable, Equatable {
    /// Apply the canary objects at this weight (`CanaryObjects.at`).
    case setWeight(Int)
    /// Wait for the new version's pods to be healthy (poll again).
    case waitForHealth
    /// Come back at this time (seconds since 1970).
    case waitUntil(Double)
    /// Nothing until a person promotes or aborts.
    case waitForPerson
    /// Run these analysis checks and report their verdict.
    case analyse([String])
    /// Blue-green: run the new version beside the old one behind the preview Service.
    case deployPreview
    /// Blue-green: point the active Service at the new version.
    case switchActive
    /// Blue-green: scale the old version down (after the delay).
    case scaleDownOld
    /// Put all traffic back on the stable version, scale the new one down, record the failure.
    case abort(String)
    /// The new version becomes the stable one: apply Git's objects, remove what the rollout added.
    case complete
    /// Nothing to do (finished or aborted).
    case none
}

/// What the sync job saw since the last decision.
public struct RolloutObservation: Sendable, Equatable {
    public enum Health: Sendable, Equatable { case healthy, progressing, degraded(String) }

    /// The new version's pods (the canary, or blue-green's preview).
    public var health: Health
    /// The verdict of the checks last asked for by `.analyse`, once they ran (nil before).
    public var analysis: Verdict?
    /// Why the analysis ended so, for the record.
    public var analysisSummary: String
    public var now: Double

    public init(health: Health, analysis: Verdict? = nil, analysisSummary: String = "", now: Double) {
        self.health = health
        self.analysis = analysis
        self.analysisSummary = analysisSummary
        self.now = now
    }
}

/// The rollout's rules, as a pure function of its spec, its state and what was observed: the sync
/// job applies the action, observes, and asks again. The rules:
/// - an abort request, or the new version degraded (crash-looping, its progress deadline exceeded),
///   aborts at any step; so does a failed analysis;
/// - an inconclusive analysis pauses for a person (`promote` carries on, `abort` aborts): never a pass;
/// - `setWeight` waits until the new version is healthy at that weight before the next step;
/// - a timed pause ends at its time or on `promote`; `pause: {}` only on `promote`;
/// - after the last step the rollout completes.
public enum RolloutMachine {
    public static func next(_ state: inout RolloutState, spec: RolloutSpec, observed: RolloutObservation) -> RolloutAction {
        guard state.isActive else { return .none }
        if state.abortRequested { return abort(&state, "aborted by a person") }
        if case .degraded(let why) = observed.health { return abort(&state, "the new version is not healthy: \(why)") }
        switch spec.strategy {
        case .canary(let steps, _): return canary(&state, steps: steps, observed: observed)
        case .blueGreen(_, _, let analysis, let delay): return blueGreen(&state, analysis: analysis, delay: delay, observed: observed)
        }
    }

    static func canary(_ state: inout RolloutState, steps: [RolloutSpec.Step], observed: RolloutObservation) -> RolloutAction {
        while state.step < steps.count {
            switch steps[state.step] {
            case .setWeight(let weight):
                if state.weight != weight {
                    state.weight = weight
                    state.message = "step \(state.step + 1): \(weight)% of traffic to \(short(state.revision))"
                    return .setWeight(weight)
                }
                guard observed.health == .healthy else { return .waitForHealth }
            case .pause(let seconds):
                if let action = pause(&state, seconds: seconds, now: observed.now) { return action }
            case .analysis(let names):
                if let action = analysis(&state, names: names, observed: observed) { return action }
            }
            advance(&state, now: observed.now)
        }
        state.phase = .completed
        state.weight = 100
        state.message = "\(short(state.revision)) rolled out"
        return .complete
    }

    /// Blue-green's stages: 0 the preview up and healthy, 1 its analysis, 2 the switch, 3 the old
    /// version kept for `delay`, then scaled down.
    static func blueGreen(_ state: inout RolloutState, analysis names: [String], delay: Double, observed: RolloutObservation) -> RolloutAction {
        while true {
            switch state.step {
            case 0:
                if state.stepStarted == nil {
                    state.stepStarted = observed.now
                    state.message = "\(short(state.revision)) runs beside \(short(state.stableRevision)) behind the preview Service"
                    return .deployPreview
                }
                guard observed.health == .healthy else { return .waitForHealth }
            case 1:
                if !names.isEmpty, let action = analysis(&state, names: names, observed: observed) { return action }
            case 2:
                state.weight = 100
                state.message = "the active Service points at \(short(state.revision))"
                advance(&state, now: observed.now)
                return .switchActive
            case 3:
                if let action = pause(&state, seconds: delay, now: observed.now) { return action }
                state.phase = .completed
                state.message = "\(short(state.revision)) rolled out; \(short(state.stableRevision)) scaled down"
                return .scaleDownOld
            default:
                return .none
            }
            advance(&state, now: observed.now)
        }
    }

    /// A pause: nil when it is over (its time came, or a person promoted).
    private static func pause(_ state: inout RolloutState, seconds: Double?, now: Double) -> RolloutAction? {
        if state.promoteRequested {
            state.promoteRequested = false
            return nil
        }
        let started = state.stepStarted ?? now
        state.stepStarted = started
        guard let seconds else {
            state.phase = .paused
            state.message = "step \(state.step + 1): paused until `gitops rollout promote` (or abort)"
            return .waitForPerson
        }
        if now >= started + seconds { return nil }
        state.message = "step \(state.step + 1): paused for \(GoFloat.format(seconds))s"
        return .waitUntil(started + seconds)
    }

    /// An analysis step: nil when it passed (or a person promoted past an inconclusive one).
    private static func analysis(_ state: inout RolloutState, names: [String], observed: RolloutObservation) -> RolloutAction? {
        if state.phase == .paused {
            guard state.promoteRequested else { return .waitForPerson }
            state.promoteRequested = false
            state.phase = .progressing
            return nil
        }
        guard let verdict = observed.analysis, state.stepStarted != nil else {
            state.stepStarted = observed.now
            state.message = "step \(state.step + 1): analysing (\(names.joined(separator: ", ")))"
            return .analyse(names)
        }
        switch verdict {
        case .passed:
            return nil
        case .failed:
            return abort(&state, "analysis failed: \(observed.analysisSummary)")
        case .inconclusive:
            state.phase = .paused
            state.message = "step \(state.step + 1): analysis inconclusive (\(observed.analysisSummary)); waiting for `gitops rollout promote` or `abort`"
            return .waitForPerson
        }
    }

    private static func advance(_ state: inout RolloutState, now: Double) {
        state.step += 1
        state.stepStarted = nil
        state.phase = .progressing
        // A promote acts on the step it was asked at: one asked while a weight was waited for or an
        // analysis ran does not skip a later pause.
        state.promoteRequested = false
    }

    private static func abort(_ state: inout RolloutState, _ why: String) -> RolloutAction {
        state.phase = .aborted
        state.weight = 0
        state.abortRequested = false
        state.message = "\(short(state.revision)) aborted: \(why); \(short(state.stableRevision)) keeps all traffic until Git changes"
        return .abort(why)
    }

    private static func short(_ revision: String) -> String { revision.count == 40 ? String(revision.prefix(7)) : revision }
}
