import Basics
@testable import ChartSources
import Foundation
import RepoModel
import Testing

@Suite struct ChartSourcesTests {
    static let index = Array("""
        apiVersion: v1
        entries:
          redis:
          - {name: redis, version: 2.0.0, digest: aa, urls: [redis-2.0.0.tgz]}
          - {name: redis, version: 1.3.0-rc.1, digest: bb, urls: [redis-1.3.0-rc.1.tgz]}
          - {name: redis, version: 1.2.0, digest: cc, urls: ["https://mirror.example.com/redis-1.2.0.tgz"]}
          - {name: redis, version: 1.0.0, digest: dd, urls: [redis-1.0.0.tgz]}
        """.utf8)

    @Test func rangesResolveAsHelmResolvesThemPreReleasesOnlyWhenAsked() throws {
        let index = try RepositoryIndex(Self.index, source: "index.yaml")
        func resolve(_ version: String) throws -> String {
            try index.resolve(RemoteChart(repository: "https://charts.example.com", name: "redis", version: version)).version
        }
        #expect(try resolve("^1.0") == "1.2.0")
        #expect(try resolve("~1.0") == "1.0.0")
        #expect(try resolve(">=1.0 <3") == "2.0.0")
        #expect(try resolve("1.2.0") == "1.2.0")
        #expect(try resolve(">=1.3.0-0") == "2.0.0")
        #expect(try resolve("1.3.0-rc.1") == "1.3.0-rc.1")
        #expect(throws: ChartSourceError.self) { try resolve("^3") }
        do { _ = try resolve("^3") } catch { #expect("\(error)".contains("(newest: 2.0.0, 1.3.0-rc.1, 1.2.0, 1.0.0)")) }
        do {
            _ = try index.resolve(RemoteChart(repository: "https://charts.example.com", name: "nginx", version: "1"))
            Issue.record("a chart the index lacks resolved")
        } catch { #expect(error.description.contains("chart 'nginx' is not in https://charts.example.com")) }
    }

    @Test func theCacheStoresByDigestAtomicallyAndRefusesADamagedFile() throws {
        let root = NSTemporaryDirectory() + "gitops-chart-cache-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = ChartCache(root: root)
        let bytes = Array("an archive".utf8)
        let digest = try cache.write(bytes)
        #expect(digest == ChartCache.digest(of: bytes) && digest.count == 64)
        #expect(try cache.read(digest) == bytes)
        #expect(try cache.read(String(repeating: "0", count: 64)) == nil)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/sha256") == [digest + ".tgz"])
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: root + "/sha256/" + digest + ".tgz"))
        #expect(throws: ChartSourceError.self) { try cache.read(digest) }
    }

    @Test func locksRoundTripAndRefuseEntriesWithoutADigest() throws {
        let lock = ChartLock(entries: [ChartLock.Entry(release: "redis", repository: "https://charts.example.com", name: "redis",
                                                       constraint: "^1.0", version: "1.2.0", digest: String(repeating: "a", count: 64),
                                                       url: "https://charts.example.com/redis-1.2.0.tgz")])
        let read = try ChartLock(Array(lock.yaml.utf8), file: "environments/dev/charts.lock")
        #expect(read == lock)
        #expect(throws: DiagnosticError.self) { try ChartLock(Array("charts:\n  - {release: a, repository: r, name: n, version: 1}\n".utf8), file: "x") }
    }

    @Test func referencesParseFromOCIAndCredentialsNeverPrint() {
        let chart = RemoteChart(oci: "oci://registry.example.com/charts/postgresql", version: "16.2.1")
        #expect(chart?.repository == "oci://registry.example.com/charts" && chart?.name == "postgresql" && chart?.isOCI == true)
        #expect(RemoteChart(oci: "oci://postgresql", version: "1") == nil)
        // A URL with credentials in it is printed without them.
        #expect(ChartFetcher.withoutCredentials("https://user:s3cret@charts.example.com/index.yaml") == "https://charts.example.com/index.yaml")
        #expect(ChartFetcher.withoutCredentials("https://charts.example.com/a@b.tgz") == "https://charts.example.com/a@b.tgz")
    }
}
