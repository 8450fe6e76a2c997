import Basics
@testable import Charts
@testable import ChartSources
import Foundation
import RepoModel
import Testing

/// Credentials as Helm and docker keep them, registry challenges, Helm's Chart.lock digest, and a
/// large index.
@Suite struct CredentialsAndLockTests {
    static func scratch() throws -> String {
        let folder = NSTemporaryDirectory() + "gitops-credentials-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func repositoriesYamlGivesEachURLItsCredentialsAndOnlyToItsHost() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            apiVersion: ""
            repositories:
            - name: stable
              url: https://charts.example.com/stable/
              username: pat
              password: "s3cret"
            - name: team
              url: https://charts.example.com/stable/team
              token: abc
              pass_credentials_all: true
            """.write(toFile: folder + "/repositories.yaml", atomically: true, encoding: .utf8)
        let credentials = try ChartCredentials.standard(repositoryConfig: folder + "/repositories.yaml", environment: ["HOME": folder])
        let stable = credentials.repository("https://charts.example.com/stable")
        #expect(stable.name == "stable" && stable.authorization(for: "https://charts.example.com/stable/index.yaml").first?.1 == "Basic cGF0OnMzY3JldA==")
        #expect(stable.authorization(for: "https://cdn.example.net/redis-1.0.0.tgz").isEmpty, "not to another host")
        let team = credentials.repository("https://charts.example.com/stable/team")
        #expect(team.name == "team" && team.authorization(for: "https://cdn.example.net/x.tgz").first?.1 == "Bearer abc", "the longest URL wins; pass_credentials_all")
        #expect(credentials.repository("https://other.example.com").name == "")
        #expect(credentials.repository(named: "team")?.url == "https://charts.example.com/stable/team")
        #expect(throws: ChartSourceError.self) { try ChartCredentials.standard(repositoryConfig: folder + "/missing.yaml", environment: ["HOME": folder]) }
    }

    @Test func registryLoginsComeFromVariablesThenDockerConfigFiles() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let auth = Data("robot:t0ken".utf8).base64EncodedString()
        try #"{"auths": {"https://index.docker.io/v1/": {"auth": "\#(auth)"}, "registry.example.com:5000": {"username": "u", "password": "p"}}}"#
            .write(toFile: folder + "/config.json", atomically: true, encoding: .utf8)
        let fromFile = try ChartCredentials.standard(environment: ["HOME": folder, "DOCKER_CONFIG": folder])
        #expect(try fromFile.login(registry: "registry-1.docker.io") == RegistryLogin(username: "robot", password: "t0ken"), "Docker Hub's names")
        #expect(try fromFile.login(registry: "registry.example.com:5000") == RegistryLogin(username: "u", password: "p"))
        #expect(try fromFile.login(registry: "ghcr.io") == nil)
        let scoped = try ChartCredentials.standard(environment: ["HOME": folder, "DOCKER_CONFIG": folder, "GITOPS_REGISTRY_USERNAME": "ci",
                                                                 "GITOPS_REGISTRY_PASSWORD": "pw", "GITOPS_REGISTRY_HOST": "ghcr.io"])
        #expect(try scoped.login(registry: "ghcr.io") == RegistryLogin(username: "ci", password: "pw"))
        #expect(try scoped.login(registry: "registry.example.com:5000")?.username == "u", "the variables are for their host only")
        try "not json".write(toFile: folder + "/config.json", atomically: true, encoding: .utf8)
        #expect(throws: ChartSourceError.self) { try fromFile.login(registry: "ghcr.io") }
    }

    @Test func bearerChallengesParseAsRegistriesWriteThem() {
        let (scheme, parameters) = OCIClient.parse(#"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:charts/redis:pull""#)
        #expect(scheme == "bearer" && parameters == ["realm": "https://auth.example.com/token", "service": "registry.example.com", "scope": "repository:charts/redis:pull"])
        #expect(OCIClient.parse("Basic realm=\"x\"").0 == "basic")
        #expect(OCIClient.nextLink("</v2/charts/redis/tags/list?n=2&last=b>; rel=\"next\"", current: "https://r.example.com/v2/charts/redis/tags/list?n=2")
                == "https://r.example.com/v2/charts/redis/tags/list?n=2&last=b")
        #expect(OCIRepository.tag("1.2.3+build.4") == "1.2.3_build.4" && OCIRepository.version("1.2.3_build.4") == "1.2.3+build.4")
        #expect(HTTPSession.shown("https://u:p@example.com/blob?X-Amz-Signature=abc") == "https://example.com/blob")
        #expect(HTTPSession.host(of: "https://u:p@Example.com:8443/x") == "example.com:8443")
    }

    @Test func theLockDigestIsHelmsHashOfChartYamlAndTheLock() {
        // Chart.yaml's dependencies and the lock `helm dependency update` (Helm v4.2 SDK) wrote
        // for them, with its digest.
        let requested = [
            Chart.Dependency(name: "redis", alias: nil, condition: "redis.enabled", tags: [], importValues: [], enabled: nil,
                             repository: "http://127.0.0.1:18080", version: ">=1.0.0 <2.0.0"),
            Chart.Dependency(name: "redis", alias: "cache", condition: nil, tags: ["a", "b"], importValues: ["child"], enabled: nil,
                             repository: "http://127.0.0.1:18080", version: "~1.0"),
        ]
        let locked = [DependencyLock.Entry(name: "redis", repository: "http://127.0.0.1:18080", version: "1.2.0", archiveDigest: "ab"),
                      DependencyLock.Entry(name: "redis", repository: "http://127.0.0.1:18080", version: "1.0.0")]
        #expect(DependencyLock.hash(requested: requested, locked: locked) == "sha256:8fea97a844075525bdb2395a4c6be4e8e12c0995c0185b277e92de258788cee9")
        let lock = DependencyLock(dependencies: locked, digest: "sha256:8fea97a844075525bdb2395a4c6be4e8e12c0995c0185b277e92de258788cee9", generated: "2026-12-04T05:00:20Z")
        let reread = try? DependencyLock(Array(lock.yaml.utf8), file: "Chart.lock")
        #expect(reread == lock, "\(lock.yaml)")
        #expect(lock.yaml.hasPrefix("dependencies:\n- archiveDigest: sha256:ab\n  name: redis\n  repository: http://127.0.0.1:18080\n  version: 1.2.0\n- name: redis\n"))
    }

    @Test func aTenThousandEntryIndexParsesAndResolves() throws {
        var text = "apiVersion: v1\nentries:\n"
        for chart in 0..<100 {
            text += "  chart-\(chart):\n"
            for version in 0..<100 {
                text += "  - {name: chart-\(chart), version: \"\(version / 10).\(version % 10).0\", digest: \(String(repeating: "0", count: 64)), urls: [chart-\(chart)-\(version).tgz]}\n"
            }
            text += "  - {name: chart-\(chart), version: 10.0.0-rc.1, urls: [rc.tgz]}\n"
        }
        let index = try RepositoryIndex(Array(text.utf8), source: "index.yaml")
        #expect(index.entries.count == 100 && index.entries.values.reduce(0) { $0 + $1.count } == 10_100)
        #expect(try index.resolve(RemoteChart(repository: "https://x", name: "chart-42", version: "^9")).version == "9.9.0")
        #expect(try index.resolve(RemoteChart(repository: "https://x", name: "chart-42", version: ">=10.0.0-0")).version == "10.0.0-rc.1")
    }
}
