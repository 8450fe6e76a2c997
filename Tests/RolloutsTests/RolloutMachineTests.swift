import Testing
@testable import Rollouts

/// The rollout's rules, driven the way the sync job drives them: act, observe, ask again.
@Suite struct RolloutMachineTests {
    static let revision = String(repeating: "b", count: 40), stable = String(repeating: "a", count: 40)

    static func canary(_ steps: [RolloutSpec.Step]) -> RolloutSpec {
        RolloutSpec(workload: "blog", service: "blog", strategy: .canary(steps: steps, traffic: .replicas))
    }

    /// Drives the machine until it waits for a person, finishes or aborts (at most 50 decisions):
    /// the new version's health and each analysis' verdict come from the closures; time moves on
    /// to whatever the machine waits for.
    static func drive(_ state: inout RolloutState, _ spec: RolloutSpec, now: inout Double,
                      health: (Int) -> RolloutObservation.Health = { _ in .healthy },
                      verdict: ([String]) -> Verdict = { _ in .passed }) -> [RolloutAction] {
        var actions: [RolloutAction] = []
        var analysis: (Verdict, String)?
        var pendingHealth = false
        for _ in 0..<50 {
            let observed = RolloutObservation(health: pendingHealth ? .progressing : health(state.weight), analysis: analysis?.0,
                                              analysisSummary: analysis?.1 ?? "", now: now)
            let action = RolloutMachine.next(&state, spec: spec, observed: observed)
            actions.append(action)
            pendingHealth = false
            switch action {
            case .setWeight, .deployPreview: pendingHealth = true; analysis = nil
            case .waitForHealth: break
            case .waitUntil(let time): now = time
            case .analyse(let names): let v = verdict(names); analysis = (v, "\(names.joined(separator: ",")) \(v.rawValue)")
            case .switchActive: break
            case .waitForPerson, .abort, .complete, .scaleDownOld, .none: return actions
            }
        }
        return actions
    }

