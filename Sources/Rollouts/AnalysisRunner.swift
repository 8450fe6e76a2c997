import Foundation

/// Runs checks: `count` measurements, `interval` apart (the first at once), stopping as soon as the
/// failures exceed `failureLimit` or the inconclusive answers exceed `inconclusiveLimit`. A stop
/// (task cancellation) ends a check as inconclusive, never as a pass.
public struct AnalysisRunner: Sendable {
    /// Takes one measurement (default: over HTTP with `MeasurementClient`).
    public var measure: @Sendable (MetricCheck) async -> AnalysisMeasurement
    /// Waits between measurements.
    public var sleep: @Sendable (Double) async throws -> Void = { seconds in try await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }

    public init(measure: @escaping @Sendable (MetricCheck) async -> AnalysisMeasurement) {
        self.measure = measure
    }

    /// Runs every check at once with one HTTP client.
    public static func run(_ checks: [MetricCheck]) async -> [CheckResult] {
        await MeasurementClient.with { client in
            await AnalysisRunner(measure: { await client.measure($0) }).run(checks)
        }
    }

    /// Every check at once; results in the checks' order.
    public func run(_ checks: [MetricCheck]) async -> [CheckResult] {
        await withTaskGroup(of: (Int, CheckResult).self) { group in
            for (index, check) in checks.enumerated() { group.addTask { (index, await self.run(check)) } }
            var results = [CheckResult?](repeating: nil, count: checks.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }

    public func run(_ check: MetricCheck) async -> CheckResult {
        var measurements: [AnalysisMeasurement] = []
        var failures = 0, inconclusive = 0
        for index in 0..<check.count {
            if index > 0 {
                do { try await sleep(check.interval) } catch {
                    return CheckResult(check: check.name, verdict: .inconclusive, measurements: measurements, summary: "stopped after \(index) of \(check.count) measurements")
                }
            }
            if Task.isCancelled {
                return CheckResult(check: check.name, verdict: .inconclusive, measurements: measurements, summary: "stopped after \(index) of \(check.count) measurements")
            }
            let measurement = await measure(check)
            measurements.append(measurement)
            switch measurement {
            case .success: break
            case .failure(let why):
                failures += 1
                if failures > check.failureLimit {
                    return CheckResult(check: check.name, verdict: .failed, measurements: measurements,
                                       summary: "failed: \(failures) failed measurement\(failures == 1 ? "" : "s") (limit \(check.failureLimit)); the last: \(why)")
                }
            case .inconclusive(let why):
                inconclusive += 1
                if inconclusive > check.inconclusiveLimit {
                    return CheckResult(check: check.name, verdict: .inconclusive, measurements: measurements,
                                       summary: "inconclusive: \(inconclusive) measurement\(inconclusive == 1 ? "" : "s") without an answer (limit \(check.inconclusiveLimit)); the last: \(why)")
                }
            }
        }
        return CheckResult(check: check.name, verdict: .passed, measurements: measurements,
                           summary: "passed: \(check.count - failures - inconclusive) of \(check.count) measurements succeeded")
    }
}
