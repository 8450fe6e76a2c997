import Foundation
import Prometheus

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

    /// The exposition text.
    public func text() -> String { registry.emitToString() }
}
