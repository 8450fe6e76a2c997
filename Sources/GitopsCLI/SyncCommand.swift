import ArgumentParser
import Basics
import Cluster
import Dashboard
import Drift
import Foundation
import Gates
import RepoModel
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

    @Flag(name: .long, help: "Run one reconcile and exit.")
    var once = false

    @Option(name: .long, help: "Sync from this repository URL (https://, ssh://, git://, file://), fetched into --cache; without it, --repo.")
    var repoUrl: String?

    @Option(name: .long, help: "The branch to follow with --repo-url.")
    var branch = "main"

    @Option(name: .long, help: "Where --repo-url is fetched to (a bare repository; default ~/.cache/gitops/<environment>).")
    var cache: String?

    @Option(name: .long, help: "How long between fetches (a Go duration such as 60s, 5m or 1h30m, or seconds).")
    var interval = DurationArgument(seconds: 60)

    @Flag(name: .long, help: "Only sync new revisions; do not re-apply drift found in between.")
    var noSelfHeal = false

    @Option(name: .long, help: "Serve /healthz, /readyz, /metrics, the webhooks and the environment's dashboard at HOST:PORT (port 0 picks one; the webhook secret is GITOPS_WEBHOOK_SECRET; beyond 127.0.0.1 the dashboard needs GITOPS_DASHBOARD_TOKEN or the webhook secret).")
    var listen: String?

    @Flag(name: .long, help: "Do not serve the dashboard on --listen.")
    var noDashboard = false

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var cluster: ClusterOptions

    @OptionGroup var charts: ChartCacheOptions

    @Flag(name: .long, help: "Take over fields other field managers own.")
    var forceConflicts = false

    @Flag(name: .long, help: "Do not delete objects Git no longer has.")
    var noPrune = false

    @Flag(name: .long, help: "Allow a prune that deletes more than --max-prune-share of the inventory.")
    var allowMassPrune = false

    @Option(name: .long, help: "The largest share of the inventory a prune may delete (default 0.5).")
    var maxPruneShare = 0.5

    @Option(name: .long, help: "How long to wait for each wave and hook to become healthy (a Go duration such as 5m, or seconds).")
    var timeout = DurationArgument(seconds: 300)

    func run() throws {
        guard once else { return try serve() }
        let (tree, model) = try load()
        let revision = (tree as? GitTree)?.commit.id ?? workingTreeRevision()
        if let broken = model.brokenEnvironment(named: environment) { try block(revision, broken) }
        let environment = try RepositoryOptions.environment(self.environment, in: model, tree: tree)
        RepositoryOptions.warnAboutBroken(model, except: [environment.name])
        let client = try cluster.client(for: environment)
        // SIGTERM or SIGINT: the object in progress is finished, the status records the stop.
        let stop = StopFlag()
        TerminationSignals.handle {
            stop.set()
            client.interrupt()  // a request waiting on a server that does not answer is abandoned at once
        }
        var options = SyncOptions(environment: environment.name, namespace: environment.namespace, revision: revision)
        apply(to: &options)
        options.ignore = IgnoreRules(environment.ignoreDifferences)
        options.stopRequested = { stop.isSet }
        let pass = SyncPass(client: client, options: options)
        try charts.prefetch(model.environments, tree: tree) { stop.isSet }
        do {
            let objects = try SyncPass.prepare(tree: tree, model: model, environment: environment, revision: revision,
                                               renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret,
                                               chartCache: charts.cache)
            let result = try Blocking.run { try await pass.reconcile(objects) }
            for warning in result.warnings { Output.error("warning: \(warning)") }
            var text = result.applied.map { "applied \($0)\n" }.joined() + result.pruned.map { "pruned \($0)\n" }.joined()
            text += result.hooks.map { "hook \($0)\n" }.joined()
            text += result.notApplied.map { "not applied: \($0); a sync never runs it\n" }.joined()
            text += result.unhealthy.sorted(by: { $0.key < $1.key }).map { "not healthy: \($0.key): \($0.value)\n" }.joined()
            text += result.rollouts.filter(\.rolling).map { "rollout \($0.workload): \($0.record.state.phase.rawValue) at step \($0.record.state.step + 1), \($0.record.state.weight)% to \(SyncOptions.short($0.record.state.revision)): \($0.record.state.message)\n" }.joined()
            // rollback.git: only a sync of a branch's commit has a branch to propose the revert on.
            let target = (tree as? GitTree).flatMap { RolloutGitRollback.Target.of(source, repository: $0.repository) }
            for (ok, message) in RolloutGitRollback.propose(result, rollouts: objects.rollouts, environment: environment.name, target: target) {
                if ok { text += message + "\n" } else { Output.error("warning: \(message)") }
            }
            Output.write(text + "\(environment.name) at \(SyncOptions.short(revision)): \(result.summary)\n")
            if !result.converged { throw ExitCode(1) }
        } catch let error as SyncError {
            if case .blocked(let message, let findings) = error {
                Output.write(findings.map { $0 + "\n" }.joined())
                try? Blocking.run { await pass.recordBlocked(message) }
                Output.error("error: \(message); nothing was applied")
            } else {
                Output.error("error: \(error)")
            }
            throw ExitCode(1)
        } catch let error as CheckSetupError {
            throw CommandFailure(error.description)
        } catch let error as ClusterError {
            throw ClusterOptions.failure(error, client: client)
        }
    }

    /// The repository to sync: `--repo-url` fetched into the cache, else `--repo` at `--revision`.
    var source: SyncSource {
        if let repoUrl {
            let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
            return .remote(url: repoUrl, branch: branch, cache: cache ?? "\(home)/.cache/gitops/\(environment)",
                           credentials: RemoteCredentials.fromEnvironment())
        }
        return .local(path: repository.repo ?? FileManager.default.currentDirectoryPath, revision: repository.revision ?? "HEAD")
    }

    /// What a sync of the working tree records as its revision: the commit checked out, said to be
    /// the working tree (edits not committed yet may be in it).
    func workingTreeRevision() -> String {
        guard let head = try? Repository(discoveringFrom: repository.repo ?? FileManager.default.currentDirectoryPath).resolveCommit("HEAD").id else {
            return "working tree"
        }
        return "working tree of \(head.prefix(7))"
    }

    /// The tree and model to sync now: with `--repo-url`, the branch's tip just fetched; else the
    /// local repository (its working tree unless `--revision` names a commit).
    func load() throws -> (any FileTree, EnvironmentRepository) {
        guard repoUrl != nil else { return try repository.load() }
        let latest = try loadLatest()
        return (latest.tree, latest.model)
    }

    /// A revision whose own environment.yaml has errors: recorded as Blocked in the cluster (when
    /// the file still names its namespace) and reported; exits 1 as a failed gate does.
    func block(_ revision: String, _ broken: BrokenEnvironment) throws -> Never {
        guard let partial = broken.partial, !partial.namespace.isEmpty else { throw DiagnosticError(broken.problems) }
        Output.error(DiagnosticError(broken.problems).description)
        let message = SyncPass.blockedMessage(revision: revision, broken: broken)
        let client = try cluster.client(for: partial)
        var options = SyncOptions(environment: partial.name, namespace: partial.namespace, revision: revision)
        apply(to: &options)
        let pass = SyncPass(client: client, options: options)
        try? Blocking.run { await pass.recordBlocked(message) }
        Output.error("error: \(message); nothing was applied")
        throw ExitCode(1)
    }

    /// The source's latest commit, read: the repository (kept open for the job), tree, model and
    /// the environment (what could be read of it when its file is broken: the job starts and
    /// blocks that revision rather than exiting).
    func loadLatest() throws -> (repository: Repository, tree: GitTree, model: EnvironmentRepository, environment: Environment) {
        let (fetched, commit) = try source.latest()
        let tree = try fetched.tree(at: commit)
        let model = try RepositoryLoader.loadEach(from: tree)
        if let partial = model.brokenEnvironment(named: environment)?.partial, !partial.namespace.isEmpty {
            return (fetched, tree, model, partial)
        }
        return (fetched, tree, model, try RepositoryOptions.environment(environment, in: model, tree: tree))
    }

    /// The flags that shape a sync.
    func apply(to options: inout SyncOptions) {
        options.forceConflicts = forceConflicts
        options.prune = !noPrune
        options.allowMassPrune = allowMassPrune
        options.maximumPruneShare = maxPruneShare
        options.healthTimeout = timeout.seconds
    }
}

