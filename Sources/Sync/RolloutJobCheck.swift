import Basics
import Cluster
import Foundation
import KubeModel
import Rollouts

/// Runs an analysis check's Job (a smoke test) in the environment's namespace and waits for it:
/// it succeeds or fails as the Job does; no verdict within the check's timeout is a failure (the
/// test hangs against the new version); an API server that cannot be reached is inconclusive.
/// The Job is labelled as the environment's and deleted (with its pods) once judged.
public struct RolloutJobCheck: Sendable {
    public let client: KubeClient
    public let namespace: String
    public let environment: String
    /// The Job's name: `<prefix>-<check>`, e.g. `blog-rollout-b3c4d5e-smoke`.
    public let prefix: String
    public var pollInterval: Double = 1

    public init(client: KubeClient, namespace: String, environment: String, prefix: String) {
        self.client = client
        self.namespace = namespace
        self.environment = environment
        self.prefix = prefix
    }

    static let jobs = GroupVersionKind(group: "batch", version: "v1", kind: "Job")

    public func measure(_ check: MetricCheck) async -> AnalysisMeasurement {
        guard case .job(let template) = check.provider else { return .inconclusive("\(check.name) is not a job check") }
        // A DNS label: lower-case letters, digits and dashes, at most 63 characters.
        let label = String((prefix + "-" + check.name).lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "-" })
        let name = String(label.prefix(63)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        var labels = template["metadata"]?["labels"]?.objectValue ?? [:]
        labels[LiveState.environmentLabel] = .string(environment)
        labels[CanaryObjects.checkLabel] = .string(check.name)
        var metadata: ValueObject = ["name": .string(name), "namespace": .string(namespace), "labels": .object(labels)]
        if let annotations = template["metadata"]?["annotations"] { metadata["annotations"] = annotations }
        let job: ValueObject = ["apiVersion": "batch/v1", "kind": "Job", "metadata": .object(metadata), "spec": template["spec"] ?? .null]
        do {
            // A Job's template cannot change: one left from an earlier run goes first.
            try await client.delete(Self.jobs, namespace: namespace, name: name, propagation: .background)
            try await waitUntilGone(name, deadline: Date().addingTimeInterval(30))
            _ = try await client.apply(job, fieldManager: "gitops-rollout", force: true)
        } catch {
            return .inconclusive("the Job \(namespace)/\(name) could not be started: \(error)")
        }
        let verdict = await outcome(of: name, deadline: Date().addingTimeInterval(check.timeout), timeout: check.timeout)
        // Judged: the Job and its pods go (awaited, so nothing runs on after the check).
        try? await client.delete(Self.jobs, namespace: namespace, name: name, propagation: .background)
        return verdict
    }

    /// Polls the Job until it succeeds, fails, or `deadline` passes.
    private func outcome(of name: String, deadline: Date, timeout: Double) async -> AnalysisMeasurement {
        while true {
            let live: ValueObject?
            do { live = try await client.get(Self.jobs, namespace: namespace, name: name) } catch {
                return .inconclusive("the Job \(namespace)/\(name) could not be read: \(error)")
            }
            guard let live else { return .failure("the Job \(namespace)/\(name) disappeared before it finished") }
            switch JobHealth.check(live) {
            case .healthy: return .success("the Job \(name) succeeded")
            case .degraded(let why): return .failure("the Job \(name): \(why)")
            case .progressing(let what):
                if Date() >= deadline { return .failure("the Job \(name) did not finish within \(GoFloat.format(timeout))s (\(what))") }
            }
            do { try await Task.sleep(for: .milliseconds(Int(pollInterval * 1000))) } catch {
                return .inconclusive("stopped while the Job \(name) ran")
            }
        }
    }

    private func waitUntilGone(_ name: String, deadline: Date) async throws {
        while try await client.get(Self.jobs, namespace: namespace, name: name) != nil {
            guard Date() < deadline else { throw RolloutError("the earlier Job \(namespace)/\(name) is still being deleted") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
