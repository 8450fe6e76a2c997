import Basics
import Charts
import Foundation
import RepoModel

/// `gitops chart lock CHART`: a chart's Chart.yaml dependencies resolved as `helm dependency
/// update` resolves them — `file://` folders by their version, repository charts (`https://`,
/// `oci://`, `@name` and `alias:name` from Helm's repositories.yaml) to the newest version their
/// range admits — each archive fetched into the cache and checked; the lock Helm writes, with each
/// archive's digest added.
public enum DependencyResolver {
    public static func lock(chart path: String, tree: any FileTree, access: ChartAccess,
                            previous: DependencyLock? = nil) async throws(ChartSourceError) -> DependencyLock {
        let chart: Chart
        do {
            chart = try ChartLoader.loadDeclaringDependencies(tree, path: path)
        } catch {
            throw ChartSourceError(error.description)
        }
        let fetcher = ChartFetcher(access: access)
        var entries: [DependencyLock.Entry] = []
        var missing: [String] = []
        for dependency in chart.dependencies {
            let repository = dependency.repository ?? ""
            let constraint = dependency.version ?? ""
            if repository.isEmpty {
                entries.append(DependencyLock.Entry(name: dependency.name, repository: "", version: constraint))
            } else if repository.hasPrefix("file://") {
                let folder = RepoPath.join(path, String(repository.dropFirst("file://".count))) ?? ""
                let local: Chart
                do { local = try ChartLoader.load(tree, path: folder) } catch {
                    throw ChartSourceError("dependency '\(dependency.name)': \(repository) does not load: \(error.description)")
                }
                if !constraint.isEmpty, RemoteChart(repository: repository, name: dependency.name, version: constraint).matching([local.version]).isEmpty {
                    missing.append(dependency.name)
                    continue
                }
                entries.append(DependencyLock.Entry(name: dependency.name, repository: repository, version: local.version))
            } else {
                let url = try Self.url(of: repository, dependency: dependency.name, credentials: access.credentials)
                let remote = RemoteChart(repository: url, name: dependency.name, version: constraint.isEmpty ? ">=0.0.0-0" : constraint)
                let pinned: ChartFetcher.Pinned
                do { pinned = try await fetcher.pin(remote) } catch {
                    if error.description.hasPrefix("no version of") { missing.append(dependency.name); continue }
                    throw error
                }
                try access.cache.writeReference(repository: repository, name: dependency.name, version: pinned.version, digest: pinned.digest)
                entries.append(DependencyLock.Entry(name: dependency.name, repository: repository, version: pinned.version, archiveDigest: pinned.digest))
            }
        }
        guard missing.isEmpty else {
            throw ChartSourceError("\(path): can't get a valid version for dependencies \(missing.joined(separator: ", ")); change the version constraint in Chart.yaml")
        }
        let digest = DependencyLock.hash(requested: chart.dependencies, locked: entries)
        // An unchanged lock keeps its timestamp (no churn in Git).
        if let previous, previous.digest == digest, previous.dependencies.map(\.version) == entries.map(\.version),
           previous.dependencies.map(\.archiveDigest) == entries.map(\.archiveDigest) {
            return previous
        }
        return DependencyLock(dependencies: entries, digest: digest, generated: DependencyLock.timestamp())
    }

    /// The repository URL a dependency names: itself, or the repositories.yaml entry `@name` or
    /// `alias:name` refers to.
    static func url(of repository: String, dependency: String, credentials: ChartCredentials) throws(ChartSourceError) -> String {
        let name: String
        if repository.hasPrefix("@") { name = String(repository.dropFirst()) } else if repository.hasPrefix("alias:") { name = String(repository.dropFirst(6)) } else {
            guard repository.hasPrefix("https://") || repository.hasPrefix("http://") || repository.hasPrefix("oci://") else {
                throw ChartSourceError("dependency '\(dependency)': repository '\(repository)' is not https://, oci://, file://, @name or alias:name")
            }
            return repository
        }
        guard let access = credentials.repository(named: name) else {
            throw ChartSourceError("dependency '\(dependency)': no repository named '\(name)' in Helm's repositories.yaml; add it (`helm repo add \(name) URL`) or name its URL")
        }
        return access.url
    }

    /// The archives a chart's Chart.lock pins that the cache lacks, fetched and checked: by the
    /// archive digest gitops pinned, else (a lock Helm wrote) by the repository index's digest.
    public static func ensure(chart path: String, tree: any FileTree, access: ChartAccess) async throws(ChartSourceError) {
        let missing: [DependencyLock.Entry]
        do { missing = try ChartLoader.lockedDependenciesMissing(tree, path: path) } catch {
            // The render reports it, at its line.
            return
        }
        let fetcher = ChartFetcher(access: access)
        for entry in missing {
            let url = try Self.url(of: entry.repository, dependency: entry.name, credentials: access.credentials)
            let chart = RemoteChart(repository: url, name: entry.name, version: entry.version)
            if let digest = entry.archiveDigest ?? access.cache.reference(repository: entry.repository, name: entry.name, version: entry.version),
               (try? access.cache.read(digest)) ?? nil != nil { continue }
            if let digest = entry.archiveDigest, chart.isOCI {
                // A registry serves the pinned layer by its digest, whatever the tag names now.
                _ = try await fetcher.archive(ChartFetcher.Pinned(chart: chart, version: entry.version, digest: digest, url: ""), offline: false)
                continue
            }
            // Through the index (or the registry's manifest): the archive it names, checked against
            // the pin when there is one.
            let pinned = try await fetcher.pin(chart)
            if let expected = entry.archiveDigest, expected != pinned.digest {
                throw ChartSourceError("dependency '\(entry.name)' \(entry.version) from \(url) has digest sha256:\(pinned.digest), but \(path)/Chart.lock pins sha256:\(expected): the archive changed since it was locked (a moved version is never followed); check it and run `gitops chart lock \(path)`")
            }
            try access.cache.writeReference(repository: entry.repository, name: entry.name, version: entry.version, digest: pinned.digest)
        }
    }
}

/// The chart cache as the chart loader's source of Chart.lock dependencies.
public struct CachedDependencyArchives: DependencyArchives {
    public let cache: ChartCache

    public init(cache: ChartCache) { self.cache = cache }

    public func archive(_ entry: DependencyLock.Entry) throws -> [UInt8]? {
        // References are kept by the repository as the lock writes it (a URL, or @name).
        guard let digest = entry.archiveDigest ?? cache.reference(repository: entry.repository, name: entry.name, version: entry.version) else { return nil }
        return try cache.read(digest)
    }
}
