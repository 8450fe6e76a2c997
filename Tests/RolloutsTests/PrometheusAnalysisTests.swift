import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Rollouts

/// The analysis against a real Prometheus (Debian's `prometheus`, started here on 127.0.0.1),
/// scraping a test exporter whose error rate and latency the test sets: real PromQL, real answers.
@Suite(.serialized) struct PrometheusAnalysisTests {
    /// A folder served over HTTP (python3 -m http.server): `metrics.txt` is the exporter's page.
    final class Exporter: @unchecked Sendable {
        let folder = NSTemporaryDirectory() + "gitops-exporter-" + UUID().uuidString
        let server = Process()
        let port: Int
        private let lock = NSLock()
        private var requests = 0.0, errors = 0.0
        private var buckets: [Double] = [0, 0, 0, 0, 0]
        /// The bucket bounds, seconds.
        static let bounds = [0.05, 0.1, 0.2, 0.5, 1.0]
        private var errorRate = 0.0, latency = 0.03
        private var stopped = false

        init() throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            port = Int.random(in: 41_000...49_000)
            server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            server.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder]
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
            try write()
            try server.run()
            // Its own thread: the test process's task pool is busy with other suites, and counters
            // that stop moving read as 0/0 (NaN) to Prometheus.
            let thread = Thread { [weak self] in
                while let self, !self.lock.withLock({ self.stopped }) {
                    self.tick()
                    Thread.sleep(forTimeInterval: 0.2)
                }
            }
            thread.start()
        }

        /// What the next requests look like.
        func set(errorRate: Double, latency: Double) { lock.withLock { self.errorRate = errorRate; self.latency = latency } }

        /// Twenty requests every tick, `errorRate` of them 5xx, each taking `latency`.
        private func tick() {
            lock.withLock {
                requests += 20
                errors += 20 * errorRate
                for (index, bound) in Self.bounds.enumerated() where latency <= bound { buckets[index] += 20 }
            }
            try? write()
        }

        private func write() throws {
            let text = lock.withLock { () -> String in
                var text = "# TYPE http_requests_total counter\n"
                text += "http_requests_total{code=\"200\"} \(requests - errors)\nhttp_requests_total{code=\"500\"} \(errors)\n"
                text += "# TYPE http_request_duration_seconds histogram\n"
                for (index, bound) in Self.bounds.enumerated() { text += "http_request_duration_seconds_bucket{le=\"\(bound)\"} \(buckets[index])\n" }
                text += "http_request_duration_seconds_bucket{le=\"+Inf\"} \(requests)\nhttp_request_duration_seconds_count \(requests)\n"
                return text
            }
            try text.write(toFile: folder + "/metrics.txt", atomically: true, encoding: .utf8)
        }

        func stop() {
            lock.withLock { stopped = true }
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// Prometheus scraping the exporter every second.
    final class Prometheus {
        let folder = NSTemporaryDirectory() + "gitops-prometheus-" + UUID().uuidString
        let process = Process()
        let port = Int.random(in: 41_000...49_000)
        var address: String { "http://127.0.0.1:\(port)" }

        init(scraping exporter: Int) throws {
            try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
            try """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: blog
                    metrics_path: /metrics.txt
                    static_configs: [{targets: ["127.0.0.1:\(exporter)"]}]

                """.write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["prometheus", "--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data",
                                 "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    // An 8 s window: a scrape or two missed under load still leaves samples to take a rate of.
    static let errorRate = #"sum(rate(http_requests_total{code=~"5.."}[8s])) / sum(rate(http_requests_total[8s]))"#
    static let p95 = #"histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[8s])) by (le))"#

    static func checks(_ address: String) -> [MetricCheck] {
        [MetricCheck(name: "error-rate", provider: .prometheus(address: address, query: errorRate), successCondition: Condition(.less, 0.05),
                     interval: 1, count: 3),
         MetricCheck(name: "p95-latency", provider: .prometheus(address: address, query: p95), successCondition: Condition(.less, 0.2),
                     interval: 1, count: 3)]
    }

    /// Waits until both queries have data (the first scrapes), at most 40 s.
    static func waitForData(_ address: String) async throws {
        for _ in 0..<200 {
            let results = await AnalysisRunner.run(checks(address).map { var check = $0; check.count = 1; return check })
            if results.allSatisfy({ $0.measurements.first.map { if case .inconclusive = $0 { return false }; return true } ?? false }) { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("Prometheus at \(address) had no data after 40 s")
    }

    @Test func goodBadAndSlowVersionsAreJudgedFromRealPrometheusData() async throws {
        guard (try? TestProcess.output(["sh", "-c", "command -v prometheus"])).map({ !$0.isEmpty }) == true else {
            Issue.record("prometheus is not installed (scripts/setup installs Debian's package)")
            return
        }
        let exporter = try Exporter()
        defer { exporter.stop() }
        let prometheus = try Prometheus(scraping: exporter.port)
        defer { prometheus.stop() }
        try await Self.waitForData(prometheus.address)

        // A good version: no errors, 30 ms.
        var results = await AnalysisRunner.run(Self.checks(prometheus.address))
        #expect(results.map(\.verdict) == [.passed, .passed], "\(results)")
        #expect(results.allSatisfy { $0.measurements.count == 3 })

        // A version with a rising 5xx rate: the first measurement over 5 % fails the check.
        exporter.set(errorRate: 0.3, latency: 0.03)
        try await Task.sleep(for: .seconds(4))
        results = await AnalysisRunner.run(Self.checks(prometheus.address))
        #expect(results[0].verdict == .failed && results[0].measurements.count == 1, "\(results[0])")
        #expect(results[0].summary.contains("not < 0.05"), "\(results[0].summary)")
        #expect(results[1].verdict == .passed)

        // A slow version: p95 of 0.5 s against an objective of 200 ms (the errors out of the window).
        exporter.set(errorRate: 0, latency: 0.45)
        try await Task.sleep(for: .seconds(10))
        results = await AnalysisRunner.run(Self.checks(prometheus.address))
        #expect(results[1].verdict == .failed && results[1].summary.contains("not < 0.2"), "\(results[1])")
        #expect(results[0].verdict == .passed, "\(results[0])")

        // A query Prometheus refuses, and one with no series: inconclusive, never a pass.
        let refused = await AnalysisRunner.run([MetricCheck(name: "bad", provider: .prometheus(address: prometheus.address, query: "sum(rate("),
                                                            successCondition: Condition(.less, 1))])
        #expect(refused[0].verdict == .inconclusive && refused[0].summary.contains("bad_data"), "\(refused[0])")
        let empty = await AnalysisRunner.run([MetricCheck(name: "none", provider: .prometheus(address: prometheus.address, query: "absent_metric_xyz"),
                                                          successCondition: Condition(.less, 1))])
        #expect(empty[0].verdict == .inconclusive && empty[0].summary.contains("no data"), "\(empty[0])")
    }

    @Test func anUnreachablePrometheusIsInconclusiveAndSmokeChecksNeedTheirStatus() async throws {
        // Nothing listens on this port.
        let closed = "http://127.0.0.1:\(Int.random(in: 50_000...59_000))"
        let unreachable = await AnalysisRunner.run(Self.checks(closed).map { var check = $0; check.inconclusiveLimit = 1; return check })
        #expect(unreachable.allSatisfy { $0.verdict == .inconclusive && $0.measurements.count == 2 }, "\(unreachable)")
        #expect(unreachable[0].summary.contains("did not answer"), "\(unreachable[0].summary)")

        let exporter = try Exporter()
        defer { exporter.stop() }
        let base = "http://127.0.0.1:\(exporter.port)"
        var up = false
        for _ in 0..<100 where !up {
            up = (await AnalysisRunner.run([MetricCheck(name: "up", provider: .http(url: base + "/metrics.txt", expectStatus: []))]))[0].verdict == .passed
            if !up { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(up, "the exporter answers")
        let results = await AnalysisRunner.run([
            MetricCheck(name: "missing", provider: .http(url: base + "/healthz", expectStatus: [200])),
            MetricCheck(name: "down", provider: .http(url: closed + "/healthz", expectStatus: [])),
        ])
        #expect(results[0].verdict == .failed && results[0].summary.contains("answered 404"), "\(results[0])")
        #expect(results[1].verdict == .failed && results[1].summary.contains("got no answer"), "\(results[1])")
    }
}
