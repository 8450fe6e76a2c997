import Foundation

/// The sync job's metrics, in Prometheus' text format.
public final class SyncMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var syncs: [String: Int] = [:]
    private var durations = Histogram(buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300])
    private var fetches = Histogram(buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30])
    private var objects: [String: Int] = ["in_sync": 0, "drifted": 0, "missing": 0]
    private var lastSync: Double?
    private var revision: String?
    /// Whether a first sync has completed (for /readyz).
    public var ready: Bool { lock.withLock { lastSync != nil } }

    public init() {}

    func recordSync(result: String, seconds: Double, report: SyncReport?, revision: String) {
        lock.withLock {
            syncs[result, default: 0] += 1
            durations.observe(seconds)
            if let report {
                objects = ["in_sync": report.unchanged, "drifted": report.applied.count - report.created, "missing": report.created]
                lastSync = Date().timeIntervalSince1970
                self.revision = revision
            }
        }
    }

    func recordFetch(seconds: Double) { lock.withLock { fetches.observe(seconds) } }

    /// The exposition text.
    public func text() -> String {
        lock.withLock {
            var out = "# HELP gitops_sync_total Syncs by result.\n# TYPE gitops_sync_total counter\n"
            for result in Set(syncs.keys).union(["Synced", "Degraded", "Blocked", "Failed"]).sorted() {
                out += "gitops_sync_total{result=\"\(result)\"} \(syncs[result] ?? 0)\n"
            }
            out += durations.text(name: "gitops_sync_duration_seconds", help: "Time a sync took.")
            out += "# HELP gitops_objects Objects of the environment by state at the last sync.\n# TYPE gitops_objects gauge\n"
            for (state, count) in objects.sorted(by: { $0.key < $1.key }) { out += "gitops_objects{state=\"\(state)\"} \(count)\n" }
            out += "# HELP gitops_last_sync_timestamp_seconds When the last sync completed.\n# TYPE gitops_last_sync_timestamp_seconds gauge\n"
            out += "gitops_last_sync_timestamp_seconds \(lastSync.map { String(format: "%.3f", $0) } ?? "0")\n"
            out += fetches.text(name: "gitops_git_fetch_duration_seconds", help: "Time a fetch of the repository took.")
            out += "# HELP gitops_revision_info The revision last synced.\n# TYPE gitops_revision_info gauge\n"
            if let revision { out += "gitops_revision_info{revision=\"\(revision)\"} 1\n" }
            return out
        }
    }

    struct Histogram {
        let buckets: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0

        init(buckets: [Double]) {
            self.buckets = buckets
            counts = Array(repeating: 0, count: buckets.count)
        }

        mutating func observe(_ value: Double) {
            for (index, bound) in buckets.enumerated() where value <= bound { counts[index] += 1 }
            sum += value
            count += 1
        }

        func text(name: String, help: String) -> String {
            var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
            for (index, bound) in buckets.enumerated() { out += "\(name)_bucket{le=\"\(bound)\"} \(counts[index])\n" }
            out += "\(name)_bucket{le=\"+Inf\"} \(count)\n\(name)_sum \(String(format: "%.6f", sum))\n\(name)_count \(count)\n"
            return out
        }
    }
}
