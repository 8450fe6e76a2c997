import ArgumentParser
import Basics
import ChartSources
import Foundation
import Git
import RepoModel

/// `--cache-dir` and `--offline`, for commands that render remote charts.
struct ChartCacheOptions: ParsableArguments {
    @Option(name: .customLong("cache-dir"), help: "The chart cache (default: $XDG_CACHE_HOME/gitops/charts, else ~/.cache/gitops/charts).")
    var cacheDir: String?

    @Flag(name: .long, help: "Render remote charts from the cache only; name what is missing instead of fetching it.")
    var offline = false

    var cache: ChartCache { .standard(cacheDir) }

    /// The archives the environments' locks pin, fetched where the cache lacks them.
    func prefetch(_ environments: [Environment], tree: any FileTree) throws {
        guard !offline, environments.contains(where: { $0.releases.contains { if case .remoteChart = $0.source { true } else { false } } }) else { return }
        let cache = self.cache
        nonisolated(unsafe) let tree = tree
        do {
            try Blocking.run { try await ChartPrefetch.ensure(environments, tree: tree, cache: cache, offline: false) }
        } catch let error as ChartSourceError {
            throw CommandFailure(error.description)
        }
    }
}

/// `gitops chart lock ENV`: pins every remote chart release of an environment (the version its
/// reference resolves to, the archive's digest) in environments/ENV/charts.lock.
struct ChartLockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Resolve an environment's remote charts and pin them in its charts.lock.",
        discussion: """
            Each release whose chart is a repository reference ({repository, name, version}) is resolved:
            a range to the newest version it admits, the version to its archive, which is fetched into the
            cache and checked against the repository index's digest. The lock records version and digest;
            renders read only it, so a revision renders the same bytes forever. Commit the lock.
            """)

    @Argument(help: "The environment (a folder under environments/).")
    var environment: String

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var charts: ChartCacheOptions

    func run() throws {
        let (tree, _, environment) = try repository.load(environment: environment)
        guard let working = tree as? WorkingTree else { throw CommandFailure("chart lock writes the lock into the working tree; do not pass --revision") }
        let cache = charts.cache
        let lock: ChartLock
        do {
            lock = try Blocking.run { try await ChartPrefetch.lock(environment, cache: cache) }
        } catch let error as ChartSourceError {
            throw CommandFailure(error.description)
        }
        let path = ChartLock.path(environmentFolder: environment.folder)
        if lock.entries.isEmpty {
            Output.write("\(environment.name) has no remote chart releases; nothing to lock\n")
            return
        }
        try lock.yaml.write(toFile: working.root + "/" + path, atomically: true, encoding: .utf8)
        for entry in lock.entries.sorted(by: { $0.release < $1.release }) {
            Output.write("\(entry.release): \(entry.name) \(entry.constraint) → \(entry.version) sha256:\(entry.digest.prefix(12))\n")
        }
        Output.write("wrote \(path)\n")
    }
}

/// `gitops chart pull NAME --repo URL --version V [--untar] [-d DIR]`: a chart from a Helm
/// repository into the cache and a folder, as `helm pull` does.
struct ChartPullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Fetch a chart from a Helm repository (verified, cached).")

    @Argument(help: "The chart's name in the repository.")
    var name: String

    @Option(name: .long, help: "The Helm repository URL (https://...).")
    var repo: String

    @Option(name: .long, help: "An exact version or a semver range (default: the newest release).")
    var version: String = ">=0.0.0"

    @Flag(name: .long, help: "Unpack the archive into DIR/NAME instead of writing NAME-VERSION.tgz.")
    var untar = false

    @Option(name: [.customShort("d"), .long], help: "Where to write the chart (default: the current folder).")
    var destination: String = "."

    @OptionGroup var charts: ChartCacheOptions

    func run() throws {
        let cache = charts.cache
        let chart = RemoteChart(repository: repo, name: name, version: version)
        let bytes: [UInt8]
        let pinned: ChartFetcher.Pinned
        do {
            (pinned, bytes) = try Blocking.run {
                let fetcher = ChartFetcher(cache: cache)
                let pinned = try await fetcher.pin(chart)
                return (pinned, try await fetcher.archive(pinned, offline: false))
            }
        } catch let error as ChartSourceError {
            throw CommandFailure(error.description)
        }
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        if untar {
            let archive = destination + "/.\(name)-\(pinned.version).tgz"
            FileManager.default.createFile(atPath: archive, contents: Data(bytes))
            defer { try? FileManager.default.removeItem(atPath: archive) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["tar", "-xzf", archive, "-C", destination]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CommandFailure("unpacking \(name) \(pinned.version) into \(destination) failed") }
        } else {
            FileManager.default.createFile(atPath: destination + "/\(name)-\(pinned.version).tgz", contents: Data(bytes))
        }
        Output.write("pulled \(name) \(pinned.version) sha256:\(pinned.digest)\n")
    }
}
