import Basics
import Foundation
import RepoModel
import Template

/// What fetching charts may use: the cache, credentials, whether OCI registries speak plain HTTP,
/// and the limits every request has.
public struct ChartAccess: Sendable {
    public var cache: ChartCache
    public var credentials: ChartCredentials
    /// Speak HTTP, not HTTPS, to OCI registries (`--plain-http`, for local registries).
    public var plainHTTP: Bool
    /// Seconds a whole request may take.
    public var deadline: Int64 = 60
    /// The largest index, manifest or archive accepted.
    public var maxBytes = 256 << 20
    /// Asked while a request waits: true abandons it (the sync job's SIGTERM), within 0.1 s.
    public var stopRequested: @Sendable () -> Bool = { false }

    public init(cache: ChartCache, credentials: ChartCredentials = ChartCredentials(), plainHTTP: Bool = false) {
        self.cache = cache
        self.credentials = credentials
        self.plainHTTP = plainHTTP
    }
}

/// Fetches charts into the cache: from Helm HTTP repositories (`index.yaml`, then the archive of
/// the version a reference resolves to, its sha256 checked against the index) and from OCI
/// registries (tags, the manifest, the chart layer by digest).
public struct ChartFetcher: Sendable {
    public let access: ChartAccess
    public var cache: ChartCache { access.cache }

    public init(access: ChartAccess) { self.access = access }
    public init(cache: ChartCache) { self.init(access: ChartAccess(cache: cache)) }

    /// A chart pinned: the version a reference resolved to and its archive's digest.
    public struct Pinned: Sendable, Hashable {
        public var chart: RemoteChart
        public var version: String
        public var digest: String
        /// The archive's URL (HTTP repositories) or `oci://host/path:tag` (registries).
        public var url: String

        public init(chart: RemoteChart, version: String, digest: String, url: String) {
            self.chart = chart
            self.version = version
            self.digest = digest
            self.url = url
        }
    }

    /// Resolves `chart` against its repository or registry, fetches the archive unless the cache
    /// has it, and verifies it.
    public func pin(_ chart: RemoteChart) async throws(ChartSourceError) -> Pinned {
        if chart.isOCI { return try await pinOCI(chart) }
        let repository = access.credentials.repository(chart.repository)
        return try await HTTPSession.with(tls: try repository.tls(), access: access) { session throws(ChartSourceError) in
            let index = try await self.index(chart.repository, session: session, repository: repository)
            let entry = try index.resolve(chart)
            guard let first = entry.urls.first else { throw ChartSourceError("\(chart.name) \(entry.version) in \(chart.repository) has no archive URL") }
            let url = Self.absolute(first, base: chart.repository)
            if let digest = entry.digest, (try? cache.read(digest)) ?? nil != nil {
                return Pinned(chart: chart, version: entry.version, digest: digest, url: url)
            }
            let bytes = try await session.get(url, headers: repository.authorization(for: url), what: "\(chart.name) \(entry.version)")
            let digest = ChartCache.digest(of: bytes)
            if let expected = entry.digest, expected != digest {
                throw ChartSourceError("\(chart.name) \(entry.version) from \(HTTPSession.shown(url)) has digest sha256:\(digest), but the index of \(chart.repository) says sha256:\(expected): the archive is corrupted or was replaced; nothing was cached")
            }
            try cache.write(bytes)
            return Pinned(chart: chart, version: entry.version, digest: digest, url: url)
        }
    }

    /// A repository's parsed `index.yaml`.
    func index(_ url: String, session: HTTPSession, repository: RepositoryAccess) async throws(ChartSourceError) -> RepositoryIndex {
        let location = url + "/index.yaml"
        let bytes = try await session.get(location, headers: repository.authorization(for: location), what: "the index of \(HTTPSession.shown(url))")
        do {
            return try RepositoryIndex(bytes, source: HTTPSession.shown(location))
        } catch {
            throw ChartSourceError(error.diagnostics.first?.message ?? "\(error)")
        }
    }

    private func pinOCI(_ chart: RemoteChart) async throws(ChartSourceError) -> Pinned {
        let repository = try OCIRepository(chart)
        return try await HTTPSession.with(access: access) { session throws(ChartSourceError) in
            let client = try OCIClient(session: session, repository: repository, credentials: access.credentials, plainHTTP: access.plainHTTP)
            let version: String
            if chart.isExactVersion {
                version = chart.version
            } else {
                let versions = try await client.tags().map(OCIRepository.version)
                guard let best = chart.matching(versions).first else {
                    let newest = versions.compactMap { SemanticVersion($0) }.sorted(by: >).prefix(8).map(\.original)
                    throw ChartSourceError("no version of \(repository) satisfies '\(chart.version)' (newest tags: \(newest.isEmpty ? "none" : newest.joined(separator: ", ")))")
                }
                version = best
            }
            let tag = OCIRepository.tag(version)
            let what = "\(chart.name) \(version)"
            let manifest = try await client.manifest(tag, what: what)
            let pinned = Pinned(chart: chart, version: version, digest: manifest.chartLayer, url: "\(repository):\(tag)")
            if (try? cache.read(manifest.chartLayer)) ?? nil == nil {
                try cache.write(try await client.blob(manifest.chartLayer, what: what))
            }
            return pinned
        }
    }

    /// A pinned chart's archive: from the cache, else fetched (by URL, or from the registry by
    /// digest) and checked against the pin.
    public func archive(_ pinned: Pinned, offline: Bool) async throws(ChartSourceError) -> [UInt8] {
        if let cached = try cache.read(pinned.digest) { return cached }
        let what = "\(pinned.chart.name) \(pinned.version)"
        if offline { throw ChartSourceError("\(what) (sha256:\(pinned.digest)) is not in the chart cache \(cache.root) and --offline forbids fetching it") }
        let bytes: [UInt8]
        if pinned.chart.isOCI {
            let repository = try OCIRepository(pinned.chart)
            bytes = try await HTTPSession.with(access: access) { session throws(ChartSourceError) in
                let client = try OCIClient(session: session, repository: repository, credentials: access.credentials, plainHTTP: access.plainHTTP)
                return try await client.blob(pinned.digest, what: what)
            }
        } else {
            let repository = access.credentials.repository(pinned.chart.repository)
            bytes = try await HTTPSession.with(tls: try repository.tls(), access: access) { session throws(ChartSourceError) in
                try await session.get(pinned.url, headers: repository.authorization(for: pinned.url), what: what)
            }
            let digest = ChartCache.digest(of: bytes)
            guard digest == pinned.digest else {
                throw ChartSourceError("\(what) from \(HTTPSession.shown(pinned.url)) has digest sha256:\(digest), but the lock pins sha256:\(pinned.digest): the archive changed since it was locked (a moved version is never followed); check it and run `gitops chart lock` to pin the new one")
            }
        }
        try cache.write(bytes)
        return bytes
    }

    /// `url` relative to the repository (Helm's indexes may hold either).
    static func absolute(_ url: String, base: String) -> String {
        if url.contains("://") { return url }
        return base + "/" + (url.hasPrefix("/") ? String(url.dropFirst()) : url)
    }

    /// A URL as it may be printed: without `user:password@`.
    static func withoutCredentials(_ url: String) -> String { HTTPSession.shown(url) }
}
