import Basics
import Synchronization
import Testing
import YAML
@testable import Rollouts

@Suite struct AnalysisTests {
    static func parse(_ text: String) throws(DiagnosticError) -> [MetricCheck] {
        let node = try YAMLParser.parse(Array(text.utf8), file: "environment.yaml").first!
        return try MetricCheck.parse(node, file: "environment.yaml")
    }

    @Test func checksAreReadWithTheirDefaults() throws {
        let checks = try Self.parse("""
            - name: error-rate
              prometheus:
                address: http://prometheus.monitoring:9090
                query: sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))
              successCondition: "< 0.01"
              interval: 30s
              count: 5
              failureLimit: 1
            - name: smoke
              http: {url: "http://blog-preview/healthz", expectStatus: [200, 204]}

            """)
        #expect(checks == [
            MetricCheck(name: "error-rate", provider: .prometheus(address: "http://prometheus.monitoring:9090",
                                                                  query: #"sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))"#),
                        successCondition: Condition(.less, 0.01), interval: 30, count: 5, failureLimit: 1),
            MetricCheck(name: "smoke", provider: .http(url: "http://blog-preview/healthz", expectStatus: [200, 204])),
        ])
    }

    @Test func mistakesAreNamedAtTheirLine() {
        #expect { try Self.parse("""
            - name: a
              prometheus: {address: "prometheus:9090", query: up}
              successCondition: "< 1"
            - name: b
              prometheus: {address: "http://p:9090", query: up}
              successCondition: "less than one"
              intervall: 5s
            - name: b
              http: {url: "http://x"}
              count: 0

            """) } throws: { error in
            let text = "\(error)"
            return text.contains("environment.yaml:2:15: error: prometheus: needs address: http://HOST:PORT")
                && text.contains("environment.yaml:6:21: error: a prometheus check needs successCondition")
                && text.contains("environment.yaml:7:3: error: unknown field 'intervall' in an analysis check; did you mean 'interval'?")
                && text.contains("environment.yaml:8:9: error: two analysis checks are named 'b'")
                && text.contains("environment.yaml:10:10: error: count must be a whole number from 1 to 10000")
        }
    }

    @Test func conditionsCompare() {
        #expect(Condition(parsing: "<= 0.2") == Condition(.lessOrEqual, 0.2))
        #expect(Condition(parsing: ">=1") == Condition(.greaterOrEqual, 1))
        #expect(Condition(parsing: "< NaN") == nil && Condition(parsing: "0.5") == nil && Condition(parsing: "=> 1") == nil)
        #expect(Condition(.less, 0.05).holds(for: 0.01) && !Condition(.less, 0.05).holds(for: 0.05))
        #expect(Condition(.notEqual, 0).holds(for: 1) && Condition(.equal, 0).holds(for: 0))
        #expect(Condition(.lessOrEqual, 0.2).description == "<= 0.2")
    }

    final class Counter: Sendable {
        let value = Mutex(0)
        func next() -> Int { value.withLock { count in defer { count += 1 }; return count } }
        var count: Int { value.withLock { $0 } }
    }

    /// A runner whose measurements come from a script, with no waiting.
    static func runner(_ script: [AnalysisMeasurement]) -> (AnalysisRunner, Counter) {
        let taken = Counter()
        var runner = AnalysisRunner { _ in
            let index = taken.next()
            return index < script.count ? script[index] : .success("beyond the script")
        }
        runner.sleep = { _ in }
        return (runner, taken)
    }

    @Test func limitsDecideTheVerdictAndStopEarly() async {
        let check = MetricCheck(name: "c", provider: .http(url: "http://x", expectStatus: []), count: 5, failureLimit: 1, inconclusiveLimit: 1)
        let (passing, _) = Self.runner([.success("1"), .failure("2"), .inconclusive("3"), .success("4"), .success("5")])
        let passed = await passing.run(check)
        #expect(passed.verdict == .passed && passed.measurements.count == 5, "\(passed)")
        let (failing, taken) = Self.runner([.failure("a"), .success("b"), .failure("c"), .success("d")])
        let failed = await failing.run(check)
        #expect(failed.verdict == .failed && failed.summary.contains("2 failed measurements (limit 1); the last: c"), "\(failed)")
        #expect(taken.count == 3, "stops at the failure that exceeds the limit")
        let (unknown, _) = Self.runner([.inconclusive("no data"), .inconclusive("unreachable")])
        let inconclusive = await unknown.run(check)
        #expect(inconclusive.verdict == .inconclusive && inconclusive.summary.contains("the last: unreachable"))
        #expect(Verdict.combined([.passed, .inconclusive]) == .inconclusive && Verdict.combined([.inconclusive, .failed]) == .failed)
        #expect(Verdict.combined([]) == .passed)
    }

    @Test func aStopIsNeverAPass() async {
        var (runner, _) = Self.runner([])
        runner.sleep = { _ in throw CancellationError() }
        let result = await runner.run(MetricCheck(name: "c", provider: .http(url: "http://x", expectStatus: []), interval: 60, count: 3))
        #expect(result.verdict == .inconclusive && result.summary == "stopped after 1 of 3 measurements")
    }
}
