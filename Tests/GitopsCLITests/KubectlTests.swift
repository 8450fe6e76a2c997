import Basics
import Cluster
import Foundation
import KubeModel
import KubeTestServer
import Testing
import YAML

/// The real kubectl drives kube-test-server for the verbs that change objects in place: label,
/// annotate, patch (merge, JSON and strategic merge), scale; the API server records each as an
/// Update by kubectl's field manager.
@Suite struct KubectlTests {
    static var kubectl: Bool { (try? TestProcess.output(["sh", "-c", "command -v kubectl"], in: "/")) != nil }

    static func run(_ kubeconfig: String, _ arguments: String) throws -> String {
        try TestProcess.output(["sh", "-c", "KUBECONFIG='\(kubeconfig)' kubectl \(arguments) 2>&1"], in: "/")
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
}
