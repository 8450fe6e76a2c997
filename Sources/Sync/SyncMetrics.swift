import Foundation
import Prometheus
import Rollouts

/// The sync job's metrics, kept in a swift-prometheus registry and served in Prometheus' text format.
public final class SyncMetrics: @unchecked Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let environment: String
    private let lock = NSLock()
    private let durations: ValueHistogram
    private let fetches: ValueHistogram
    private let lastSync: Gauge
    private var revisionGauge: Gauge?
    private var completed = false
    /// Whether a first sync has completed (for /readyz).
    public var ready: Bool { lock.withLock { completed } }

    static let results = ["Synced", "Degraded", "Blocked", "Failed", "Interrupted"]
    static let states = ["in_sync", "drifted", "missing"]

    public init(environment: String) {
        self.environment = environment
        durations = registry.makeValueHistogram(
            descriptor: Self.name("sync_duration", unit: "seconds", help: "Time a sync took (render, gates, apply, prune, health)."),
            buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300])
        fetches = registry.makeValueHistogram(
            descriptor: Self.name("git_fetch_duration", unit: "seconds", help: "Time a fetch of the repository took."),
            buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30])
        lastSync = registry.makeGauge(descriptor: Self.name("last_sync_timestamp", unit: "seconds", help: "When the last sync that reached the cluster completed."),
                                      labels: [("environment", environment)])
        // Every series exists from the start, at 0, so rates and alerts see the first failure.
        for result in Self.results { _ = counter(result) }
        for state in Self.states { objectGauge(state).set(to: 0) }
        for verdict in [Verdict.passed, .failed, .inconclusive] {
            _ = registry.makeCounter(descriptor: Self.name("rollout_analysis", unit: "total", help: "Rollout analysis checks run, by verdict."),
                                     labels: [("environment", environment), ("result", verdict.rawValue)])
        }
        _ = registry.makeCounter(descriptor: Self.name("rollout_aborts", unit: "total", help: "Rollouts aborted (the new version rolled back)."),
                                 labels: [("environment", environment)])
    }

    private static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "gitops", metricName: metric, unitName: unit, helpText: help)
    }

    private func counter(_ result: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("sync", unit: "total", help: "Syncs by result."),
                             labels: [("environment", environment), ("result", result)])
    }

    private func objectGauge(_ state: String) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "gitops", metricName: "objects", unitName: "",
                                                            helpText: "Objects of the environment by state at the last sync."),
                           labels: [("environment", environment), ("state", state)])
    }

    func recordSync(result: String, seconds: Double, report: SyncReport?, revision: String) {
        counter(result).increment()
        durations.record(seconds)
        guard let report else { return }
        objectGauge("in_sync").set(to: Double(report.unchanged))
        objectGauge("drifted").set(to: Double(report.applied.count - report.created))
        objectGauge("missing").set(to: Double(report.created))
        lastSync.set(to: Date().timeIntervalSince1970)
        lock.withLock {
            completed = true
            if let old = revisionGauge { registry.unregisterGauge(old) }
            let gauge = registry.makeGauge(descriptor: Self.name("revision", unit: "info", help: "The revision last synced."),
                                           labels: [("environment", environment), ("revision", revision)])
            gauge.set(to: 1)
            revisionGauge = gauge
        }
    }

    func recordFetch(seconds: Double) { fetches.record(seconds) }

    // MARK: Rollouts

    static let phases = ["progressing", "paused", "aborted", "completed"]

    private func rolloutGauge(_ metric: String, help: String, workload: String, extra: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "gitops", metricName: "rollout_\(metric)", unitName: "", helpText: help),
                           labels: [("environment", environment), ("workload", workload)] + extra)
    }

    /// A rollout's step, weight and phase (1 for the phase it is in, 0 for the others).
    func recordRollout(_ record: RolloutRecord) {
        rolloutGauge("step", help: "The step a rollout is at (from 1; blue-green: 1 preview, 2 analysis, 3 switch, 4 scale-down).", workload: record.workload)
            .set(to: Double(record.state.step + 1))
        rolloutGauge("weight", help: "The share of traffic (percent) a rollout's new version receives.", workload: record.workload)
            .set(to: Double(record.state.weight))
        for phase in Self.phases {
            rolloutGauge("phase", help: "A rollout's phase: 1 for the one it is in.", workload: record.workload, extra: [("phase", phase)])
                .set(to: record.state.phase.rawValue == phase ? 1 : 0)
        }
    }

    /// One check's verdict in a rollout's analysis.
    func recordAnalysis(_ verdict: Verdict) {
        registry.makeCounter(descriptor: Self.name("rollout_analysis", unit: "total", help: "Rollout analysis checks run, by verdict."),
                             labels: [("environment", environment), ("result", verdict.rawValue)]).increment()
    }

    /// A rollout aborted (its new version rolled back).
    func recordRolloutAbort() {
        registry.makeCounter(descriptor: Self.name("rollout_aborts", unit: "total", help: "Rollouts aborted (the new version rolled back)."),
                             labels: [("environment", environment)]).increment()
    }

    /// The exposition text.
    public func text() -> String { registry.emitToString() }
}
