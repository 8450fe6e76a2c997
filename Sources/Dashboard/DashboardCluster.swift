import Basics
import Cluster
import Drift
import KubeModel
import Render
import RepoModel
import Rollouts
import Secrets
import Sync

/// What an environment's cluster says, for the dashboard: its last sync and rollouts as the sync
/// job recorded them, and each desired object live (sync state, health, YAML, the drift diff).
public struct ClusterObservation: Sendable {
    public var view: ClusterView
    /// By the desired object's key.
    public var objects: [ResourceKey: LiveObjectView]
    /// Live objects labelled as the environment's that Git no longer has.
    public var notInGit: [DriftView]
    /// Why the objects could not be read live (the sync's record still was).
    public var liveError: String?

    public init(view: ClusterView, objects: [ResourceKey: LiveObjectView] = [:], notInGit: [DriftView] = []) {
        self.view = view
        self.objects = objects
        self.notInGit = notInGit
    }
}

/// One object as the cluster has it.
public struct LiveObjectView: Sendable, Codable {
    /// `Synced`, `OutOfSync` or `Missing`.
    public var sync: String
    /// `Healthy`, `Progressing: ...`, `Degraded: ...`; empty when missing.
    public var health: String
    /// The live object (managed fields dropped, Secret values masked), when it exists.
    public var yaml: String?
    /// The unified diff from the live object (projected on the fields Git sets) to Git's; Secret
    /// values show as fingerprints.
    public var diff: [String]
}

/// Reads an environment's cluster for the dashboard. Every request has the client's deadline;
/// nothing is written (the server-side dry run stores nothing).
public enum DashboardCluster {
    /// The last sync, rollouts and live objects of `environment`, whose rendered objects are `desired`.
    public static func observe(_ client: KubeClient, environment: Environment, desired: [Object]) async -> Result<ClusterObservation, DashboardLoader.ClusterReadError> {
        let server = client.connection.server.absoluteString
        var observation: ClusterObservation
        do {
            observation = ClusterObservation(view: try await view(client, environment: environment))
        } catch {
            return .failure(.init("\(server): \(error)"))
        }
        do {
            let applied = desired.filter { HelmHook.syncRole(of: $0) != .notApplied }
            let name = environment.name
            var state = try await LiveState.read(client: client, desired: applied, environment: name, serverSide: true) { _, live in live ?? name }
            state.live.removeAll(where: CanaryObjects.isRolloutExtra)
            let live = Dictionary(state.live.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            let report = Drift.compare(desired: state.desired, live: state.live, ignore: IgnoreRules(environment.ignoreDifferences)) {
                $0.label(LiveState.environmentLabel) == name
            }
            for entry in report.entries {
                let existing = live[entry.key]
                switch entry.action {
                case .prune:
                    observation.notInGit.append(DriftView(title: entry.title, action: "not in Git", path: nil, diff: entry.diff.map(Redaction.redact)))
                case .create, .update, .unchanged:
                    let sync = entry.action == .create ? "Missing" : entry.action == .update ? "OutOfSync" : "Synced"
                    let health = existing.map { Health.of($0.content, kind: $0.kind).description } ?? ""
                    observation.objects[entry.key] = LiveObjectView(sync: sync, health: health, yaml: existing.map(liveYAML),
                                                                    diff: entry.diff.map(Redaction.redact))
                }
            }
        } catch {
            let text = "\(error)"
            observation.liveError = Redaction.redact(text.contains(server) ? text : "\(server): \(text)")
        }
        return .success(observation)
    }

    /// The environment's last sync and rollouts, as the sync job recorded them.
    public static func view(_ client: KubeClient, environment: Environment) async throws -> ClusterView {
        let status = try await SyncStatus.read(client, environment: environment.name, namespace: environment.namespace)
        let records = try await RolloutRecord.list(client, environment: environment.name, namespace: environment.namespace)
        let rollouts = records.map { record, _ in
            RolloutView(workload: record.workload, phase: record.state.phase.rawValue, step: record.state.step + 1, weight: record.state.weight,
                        revision: SyncOptions.short(record.state.revision), message: record.state.message, analysis: record.analysis)
        }
        guard let status else { return ClusterView(result: "", revision: "", time: "", message: "never synced", rollouts: rollouts) }
        return ClusterView(result: status["result"] ?? "", revision: status["revision"].map(SyncOptions.short) ?? "",
                           time: status["time"] ?? "", message: status["message"] ?? "", rollouts: rollouts)
    }

    /// A live object for the page: managed fields dropped, Secret values masked (with the
    /// last-applied annotation, which would repeat them), every SOPS-decrypted text redacted.
    static func liveYAML(_ object: Object) -> String {
        var copy = SecretMask.masked(object)
        if case .object(var metadata)? = copy.content["metadata"] {
            metadata["managedFields"] = nil
            if object.kind == "Secret", case .object(var annotations)? = metadata["annotations"] {
                annotations[Normalizer.lastApplied] = nil
                metadata["annotations"] = annotations.isEmpty ? nil : .object(annotations)
            }
            copy.content["metadata"] = .object(metadata)
        }
        return Redaction.redact(RenderOutput.yaml([copy]))
    }
}
