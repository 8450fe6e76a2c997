import Basics
import YAML

/// One check of a rollout's analysis: what is measured, what counts as healthy, how often and how
/// many times, and how many bad or unknown answers are tolerated.
public struct MetricCheck: Sendable, Hashable {
    public enum Provider: Sendable, Hashable {
        /// An instant query to Prometheus' HTTP API (`GET /api/v1/query`).
        case prometheus(address: String, query: String)
        /// A GET whose status must be one of `expectStatus` (empty: any 2xx).
        case http(url: String, expectStatus: [Int])
        /// A Kubernetes Job (`metadata` with labels and annotations, and `spec`), run in the
        /// environment's namespace: it must succeed within the check's timeout (a smoke-test Job).
        case job(Value)
    }

    public var name: String
    public var provider: Provider
    /// For Prometheus: what every returned value must satisfy. Nil for HTTP checks.
    public var successCondition: Condition?
    /// Seconds between measurements (the first is taken at once).
    public var interval: Double
    /// Measurements to take before the check passes.
    public var count: Int
    /// Failed measurements tolerated; one more fails the check.
    public var failureLimit: Int
    /// Inconclusive measurements (no data, the provider unreachable) tolerated; one more makes the
    /// check inconclusive, which never counts as a pass.
    public var inconclusiveLimit: Int
    /// Seconds one measurement may take.
    public var timeout: Double

    public init(name: String, provider: Provider, successCondition: Condition? = nil, interval: Double = 0, count: Int = 1,
                failureLimit: Int = 0, inconclusiveLimit: Int = 0, timeout: Double = 10) {
        self.name = name
        self.provider = provider
        self.successCondition = successCondition
        self.interval = interval
        self.count = count
        self.failureLimit = failureLimit
        self.inconclusiveLimit = inconclusiveLimit
        self.timeout = timeout
    }
}

/// `< 0.05`, `<= 0.2`, `> 0.99`, `>= 1`, `== 0`, `!= 0`: a comparison with a number.
public struct Condition: Sendable, Hashable, CustomStringConvertible {
    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", equal = "==", notEqual = "!=", less = "<", greater = ">"
    }

    public var comparison: Comparison
    public var threshold: Double

    public init(_ comparison: Comparison, _ threshold: Double) {
        self.comparison = comparison
        self.threshold = threshold
    }

    /// Parses `< 0.05`; nil when it is not a comparison with a number.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Two-character operators first, so `<=` is not read as `<`.
        guard let comparison = Comparison.allCases.first(where: { trimmed.hasPrefix($0.rawValue) }),
              let threshold = Double(trimmed.dropFirst(comparison.rawValue.count).trimmingCharacters(in: .whitespaces)),
              threshold.isFinite else { return nil }
        self.init(comparison, threshold)
    }

    public func holds(for value: Double) -> Bool {
        switch comparison {
        case .less: return value < threshold
        case .lessOrEqual: return value <= threshold
        case .greater: return value > threshold
        case .greaterOrEqual: return value >= threshold
        case .equal: return value == threshold
        case .notEqual: return value != threshold
        }
    }

    public var description: String { "\(comparison.rawValue) \(GoFloat.format(threshold))" }
}

import Foundation