extension SyncCommand {
    /// The sync job: polls the repository and reconciles until SIGTERM or SIGINT.
    func serve() throws {
        let source = self.source
        let environment: Environment
        let service: SyncService
        do {
            // The environment's cluster settings come from the repository as it is now. The opened
            // cache goes to the service alone: held here too, it (and every pack file it read)
            // would stay open after the service replaces it with a fresh fetch.
            let latest = try loadLatest()
            environment = latest.environment
            let client = try cluster.client(for: environment)
            var configuration = SyncService.Configuration(environment: environment.name, source: source)
            configuration.interval = interval.seconds
            configuration.selfHeal = !noSelfHeal
            configuration.seedSecret = RandomSeed.secret
            configuration.charts = try charts.access()
            let command = self
            configuration.options = { options in command.apply(to: &options) }
            service = SyncService(configuration: configuration, client: client, repository: latest.repository)
        }
        var server: SyncHTTPServer?
        if let listen {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
                throw CommandFailure("--listen '\(listen)' is not HOST:PORT")
            }
            let host = String(listen[..<colon])
            let secret = ProcessInfo.processInfo.environment["GITOPS_WEBHOOK_SECRET"]
            let pages = noDashboard ? nil : try dashboard(service: service, environment: environment, host: host.isEmpty ? "0.0.0.0" : host, webhookSecret: secret)
            server = try SyncHTTPServer(host: host.isEmpty ? "0.0.0.0" : host, port: port, service: service, webhookSecret: secret, pages: pages)
            JSONLog(environment: environment.name).info("listening", ["address": "\(host.isEmpty ? "0.0.0.0" : host):\(server!.port)"])
        }
        // SIGTERM or SIGINT: finish the object in progress, record the status, exit.
        TerminationSignals.handle { service.stop() }
        defer { server?.shutdown() }
        JSONLog(environment: environment.name).info("starting", ["source": source.description, "interval": String(Int(interval.seconds)),
                                                                 "selfHeal": String(!noSelfHeal)])
        service.run()
    }
}

