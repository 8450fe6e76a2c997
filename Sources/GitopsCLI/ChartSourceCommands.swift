import ArgumentParser
import Basics
import Charts
import ChartSources
import Foundation
import Git
import RepoModel

/// `--cache-dir`, `--offline`, `--plain-http` and `--repository-config`, for commands that render
/// or fetch remote charts.
struct ChartCacheOptions: ParsableArguments {
    @Option(name: .customLong("cache-dir"), help: "The chart cache (default: $XDG_CACHE_HOME/gitops/charts, else ~/.cache/gitops/charts).")
    var cacheDir: String?

    @Flag(name: .long, help: "Render remote charts from the cache only; name what is missing instead of fetching it.")
    var offline = false

    @Flag(name: .customLong("plain-http"), help: "Speak plain HTTP to OCI registries (local registries only).")
    var plainHTTP = false

    @Option(name: .customLong("repository-config"), help: "Helm's repositories.yaml with credentials, CA and client certificates per repository (default: $HELM_REPOSITORY_CONFIG, else ~/.config/helm/repositories.yaml).")
    var repositoryConfig: String?

    var cache: ChartCache { .standard(cacheDir) }

    /// The cache, credentials and transport options for fetching.
    func access() throws -> ChartAccess {
        do {
            return ChartAccess(cache: cache, credentials: try ChartCredentials.standard(repositoryConfig: repositoryConfig), plainHTTP: plainHTTP)
        } catch {
            throw CommandFailure(error.description)
        }
    }

    /// The archives the environments' locks pin, fetched where the cache lacks them.
    func prefetch(_ environments: [Environment], tree: any FileTree, stopRequested: @escaping @Sendable () -> Bool = { false }) throws {
        guard !offline, ChartPrefetch.needed(environments, tree: tree) else { return }
        var configured = try self.access()
        configured.stopRequested = stopRequested
        let access = configured
        nonisolated(unsafe) let tree = tree
        try run { () async throws(ChartSourceError) in try await ChartPrefetch.ensure(environments, tree: tree, access: access) }
    }

    /// Runs a fetch, its failure as the command's error (exit 2).
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws(ChartSourceError) -> T) throws -> T {
        do {
            return try Blocking.run { try await body() }
        } catch let error as ChartSourceError {
            throw CommandFailure(error.description)
        }
    }
}

/// `gitops chart lock ENV`: pins every remote chart release of an environment (the version its
/// reference resolves to, the archive's digest) in environments/ENV/charts.lock.
/// `gitops chart lock CHART_DIR`: a chart's Chart.yaml dependencies, in its Chart.lock.
struct ChartLockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Resolve an environment's remote charts, or a chart's dependencies, and pin them in a lock.",
        discussion: """
            ENV: each release whose chart is a repository reference ({repository, name, version} or oci://) is
            resolved: a range to the newest version it admits, the version to its archive, which is fetched
            into the cache and checked against the repository index's digest (or the registry's manifest).
            environments/ENV/charts.lock records version and digest; renders read only it, so a revision
            renders the same bytes forever.
            CHART_DIR (a folder with Chart.yaml): its dependencies resolved as `helm dependency update`
            resolves them, written to Chart.lock as Helm writes it, with each archive's digest added; the
            archives go to the cache, not to charts/. Commit the lock.
            """)

    @Argument(help: "The environment (a folder under environments/), or a chart folder (default: every environment with remote charts).")
    var environment: String?

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var charts: ChartCacheOptions

    func run() throws {
        if let environment, FileManager.default.fileExists(atPath: environment + "/Chart.yaml") { return try lockChart(environment) }
        if let environment {
            let (tree, _, loaded) = try repository.load(environment: environment)
            return try lock(loaded, tree: tree)
        }
        let (tree, model) = try repository.load()
        RepositoryOptions.warnAboutBroken(model, except: [])
        let remote = model.environments.filter { $0.releases.contains { if case .remoteChart = $0.source { true } else { false } } }
        if remote.isEmpty { Output.write("no environment names a remote chart; nothing to lock\n") }
        for environment in remote { try lock(environment, tree: tree) }
    }

    /// One environment's charts.lock.
    func lock(_ environment: Environment, tree: any FileTree) throws {
        guard let working = tree as? WorkingTree else { throw CommandFailure("chart lock writes the lock into the working tree; do not pass --revision") }
        let access = try charts.access()
        let lock = try charts.run { () async throws(ChartSourceError) in try await ChartPrefetch.lock(environment, access: access) }
        let path = ChartLock.path(environmentFolder: environment.folder)
        if lock.entries.isEmpty {
            Output.write("\(environment.name) has no remote chart releases; nothing to lock\n")
            return
        }
        try AtomicFile.write(Array(lock.yaml.utf8), to: working.root + "/" + path)
        for entry in lock.entries.sorted(by: { $0.release < $1.release }) {
            Output.write("\(entry.release): \(entry.name) \(entry.constraint) → \(entry.version) sha256:\(entry.digest.prefix(12))\n")
        }
        Output.write("wrote \(path)\n")
    }
}

