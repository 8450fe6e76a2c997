import Basics
import Cluster
import Foundation
import KubeModel
import Rollouts

/// A rollout's record: a ConfigMap `gitops-<env>-rollout-<workload>` in the environment's
/// namespace, written by the sync job (field manager `gitops-rollout`) after every step, so a
/// restarted job resumes where it was. A person's `promote` or `abort` is written to the same
/// ConfigMap by another field manager (`gitops-rollout-request`) under keys the job only reads.
public struct RolloutRecord: Sendable, Equatable {
    public var workload: String
    public var state: RolloutState
    /// The template digest being rolled out (`RolloutObjects.templateHash`), and the stable one.
    public var hash: String
    public var stableHash: String
    /// The stable version's workload as it was applied (JSON), rolled back to on an abort.
    public var stable: ValueObject?
    /// The last analysis, one line per check.
    public var analysis: [String] = []
    /// The last person's request the job acted on.
    public var handledRequest = ""

    public static let manager = "gitops-rollout"
    public static let requestManager = "gitops-rollout-request"
    /// Labels the records with their environment, so `gitops rollout status` lists them.
    public static let environmentLabel = "gitops/rollout-of"

    public init(workload: String, state: RolloutState, hash: String, stableHash: String, stable: ValueObject?) {
        self.workload = workload
        self.state = state
        self.hash = hash
        self.stableHash = stableHash
        self.stable = stable
    }

    public static func name(environment: String, workload: String) -> String { "gitops-\(environment)-rollout-\(workload)" }

    /// A request a person made (`promote` or `abort`), not yet acted on.
    public struct Request: Sendable, Equatable {
        public var action: String
        public var id: String
        public var by: String
    }

    /// Reads the record; nil when there is none or it is not one (a hand-edited map is started afresh).
    public static func read(_ client: KubeClient, environment: String, namespace: String, workload: String) async throws(ClusterError) -> (RolloutRecord?, Request?) {
        guard let map = try await client.get(Inventory.configMaps, namespace: namespace, name: name(environment: environment, workload: workload)) else { return (nil, nil) }
        return parse(map, workload: workload)
    }

    /// Every rollout record of an environment.
    public static func list(_ client: KubeClient, environment: String, namespace: String) async throws(ClusterError) -> [(RolloutRecord, Request?)] {
        let resource = try await client.resource(for: Inventory.configMaps)
        let maps = try await client.list(resource, namespace: namespace, labelSelector: "\(environmentLabel)=\(environment)")
        return maps.compactMap { map -> (RolloutRecord, Request?)? in
            guard let workload = map["metadata"]?["labels"]?["gitops/rollout-workload"]?.stringValue else { return nil }
            let (record, request) = parse(map, workload: workload)
            return record.map { ($0, request) }
        }.sorted { $0.0.workload < $1.0.workload }
    }

    static func parse(_ map: ValueObject, workload: String) -> (RolloutRecord?, Request?) {
        var data: [String: String] = [:]
        for (key, value) in map["data"]?.objectValue ?? [:] { if let text = value.stringValue { data[key] = text } }
        var request: Request?
        if let action = data["request"], let id = data["requestId"], data["handledRequest"] != id {
            request = Request(action: action, id: id, by: data["requestBy"] ?? "someone")
        }
        guard let state = RolloutState(record: data), let hash = data["hash"], let stableHash = data["stableHash"] else { return (nil, request) }
        var stable: ValueObject?
        if let text = data["stable"], case .object(let object)? = try? JSONReader.values(text).first { stable = object }
        var record = RolloutRecord(workload: workload, state: state, hash: hash, stableHash: stableHash, stable: stable)
        record.analysis = data["analysis"].map { $0.split(separator: "\n").map(String.init) } ?? []
        record.handledRequest = data["handledRequest"] ?? ""
        return (record, request)
    }

    /// Writes the record (the keys the job owns).
    public func write(_ client: KubeClient, environment: String, namespace: String) async throws(ClusterError) {
        var data = ValueObject()
        for (key, value) in state.record.sorted(by: { $0.key < $1.key }) { data[key] = .string(value) }
        data["workload"] = .string(workload)
        data["hash"] = .string(hash)
        data["stableHash"] = .string(stableHash)
        if let stable { data["stable"] = .string(JSONWriter.compact(.object(stable))) }
        data["analysis"] = .string(analysis.joined(separator: "\n"))
        data["handledRequest"] = .string(handledRequest)
        try await Self.apply(client, environment: environment, namespace: namespace, workload: workload, data: data, manager: Self.manager)
    }

    /// Records a person's `promote` or `abort` for the job to act on.
    public static func request(_ client: KubeClient, environment: String, namespace: String, workload: String, action: String, by: String) async throws(ClusterError) {
        let id = UUID().uuidString.lowercased()
        try await apply(client, environment: environment, namespace: namespace, workload: workload,
                        data: ["request": .string(action), "requestId": .string(id), "requestBy": .string(by)], manager: requestManager)
    }

    private static func apply(_ client: KubeClient, environment: String, namespace: String, workload: String, data: ValueObject, manager: String) async throws(ClusterError) {
        let map: ValueObject = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": .object(["name": .string(name(environment: environment, workload: workload)), "namespace": .string(namespace),
                                 "labels": .object(["app.kubernetes.io/managed-by": "gitops", environmentLabel: .string(environment),
                                                    "gitops/rollout-workload": .string(workload)])]),
            "data": .object(data),
        ]
        _ = try await client.apply(map, fieldManager: manager, force: true)
    }
}
