import Basics
import Cluster
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KubeModel
import KubeTestServer
import Testing
import YAML

/// What a trial as a new user found (issue 12), end to end against the test API server: one
/// environment's broken files do not stop the others.
@Suite(.serialized) struct SafetyTests {
    @Test func aBrokenSiblingEnvironmentIsAWarningNotAStop() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        // dev names a chart that is not there, and an empty environment folder sits beside it.
        try setup.copy.edit("environments/dev/environment.yaml") { $0.replacingOccurrences(of: "chart: charts/blog", with: "chart: charts/blgo") }
        try FileManager.default.createDirectory(atPath: setup.copy.path + "/environments/qa", withIntermediateDirectories: true)
        let repo = ["--repo", setup.copy.path]

        let render = try GitopsRun(["render", "production"] + repo)
        #expect(render.status == 0 && render.stdout.contains("kind: Deployment"), "\(render.stderr)")
        #expect(render.stderr.contains("warning: environment 'dev' does not load (1 error, the first: environments/dev/environment.yaml:")
                && render.stderr.contains("warning: environment 'qa' does not load"), "\(render.stderr)")
        let validate = try GitopsRun(["validate", "production"] + repo)
        #expect(validate.status == 0 && validate.stdout.hasSuffix("1 environment, 37 objects: 0 errors, 0 warnings\n"), "\(validate.stdout)\(validate.stderr)")
        let synced = try setup.sync()
        #expect(synced.status == 0 && synced.stdout.hasSuffix("healthy\n"), "\(synced.stdout)\(synced.stderr)")
        let status = try GitopsRun(["status", "production"] + setup.cluster)
        #expect(status.status == 0 && status.stdout.hasPrefix("production: Synced at "), "\(status.stdout)\(status.stderr)")

        // --all reports them as errors, in every output format (code scanning sees them).
        let all = try GitopsRun(["validate", "--all", "--output", "sarif"] + repo)
        #expect(all.status == 1 && all.stdout.contains("\"uri\": \"environments/dev/environment.yaml\"") && all.stdout.contains("charts/blgo"), "\(all.stdout)\(all.stderr)")
        #expect(all.stdout.contains("environments/qa") && all.stdout.contains("model.noEnvironmentFile"), "\(all.stdout)")
        // The broken one itself still fails, with its file, line and column.
        let dev = try GitopsRun(["render", "dev"] + repo)
        #expect(dev.status == 2 && dev.stderr.contains("environments/dev/environment.yaml:") && dev.stderr.contains("charts/blgo"), "\(dev.stderr)")

        // production's own file broken: the revision is blocked and recorded so, nothing applied.
        try setup.copy.edit("environments/production/environment.yaml") { $0.replacingOccurrences(of: "chart: charts/redis", with: "chart: charts/redsi") }
        let blocked = try setup.sync()
        #expect(blocked.status == 1 && blocked.stderr.contains("environments/production/environment.yaml:")
                && blocked.stderr.contains("blocked: environment 'production' does not load"), "\(blocked.stdout)\(blocked.stderr)")
        let client = try setup.client()
        #expect(try await SyncStatusReader.result(client) == "Blocked")
    }

    @Test func aParseErrorInASourceEnvironmentIsNotAlsoAMissingEnvironment() throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        try copy.edit("environments/staging/environment.yaml") { $0.replacingOccurrences(of: "kind: Environment", with: "kind: Environment\n  bad: [") }
        let all = try GitopsRun(["validate", "--all", "--repo", copy.path])
        #expect(all.status == 1 && all.stdout.contains("environments/staging/environment.yaml:") && !all.stdout.contains("there is no environments/staging"),
                "\(all.stdout)\(all.stderr)")
        let production = try GitopsRun(["render", "production", "--repo", copy.path])
        #expect(production.status == 0 && production.stderr.contains("warning: environment 'staging' does not load"), "\(production.stderr)")
    }

    /// A TCP port that accepts connections (the kernel completes them from the backlog) and never
    /// answers: a hung API server, a black-holing proxy.
    final class SilentServer {
        let socket: Int32
        let port: Int

        init() throws {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.socket = socket
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
            guard bound == 0, listen(socket, 64) == 0 else { throw CocoaError(.fileWriteUnknown) }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(socket) }

        func kubeconfig(at path: String) throws {
            try """
                apiVersion: v1
                kind: Config
                current-context: silent
                clusters: [{name: silent, cluster: {server: "https://127.0.0.1:\(port)", insecure-skip-tls-verify: true}}]
                users: [{name: silent, user: {token: abc}}]
                contexts: [{name: silent, context: {cluster: silent, user: silent}}]

                """.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    @Test func aServerThatNeverAnswersGivesDeadlinesThatHoldAndSIGTERMIsHonouredAtOnce() async throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        let silent = try SilentServer()
        let kubeconfig = copy.path + "/.kubeconfig"
        try silent.kubeconfig(at: kubeconfig)
        let cluster = ["--repo", copy.path, "--kubeconfig", kubeconfig, "--context", "silent"]

        // The deadline holds for the whole call, retries included.
        let started = Date()
        let diff = try GitopsRun(["diff", "production", "--request-timeout", "2"] + cluster)
        let took = Date().timeIntervalSince(started)
        #expect(diff.status == 2 && diff.stderr.contains("no answer from https://127.0.0.1:\(silent.port) within 2 s"), "\(diff.stderr)")
        #expect(took < 6, "took \(took) s")

        // SIGTERM while a request waits (default deadline 30 s): abandoned at once, Interrupted.
        let process = Process()
        process.executableURL = GitopsRun.executable
        process.arguments = ["sync", "production", "--once"] + cluster
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let signalled = Date()
        kill(process.processIdentifier, SIGTERM)
        #expect(try await SyncServiceTests.eventually(15) { !process.isRunning })
        let stopped = Date().timeIntervalSince(signalled)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 1 && stderr.contains("stopped on request"), "\(stderr)")
        #expect(stopped < 12, "stopped \(stopped) s after SIGTERM (the status write gets 5 s; a loaded CI machine takes a few more)")
    }

    /// Three environments on one cluster, each rendering the same CRD (from a shared folder) and a
    /// custom resource of it in its own namespace.
    struct SharedCluster {
        let path = NSTemporaryDirectory() + "gitops-shared-" + UUID().uuidString
        let server: KubeTestHTTPSServer
        var kubeconfig: String { path + "/.kubeconfig" }
        static let environments = ["dev", "staging", "prod"]
        static let crds = GroupVersionKind(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition")
        static let widgets = GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")
        static let clusterRoles = GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole")

        init() throws {
            server = try KubeTestHTTPSServer()
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try server.kubeconfig().write(toFile: kubeconfig, atomically: true, encoding: .utf8)
            try write("gitops.yaml", "apiVersion: gitops/v1alpha1\nkind: Repository\nspec:\n  promotion:\n    order: [dev, staging, prod]\n")
            try write("platform/crd.yaml", """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: widgets.example.com}
                spec:
                  group: example.com
                  scope: Namespaced
                  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
                  versions:
                    - name: v1
                      served: true
                      storage: true
                      schema:
                        openAPIV3Schema:
                          type: object
                          properties:
                            spec: {type: object, properties: {size: {type: integer}}}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: widget-reader}
                rules: [{apiGroups: [example.com], resources: [widgets], verbs: [get, list]}]

                """)
            for environment in Self.environments {
                try writeEnvironment(environment, platform: true)
                try write("environments/\(environment)/app/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop-\(environment)}\n")
                try write("environments/\(environment)/app/widget.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n")
            }
        }

        func write(_ relative: String, _ text: String) throws {
            let url = URL(fileURLWithPath: path + "/" + relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }

        func writeEnvironment(_ name: String, platform: Bool) throws {
            try write("environments/\(name)/environment.yaml", """
                apiVersion: gitops/v1alpha1
                kind: Environment
                metadata: {name: \(name)}
                spec:
                  namespace: shop-\(name)
                  cluster: {context: kube-test-server}
                  releases:
                \(platform ? "    - {name: platform, path: platform}\n" : "")    - {name: app, path: environments/\(name)/app}

                """)
        }

        func sync(_ environment: String) throws -> GitopsRun {
            try GitopsRun(["sync", environment, "--once", "--timeout", "5", "--repo", path, "--kubeconfig", kubeconfig])
        }

        /// Syncs dev, staging and prod in turn, each expected to succeed.
        func syncEach() throws {
            for environment in Self.environments {
                let run = try sync(environment)
                #expect(run.status == 0, "\(environment): \(run.stdout)\(run.stderr)")
            }
        }

        func client() throws -> KubeClient { try KubeClient(connection: try KubeConfig.load(explicitPath: kubeconfig).connection()) }

        func label(_ gvk: GroupVersionKind, _ name: String) async throws -> String? {
            try await client().get(gvk, namespace: nil, name: name)?["metadata"]?["labels"]?["gitops/environment"]?.stringValue
        }

        func finish() {
            server.shutdown()
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// An environment that renders a shared object differently from the environment that applied
    /// it is refused before it applies anything: the owner's version stays, nothing flips back and
    /// forth, and `gitops diff` says so beforehand.
    @Test func environmentsNeverOverwriteEachOthersSharedObjects() async throws {
        let cluster = try SharedCluster()
        defer { cluster.finish() }
        try cluster.syncEach()
        // prod renders the platform from its own folder, with one more verb on the shared ClusterRole.
        let platform = try String(contentsOfFile: cluster.path + "/platform/crd.yaml", encoding: .utf8)
        try cluster.write("platform-prod/crd.yaml", platform.replacingOccurrences(of: "verbs: [get, list]", with: "verbs: [get, list, watch]"))
        let environment = cluster.path + "/environments/prod/environment.yaml"
        try String(contentsOfFile: environment, encoding: .utf8).replacingOccurrences(of: "path: platform}", with: "path: platform-prod}")
            .write(toFile: environment, atomically: true, encoding: .utf8)
        try cluster.write("environments/prod/app/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new}\ndata: {a: b}\n")

        let preview = try GitopsRun(["diff", "prod", "--repo", cluster.path, "--kubeconfig", cluster.kubeconfig])
        #expect(preview.stderr.contains("warning: rbac.authorization.k8s.io/v1 ClusterRole widget-reader (rules[0].verbs) belongs to environment dev, "
            + "which renders it differently; a sync of prod is refused until they agree"), "\(preview.stdout)\(preview.stderr)")
        let refused = try cluster.sync("prod")
        let output = refused.stdout + refused.stderr
        #expect(refused.status == 1, "\(output)")
        #expect(output.contains("prod renders objects that another environment also renders, differently: "
            + "rbac.authorization.k8s.io/v1 ClusterRole widget-reader (rules[0].verbs) belongs to environment dev; nothing was applied"), "\(output)")
        let client = try cluster.client()
        let role = try await client.get(SharedCluster.clusterRoles, namespace: nil, name: "widget-reader")
        #expect(role?["rules"]?.arrayValue?.first?["verbs"] == .array([.string("get"), .string("list")]), "dev's version stays: \(String(describing: role))")
        #expect(try await cluster.label(SharedCluster.clusterRoles, "widget-reader") == "dev")
        #expect(try await client.get(SyncCommandTests.configMaps, namespace: "shop-prod", name: "new") == nil, "nothing was applied")
        let diff = try GitopsRun(["diff", "dev", "--repo", cluster.path, "--kubeconfig", cluster.kubeconfig])
        #expect(diff.status == 0, "dev sees no drift: \(diff.stdout)\(diff.stderr)")

        // Alike again, with the ClusterRole edited in the cluster (`kubectl edit`): that is drift, not
        // a disagreement; prod syncs and puts dev's version back, which stays dev's.
        try cluster.write("platform-prod/crd.yaml", platform)
        var edited = try #require(role)
        edited["rules"] = .array([.object(["apiGroups": .array([.string("example.com")]), "resources": .array([.string("widgets")]), "verbs": .array([.string("*")])])])
        let put = cluster.server.api.handle(APIRequest(method: "PUT", path: "/apis/rbac.authorization.k8s.io/v1/clusterroles/widget-reader",
                                                       query: ["fieldManager": "kubectl-edit"],
                                                       headers: ["authorization": "Bearer \(cluster.server.api.token)", "content-type": "application/json"],
                                                       body: Array(JSONWriter.compact(.object(edited)).utf8)))
        #expect(put.status == 200, "\(String(decoding: put.body, as: UTF8.self))")
        let agreed = try cluster.sync("prod")
        #expect(agreed.status == 0 && agreed.stdout.contains("applied ConfigMap shop-prod/new") && agreed.stdout.contains("applied ClusterRole widget-reader"),
                "\(agreed.stdout)\(agreed.stderr)")
        let healed = try await client.get(SharedCluster.clusterRoles, namespace: nil, name: "widget-reader")
        #expect(healed?["rules"]?.arrayValue?.first?["verbs"] == .array([.string("get"), .string("list")]), "\(String(describing: healed))")
        #expect(try await cluster.label(SharedCluster.clusterRoles, "widget-reader") == "dev")
    }

    @Test func environmentsSharingAClusterNeverPruneEachOthersObjects() async throws {
        let cluster = try SharedCluster()
        defer { cluster.finish() }
        try cluster.syncEach()
        // The CRD keeps the label of the environment that created it: no flip on every sync, no diff.
        #expect(try await cluster.label(SharedCluster.crds, "widgets.example.com") == "dev")
        let resync = try cluster.sync("staging")
        #expect(resync.status == 0 && resync.stdout.contains("applied 0, pruned 0"), "\(resync.stdout)\(resync.stderr)")
        #expect(try await cluster.label(SharedCluster.crds, "widgets.example.com") == "dev")
        let diff = try GitopsRun(["diff", "staging", "--repo", cluster.path, "--kubeconfig", cluster.kubeconfig])
        #expect(diff.status == 0 && diff.stdout.hasSuffix("0 to create, 0 to update, 0 to prune, 4 unchanged\n"), "\(diff.stdout)\(diff.stderr)")

        // dev stops rendering the CRD (and its widget): the CRD and the ClusterRole stay, staging and prod still render them.
        try cluster.writeEnvironment("dev", platform: false)
        try FileManager.default.removeItem(atPath: cluster.path + "/environments/dev/app/widget.yaml")
        let devDiff = try GitopsRun(["diff", "dev", "--repo", cluster.path, "--kubeconfig", cluster.kubeconfig])
        #expect(devDiff.stderr.contains("CustomResourceDefinition widgets.example.com is not in Git but a sync keeps it: prod, staging also render it"),
                "\(devDiff.stdout)\(devDiff.stderr)")
        let dev = try cluster.sync("dev")
        #expect(dev.status == 0 && dev.stdout.contains("pruned Widget shop-dev/w\n") && !dev.stdout.contains("pruned CustomResourceDefinition"),
                "\(dev.stdout)\(dev.stderr)")
        #expect(dev.stderr.contains("kept CustomResourceDefinition widgets.example.com although Git no longer has it: prod, staging also render it"), "\(dev.stderr)")
        let client = try cluster.client()
        #expect(try await client.get(SharedCluster.crds, namespace: nil, name: "widgets.example.com") != nil)
        for environment in ["staging", "prod"] {
            #expect(try await client.get(SharedCluster.widgets, namespace: "shop-\(environment)", name: "w") != nil, "\(environment)'s widget is still there")
        }
        // staging's next sync takes the objects over (dev no longer renders them).
        #expect(try cluster.sync("staging").status == 0)
        #expect(try await cluster.label(SharedCluster.crds, "widgets.example.com") == "staging")
        #expect(try await cluster.label(SharedCluster.clusterRoles, "widget-reader") == "staging")

        // Nobody renders them any more: the ClusterRole is pruned by its owner, the CRD is kept (its deletion deletes data).
        for environment in SharedCluster.environments {
            try cluster.writeEnvironment(environment, platform: false)
            try? FileManager.default.removeItem(atPath: cluster.path + "/environments/\(environment)/app/widget.yaml")
        }
        #expect(try cluster.sync("prod").status == 0)
        let last = try cluster.sync("staging")
        #expect(last.status == 0 && last.stdout.contains("pruned ClusterRole widget-reader"), "\(last.stdout)\(last.stderr)")
        #expect(last.stderr.contains("kept CustomResourceDefinition widgets.example.com although Git no longer has it: deleting a CustomResourceDefinition deletes every custom resource"),
                "\(last.stderr)")
        #expect(try await client.get(SharedCluster.crds, namespace: nil, name: "widgets.example.com") != nil)
    }

    @Test func snapshotsNeverHoldSecretValues() async throws {
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        #expect(try setup.sync().status == 0)
        // A Secret of the environment written as people write them: stringData, and kubectl's copy of it.
        let secret: ValueObject = [
            "apiVersion": "v1", "kind": "Secret",
            "metadata": .object(["name": "smtp", "namespace": "blog-production",
                                 "labels": .object(["gitops/environment": "production"]),
                                 "annotations": .object(["kubectl.kubernetes.io/last-applied-configuration":
                                     .string(#"{"apiVersion":"v1","kind":"Secret","stringData":{"password":"hunter2-smtp"}}"#)])]),
            "stringData": .object(["password": "hunter2-smtp"]),
        ]
        _ = try await setup.client().apply(secret, fieldManager: "kubectl")
        let folder = setup.copy.path + "/snapshot"
        let saved = try GitopsRun(["snapshot", "production", "--out", folder] + setup.cluster)
        #expect(saved.status == 0, "\(saved.stderr)")
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder)
        var everything = ""
        for file in files where file.hasSuffix(".yaml") { everything += try String(contentsOfFile: folder + "/" + file, encoding: .utf8) }
        #expect(files.contains { $0.hasSuffix("secret-smtp.yaml") }, "\(files)")
        #expect(!everything.contains("hunter2-smtp") && !everything.contains(Data("hunter2-smtp".utf8).base64EncodedString()), "no value, plain or base64")
        #expect(everything.contains("sha256:"))
    }
}