    @Test func aGoodCanaryWalksEveryStepTo100Percent() {
        let spec = Self.canary([.setWeight(10), .analysis(["error-rate"]), .pause(60), .setWeight(50), .analysis(["error-rate", "p95"]), .setWeight(100)])
        var state = RolloutState(revision: Self.revision, stableRevision: Self.stable)
        var now = 1_000.0
        let actions = Self.drive(&state, spec, now: &now)
        #expect(actions == [.setWeight(10), .waitForHealth, .analyse(["error-rate"]), .waitUntil(1_060), .setWeight(50), .waitForHealth,
                            .analyse(["error-rate", "p95"]), .setWeight(100), .waitForHealth, .complete], "\(actions)")
        #expect(state.phase == .completed && state.weight == 100 && state.message == "bbbbbbb rolled out")
        #expect(RolloutMachine.next(&state, spec: spec, observed: RolloutObservation(health: .healthy, now: now)) == .none)
    }

    @Test func aPromoteActsOnTheStepItWasAskedAt() {
        let spec = Self.canary([.setWeight(10), .analysis(["error-rate"]), .pause(nil), .setWeight(100)])
        var state = RolloutState(revision: Self.revision, stableRevision: Self.stable)
        #expect(RolloutMachine.next(&state, spec: spec, observed: RolloutObservation(health: .progressing, now: 0)) == .setWeight(10))
        // Asked while the analysis runs (nothing to promote past yet): the later pause still waits.
        #expect(RolloutMachine.next(&state, spec: spec, observed: RolloutObservation(health: .healthy, now: 1)) == .analyse(["error-rate"]))
        state.promoteRequested = true
        #expect(RolloutMachine.next(&state, spec: spec, observed: RolloutObservation(health: .healthy, analysis: .passed, now: 2)) == .waitForPerson)
        #expect(state.step == 2 && !state.promoteRequested)
        state.promoteRequested = true
        #expect(RolloutMachine.next(&state, spec: spec, observed: RolloutObservation(health: .healthy, now: 3)) == .setWeight(100))
    }

    @Test func aFailedAnalysisAbortsAtTheFirstStepAndTheStableVersionKeepsTheTraffic() {
        let spec = Self.canary([.setWeight(10), .analysis(["error-rate"]), .setWeight(100)])
        var state = RolloutState(revision: Self.revision, stableRevision: Self.stable)
        var now = 0.0
        let actions = Self.drive(&state, spec, now: &now, verdict: { _ in .failed })
        #expect(actions.last == .abort("analysis failed: error-rate failed"), "\(actions)")
        #expect(state.phase == .aborted && state.weight == 0 && !state.isActive)
        #expect(state.message == "bbbbbbb aborted: analysis failed: error-rate failed; aaaaaaa keeps all traffic until Git changes")
        // Never retried by itself.
        #expect(RolloutMachine.next(&state, spec: spec, observed: RolloutObservation(health: .healthy, analysis: .passed, now: 10)) == .none)
    }

    @Test func aCrashLoopingCanaryAborts() {
        let spec = Self.canary([.setWeight(25), .pause(600), .setWeight(100)])
        var state = RolloutState(revision: Self.revision, stableRevision: Self.stable)
        var now = 0.0
        let actions = Self.drive(&state, spec, now: &now, health: { $0 > 0 ? .degraded("rollout exceeded its progress deadline") : .healthy })
        #expect(actions == [.setWeight(25), .waitForHealth, .abort("the new version is not healthy: rollout exceeded its progress deadline")], "\(actions)")
    }

    @Test func anInconclusiveAnalysisWaitsForAPersonAndPromoteCarriesOn() {
        let spec = Self.canary([.setWeight(10), .analysis(["error-rate"]), .pause(nil), .setWeight(100)])
        var state = RolloutState(revision: Self.revision, stableRevision: Self.stable)
        var now = 0.0
        var actions = Self.drive(&state, spec, now: &now, verdict: { _ in .inconclusive })
        #expect(actions.last == .waitForPerson && state.phase == .paused && state.message.contains("analysis inconclusive"), "\(actions)")
        // Asked again without a decision: still waiting, never a pass.
        #expect(RolloutMachine.next(&state, spec: spec, observed: RolloutObservation(health: .healthy, analysis: .inconclusive, now: 5)) == .waitForPerson)
        state.promoteRequested = true
        actions = Self.drive(&state, spec, now: &now)
        #expect(actions == [.waitForPerson], "the manual gate of the next step: \(actions)")
        #expect(state.step == 2 && state.message.contains("paused until `gitops rollout promote`"))
        state.promoteRequested = true
        actions = Self.drive(&state, spec, now: &now)
        #expect(actions == [.setWeight(100), .waitForHealth, .complete], "\(actions)")
    }

    @Test func anAbortRequestStopsAPausedRollout() {
        let spec = Self.canary([.setWeight(50), .pause(nil), .setWeight(100)])
        var state = RolloutState(revision: Self.revision, stableRevision: Self.stable)
        var now = 0.0
        _ = Self.drive(&state, spec, now: &now)
        state.abortRequested = true
        #expect(RolloutMachine.next(&state, spec: spec, observed: RolloutObservation(health: .healthy, now: now)) == .abort("aborted by a person"))
        #expect(state.weight == 0 && state.phase == .aborted)
    }

    @Test func aRecordedStateResumesAtTheSameStep() throws {
        let spec = Self.canary([.setWeight(10), .pause(300), .setWeight(100)])
        var state = RolloutState(revision: Self.revision, stableRevision: Self.stable)
        #expect(RolloutMachine.next(&state, spec: spec, observed: RolloutObservation(health: .healthy, now: 0)) == .setWeight(10))
        #expect(RolloutMachine.next(&state, spec: spec, observed: RolloutObservation(health: .healthy, now: 5)) == .waitUntil(305))
        // The job is killed during the pause; a new one reads the recorded state and the pause
        // ends at the same time, not 300 s after the restart.
        var resumed = try #require(RolloutState(record: state.record))
        #expect(resumed == state && resumed.step == 1 && resumed.stepStarted == 5)
        #expect(RolloutState(record: ["revision": "x"]) == nil && RolloutState(record: state.record.merging(["weight": "140"]) { $1 }) == nil)
        #expect(RolloutMachine.next(&resumed, spec: spec, observed: RolloutObservation(health: .healthy, now: 120)) == .waitUntil(305))
        #expect(RolloutMachine.next(&resumed, spec: spec, observed: RolloutObservation(health: .healthy, now: 305)) == .setWeight(100))
    }

    @Test func blueGreenRunsThePreviewChecksItSwitchesAndScalesTheOldOneDownLater() {
        let spec = RolloutSpec(workload: "blog", service: "blog",
                               strategy: .blueGreen(activeService: "blog", previewService: "blog-preview", prePromotionAnalysis: ["smoke"], scaleDownDelay: 600))
        var state = RolloutState(revision: Self.revision, stableRevision: Self.stable)
        var now = 0.0
        let actions = Self.drive(&state, spec, now: &now)
        #expect(actions == [.deployPreview, .waitForHealth, .analyse(["smoke"]), .switchActive, .waitUntil(600), .scaleDownOld], "\(actions)")
        #expect(state.phase == .completed)

        var failing = RolloutState(revision: Self.revision, stableRevision: Self.stable)
        now = 0
        let failed = Self.drive(&failing, spec, now: &now, verdict: { _ in .failed })
        #expect(failed == [.deployPreview, .waitForHealth, .analyse(["smoke"]), .abort("analysis failed: smoke failed")], "the switch never happens")
    }
}
