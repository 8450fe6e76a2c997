import Basics
import Cluster
import Foundation
import KubeModel
import KubeTestServer
import Testing
import TestSupport
import YAML

/// `gitops diff` and `gitops snapshot` end to end against the test API server, on a copy of this
/// repository's own environments: after production's objects are applied, no differences; one
/// changed value is exactly one field; an object deleted from Git is a prune.
@Suite(.serialized) struct ClusterDiffTests {
    /// A Git repository holding a copy of this repository's environments, charts, CRDs and policies.
    struct Copy {
        let path = NSTemporaryDirectory() + "gitops-cluster-" + UUID().uuidString

        init() throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for item in ["gitops.yaml", "environments", "charts", "crds", "platform", "policies"] {
                try FileManager.default.copyItem(atPath: GitopsProcessTests.repositoryRoot + "/" + item, toPath: path + "/" + item)
            }
            // The environments' encrypted Secrets, encrypted again for the tests' own key (staging's and
            // production's real keys are not in Git), which every gitops process the tests start reads.
            for environment in ["dev", "staging", "production"] {
                let file = path + "/environments/\(environment)/platform/blog-database.sops.yaml"
                try TestSecrets.plaintext(environment).write(toFile: file, atomically: true, encoding: .utf8)
                let encrypted = try GitopsRun(["secret", "encrypt", file, "--age", TestSecrets.recipient, "--encrypted-regex", "^(data|stringData)$"])
                guard encrypted.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: encrypted.stderr]) }
            }
            try run("git", "init", "-q", "-b", "main")
            try run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "add", "-A")
            try run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-m", "copy")
        }

        func run(_ arguments: String...) throws { try TestProcess.output(arguments, in: path) }

        func write(_ relative: String, _ text: String) throws {
            try text.write(toFile: path + "/" + relative, atomically: true, encoding: .utf8)
        }

        func edit(_ relative: String, _ change: (String) -> String) throws {
            let file = path + "/" + relative
            try change(try String(contentsOfFile: file, encoding: .utf8)).write(toFile: file, atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Applies production's render as the sync job will: CRDs first, every object labelled with the
    /// environment, server-side apply as field manager `gitops`.
    static func applyProduction(_ copy: Copy, server: KubeTestHTTPSServer, kubeconfig: String) async throws {
        let client = try KubeClient(connection: try KubeConfig.load(explicitPath: kubeconfig).connection())
        let crds = copy.path + "/crds/monitoring.coreos.com.yaml"
        for document in try YAML.values(Array(try Data(contentsOf: URL(fileURLWithPath: crds))), file: crds) {
            _ = try await client.apply(try #require(document.objectValue), fieldManager: "gitops")
        }
        let rendered = try GitopsRun(["render", "production", "--output", "json", "--show-secrets", "--repo", copy.path])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        for item in try #require(JSONReader.values(rendered.stdout).first?.arrayValue) {
            let object = Object(content: try #require(item.objectValue), provenance: Provenance(release: "", file: "", documentIndex: 0, line: 1))
            _ = try await client.apply(LiveState.labelled(object, environment: "production").content, fieldManager: "gitops")
        }
    }

    @Test func productionAgainstTheTestServer() async throws {
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let copy = try Copy()
        defer { copy.remove() }
        let kubeconfig = copy.path + "/.kubeconfig"
        try server.kubeconfig().write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        try await Self.applyProduction(copy, server: server, kubeconfig: kubeconfig)
        let cluster = ["--repo", copy.path, "--kubeconfig", kubeconfig, "--context", "kube-test-server"]

        // Just applied: nothing to report, server-side and client-side.
        for mode in [[], ["--no-server-side"]] {
            let clean = try GitopsRun(["diff", "production"] + cluster + mode)
            #expect(clean.status == 0, "\(mode) \(clean.stdout)\(clean.stderr)")
            #expect(clean.stdout.hasSuffix("0 to create, 0 to update, 0 to prune, 37 unchanged\n"), "\(clean.stdout)")
        }

        // One value changed in a values file: exactly that field.
        try copy.edit("environments/production/blog.yaml") { $0.replacingOccurrences(of: "minAvailable: 2", with: "minAvailable: 1") }
        let changed = try GitopsRun(["diff", "production", "--output", "json"] + cluster)
        #expect(changed.status == 1, "\(changed.stderr)")
        let report = try #require(JSONReader.values(changed.stdout).first)
        let updates = (report["objects"]?.arrayValue ?? []).filter { $0["action"] != "unchanged" }
        #expect(updates.count == 1 && updates.first?["kind"] == "PodDisruptionBudget" && updates.first?["action"] == "update")
        #expect(updates.first?["changes"] == [.object(["path": "spec.minAvailable", "desired": .int(1), "live": .int(2)])], "\(updates)")
        let text = try GitopsRun(["diff", "production"] + cluster)
        #expect(text.stdout.contains("~ policy/v1 PodDisruptionBudget blog-production/blog\n") && text.stdout.contains("-   minAvailable: 2")
                && text.stdout.contains("+   minAvailable: 1") && text.stdout.hasSuffix("0 to create, 1 to update, 0 to prune, 36 unchanged\n"),
                "\(text.stdout)")

        // An object deleted from Git: a prune.
        try copy.edit("environments/production/blog.yaml") { $0.replacingOccurrences(of: "minAvailable: 1", with: "minAvailable: 2") }
        try FileManager.default.removeItem(atPath: copy.path + "/environments/production/platform/resource-quota.yaml")
        let pruned = try GitopsRun(["diff", "production"] + cluster)
        #expect(pruned.status == 1 && pruned.stdout.contains("- v1 ResourceQuota blog-production/")
                && pruned.stdout.hasSuffix("0 to create, 0 to update, 1 to prune, 36 unchanged\n"), "\(pruned.stdout)\(pruned.stderr)")

        // A snapshot of the cluster, then the same answer offline.
        let snapshot = copy.path + "/snapshot"
        let saved = try GitopsRun(["snapshot", "production", "--out", snapshot] + cluster)
        #expect(saved.status == 0 && saved.stdout.contains("saved 37 live objects"), "\(saved.stdout)\(saved.stderr)")
        let offline = try GitopsRun(["diff", "production", "--live", snapshot, "--repo", copy.path])
        #expect(offline.status == 1 && offline.stdout.hasSuffix("0 to create, 0 to update, 1 to prune, 36 unchanged\n"), "\(offline.stdout)")
        let again = try GitopsRun(["snapshot", "production", "--out", snapshot] + cluster)
        #expect(again.status == 2 && again.stderr.contains("not empty"))
    }

    @Test func clusterErrorsExitTwoWithTheReason() throws {
        let server = try KubeTestHTTPSServer()
        let copy = try Copy()
        defer { copy.remove() }
        let kubeconfig = copy.path + "/.kubeconfig"
        try server.kubeconfig().write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let typo = try GitopsRun(["diff", "production", "--repo", copy.path, "--kubeconfig", kubeconfig, "--context", "kube-test-servr"])
        #expect(typo.status == 2 && typo.stderr.contains("did you mean 'kube-test-server'?"), "\(typo.stderr)")
        // The environment's own context (prod) is not in this kubeconfig.
        let missing = try GitopsRun(["diff", "production", "--repo", copy.path, "--kubeconfig", kubeconfig])
        #expect(missing.status == 2 && missing.stderr.contains("no context 'prod'"), "\(missing.stderr)")
        server.shutdown()
        let down = try GitopsRun(["diff", "production", "--repo", copy.path, "--kubeconfig", kubeconfig, "--context", "kube-test-server"])
        #expect(down.status == 2 && down.stderr.contains("cannot connect"), "\(down.stderr)")
        #expect(!down.stderr.contains(server.api.token), "credentials never appear in errors")
    }

    @Test func kubeTestServerProcessWritesItsKubeconfigAndStopsOnSIGTERM() throws {
        let folder = NSTemporaryDirectory() + "kube-test-server-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let kubeconfig = folder + "/kubeconfig"
        let process = Process()
        let server = GitopsRun.executable.deletingLastPathComponent().appendingPathComponent("kube-test-server").path
        // Started as a container runtime or a shell would start it: SIGTERM not blocked in any of
        // its threads (a test thread blocks it, and the mask is inherited), so the signal may land
        // on any thread, SwiftNIO's included. With the cluster owner's CRDs applied at start-up.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT}); os.execv(sys.argv[1], sys.argv[1:])",
                             server, "--port", "0", "--kubeconfig", kubeconfig, "--apply", GitopsProcessTests.repositoryRoot + "/crds/monitoring.coreos.com.yaml"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var waited = 0
        while !FileManager.default.fileExists(atPath: kubeconfig) && waited < 100 { usleep(100_000); waited += 1 }
        let config = try String(contentsOfFile: kubeconfig, encoding: .utf8)
        #expect(config.contains("server: https://127.0.0.1:") && !config.contains("127.0.0.1:0\n"))
        let attributes = try FileManager.default.attributesOfItem(atPath: kubeconfig)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "the kubeconfig holds a token")

        // gitops talks to it through that kubeconfig.
        let copy = try Copy()
        defer { copy.remove() }
        let diff = try GitopsRun(["diff", "dev", "--repo", copy.path, "--kubeconfig", kubeconfig, "--context", "kube-test-server", "--output", "json"])
        #expect(diff.status == 1 && diff.stdout.contains(#""action": "create""#) && !diff.stdout.contains(#""action": "update""#),
                "\(diff.stdout)\(diff.stderr)")
        #expect(diff.stdout.contains(#""kind": "ServiceMonitor""#) && !diff.stderr.contains("does not serve"), "the preloaded CRDs are served: \(diff.stderr)")

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }
}


/// The tests' own age key: generated once per test process, given to every gitops process the
/// tests start (SOPS_AGE_KEY_FILE in this process's environment, which children inherit).
enum TestSecrets {
    static let password = "test-database-password-5f4e3d"

    static let recipient: String = {
        let file = NSTemporaryDirectory() + "gitops-test-age-\(getpid()).txt"
        if !FileManager.default.fileExists(atPath: file) { _ = try? GitopsRun(["secret", "keygen", "-o", file]) }
        setenv("SOPS_AGE_KEY_FILE", file, 1)
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix("# public key: ") }.map { String($0.dropFirst("# public key: ".count)) } ?? ""
    }()

    static func plaintext(_ environment: String) -> String {
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: blog-database
          labels:
            app.kubernetes.io/part-of: blog
        type: Opaque
        stringData:
          username: blog
          password: \(password)

        """
    }
}
