import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Rollouts

/// The analysis against a real Prometheus (Debian's `prometheus`, started here on 127.0.0.1),
/// scraping a test exporter whose error rate and latency the test sets: real PromQL, real answers.
@Suite(.serialized) struct PrometheusAnalysisTests {
    // An 8 s window: a scrape or two missed under load still leaves samples to take a rate of.
    static let errorRate = #"sum(rate(http_server_requests_seconds_count{status=~"5.."}[8s])) / sum(rate(http_server_requests_seconds_count[8s]))"#
    static let p95 = #"histogram_quantile(0.95, sum(rate(http_server_requests_seconds_bucket[8s])) by (le))"#

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
        let exporter = try PrometheusExporter()
        defer { exporter.stop() }
        let prometheus = try TestPrometheus(scraping: exporter.port)
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

        let exporter = try PrometheusExporter()
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