extension ChartLockCommand {
    /// `gitops chart lock CHART_DIR`: Chart.yaml's dependencies into Chart.lock.
    func lockChart(_ folder: String) throws {
        let absolute = URL(fileURLWithPath: folder).standardizedFileURL.path
        // The whole file system as the tree: file:// dependencies may leave the chart's folder.
        let tree = WorkingTree(root: "/")
        let path = String(absolute.dropFirst())
        let previous = (try? tree.read(path + "/Chart.lock")).flatMap { try? DependencyLock($0, file: folder + "/Chart.lock") }
        let access = try charts.access()
        let lock = try charts.run { () async throws(ChartSourceError) in
            try await DependencyResolver.lock(chart: path, tree: tree, access: access, previous: previous)
        }
        if lock.dependencies.isEmpty {
            Output.write("\(folder) has no dependencies; nothing to lock\n")
            return
        }
        try AtomicFile.write(Array(lock.yaml.utf8), to: absolute + "/Chart.lock")
        for entry in lock.dependencies {
            Output.write("\(entry.name): \(entry.version)\(entry.repository.isEmpty ? "" : " from " + entry.repository)\(entry.archiveDigest.map { " sha256:" + $0.prefix(12) } ?? "")\n")
        }
        Output.write(previous == lock ? "\(folder)/Chart.lock is up to date\n" : "wrote \(folder)/Chart.lock\n")
    }
}

/// `gitops chart pull NAME --repo URL | oci://HOST/PATH/NAME [--version V] [--untar] [-d DIR]`:
/// a chart from a Helm repository or an OCI registry into the cache and a folder, as `helm pull`.
struct ChartPullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Fetch a chart from a Helm repository or an OCI registry (verified, cached).")

    @Argument(help: "The chart's name in the repository (with --repo), or oci://host/path/name.")
    var chart: String

    @Option(name: .long, help: "The Helm repository URL (https://...).")
    var repo: String?

    @Option(name: .long, help: "An exact version or a semver range (default: the newest release).")
    var version: String = ">=0.0.0"

    @Flag(name: .long, help: "Unpack the archive into DIR/NAME instead of writing NAME-VERSION.tgz.")
    var untar = false

    @Option(name: [.customShort("d"), .long], help: "Where to write the chart (default: the current folder).")
    var destination: String = "."

    @OptionGroup var charts: ChartCacheOptions

    func run() throws {
        let reference: RemoteChart
        if chart.hasPrefix("oci://") {
            guard repo == nil else { throw CommandFailure("an oci:// reference names its registry; drop --repo") }
            guard let oci = RemoteChart(oci: chart, version: version) else { throw CommandFailure("'\(chart)' is not an OCI chart reference (oci://host/path/name)") }
            reference = oci
        } else {
            guard let repo else { throw CommandFailure("name the Helm repository with --repo URL, or pull oci://host/path/name") }
            reference = RemoteChart(repository: repo, name: chart, version: version)
        }
        let access = try charts.access()
        let (pinned, bytes) = try charts.run { () async throws(ChartSourceError) in
            let fetcher = ChartFetcher(access: access)
            let pinned = try await fetcher.pin(reference)
            return (pinned, try await fetcher.archive(pinned, offline: false))
        }
        let name = reference.name
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        if untar {
            let archive = destination + "/.\(name)-\(pinned.version).tgz"
            try AtomicFile.write(bytes, to: archive)
            defer { try? FileManager.default.removeItem(atPath: archive) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["tar", "-xzf", archive, "-C", destination]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CommandFailure("unpacking \(name) \(pinned.version) into \(destination) failed") }
        } else {
            try AtomicFile.write(bytes, to: destination + "/\(name)-\(pinned.version).tgz")
        }
        Output.write("pulled \(name) \(pinned.version) sha256:\(pinned.digest)\n")
    }
}

/// `gitops chart push CHART_DIR_OR_TGZ oci://HOST/PATH`: a chart into an OCI registry as Helm
/// pushes it (so teams publish their own charts, and tests fill registries).
struct ChartPushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Push a chart folder or archive to an OCI registry.",
        discussion: """
            The chart is packaged as `helm package` packages it (files .helmignore excludes left out) unless it
            is a .tgz already, and pushed with Helm's media types to oci://HOST/PATH/NAME:VERSION. Credentials:
            GITOPS_REGISTRY_USERNAME and GITOPS_REGISTRY_PASSWORD, else docker's config.json (docker login).
            """)

    @Argument(help: "A chart folder or a packaged chart (.tgz).")
    var chart: String

    @Argument(help: "The registry and path: oci://host[:port]/path.")
    var remote: String

    @OptionGroup var charts: ChartCacheOptions

    func run() throws {
        guard remote.hasPrefix("oci://") else { throw CommandFailure("'\(remote)' is not an OCI reference: push to oci://host/path") }
        let absolute = chart.hasPrefix("/") ? chart : FileManager.default.currentDirectoryPath + "/" + chart
        let url = URL(fileURLWithPath: absolute).standardizedFileURL
        let tree = WorkingTree(root: url.deletingLastPathComponent().path)
        let packed: (name: String, version: String, metadata: Value, bytes: [UInt8])
        do { packed = try ChartPackage.pack(tree, path: url.lastPathComponent) } catch { throw CommandFailure(error.description) }
        let access = try charts.access()
        let remote = self.remote
        let pushed = try charts.run { () async throws(ChartSourceError) in
            try await ChartPush.push(packed.bytes, name: packed.name, version: packed.version, metadata: packed.metadata, to: remote, access: access)
        }
        try? access.cache.write(packed.bytes)
        Output.write("pushed \(pushed.reference)\ndigest: \(pushed.manifestDigest)\n")
    }
}
