import ArgumentParser
import Basics
import Cluster
import Foundation
import RepoModel
import Rollouts
import Sync

struct RolloutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "See and steer an environment's progressive rollouts (the release's rollout: block), in its cluster.",
        discussion: """
        The sync job records each rollout in the ConfigMap gitops-<env>-rollout-<workload> in the environment's namespace.
        promote and abort are recorded there for the job, which acts on them within seconds (the job's HTTP endpoints
        POST /rollouts/<workload>/promote and /abort do the same).
        """,
        subcommands: [RolloutStatusCommand.self, RolloutPromoteCommand.self, RolloutAbortCommand.self])
}

/// What the rollout subcommands share: the environment, its cluster, and which workload.
struct RolloutTarget: ParsableArguments {
    @Argument(help: "The environment.")
    var environment: String

    @Argument(help: "The rollout's workload (the Deployment's name); optional when the environment has one rollout.")
    var workload: String?

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var cluster: ClusterOptions

    /// The environment, its client, and the workloads its releases roll out.
    func resolve() throws -> (Environment, KubeClient, [String]) {
        let (_, _, environment) = try repository.load(environment: self.environment)
        let workloads = environment.releases.compactMap { $0.rollout?.workload }
        if let workload, !workloads.contains(workload) {
            throw CommandFailure("\(environment.name) has no rollout of '\(workload)'" + (workloads.isEmpty ? "; no release declares rollout:" : "; its rollouts: \(workloads.joined(separator: ", "))"))
        }
        return (environment, try cluster.client(for: environment), workload.map { [$0] } ?? workloads)
    }

    /// Records `action` for the one workload named (or the environment's only rollout).
    func request(_ action: String) throws {
        let (environment, client, workloads) = try resolve()
        guard workloads.count == 1, let workload = workloads.first else {
            throw CommandFailure(workloads.isEmpty ? "\(environment.name) declares no rollout" : "name the workload: \(workloads.joined(separator: ", "))")
        }
        let name = environment.name, namespace = environment.namespace
        let person = ProcessInfo.processInfo.environment["USER"].map { "\($0) (gitops rollout \(action))" } ?? "gitops rollout \(action)"
        do {
            let (record, _) = try Blocking.run { try await RolloutRecord.read(client, environment: name, namespace: namespace, workload: workload) }
            guard let record, record.state.isActive else {
                throw CommandFailure("no rollout of \(workload) in progress in \(name)" + (record.map { " (it is \($0.state.phase.rawValue): \($0.state.message))" } ?? ""))
            }
            try Blocking.run { try await RolloutRecord.request(client, environment: name, namespace: namespace, workload: workload, action: action, by: person) }
        } catch let error as ClusterError {
            throw ClusterOptions.failure(error, client: client)
        }
        Output.write("\(action) of \(workload) in \(name) recorded; the sync job acts on it at its next look (within seconds)\n")
    }
}

struct RolloutStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Each rollout's step, weight, analysis and phase.")

    @OptionGroup var target: RolloutTarget

    func run() throws {
        let (environment, client, workloads) = try target.resolve()
        let name = environment.name, namespace = environment.namespace
        let records: [(RolloutRecord, RolloutRecord.Request?)]
        do {
            records = try Blocking.run { try await RolloutRecord.list(client, environment: name, namespace: namespace) }
        } catch let error as ClusterError {
            throw ClusterOptions.failure(error, client: client)
        }
        var text = ""
        for workload in workloads {
            guard let (record, request) = records.first(where: { $0.0.workload == workload }) else {
                text += "\(workload): no rollout recorded yet (the sync job writes one at its first sync)\n"
                continue
            }
            text += Self.describe(record)
            if let request { text += "  requested: \(request.action) by \(request.by), not acted on yet\n" }
        }
        Output.write(text)
        if records.contains(where: { workloads.contains($0.0.workload) && $0.0.state.phase == .aborted }) { throw ExitCode(1) }
    }

    static func describe(_ record: RolloutRecord) -> String {
        let state = record.state
        var text = "\(record.workload): \(state.phase.rawValue), step \(state.step + 1), \(state.weight)% to \(SyncOptions.short(state.revision))"
        text += " (stable \(SyncOptions.short(state.stableRevision))): \(state.message)\n"
        text += record.analysis.map { "  analysis \($0)\n" }.joined()
        return text
    }
}

struct RolloutPromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Carry a paused rollout on: past a pause: {} step, or an inconclusive analysis.")

    @OptionGroup var target: RolloutTarget

    func run() throws { try target.request("promote") }
}

struct RolloutAbortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abort",
        abstract: "Stop a rollout: all traffic back to the stable version, the new one removed; not retried until Git changes.")

    @OptionGroup var target: RolloutTarget

    func run() throws { try target.request("abort") }
}