extension SyncCommand {
    /// The environment's dashboard on the job's port: the latest revision fetched, rendered and
    /// checked, and the cluster live, made when a page is asked for (at most every 10 s). Beyond
    /// loopback it needs GITOPS_DASHBOARD_TOKEN, or else the webhook secret; without either it is off.
    func dashboard(service: SyncService, environment: Environment, host: String, webhookSecret: String?) throws -> SyncWebPages {
        var options = cluster
        options.requestTimeout = DurationArgument(seconds: 5)
        let client = try options.client(for: environment)
        let name = environment.name, cache = charts.cache, seed = RandomSeed.secret
        let store = DashboardStore(maxAge: 10) {
            guard let tree = service.latestTree else { return .empty(revision: "no revision fetched yet") }
            return await DashboardLoader(tree: tree, revision: tree.displayName, renderTime: Date(timeIntervalSince1970: tree.commit.time), seedSecret: seed,
                                         chartCache: cache, cluster: { environment, desired in
                                             await DashboardCluster.observe(client, environment: environment, desired: desired)
                                         }, only: name).load()
        }
        let history = DashboardHistory(source: { service.latestTree.map { ($0.repository, $0.commit.id) } }, seedSecret: seed, chartCache: cache)
        let site = DashboardSite(store: store, history: history)
        let token = ProcessInfo.processInfo.environment["GITOPS_DASHBOARD_TOKEN"].flatMap { $0.isEmpty ? nil : $0 } ?? webhookSecret.flatMap { $0.isEmpty ? nil : $0 }
        var pages = SyncWebPages(answer: { path, query in
            guard let answer = await site.answer(path: path, query: query) else { return nil }
            return SyncWebPages.Answer(status: answer.status, contentType: answer.contentType, headers: DashboardResponse.securityHeaders, body: answer.body)
        }, token: SyncWebPages.isLoopback(host) ? nil : token)
        if !SyncWebPages.isLoopback(host) && token == nil {
            pages.disabled = "the dashboard is off: the job listens on \(host) and neither GITOPS_DASHBOARD_TOKEN nor GITOPS_WEBHOOK_SECRET is set"
            JSONLog(environment: name).warning("dashboard off: listening beyond 127.0.0.1 without GITOPS_DASHBOARD_TOKEN or GITOPS_WEBHOOK_SECRET")
        }
        return pages
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
            throw ClusterOptions.failure(error, client: client)
        }
        guard let status else {
            Output.write("\(name): never synced (no \(SyncStatus.name(name)) in \(namespace))\n")
            throw ExitCode(1)
        }
        Output.write("\(name): \(status["result"] ?? "?") at \(status["revision"].map(SyncOptions.short) ?? "?") (\(status["time"] ?? "?")): \(status["message"] ?? "")\n")
        // Each rollout, as its record says now (the status above is as of the last sync's end).
        if environment.releases.contains(where: { $0.rollout != nil }),
           let records = try? Blocking.run({ try await RolloutRecord.list(client, environment: name, namespace: namespace) }) {
            Output.write(records.map { "rollout " + RolloutStatusCommand.describe($0.0) }.joined())
        }
        if status["result"] != "Synced" { throw ExitCode(1) }
    }
}
