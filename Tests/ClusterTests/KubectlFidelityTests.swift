import Basics
import Foundation
import Testing
@testable import KubeTestServer

enum KubectlBinary {
    static let path: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .map { $0 + "/kubectl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// The test API server checked with the real kubectl (installed on the project's machines):
/// discovery, server-side apply with the server's defaults, get and delete through its kubeconfig.
@Suite(.enabled(if: KubectlBinary.path != nil, "kubectl is not on PATH"))
struct KubectlFidelityTests {
    struct Run { var status: Int32; var stdout: String; var stderr: String }

    static func kubectl(_ arguments: [String], kubeconfig: String, stdin: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: KubectlBinary.path!)
        process.arguments = ["--kubeconfig", kubeconfig] + arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func kubectlAppliesGetsAndDeletes() throws {
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let kubeconfig = NSTemporaryDirectory() + "kube-test-server-\(UUID().uuidString).yaml"
        try server.kubeconfig().write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }

        let manifest = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop, labels: {app: web}}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: "web:1", ports: [{containerPort: 8080}]}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            """
        // kubectl's client-side validation downloads OpenAPI documents, which the test server does not serve.
        let applied = try Self.kubectl(["apply", "--server-side", "--validate=false", "-f", "-"], kubeconfig: kubeconfig, stdin: manifest)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("deployment.apps/web serverside-applied") && applied.stdout.contains("service/web serverside-applied"),
                "\(applied.stdout)")

        let fetched = try Self.kubectl(["get", "deploy", "web", "-n", "shop", "-o", "json", "--show-managed-fields"], kubeconfig: kubeconfig)
        #expect(fetched.status == 0, "\(fetched.stderr)")
        let deployment = try #require(try JSONReader.values(fetched.stdout).first)
        let pod = deployment["spec"]?["template"]?["spec"]
        #expect(deployment["spec"]?["strategy"]?["type"] == "RollingUpdate" && deployment["spec"]?["revisionHistoryLimit"] == .int(10))
        #expect(pod?["containers"]?.arrayValue?.first?["terminationMessagePath"] == "/dev/termination-log"
                && pod?["containers"]?.arrayValue?.first?["ports"]?.arrayValue?.first?["protocol"] == "TCP")
        #expect(pod?["dnsPolicy"] == "ClusterFirst" && pod?["securityContext"] == .object([:]))
        #expect(deployment["metadata"]?["managedFields"]?.arrayValue?.first?["manager"] == "kubectl")
        #expect(deployment["status"]?["readyReplicas"] == .int(2))

        let service = try Self.kubectl(["get", "svc", "web", "-n", "shop", "-o", "jsonpath={.spec.sessionAffinity} {.spec.ports[0].protocol} {.spec.clusterIP}"],
                                       kubeconfig: kubeconfig)
        #expect(service.stdout.hasPrefix("None TCP 10.96."), "\(service.stdout) \(service.stderr)")

        // A second manager changing kubectl's field conflicts, as with a real API server.
        let scaled = manifest.components(separatedBy: "---")[0].replacingOccurrences(of: "replicas: 2", with: "replicas: 5")
        let conflict = try Self.kubectl(["apply", "--server-side", "--validate=false", "--field-manager", "hpa", "-f", "-"], kubeconfig: kubeconfig, stdin: scaled)
        #expect(conflict.status != 0 && conflict.stderr.contains("conflict") && conflict.stderr.contains("kubectl"), "\(conflict.stderr)")

        let listed = try Self.kubectl(["get", "deployments,services", "-n", "shop", "-o", "name"], kubeconfig: kubeconfig)
        #expect(listed.stdout.split(separator: "\n").sorted() == ["deployment.apps/web", "service/web"], "\(listed.stdout) \(listed.stderr)")

        let deleted = try Self.kubectl(["delete", "deployment", "web", "-n", "shop"], kubeconfig: kubeconfig)
        #expect(deleted.status == 0 && deleted.stdout.contains("deleted"), "\(deleted.stderr)")
        let missing = try Self.kubectl(["get", "deployment", "web", "-n", "shop"], kubeconfig: kubeconfig)
        #expect(missing.status != 0 && missing.stderr.contains("NotFound"), "\(missing.stderr)")
    }
}