extension MetricCheck {
    /// The checks of an `analysis:` list (a release's `rollout.analysis` in environment.yaml), every
    /// problem reported at its line and column.
    public static func parse(_ node: Node, file: String) throws(DiagnosticError) -> [MetricCheck] {
        var collector = DiagnosticCollector()
        func error(_ at: Node, _ message: String) {
            collector.error("rollout.analysis", at: SourceLocation(file: file, line: at.start.line, column: at.start.column), message)
        }
        guard let items = node.items else {
            error(node, "analysis must be a list of checks, each with a name and a prometheus:, http: or job: provider")
            throw DiagnosticError(collector.diagnostics)
        }
        var checks: [MetricCheck] = []
        var names = Set<String>()
        for item in items {
            guard item.pairs != nil else { error(item, "an analysis check must be a mapping (name:, prometheus:, http: or job:, ...)"); continue }
            let fields = RolloutSpec.fields(item, known: ["name", "prometheus", "http", "job", "successCondition", "interval", "count", "failureLimit",
                                                          "inconclusiveLimit", "timeout"], in: "an analysis check", error: error)
            guard let name = fields["name"]?.scalar, !name.isEmpty else { error(item, "an analysis check needs a name"); continue }
            if !names.insert(name).inserted { error(fields["name"]!, "two analysis checks are named '\(name)'") }
            var check = MetricCheck(name: name, provider: .http(url: "", expectStatus: []))
            let providers = ["prometheus", "http", "job"].filter { fields[$0] != nil }
            guard providers.count == 1, let provider = fields[providers[0]] else {
                error(item, "analysis check '\(name)' needs exactly one of prometheus:, http: or job:"); continue
            }
            switch providers[0] {
            case "prometheus":
                guard let address = provider.pairs?.first(where: { $0.key.scalar == "address" })?.value.scalar,
                      address.hasPrefix("http://") || address.hasPrefix("https://") else {
                    error(provider, "prometheus: needs address: http://HOST:PORT (the server's base URL)"); continue
                }
                guard let query = provider.pairs?.first(where: { $0.key.scalar == "query" })?.value.scalar, !query.isEmpty else {
                    error(provider, "prometheus: needs query: (a PromQL expression giving one number)"); continue
                }
                check.provider = .prometheus(address: address, query: query)
                guard let conditionNode = fields["successCondition"], let condition = conditionNode.scalar.flatMap(Condition.init(parsing:)) else {
                    error(fields["successCondition"] ?? item, "a prometheus check needs successCondition: such as \"< 0.05\" (<, <=, >, >=, ==, != and a number)"); continue
                }
                check.successCondition = condition
            case "http":
                guard let url = provider.pairs?.first(where: { $0.key.scalar == "url" })?.value.scalar,
                      url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    error(provider, "http: needs url: http://... (what a smoke check GETs)"); continue
                }
                var statuses: [Int] = []
                if let expect = provider.pairs?.first(where: { $0.key.scalar == "expectStatus" })?.value {
                    for status in expect.items ?? [expect] {
                        guard let code = status.scalar.flatMap(Int.init), (100...599).contains(code) else { error(status, "expectStatus holds HTTP status codes such as 200"); continue }
                        statuses.append(code)
                    }
                }
                check.provider = .http(url: url, expectStatus: statuses)
                if let condition = fields["successCondition"] { error(condition, "successCondition applies to prometheus checks; an http check passes on its expectStatus") }
            default:
                let job = RolloutSpec.fields(provider, known: ["metadata", "spec"], in: "job:", error: error)
                guard let specNode = job["spec"], let spec = try? specNode.value(file: file),
                      spec["template"]?["spec"]?["containers"]?.arrayValue?.isEmpty == false else {
                    error(provider, "job: needs spec: a Job spec with template.spec.containers (the smoke test to run)"); continue
                }
                var template: ValueObject = ["spec": spec]
                if let metadata = job["metadata"], let value = try? metadata.value(file: file) {
                    guard case .object(let fields) = value, Set(fields.keys).isSubset(of: ["labels", "annotations"]) else {
                        error(metadata, "job.metadata may hold labels and annotations"); continue
                    }
                    template["metadata"] = value
                }
                check.provider = .job(.object(template))
                // A Job's pods are scheduled and pulled first: five minutes unless timeout says otherwise.
                check.timeout = 300
                if let condition = fields["successCondition"] { error(condition, "successCondition applies to prometheus checks; a job check passes when the Job succeeds") }
            }
            for (key, minimum) in [("count", 1), ("failureLimit", 0), ("inconclusiveLimit", 0)] {
                guard let node = fields[key] else { continue }
                guard let number = node.scalar.flatMap(Int.init), number >= minimum, number <= 10_000 else {
                    error(node, "\(key) must be a whole number from \(minimum) to 10000"); continue
                }
                switch key {
                case "count": check.count = number
                case "failureLimit": check.failureLimit = number
                default: check.inconclusiveLimit = number
                }
            }
            for key in ["interval", "timeout"] {
                guard let node = fields[key] else { continue }
                guard let seconds = node.scalar.flatMap(GoDuration.seconds), seconds >= 0, seconds <= 86_400 else {
                    error(node, "\(key) must be a duration such as 30s or 5m"); continue
                }
                if key == "interval" { check.interval = seconds } else { check.timeout = max(seconds, 0.1) }
            }
            checks.append(check)
        }
        collector.sortByLocation()
        try collector.throwIfErrors()
        return checks
    }
}
