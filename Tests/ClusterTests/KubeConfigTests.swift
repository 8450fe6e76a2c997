import Basics
import Foundation
import Testing
@testable import Cluster

@Suite struct KubeConfigTests {
    let folder = NSTemporaryDirectory() + "kubeconfig-" + UUID().uuidString

    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        return path
    }

    @Test func mergedLikeKubectl() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ca = Data("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8).base64EncodedString()
        let first = try write("first", """
            apiVersion: v1
            kind: Config
            current-context: prod
            clusters:
              - name: prod
                cluster: {server: "https://prod.example.com:6443", certificate-authority-data: \(ca), tls-server-name: api.internal}
            users:
              - name: admin
                user: {token: s3cr3t-token}
            contexts:
              - name: prod
                context: {cluster: prod, user: admin, namespace: blog-production}
            """)
        let second = try write("second", """
            current-context: dev
            clusters:
              - name: prod
                cluster: {server: "https://other.example.com"}
              - name: dev
                cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
            users:
              - name: dev
                user: {tokenFile: dev-token}
            contexts:
              - name: dev
                context: {cluster: dev, user: dev}
            """)
        _ = try write("dev-token", "rotating-token\n")
        let config = try KubeConfig.load(environment: ["KUBECONFIG": "\(first):\(folder)/missing:\(second)"])
        // The first file wins for what both set.
        #expect(config.currentContext == "prod")
        let prod = try config.connection()
        #expect(prod.server.absoluteString == "https://prod.example.com:6443" && prod.tlsServerName == "api.internal")
        #expect(prod.caCertificates.map { String(decoding: $0, as: UTF8.self) }?.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
        #expect(prod.namespace == "blog-production" && !prod.insecureSkipTLSVerify)
        #expect(try prod.credentials.authorization() == "Bearer s3cr3t-token")
        #expect(!"\(prod.credentials)".contains("s3cr3t"))
        let dev = try config.connection(context: "dev")
        #expect(dev.insecureSkipTLSVerify && dev.namespace == "default")
        #expect(try dev.credentials.authorization() == "Bearer rotating-token")
        _ = try write("dev-token", "rotated\n")
        #expect(try dev.credentials.authorization() == "Bearer rotated", "the token file is read again")
        let missing = #expect(throws: ClusterError.self) { try config.connection(context: "prd") }
        #expect("\(missing!)".contains("did you mean 'prod'?"))
    }

    @Test func execPluginsWithExpiryAndCache() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let counter = folder + "/calls"
        let plugin = try write("plugin.sh", """
            #!/bin/sh
            echo x >> "\(counter)"
            cat <<JSON
            {"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
             "status": {"token": "from-plugin-$TEAM", "expirationTimestamp": "2999-01-01T00:00:00Z"}}
            JSON
            """, executable: true)
        let config = try KubeConfig.parse(Array("""
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            users:
              - name: u
                user:
                  exec:
                    apiVersion: client.authentication.k8s.io/v1beta1
                    command: ./plugin.sh
                    env: [{name: TEAM, value: blue}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            """.utf8), file: folder + "/config")
        let connection = try config.connection()
        #expect(try connection.credentials.authorization() == "Bearer from-plugin-blue")
        #expect(try connection.credentials.authorization() == "Bearer from-plugin-blue")
        let calls = try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count
        #expect(calls == 1, "an unexpired credential is cached")
        connection.credentials.invalidate()
        _ = try connection.credentials.authorization()
        #expect(try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count == 2)
        _ = plugin

        let broken = try write("broken.sh", "#!/bin/sh\necho 'token: leaked-secret' >&2\nexit 3\n", executable: true)
        let failing = Credentials(kind: .exec(KubeConfig.ExecPlugin(command: broken, args: [], env: [:], apiVersion: "client.authentication.k8s.io/v1")))
        let error = #expect(throws: ClusterError.self) { try failing.authorization() }
        #expect("\(error!)".contains("failed (exit 3)") && !"\(error!)".contains("leaked-secret"))
    }

    @Test func inClusterServiceAccount() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try write("token", "sa-token")
        _ = try write("namespace", "gitops-system\n")
        let connection = try ClusterConnection.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
                                                         accountFolder: folder)
        #expect(connection.server.absoluteString == "https://10.96.0.1:443" && connection.namespace == "gitops-system")
        #expect(try connection.credentials.authorization() == "Bearer sa-token")
        #expect(throws: ClusterError.self) { try ClusterConnection.inCluster(environment: [:], accountFolder: folder) }
    }
}
