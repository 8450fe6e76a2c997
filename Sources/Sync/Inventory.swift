import Basics
import Cluster
import Foundation
import KubeModel

/// The objects an environment applied, kept in a ConfigMap `gitops-<env>-inventory` in its
/// namespace: what a prune may delete even when a label was lost.
enum Inventory {
    static func name(_ options: SyncOptions) -> String { "gitops-\(options.environment)-inventory" }
    static let configMaps = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")

    static func isOwn(_ object: Object, options: SyncOptions) -> Bool {
        object.kind == "ConfigMap" && object.namespace == options.namespace
            && [name(options), SyncStatus.name(options.environment)].contains(object.name)
    }

    static func read(_ client: KubeClient, options: SyncOptions) async throws -> Set<ResourceKey> {
        guard let map = try await client.get(configMaps, namespace: options.namespace, name: name(options)),
              let text = map["data"]?["objects"]?.stringValue else { return [] }
        var keys = Set<ResourceKey>()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4 else { continue }
            keys.insert(ResourceKey(group: parts[0], kind: parts[1], namespace: parts[2], name: parts[3]))
        }
        return keys
    }

    /// The inventories of the other environments on the cluster that can be read (a service
    /// account bound to its own namespace may not read theirs: those are skipped), by object.
    static func readSiblings(_ client: KubeClient, options: SyncOptions) async throws -> [ResourceKey: Set<String>] {
        var owners: [ResourceKey: Set<String>] = [:]
        for sibling in options.siblings where sibling.name != options.environment {
            var siblingOptions = options
            siblingOptions.environment = sibling.name
            siblingOptions.namespace = sibling.namespace
            let keys: Set<ResourceKey>
            do {
                keys = try await read(client, options: siblingOptions)
            } catch ClusterError.api(let error) where error.reason == .forbidden || error.reason == .notFound {
                continue
            }
            for key in keys { owners[key, default: []].insert(sibling.name) }
        }
        return owners
    }

    /// Applies ConfigMap `name` in the environment's namespace with `data`, as `manager` (forced:
    /// these are the job's own records). Each manager owns only the keys it applies.
    static func applyConfigMap(_ client: KubeClient, name: String, options: SyncOptions, manager: String, data: ValueObject) async throws {
        let map: ValueObject = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": .object(["name": .string(name), "namespace": .string(options.namespace),
                                 "labels": .object(["app.kubernetes.io/managed-by": "gitops"])]),
            "data": .object(data),
        ]
        _ = try await client.apply(map, fieldManager: manager, force: true)
    }

    /// Records the objects this sync applied (what later prunes may delete).
    static func write(_ client: KubeClient, options: SyncOptions, keys: [ResourceKey]) async throws {
        let lines = keys.map { "\($0.groupKind.group)|\($0.groupKind.kind)|\($0.namespace)|\($0.name)" }.sorted()
        try await applyConfigMap(client, name: name(options), options: options, manager: options.fieldManager,
                                 data: ["environment": .string(options.environment), "revision": .string(options.revision),
                                        "objects": .string(lines.joined(separator: "\n"))])
    }
}

/// The last sync's result in a ConfigMap `gitops-<env>-status`: what `gitops status` reads.
public enum SyncStatus {
    public static func name(_ environment: String) -> String { "gitops-\(environment)-status" }

    public static func write(_ client: KubeClient, options: SyncOptions, result: String, message: String, report: SyncReport?) async throws {
        var data: ValueObject = ["environment": .string(options.environment), "revision": .string(options.revision),
                                 "time": .string(ISO8601DateFormatter().string(from: Date())), "result": .string(result),
                                 "message": .string(message)]
        if let report {
            data["applied"] = .string(String(report.applied.count))
            data["pruned"] = .string(String(report.pruned.count))
            data["unchanged"] = .string(String(report.unchanged))
            data["hooks"] = .string(report.hooks.joined(separator: "\n"))
        }
        try await Inventory.applyConfigMap(client, name: name(options.environment), options: options, manager: options.fieldManager, data: data)
    }

    /// The field manager of the hook records: apart from the status's, so each leaves the other's keys alone.
    static let hookRecordManager = "gitops-hooks"

    /// The hooks recorded as succeeded for `options.revision` (none when the record is of another revision).
    static func hooksSucceeded(_ client: KubeClient, options: SyncOptions) async throws -> Set<String> {
        guard let map = try await client.get(Inventory.configMaps, namespace: options.namespace, name: name(options.environment)),
              map["data"]?["hooksRevision"]?.stringValue == options.revision,
              let text = map["data"]?["hooksSucceeded"]?.stringValue else { return [] }
        return Set(text.split(separator: "\n").map(String.init))
    }

    /// Records the hooks that succeeded for `options.revision`, as each one does.
    static func recordHooks(_ client: KubeClient, options: SyncOptions, succeeded: Set<String>) async throws {
        try await Inventory.applyConfigMap(client, name: name(options.environment), options: options, manager: hookRecordManager,
                                           data: ["hooksRevision": .string(options.revision),
                                                  "hooksSucceeded": .string(succeeded.sorted().joined(separator: "\n"))])
    }

    /// The last recorded status, nil when there is none.
    public static func read(_ client: KubeClient, environment: String, namespace: String) async throws -> [String: String]? {
        guard let map = try await client.get(Inventory.configMaps, namespace: namespace, name: name(environment)) else { return nil }
        var out: [String: String] = [:]
        for (key, value) in map["data"]?.objectValue ?? [:] { out[key] = value.stringValue }
        return out
    }
}
