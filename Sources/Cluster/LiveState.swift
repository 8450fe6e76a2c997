import Basics
import KubeModel

/// What the cluster holds for an environment, read for a comparison: the live counterpart of each
/// desired object, the live objects labelled as the environment's, and (server-side) the object
/// the API server predicts each apply would store.
public struct LiveState: Sendable {
    /// The desired objects as they would be stored: the API server's server-side-apply dry run
    /// (defaults and mutating webhooks included), or the rendered objects when `serverSide` is off
    /// or the kind is not served yet.
    public var desired: [Object]
    /// Live objects: the desired objects' counterparts and every object labelled as the environment's.
    public var live: [Object]
    /// Things the reader could not do, for the user (a kind the cluster does not serve, ...).
    public var warnings: [String]
    /// Desired objects that keep another environment's label (shared objects that environment
    /// still renders), with that label: applies must keep it too.
    public var owners: [ResourceKey: String] = [:]

    /// The label the sync job sets on every object it applies, naming the environment.
    public static let environmentLabel = "gitops/environment"

    /// `object` with the environment label, as the sync job applies it.
    public static func labelled(_ object: Object, environment: String) -> Object {
        var copy = object
        var metadata = copy.content["metadata"]?.objectValue ?? [:]
        var labels = metadata["labels"]?.objectValue ?? [:]
        labels[environmentLabel] = .string(environment)
        metadata["labels"] = .object(labels)
        copy.content["metadata"] = .object(metadata)
        return copy
    }

    /// A list of one namespace; nothing when that is forbidden or gone too.
    static func listAllowed(_ client: KubeClient, _ resource: APIResource, namespace: String, labelSelector: String) async throws(ClusterError) -> [ValueObject] {
        do throws(ClusterError) {
            return try await client.list(resource, namespace: namespace, labelSelector: labelSelector)
        } catch .api(let error) where error.reason == .forbidden || error.reason == .notFound {
            return []
        }
    }

    /// Reads the live state for `desired` (already rendered) of `environment`.
    /// - Parameters:
    ///   - serverSide: ask the API server for a server-side-apply dry run of each object (as field
    ///     manager `fieldManager`, taking fields over as the sync's apply would).
    ///   - concurrency: requests in flight at once.
    ///   - owner: the environment label to apply on an object, given its live label (default: this
    ///     environment); shared objects keep the label of another environment that renders them.
    public static func read(client: KubeClient, desired: [Object], environment: String, serverSide: Bool = true,
                            fieldManager: String = "gitops", concurrency: Int = 8,
                            owner: @escaping @Sendable (ResourceKey, String?) -> String = { _, _ in "" }) async throws(ClusterError) -> LiveState {
        let definedKinds = Set(desired.filter { $0.kind == "CustomResourceDefinition" }.compactMap { crd -> GroupKind? in
            guard let group = crd.content["spec"]?["group"]?.stringValue, let kind = crd.content["spec"]?["names"]?["kind"]?.stringValue else { return nil }
            return GroupKind(group: group, kind: kind)
        })
        // Objects labelled as the environment's, of every kind the server can list: the live
        // counterparts of most desired objects (no request per object), and the prune candidates.
        // Where listing across all namespaces is forbidden (a service account bound by a Role, as
        // the sync job runs), each namespace the environment uses is listed instead.
        let listable = try await client.preferredResources().filter { $0.verbs.contains("list") }
        let namespaces = Set(desired.map(\.namespace).filter { !$0.isEmpty }).sorted()
        let selector = "\(environmentLabel)=\(environment)"
        let owned = try await Concurrently.map(listable, concurrency: concurrency) { resource throws(ClusterError) -> [ValueObject] in
            do throws(ClusterError) {
                return try await client.list(resource, labelSelector: selector)
            } catch .api(let error) where error.reason == .forbidden && resource.namespaced {
                var items: [ValueObject] = []
                for namespace in namespaces { items += try await listAllowed(client, resource, namespace: namespace, labelSelector: selector) }
                return items
            } catch .api(let error) where error.reason == .forbidden || error.reason == .notFound {
                return []
            }
        }
        var ownedByKey: [ResourceKey: Object] = [:]
        var live: [Object] = []
        for content in owned.joined() {
            let object = Object(content: content, provenance: Provenance(release: "", file: "(cluster)", documentIndex: 0, line: 1))
            if ownedByKey.updateValue(object, forKey: object.key) == nil { live.append(object) }
        }
        let listed = ownedByKey
        // Each desired object: its live counterpart (read when it was not listed, e.g. not labelled
        // yet) and, server-side, the predicted object.
        let results = try await Concurrently.map(desired, concurrency: concurrency) { object throws(ClusterError) -> PerObject in
            let namespace = object.namespace.isEmpty ? nil : object.namespace
            do throws(ClusterError) {
                _ = try await client.resource(for: object.gvk)
            } catch .api(let error) where error.reason == .notFound {
                let warning = definedKinds.contains(object.gvk.groupKind) ? nil
                    : "the cluster does not serve \(object.gvk) (\(object.displayName)); is its CustomResourceDefinition installed?"
                return PerObject(predicted: object, live: nil, warning: warning)
            }
            var current = listed[object.key]
            if current == nil {
                current = try await client.get(object.gvk, namespace: namespace, name: object.name)
                    .map { Object(content: $0, provenance: object.provenance) }
            }
            let label = owner(object.key, current?.label(environmentLabel))
            let keeps = !label.isEmpty && label != environment
            guard serverSide else { return PerObject(predicted: object, live: current, warning: nil, owner: keeps ? label : nil) }
            // `metadata.namespace` is already there: `object.namespace` reads it.
            let applied = labelled(object, environment: keeps ? label : environment)
            let content = applied.content
            let predicted: ValueObject
            do throws(ClusterError) {
                predicted = try await client.apply(content, fieldManager: fieldManager, force: true, dryRun: true)
            } catch .api(let error) where error.reason == .notFound && current == nil {
                // Its namespace does not exist yet (created by the same sync): a create, as Git has it.
                return PerObject(predicted: applied, live: nil, warning: nil, owner: nil)
            }
            // A create shows the object as Git has it; an update compares what the server would store.
            return PerObject(predicted: current == nil ? applied : Object(content: predicted, provenance: object.provenance),
                             live: current, warning: nil, owner: keeps ? label : nil)
        }
        for result in results {
            if let current = result.live, ownedByKey[current.key] == nil {
                ownedByKey[current.key] = current
                live.append(current)
            }
        }
        var state = LiveState(desired: results.map(\.predicted), live: live, warnings: results.compactMap(\.warning))
        for (object, result) in zip(desired, results) { if let owner = result.owner { state.owners[object.key] = owner } }
        return state
    }

    private struct PerObject: Sendable {
        var predicted: Object
        var live: Object?
        var warning: String?
        var owner: String? = nil
    }

}
