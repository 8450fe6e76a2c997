import Basics
import Cluster
import Foundation
import KubeModel
import KubeTestServer
import Testing
import TestSupport
import Validation
import YAML

/// The real kubectl drives kube-test-server for the verbs that change objects in place: label,
/// annotate, patch (merge, JSON and strategic merge), scale; the API server records each as an
/// Update by kubectl's field manager.
@Suite struct KubectlTests {
    static var kubectl: Bool { (try? TestProcess.output(["sh", "-c", "command -v kubectl"], in: "/")) != nil }

    static func run(_ kubeconfig: String, _ arguments: String, editor: String? = nil) throws -> String {
        let environment = editor.map { "EDITOR=\"\($0.replacingOccurrences(of: "\"", with: "\\\""))\" " } ?? ""
        return try TestProcess.output(["sh", "-c", "\(environment)KUBECONFIG='\(kubeconfig)' kubectl \(arguments) 2>&1"], in: "/")
    }

    @Test func kubectlLabelsAnnotatesPatchesAndScales() async throws {
        guard Self.kubectl else { print("skipped: kubectl is not installed"); return }
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let folder = NSTemporaryDirectory() + "gitops-kubectl-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let kubeconfig = folder + "/kubeconfig"
        try server.kubeconfig().write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let client = try KubeClient(connection: try KubeConfig.load(explicitPath: kubeconfig).connection())
        let objects = try YAML.values(Array("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: demo}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c1, namespace: demo}
            data: {a: "1"}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: demo}
            spec:
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: nginx, image: nginx}]
            """.utf8), file: "objects.yaml")
        for object in objects { _ = try await client.apply(try #require(object.objectValue), fieldManager: "gitops") }
        for (arguments, expected) in [
            ("-n demo label configmap c1 x=y", "configmap/c1 labeled"),
            ("-n demo annotate configmap c1 note=hello", "configmap/c1 annotated"),
            ("-n demo patch configmap c1 --type merge -p '{\"data\":{\"b\":\"2\"}}'", "configmap/c1 patched"),
            ("-n demo patch configmap c1 --type json -p '[{\"op\":\"add\",\"path\":\"/data/c\",\"value\":\"3\"}]'", "configmap/c1 patched"),
            ("-n demo patch deployment web -p '{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.27\"}]}}}}'", "deployment.apps/web patched"),
            ("-n demo scale deployment web --replicas=3", "deployment.apps/web scaled"),
        ] {
            let output = try Self.run(kubeconfig, arguments)
            #expect(output.contains(expected), "kubectl \(arguments): \(output)")
        }
        let configMap = try #require(try await client.get(GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"), namespace: "demo", name: "c1"))
        #expect(configMap["data"] == .object(["a": "1", "b": "2", "c": "3"]) && configMap["metadata"]?["labels"]?["x"] == "y"
                && configMap["metadata"]?["annotations"]?["note"] == "hello")
        let managers = (configMap["metadata"]?["managedFields"]?.arrayValue ?? []).map { "\($0["manager"]?.stringValue ?? "")/\($0["operation"]?.stringValue ?? "")" }
        #expect(Set(managers) == ["gitops/Apply", "kubectl-label/Update", "kubectl-annotate/Update", "kubectl-patch/Update"], "\(managers)")
        let deployment = try #require(try await client.get(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"), namespace: "demo", name: "web"))
        #expect(deployment["spec"]?["replicas"] == 3)
        // The strategic merge kept the container list merged by name (one container, new image).
        let containers = deployment["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
        #expect(containers.count == 1 && containers.first?["name"] == "nginx" && containers.first?["image"] == "nginx:1.27", "\(containers)")
    }

    /// The linked Kubernetes schemas as the server's field checker, when scripts/link-schemas ran.
    static func checkFields(_ server: KubeTestHTTPSServer) -> Bool {
        guard let folder = SchemaCatalog.versionFolder(in: SchemaCatalog.linkedHome, kubernetesVersion: "1.32", strict: false) else { return false }
        let catalog = SchemaCatalog(folders: [folder], kubernetesFolder: folder)
        server.api.checkFields { object, definition in UnknownFields.of(object, definition: definition, catalog: catalog) }
        return true
    }

    /// kubectl create -f and kubectl edit, with kubectl's default validation: it reads /openapi/v3,
    /// sees that the server validates fields, and sends fieldValidation=Strict (Warn with
    /// --validate=warn); unknown fields are refused or warned about in the API server's words.
    @Test func kubectlCreatesAndEditsWithTheServerValidatingFields() async throws {
        guard Self.kubectl else { print("skipped: kubectl is not installed"); return }
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let validating = Self.checkFields(server)
        if !validating { print("field validation not checked: no Kubernetes schemas linked (scripts/link-schemas)") }
        let folder = NSTemporaryDirectory() + "gitops-kubectl-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let kubeconfig = folder + "/kubeconfig"
        try server.kubeconfig().write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        try """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: nginx, image: "nginx:1.27"}]}
            """.write(toFile: folder + "/good.yaml", atomically: true, encoding: .utf8)
        try """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: typo, namespace: default}
            data: {a: b}
            dta: {c: d}
            """.write(toFile: folder + "/typo.yaml", atomically: true, encoding: .utf8)
        #expect(try Self.run(kubeconfig, "create -f '\(folder)/good.yaml'").contains("deployment.apps/web created"))
        if validating {
            let refused = try Self.run(kubeconfig, "create -f '\(folder)/typo.yaml'")
            #expect(refused.contains(#"strict decoding error: unknown field "dta""#), "\(refused)")
            let warned = try Self.run(kubeconfig, "create -f '\(folder)/typo.yaml' --validate=warn")
            #expect(warned.contains(#"Warning: unknown field "dta""#) && warned.contains("configmap/typo created"), "\(warned)")
        }
        // kubectl edit: the editor changes the image; kubectl patches what changed.
        let edited = try Self.run(kubeconfig, "edit deployment web", editor: "sed -i 's/nginx:1.27/nginx:1.28/'")
        #expect(edited.contains("deployment.apps/web edited"), "\(edited)")
        let client = try KubeClient(connection: try KubeConfig.load(explicitPath: kubeconfig).connection())
        let deployment = try #require(try await client.get(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"), namespace: "default", name: "web"))
        #expect(deployment["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "nginx:1.28")
        let managers = (deployment["metadata"]?["managedFields"]?.arrayValue ?? []).map { "\($0["manager"]?.stringValue ?? "")/\($0["operation"]?.stringValue ?? "")" }
        #expect(Set(managers) == ["kubectl-create/Update", "kubectl-edit/Update"], "\(managers)")
    }

    /// The sync job's self-heal against what people do with the real kubectl: an edited
    /// ConfigMap, a patched image and a scaled StatefulSet are put back by the next sync.
    @Test func aSyncPutsBackWhatKubectlEditPatchAndScaleChanged() async throws {
        guard Self.kubectl else { print("skipped: kubectl is not installed"); return }
        let setup = try await SyncCommandTests.Setup()
        defer { setup.finish() }
        _ = Self.checkFields(setup.server)
        #expect(try setup.sync().status == 0)
        let edited = try Self.run(setup.kubeconfig, "-n blog-production edit configmap blog", editor: "sed -i 's/profiles:/profiles: # edited/'")
        #expect(edited.contains("configmap/blog edited"), "\(edited)")
        let patched = try Self.run(setup.kubeconfig, "-n blog-production set image deployment/blog blog=ghcr.io/example/blog:evil")
        #expect(patched.contains("image updated"), "\(patched)")
        let scaled = try Self.run(setup.kubeconfig, "-n blog-production scale statefulset postgresql --replicas=3")
        #expect(scaled.contains("scaled"), "\(scaled)")

        let diff = try GitopsRun(["diff", "production"] + setup.cluster)
        #expect(diff.status == 1 && diff.stdout.contains("3 to update"), "the drift is seen: \(diff.stdout)\(diff.stderr)")
        let healed = try setup.sync()
        #expect(healed.status == 0 && healed.stdout.contains("applied ConfigMap blog-production/blog\n")
                && healed.stdout.contains("applied Deployment blog-production/blog\n") && healed.stdout.contains("applied StatefulSet blog-production/postgresql\n"),
                "\(healed.stdout)\(healed.stderr)")
        let after = try GitopsRun(["diff", "production"] + setup.cluster)
        #expect(after.status == 0 && after.stdout.hasPrefix("0 to create, 0 to update, 0 to prune,"), "\(after.stdout)\(after.stderr)")
        let image = try Self.run(setup.kubeconfig, "-n blog-production get deployment blog -o jsonpath='{.spec.template.spec.containers[0].image}'")
        #expect(image == "ghcr.io/example/blog:1.4.2", "\(image)")
    }
}
