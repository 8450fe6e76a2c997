/// One measurement of a check.
public enum AnalysisMeasurement: Sendable, Equatable, CustomStringConvertible {
    /// The value met the condition (HTTP: the status was expected).
    case success(String)
    /// The value did not (HTTP: another status, or the service did not answer).
    case failure(String)
    /// Nothing to judge: no data, NaN, the provider unreachable or refusing the query. Never a pass.
    case inconclusive(String)

    public var description: String {
        switch self {
        case .success(let what): return "success: \(what)"
        case .failure(let what): return "failure: \(what)"
        case .inconclusive(let what): return "inconclusive: \(what)"
        }
    }
}

/// How a check (or a whole analysis) ended.
public enum Verdict: String, Sendable, Equatable {
    /// Every measurement taken, failures and inconclusive answers within their limits.
    case passed
    /// More failures than `failureLimit`.
    case failed
    /// More inconclusive answers than `inconclusiveLimit`, or the analysis was stopped: the rollout
    /// waits for a person (`gitops rollout promote` or `abort`); it never counts as a pass.
    case inconclusive

    /// Several checks together: failed when any failed, else inconclusive when any was, else passed.
    public static func combined(_ verdicts: [Verdict]) -> Verdict {
        if verdicts.contains(.failed) { return .failed }
        if verdicts.contains(.inconclusive) { return .inconclusive }
        return .passed
    }
}

/// What running one check found.
public struct CheckResult: Sendable, Equatable {
    public var check: String
    public var verdict: Verdict
    public var measurements: [AnalysisMeasurement]
    /// Why it ended as it did, for status and logs.
    public var summary: String
}
