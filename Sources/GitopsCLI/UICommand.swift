import ArgumentParser
import Basics
import ChartSources
import Cluster
import Dashboard
import Foundation
import Git
import KubeModel
import RepoModel
import Sync

struct UICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Serve the dashboard: every environment, its objects live, drift, findings, rollouts, history and open branches (read-only).",
        discussion: """
        Pages: / (environments, open promotion branches with their gates), /environments/ENV (drift, findings with file
        and line, rollouts, objects by release and kind with sync state and health), /environments/ENV/objects/KIND/NAMESPACE/NAME
        (rendered and live YAML, the diff; Secret values masked), /history, /compare?from=REV&to=REV. Each has its JSON
        under /api/v1 (docs/dashboard.md). The repository is read again every --refresh; each environment's cluster
        (its kubeconfig context) is read as `gitops diff` reads it, with a deadline.
        """)

    @Option(name: .long, help: "Where to serve (HOST:PORT; port 0 picks one). Binding beyond 127.0.0.1 shows the repository to the network.")
    var listen = "127.0.0.1:8080"

    @Option(name: .long, help: "How often the repository and clusters are read again (a Go duration or seconds).")
    var refresh = DurationArgument(seconds: 10)

    @Flag(name: .long, help: "Do not ask the environments' clusters.")
    var noCluster = false

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var cluster: ClusterOptions

    @OptionGroup var charts: ChartCacheOptions

    func run() throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port) else {
            throw CommandFailure("--listen is HOST:PORT, such as 127.0.0.1:8080, not '\(listen)'")
        }
        let host = String(listen[..<colon]).isEmpty ? "127.0.0.1" : String(listen[..<colon])
        if !["127.0.0.1", "localhost", "::1"].contains(host) {
            Output.error("warning: serving on \(host): anyone who reaches it sees the environments (never Secret values); there are no write endpoints")
        }
        let loader = try makeLoader()
        TerminationSignals.handle { Foundation.exit(0) }
        let interval = max(refresh.seconds, 1)
        try Blocking.run {
            let store = await DashboardStore(load: loader)
            let history = (try? Repository(discoveringFrom: repository.repo ?? FileManager.default.currentDirectoryPath)).map {
                DashboardHistory(repository: $0, revision: repository.revision ?? "HEAD", seedSecret: RandomSeed.secret, chartCache: charts.cache)
            }
            let server = DashboardServer(site: DashboardSite(store: store, history: history))
            let refresher = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
                    await store.refresh()
                }
            }
            defer { refresher.cancel() }
            try await server.run(host: host, port: port) { bound in
                Output.write("gitops ui: http://\(host.contains(":") ? "[\(host)]" : host):\(bound)/\n")
            }
        }
    }

    /// Loads the repository (again at each refresh: the working tree may have changed) and asks
    /// each environment's cluster for its record.
    func makeLoader() throws -> @Sendable () async -> DashboardState {
        _ = try repository.load()  // fail now, with the usual message, when there is no repository
        let repository = self.repository, cluster = self.cluster, noCluster = self.noCluster, cache = charts.cache
        return { await Self.state(repository: repository, cluster: cluster, noCluster: noCluster, cache: cache) }
    }

    static func state(repository: RepositoryOptions, cluster: ClusterOptions, noCluster: Bool, cache: ChartCache) async -> DashboardState {
        guard let tree = try? repository.load().0 else { return DashboardState.empty(revision: "the repository could not be read") }
        let revision = (tree as? GitTree).map { String($0.commit.id.prefix(7)) } ?? workingTree(repository)
        var reader: DashboardLoader.ClusterReader?
        if !noCluster { reader = { environment, desired in await read(environment, desired: desired, cluster: cluster) } }
        return await DashboardLoader(tree: tree, revision: revision, renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret,
                                     chartCache: cache, cluster: reader).load()
    }

    static func workingTree(_ repository: RepositoryOptions) -> String {
        guard let head = try? Repository(discoveringFrom: repository.repo ?? FileManager.default.currentDirectoryPath).resolveCommit("HEAD").id else {
            return "working tree"
        }
        return "working tree of \(head.prefix(7))"
    }

    /// An environment's cluster: its last sync, rollouts and objects live (each request with a 5 s deadline).
    static func read(_ environment: Environment, desired: [Object], cluster: ClusterOptions) async -> Result<ClusterObservation, DashboardLoader.ClusterReadError> {
        var options = cluster
        options.requestTimeout = DurationArgument(seconds: 5)
        let client: KubeClient
        do { client = try options.client(for: environment) } catch {
            return .failure(.init("no cluster: \(error)"))
        }
        return await DashboardCluster.observe(client, environment: environment, desired: desired)
    }
}
