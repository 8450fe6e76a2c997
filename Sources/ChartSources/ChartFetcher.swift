import AsyncHTTPClient
import Basics
import RepoModel
import Foundation
import NIOCore
import NIOHTTP1

/// Fetches charts from Helm HTTP repositories into the cache: the repository's `index.yaml`, the
/// archive of the version a reference resolves to, its sha256 checked against the index's digest.
/// Every request has a deadline; redirects are followed (at most 5).
public struct ChartFetcher: Sendable {
    public let cache: ChartCache
    /// Seconds a whole request may take.
    public var deadline: Int64 = 60
    /// The largest index or archive accepted.
    public var maxBytes = 256 << 20

    public init(cache: ChartCache) { self.cache = cache }

    /// A chart pinned: the version a reference resolved to and its archive's digest.
    public struct Pinned: Sendable, Hashable {
        public var chart: RemoteChart
        public var version: String
        public var digest: String
        public var url: String
    }

    /// Resolves `chart` against its repository, fetches the archive unless the cache has it, and
    /// verifies it.
    public func pin(_ chart: RemoteChart) async throws(ChartSourceError) -> Pinned {
        guard !chart.isOCI else {
            throw ChartSourceError("\(chart): OCI registries are not fetched yet; pull the chart with `helm pull \(chart.repository)/\(chart.name) --version <version> --untar --untardir charts/` and name its folder")
        }
        let indexBytes = try await get(chart.repository + "/index.yaml", what: "the index of \(chart.repository)")
        let index: RepositoryIndex
        do {
            index = try RepositoryIndex(indexBytes, source: chart.repository + "/index.yaml")
        } catch {
            throw ChartSourceError(error.diagnostics.first?.message ?? "\(error)")
        }
        let entry = try index.resolve(chart)
        guard let first = entry.urls.first else { throw ChartSourceError("\(chart.name) \(entry.version) in \(chart.repository) has no archive URL") }
        let url = Self.absolute(first, base: chart.repository)
        if let digest = entry.digest, (try? cache.read(digest)) ?? nil != nil {
            return Pinned(chart: chart, version: entry.version, digest: digest, url: url)
        }
        let bytes = try await get(url, what: "\(chart.name) \(entry.version)")
        let digest = ChartCache.digest(of: bytes)
        if let expected = entry.digest, expected != digest {
            throw ChartSourceError("\(chart.name) \(entry.version) from \(url) has digest sha256:\(digest), but the index of \(chart.repository) says sha256:\(expected): the archive is corrupted or was replaced; nothing was cached")
        }
        try cache.write(bytes)
        return Pinned(chart: chart, version: entry.version, digest: digest, url: url)
    }

    /// A pinned chart's archive: from the cache, else fetched from its URL and checked against the pin.
    public func archive(_ pinned: Pinned, offline: Bool) async throws(ChartSourceError) -> [UInt8] {
        if let cached = try cache.read(pinned.digest) { return cached }
        if offline { throw ChartSourceError("\(pinned.chart.name) \(pinned.version) (sha256:\(pinned.digest)) is not in the chart cache \(cache.root) and --offline forbids fetching it") }
        let bytes = try await get(pinned.url, what: "\(pinned.chart.name) \(pinned.version)")
        let digest = ChartCache.digest(of: bytes)
        guard digest == pinned.digest else {
            throw ChartSourceError("\(pinned.chart.name) \(pinned.version) from \(pinned.url) has digest sha256:\(digest), but the lock pins sha256:\(pinned.digest): the archive changed since it was locked (a moved version is never followed); check it and run `gitops chart lock` to pin the new one")
        }
        try cache.write(bytes)
        return bytes
    }

    /// `url` relative to the repository (Helm's indexes may hold either).
    static func absolute(_ url: String, base: String) -> String {
        if url.contains("://") { return url }
        return base + "/" + (url.hasPrefix("/") ? String(url.dropFirst()) : url)
    }

    func get(_ url: String, what: String) async throws(ChartSourceError) -> [UInt8] {
        let shown = Self.withoutCredentials(url)
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPClient.Configuration(redirectConfiguration: .follow(max: 5, allowCycles: false),
                                                                        timeout: .init(connect: .seconds(10), read: .seconds(deadline))))
        let result: Result<[UInt8], ChartSourceError>
        do {
            result = .success(try await fetch(url, with: client, what: what, shown: shown))
        } catch let error as ChartSourceError {
            result = .failure(error)
        } catch {
            result = .failure(ChartSourceError("fetching \(what) from \(shown) failed: \(error)"))
        }
        // The client's connections closed before returning, whatever happened.
        try? await client.shutdown()
        return try result.get()
    }

    private func fetch(_ url: String, with client: HTTPClient, what: String, shown: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: "gitops")
        let response = try await client.execute(request, deadline: .now() + .seconds(deadline))
        switch response.status.code {
        case 200: break
        case 401, 403:
            throw ChartSourceError("fetching \(what) from \(shown): the server refused access (HTTP \(response.status.code)); give the repository's credentials")
        case 404:
            throw ChartSourceError("fetching \(what) from \(shown): not found (HTTP 404)")
        default:
            throw ChartSourceError("fetching \(what) from \(shown): HTTP \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: maxBytes)
        return Array(body.readableBytesView)
    }

    /// A URL as it may be printed: without `user:password@`.
    static func withoutCredentials(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
              !url[scheme.upperBound..<at].contains("/") else { return url }
        return String(url[..<scheme.upperBound]) + String(url[url.index(after: at)...])
    }
}
