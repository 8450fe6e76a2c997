import ArgumentParser
import Basics
import Cluster
import Drift
import Foundation
import Gates
import Git
import Render
import Sync

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Make the environment's cluster match the environment: render, check, apply what differs, prune, wait for health.",
        discussion: """
        One reconcile (--once): render → schemas and policies (an error blocks the revision: nothing is applied) →
        pre-sync hooks → CRDs and Namespaces → gitops/sync-wave waves in install order, each applied with server-side
        apply (field manager gitops) where it differs and waited for → prune of objects labelled
        gitops/environment=<env> or in the inventory that Git no longer has (gitops/prune: "false" keeps one; more than
        --max-prune-share of the inventory is refused unless --allow-mass-prune) → post-sync hooks → inventory and
        status ConfigMaps in the environment's namespace.
        Exit codes: 0 converged, 1 not converged (blocked, unhealthy, refused), 2 error.
        """)

    @Argument(help: "The environment to sync.")
    var environment: String

    @Flag(name: .long, help: "Run one reconcile and exit (the polling loop and webhooks come with the sync service).")
    var once = false

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .long, help: "Take over fields other field managers own.")
    var forceConflicts = false

    @Flag(name: .long, help: "Do not delete objects Git no longer has.")
    var noPrune = false

    @Flag(name: .long, help: "Allow a prune that deletes more than --max-prune-share of the inventory.")
    var allowMassPrune = false

    @Option(name: .long, help: "The largest share of the inventory a prune may delete (default 0.5).")
    var maxPruneShare = 0.5

    @Option(name: .long, help: "Seconds to wait for each wave and hook to become healthy.")
    var timeout = 300.0

    func run() throws {
        guard once else { throw CommandFailure("only --once is available yet: the watching sync service is not built yet") }
        let (tree, model, environment) = try repository.load(environment: self.environment)
        let revision = (tree as? GitTree)?.commit.id ?? "working tree"
        let renderTime = repository.renderTime(of: tree)
        let objects = try Renderer(tree: tree, renderTime: renderTime, seedSecret: RandomSeed.secret).render(environment).objects
        let client = try cluster.client(for: environment)
        var options = SyncOptions(environment: environment.name, namespace: environment.namespace, revision: revision)
        options.forceConflicts = forceConflicts
        options.prune = !noPrune
        options.allowMassPrune = allowMassPrune
        options.maximumPruneShare = maxPruneShare
        options.healthTimeout = timeout
        options.ignore = IgnoreRules(environment.ignoreDifferences)
        let settled = options

        // The gates: an error-level finding blocks the revision.
        let report: CheckReport
        do {
            report = try EnvironmentChecker(tree: tree, model: model, renderTime: renderTime, seedSecret: RandomSeed.secret).check([environment.name])
        } catch let error as CheckSetupError {
            throw CommandFailure(error.description)
        }
        if !report.passed {
            Output.write(report.errors.map { $0.description + "\n" }.joined())
            let message = "revision \(revision.prefix(7)) blocked: \(report.summary)"
            try? Blocking.run { try await SyncStatus.write(client, options: settled, result: "Blocked", message: message, report: nil) }
            Output.error("error: \(message); nothing was applied")
            throw ExitCode(1)
        }
        do {
            let result = try Blocking.run { () async throws -> SyncReport in
                let result = try await Reconciler(client: client, options: settled).sync(objects)
                try await SyncStatus.write(client, options: settled, result: result.converged ? "Synced" : "Degraded",
                                           message: result.summary, report: result)
                return result
            }
            for warning in result.warnings { Output.error("warning: \(warning)") }
            var text = result.applied.map { "applied \($0)\n" }.joined() + result.pruned.map { "pruned \($0)\n" }.joined()
            text += result.hooks.map { "hook \($0)\n" }.joined()
            text += result.unhealthy.sorted(by: { $0.key < $1.key }).map { "not healthy: \($0.key): \($0.value)\n" }.joined()
            Output.write(text + "\(environment.name) at \(tree is GitTree ? String(revision.prefix(7)) : revision): \(result.summary)\n")
            if !result.converged { throw ExitCode(1) }
        } catch let error as SyncError {
            try? Blocking.run { try await SyncStatus.write(client, options: settled, result: "Failed", message: error.description, report: nil) }
            Output.error("error: \(error)")
            throw ExitCode(1)
        } catch let error as ClusterError {
            throw CommandFailure("\(client.connection.server.absoluteString): \(error)")
        }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The last sync of an environment, as recorded in its cluster.")

    @Argument(help: "The environment.")
    var environment: String

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var cluster: ClusterOptions

    func run() throws {
        let (_, _, environment) = try repository.load(environment: self.environment)
        let client = try cluster.client(for: environment)
        let name = environment.name, namespace = environment.namespace
        let status: [String: String]?
        do {
            status = try Blocking.run { try await SyncStatus.read(client, environment: name, namespace: namespace) }
        } catch let error as ClusterError {
            throw CommandFailure("\(client.connection.server.absoluteString): \(error)")
        }
        guard let status else {
            Output.write("\(name): never synced (no \(SyncStatus.name(name)) in \(namespace))\n")
            throw ExitCode(1)
        }
        Output.write("\(name): \(status["result"] ?? "?") at \(status["revision"]?.prefix(7) ?? "?") (\(status["time"] ?? "?")): \(status["message"] ?? "")\n")
        if status["result"] != "Synced" { throw ExitCode(1) }
    }
}
