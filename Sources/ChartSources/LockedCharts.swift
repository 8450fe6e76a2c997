import Basics
import Foundation
import RepoModel

/// The archive a remote chart release renders: its entry in the environment's `charts.lock`,
/// read from the cache and verified. No network: fetching happens before a render
/// (`ChartPrefetch`, `gitops chart lock`).
public enum LockedCharts {
    /// The pinned archive of `release` in `environment`, with a name for messages.
    public static func archive(_ chart: RemoteChart, release: Release, environment: Environment, tree: any FileTree,
                               cache: ChartCache) throws(DiagnosticError) -> (bytes: [UInt8], display: String) {
        let entry = try lockEntry(chart, release: release, environment: environment, tree: tree)
        let bytes: [UInt8]?
        do { bytes = try cache.read(entry.digest) } catch {
            throw DiagnosticError(code: "chart.cache", at: release.location, error.description)
        }
        guard let bytes else {
            throw DiagnosticError(code: "chart.cache", at: release.location,
                                  "\(chart.name) \(entry.version) (sha256:\(entry.digest)) is not in the chart cache \(cache.root); run `gitops render \(environment.name)` without --offline, or `gitops chart lock \(environment.name)`, to fetch it")
        }
        return (bytes, "\(chart.name)-\(entry.version).tgz")
    }

    /// The lock's entry for `release`, checked against the reference in environment.yaml.
    public static func lockEntry(_ chart: RemoteChart, release: Release, environment: Environment,
                                 tree: any FileTree) throws(DiagnosticError) -> ChartLock.Entry {
        let path = ChartLock.path(environmentFolder: environment.folder)
        guard let bytes = try? tree.read(path) else {
            throw DiagnosticError(code: "chart.lock", at: release.location,
                                  "release '\(release.name)' names \(chart), but \(path) does not pin it: run `gitops chart lock \(environment.name)` and commit the lock")
        }
        let lock = try ChartLock(bytes, file: path)
        guard let entry = lock.entry(release: release.name) else {
            throw DiagnosticError(code: "chart.lock", at: release.location,
                                  "\(path) has no entry for release '\(release.name)': run `gitops chart lock \(environment.name)` and commit the lock")
        }
        guard entry.repository == chart.repository, entry.name == chart.name, entry.constraint == chart.version else {
            throw DiagnosticError(code: "chart.lock", at: release.location,
                                  "\(path) pins \(entry.name) \(entry.constraint) from \(entry.repository) for release '\(release.name)', but environment.yaml names \(chart): run `gitops chart lock \(environment.name)` and commit the lock")
        }
        return entry
    }
}

/// Before a render: the archives the environments' locks pin, fetched into the cache where missing.
public enum ChartPrefetch {
    /// Whether any of `environments` renders a remote chart.
    public static func needed(_ environments: [Environment], tree: any FileTree) -> Bool {
        environments.contains {
            $0.releases.contains {
                switch $0.source {
                case .remoteChart: true
                case .chart(let path, _, _, _): (try? tree.exists(path + "/Chart.lock")) == true
                default: false
                }
            }
        }
    }

    public static func ensure(_ environments: [Environment], tree: any FileTree, access: ChartAccess) async throws(ChartSourceError) {
        let fetcher = ChartFetcher(access: access)
        let cache = access.cache
        for environment in environments {
            for release in environment.releases {
                // A chart folder's Chart.lock dependencies that charts/ lacks.
                if case .chart(let path, _, _, _) = release.source {
                    try await at(release) { () async throws(ChartSourceError) in try await DependencyResolver.ensure(chart: path, tree: tree, access: access) }
                    continue
                }
                guard case .remoteChart(let chart, _, _, _) = release.source,
                      let entry = try? LockedCharts.lockEntry(chart, release: release, environment: environment, tree: tree),
                      (try? cache.read(entry.digest)) ?? nil == nil else { continue }
                try await at(release) { () async throws(ChartSourceError) in
                    _ = try await fetcher.archive(ChartFetcher.Pinned(chart: chart, version: entry.version, digest: entry.digest, url: entry.url), offline: false)
                }
            }
        }
    }

    /// A failure, said at the release's line in environment.yaml.
    static func at(_ release: Release, _ body: () async throws(ChartSourceError) -> Void) async throws(ChartSourceError) {
        do { try await body() } catch {
            throw ChartSourceError("\(release.location): release '\(release.name)': \(error.description)")
        }
    }

    /// `gitops chart lock ENV`: every remote release resolved (range to version, version to digest),
    /// fetched and written to the environment's lock.
    public static func lock(_ environment: Environment, access: ChartAccess) async throws(ChartSourceError) -> ChartLock {
        let fetcher = ChartFetcher(access: access)
        var entries: [ChartLock.Entry] = []
        for release in environment.releases {
            guard case .remoteChart(let chart, _, _, _) = release.source else { continue }
            var pinned: ChartFetcher.Pinned?
            try await at(release) { () async throws(ChartSourceError) in pinned = try await fetcher.pin(chart) }
            guard let pinned else { continue }
            entries.append(ChartLock.Entry(release: release.name, repository: chart.repository, name: chart.name, constraint: chart.version,
                                           version: pinned.version, digest: pinned.digest, url: pinned.url))
        }
        return ChartLock(entries: entries)
    }
}
