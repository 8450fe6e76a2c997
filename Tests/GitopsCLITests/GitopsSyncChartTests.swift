import Basics
import Foundation
import Testing

/// The sync job's chart as each environment of this repository deploys it: its RBAC lets the job
/// change every object the environment renders and nothing else of note.
@Suite struct GitopsSyncChartTests {
    /// A kind's resource name, as the API server derives it for the kinds environments use.
    static func plural(_ kind: String) -> String {
        let lower = kind.lowercased()
        if lower.hasSuffix("y") { return String(lower.dropLast()) + "ies" }
        if lower.hasSuffix("s") { return lower + "es" }
        return lower + "s"
    }

    struct Rule {
        var groups: [String], resources: [String], verbs: [String], names: [String]?

        init(_ value: Value) {
            func strings(_ key: String) -> [String] { value[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            groups = strings("apiGroups")
            resources = strings("resources")
            verbs = strings("verbs")
            names = value["resourceNames"] == nil ? nil : strings("resourceNames")
        }

        func allows(group: String, resource: String, name: String, verb: String) -> Bool {
            groups.contains(group) && resources.contains(resource) && verbs.contains(verb) && (names?.contains(name) ?? true)
        }
    }

    @Test(arguments: ["dev", "staging", "production"])
    func rbacCoversWhatTheEnvironmentRenders(environment: String) throws {
        let run = try GitopsRun(["render", environment, "--output", "json", "--repo", GitopsProcessTests.repositoryRoot])
        #expect(run.status == 0, "\(run.stderr)")
        let objects = try #require(try JSONReader.values(run.stdout).first?.arrayValue)
        func find(_ kind: String) throws -> [Rule] {
            let object = try #require(objects.first { $0["kind"]?.stringValue == kind && $0["metadata"]?["name"]?.stringValue == "gitops-sync-\(environment)" },
                                      "\(kind) gitops-sync-\(environment)")
            return (object["rules"]?.arrayValue ?? []).map(Rule.init)
        }
        let role = try find("Role"), clusterRole = try find("ClusterRole")
        var uncovered: [String] = []
        for object in objects {
            let apiVersion = object["apiVersion"]?.stringValue ?? ""
            let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
            let kind = object["kind"]?.stringValue ?? "", name = object["metadata"]?["name"]?.stringValue ?? ""
            let rules = object["metadata"]?["namespace"] == nil ? clusterRole : role
            for verb in ["get", "patch"] where !rules.contains(where: { $0.allows(group: group, resource: Self.plural(kind), name: name, verb: verb) }) {
                uncovered.append("\(verb) \(kind) \(name)")
            }
        }
        #expect(uncovered.isEmpty, "the gitops-sync RBAC of \(environment) misses: \(uncovered)")
        // Nothing cluster-wide without a name, and no wildcards.
        #expect(clusterRole.allSatisfy { $0.names?.isEmpty == false })
        #expect(!(role + clusterRole).contains { $0.groups.contains("*") || $0.resources.contains("*") || $0.verbs.contains("*") })
    }

    @Test func theJobFetchesChartsWithItsOwnCredentialsIntoItsCache() throws {
        let chart = GitopsProcessTests.repositoryRoot + "/charts/gitops-sync"
        let plain = try GitopsRun(["chart", "template", chart, "--set", "environment=dev,repository.url=https://git.example.com/envs.git"])
        #expect(plain.status == 0 && plain.stdout.contains("- --cache-dir=/var/cache/gitops/charts") && !plain.stdout.contains("chart-credentials")
                && !plain.stdout.contains("--plain-http"), "\(plain.stderr)")
        let withSecret = try GitopsRun(["chart", "template", chart, "--set",
                                        "environment=dev,repository.url=https://git.example.com/envs.git,charts.credentialsSecret=chart-logins,charts.plainHTTP=true,charts.ports={443,5000}"])
        let text = withSecret.stdout
        #expect(withSecret.status == 0 && text.contains("- --plain-http") && text.contains("value: /etc/gitops/charts/repositories.yaml")
                && text.contains("name: DOCKER_CONFIG") && text.contains("secretName: chart-logins") && text.contains("mountPath: /etc/gitops/charts")
                && text.contains("- port: 5000"), "\(withSecret.stdout)\(withSecret.stderr)")
    }
}
