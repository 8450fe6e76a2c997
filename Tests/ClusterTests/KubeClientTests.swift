import Basics
import Foundation
import KubeModel
import Testing
@testable import Cluster
@testable import KubeTestServer

/// The client against the test API server over HTTPS: TLS, every kind of credentials,
/// discovery, pagination, typed errors and retries under injected faults.
@Suite(.serialized) struct KubeClientTests {
    static let fastRetries = RetryPolicy(attempts: 4, initialDelay: 0.01, maximumDelay: 0.05)

    static func client(_ server: KubeTestHTTPSServer, kubeconfig: String? = nil, retry: RetryPolicy = fastRetries,
                       timeoutSeconds: Int = 30) throws -> KubeClient {
        let config = try KubeConfig.parse(Array((kubeconfig ?? server.kubeconfig()).utf8), file: "kubeconfig")
        return try KubeClient(connection: try config.connection(), retry: retry, timeoutSeconds: timeoutSeconds)
    }

    static func configMap(_ name: String, labels: ValueObject = [:]) -> ValueObject {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(["name": .string(name), "namespace": "shop", "labels": .object(labels)]),
         "data": .object(["name": .string(name)])]
    }

    static let configMaps = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")

    @Test func applyGetListDeleteOverVerifiedTLS() async throws {
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let client = try Self.client(server)
        for (index, name) in ["a", "b", "c", "d", "e"].enumerated() {
            let applied = try await client.apply(Self.configMap(name, labels: ["tier": .string(index % 2 == 0 ? "front" : "back")]), fieldManager: "gitops")
            #expect(applied["metadata"]?["uid"] != nil)
        }
        let fetched = try await client.get(Self.configMaps, namespace: "shop", name: "c")
        #expect(fetched?["data"]?["name"] == "c")
        #expect(try await client.get(Self.configMaps, namespace: "shop", name: "missing") == nil)

        let resource = try await client.resource(for: Self.configMaps)
        let all = try await client.list(resource, namespace: "shop", pageSize: 2)
        #expect(all.map { $0["metadata"]?["name"] } == ["a", "b", "c", "d", "e"])
        #expect(all.allSatisfy { $0["kind"] == "ConfigMap" && $0["apiVersion"] == "v1" }, "list items get their kind")
        #expect(server.api.requestLog.filter { $0 == "GET /api/v1/namespaces/shop/configmaps" }.count == 3, "5 objects in pages of 2")
        let fronts = try await client.list(resource, labelSelector: "tier in (front),tier!=back")
        #expect(fronts.map { $0["metadata"]?["name"] } == ["a", "c", "e"])

        let preview = try await client.apply(Self.configMap("f"), fieldManager: "gitops", dryRun: true)
        #expect(preview["metadata"]?["name"] == "f")
        #expect(try await client.get(Self.configMaps, namespace: "shop", name: "f") == nil, "a dry run stores nothing")

        #expect(try await client.delete(Self.configMaps, namespace: "shop", name: "a"))
        #expect(try await client.delete(Self.configMaps, namespace: "shop", name: "a") == false, "already gone is not an error")
        #expect(try await client.get(Self.configMaps, namespace: "shop", name: "a") == nil)
    }

    @Test func discoveryIsRefreshedForANewCustomResource() async throws {
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let client = try Self.client(server)
        let widget = GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")
        let unknown = await #expect(throws: ClusterError.self) { try await client.resource(for: widget) }
        #expect("\(unknown!)".contains("does not serve example.com/v1 Widget"))
        _ = try await client.apply([
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": .object(["name": "widgets.example.com"]),
            "spec": .object(["group": "example.com", "scope": "Namespaced", "names": .object(["kind": "Widget", "plural": "widgets"]),
                             "versions": [.object(["name": "v1", "served": .bool(true), "storage": .bool(true)])]]),
        ], fieldManager: "gitops")
        _ = try await client.apply(["apiVersion": "example.com/v1", "kind": "Widget", "metadata": .object(["name": "w", "namespace": "shop"])],
                                   fieldManager: "gitops")
        #expect(try await client.get(widget, namespace: "shop", name: "w") != nil)
    }

    @Test func credentialsTokenClientCertificateAndExecPlugin() async throws {
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let folder = NSTemporaryDirectory() + "kubeclient-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ca = Data(server.caPEM.utf8).base64EncodedString()
        func kubeconfig(user: String, cluster: String = "certificate-authority-data: \(ca)") -> String {
            """
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:\(server.port)", \(cluster)}}]
            users: [{name: u, user: {\(user)}}]
            contexts: [{name: c, context: {cluster: c, user: u, namespace: shop}}]
            current-context: c
            """
        }
        // A wrong token: a typed unauthorized error that does not show the token.
        let wrong = try Self.client(server, kubeconfig: kubeconfig(user: "token: not-the-token"))
        let denied = await #expect(throws: ClusterError.self) { try await wrong.get(Self.configMaps, namespace: "shop", name: "x") }
        guard case .api(let error) = denied else { Issue.record("\(String(describing: denied))"); return }
        #expect(error.reason == .unauthorized && !"\(error)".contains("not-the-token"))

        // A client certificate signed by the server's CA, no token.
        let identity = try server.clientCertificate(user: "alice")
        let certificateClient = try Self.client(server, kubeconfig: kubeconfig(user: """
            client-certificate-data: \(Data(identity.certificatePEM.utf8).base64EncodedString()), \
            client-key-data: \(Data(identity.keyPEM.utf8).base64EncodedString())
            """))
        #expect(try await certificateClient.get(Self.configMaps, namespace: "shop", name: "x") == nil)

        // An exec plugin (a small script) printing an ExecCredential.
        let plugin = folder + "/plugin.sh"
        try """
            #!/bin/sh
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$TOKEN"
            """.write(toFile: plugin, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plugin)
        let execClient = try Self.client(server, kubeconfig: kubeconfig(user: """
            exec: {apiVersion: client.authentication.k8s.io/v1, command: \(plugin), env: [{name: TOKEN, value: \(server.api.token)}]}
            """))
        #expect(try await execClient.get(Self.configMaps, namespace: "shop", name: "x") == nil)

        // TLS: another CA is refused; insecure-skip-tls-verify is honoured.
        let other = try KubeTestHTTPSServer()
        defer { other.shutdown() }
        let untrusted = try Self.client(server, kubeconfig: kubeconfig(user: "token: \(server.api.token)",
                                                                         cluster: "certificate-authority-data: \(Data(other.caPEM.utf8).base64EncodedString())"))
        let tlsFailure = await #expect(throws: ClusterError.self) { try await untrusted.get(Self.configMaps, namespace: "shop", name: "x") }
        #expect("\(tlsFailure!)".contains("TLS"), "\(tlsFailure!)")
        let insecure = try Self.client(server, kubeconfig: kubeconfig(user: "token: \(server.api.token)", cluster: "insecure-skip-tls-verify: true"))
        #expect(try await insecure.get(Self.configMaps, namespace: "shop", name: "x") == nil)

        // tls-server-name: sent as SNI and checked against the certificate's DNS names.
        let named = try Self.client(server, kubeconfig: kubeconfig(user: "token: \(server.api.token)",
                                                                     cluster: "certificate-authority-data: \(ca), tls-server-name: localhost"))
        #expect(try await named.get(Self.configMaps, namespace: "shop", name: "x") == nil)
    }

    @Test func watchFromNowAndFromAResourceVersion() async throws {
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let client = try Self.client(server)
        _ = try await client.apply(Self.configMap("a", labels: ["app": "web"]), fieldManager: "gitops")
        _ = try await client.apply(Self.configMap("b", labels: ["app": "web"]), fieldManager: "gitops")
        _ = try await client.apply(Self.configMap("other"), fieldManager: "gitops")
        let resource = try await client.resource(for: Self.configMaps)
        let events = try await client.watch(resource, namespace: "shop", labelSelector: "app=web", timeoutSeconds: 2)
        var iterator = events.makeAsyncIterator()
        var seen: [(WatchEvent.Kind, String)] = []
        func next() async throws -> WatchEvent {
            let event = try #require(try await iterator.next())
            seen.append((event.kind, event.object["metadata"]?["name"]?.stringValue ?? ""))
            return event
        }
        _ = try await next(); _ = try await next()
        var changed = Self.configMap("a", labels: ["app": "web"])
        changed["data"] = .object(["name": "changed"])
        _ = try await client.apply(changed, fieldManager: "gitops")
        let modified = try await next()
        _ = try await client.apply(Self.configMap("c", labels: ["app": "web"]), fieldManager: "gitops")
        _ = try await client.apply(Self.configMap("not-selected"), fieldManager: "gitops")
        try await client.delete(Self.configMaps, namespace: "shop", name: "b")
        _ = try await next(); _ = try await next()
        #expect(seen.map { "\($0.0.rawValue) \($0.1)" } == ["ADDED a", "ADDED b", "MODIFIED a", "ADDED c", "DELETED b"])

        // Resuming after the MODIFIED event replays what came since.
        let resumed = try await client.watch(resource, namespace: "shop", labelSelector: "app=web", resourceVersion: modified.resourceVersion,
                                             timeoutSeconds: 1)
        var replayed: [String] = []
        for try await event in resumed { replayed.append("\(event.kind.rawValue) \(event.object["metadata"]?["name"]?.stringValue ?? "")") }
        #expect(replayed == ["ADDED c", "DELETED b"], "the stream ends when the server's timeout passes")

        let expired = try await client.watch(resource, resourceVersion: "5")
        let failure = await #expect(throws: ClusterError.self) { for try await _ in expired {} }
        guard case .api(let error) = failure else { Issue.record("\(String(describing: failure))"); return }
        #expect(error.reason == .gone)
    }

    @Test func typedErrors() async throws {
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        let client = try Self.client(server)
        _ = try await client.apply(Self.configMap("a"), fieldManager: "kubectl")
        var changed = Self.configMap("a")
        changed["data"] = .object(["name": "changed"])
        let conflict = await #expect(throws: ClusterError.self) { try await client.apply(changed, fieldManager: "gitops") }
        guard case .api(let error) = conflict else { Issue.record("\(String(describing: conflict))"); return }
        #expect(error.reason == .conflict && error.conflictingManagers == ["kubectl"] && error.causes.map(\.field) == [".data.name"],
                "\(error.causes)")
        #expect(try await client.apply(changed, fieldManager: "gitops", force: true)["data"]?["name"] == "changed")

        func failure(_ body: @Sendable () async throws -> Void) async -> APIError? {
            do { try await body() } catch let ClusterError.api(error) { return error } catch {}
            return nil
        }
        let invalid = await failure { _ = try await client.request("POST", "/api/v1/namespaces/shop/configmaps",
                                                                     body: Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}"#.utf8),
                                                                     contentType: "application/json") }
        #expect(invalid?.reason == .invalid && invalid?.causes.first?.field == "metadata.name")
        let gone = await failure { _ = try await client.request("GET", "/api/v1/configmaps?limit=1&continue=bogus") }
        #expect(gone?.reason == .gone)
        server.api.injectFaults([APIResponse.failure(403, reason: "Forbidden", "configmaps is forbidden: User cannot list")])
        let forbidden = await failure { _ = try await client.request("GET", "/api/v1/configmaps") }
        #expect(forbidden?.reason == .forbidden && forbidden?.message.contains("forbidden") == true)
        let exists = await failure { _ = try await client.request("POST", "/api/v1/namespaces/shop/configmaps",
                                                                    body: Array(JSONWriter.compact(.object(Self.configMap("a"))).utf8),
                                                                    contentType: "application/json") }
        #expect(exists?.reason == .alreadyExists)
    }

    @Test func failuresSayWhatToCheck() async throws {
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        // Refused credentials name the context and the kind of credential.
        let wrong = server.kubeconfig().replacingOccurrences(of: "token: \(server.api.token)", with: "token: wrong")
        let refused = await #expect(throws: ClusterError.self) { try await Self.client(server, kubeconfig: wrong).preferredResources() }
        #expect(refused?.description.contains("401") == true
                && refused?.description.contains("the server refused a bearer token of context 'kube-test-server'; check them with kubectl --context kube-test-server auth whoami") == true,
                "\(String(describing: refused))")
        // Nothing listening: one plain cause, no nested NIO text.
        let closed = server.kubeconfig().replacingOccurrences(of: "https://127.0.0.1:\(server.port)", with: "https://127.0.0.1:1")
        let unreachable = await #expect(throws: ClusterError.self) {
            try await Self.client(server, kubeconfig: closed, retry: RetryPolicy(attempts: 1)).preferredResources()
        }
        #expect(unreachable?.description == "cannot connect to https://127.0.0.1:1: Connection refused", "\(String(describing: unreachable))")
        // A broken kubeconfig: where and what, not the line (it may hold a token).
        let broken = #expect(throws: ClusterError.self) { try KubeConfig.parse(Array("users: [{name: a, user: {token: s3cret}\n".utf8), file: "kc") }
        #expect(broken?.description.hasPrefix("kc:2:1: did not find expected") == true && broken?.description.contains("s3cret") == false,
                "\(String(describing: broken))")
    }

    @Test func retriesUnderInjectedFaults() async throws {
        let server = try KubeTestHTTPSServer()
        defer { server.shutdown() }
        // Each attempt 10 s, the call 20 s (twice that): after Retry-After (1 s) and the attempt that
        // times out on the late answer below (10 s), 9 s are left for the rest, also on a loaded
        // 2-core run of the whole suite (3 s and 5 s attempts failed there: reconnecting after the
        // dropped connection and the late answer's hold on the test server take seconds then).
        let client = try Self.client(server, retry: RetryPolicy(attempts: 9, initialDelay: 0.01, maximumDelay: 0.05), timeoutSeconds: 10)
        _ = try await client.resource(for: Self.configMaps)  // discovery out of the way
        _ = try await client.apply(Self.configMap("a"), fieldManager: "gitops")

        // 429 with Retry-After, then 500, then a dropped connection, then an answer too late: all retried.
        server.api.injectFaults([KubeAPI.fault(429, retryAfter: 1), KubeAPI.fault(500), KubeAPI.droppedConnection, KubeAPI.latency(11)])
        let started = Date()
        let before = server.api.requestLog.count
        let fetched = try await client.get(Self.configMaps, namespace: "shop", name: "a")
        #expect(fetched?["data"]?["name"] == "a")
        // Five faults, each retried, then the answer (a loaded machine may time out once more).
        #expect(server.api.requestLog.count - before >= 5, "\(server.api.requestLog.suffix(8))")
        #expect(Date().timeIntervalSince(started) >= 1, "Retry-After: 1 is honoured")

        // Exhausted retries surface the last error, typed. Attempts of 10 s here: nine quick 503s
        // must not meet a deadline on a loaded machine (3 s did once in a CI run).
        let patient = try Self.client(server, retry: RetryPolicy(attempts: 9, initialDelay: 0.01, maximumDelay: 0.05), timeoutSeconds: 10)
        _ = try await patient.resource(for: Self.configMaps)  // its discovery out of the way too
        server.api.injectFaults(Array(repeating: KubeAPI.fault(503), count: 9))
        let exhausted = await #expect(throws: ClusterError.self) { try await patient.get(Self.configMaps, namespace: "shop", name: "a") }
        guard case .api(let error) = exhausted else { Issue.record("\(String(describing: exhausted))"); return }
        #expect(error.reason == .serverError && error.code == 503)

        // Client errors are not retried.
        let log = server.api.requestLog.count
        _ = try? await client.request("GET", "/api/v1/configmaps?limit=1&continue=bogus")
        #expect(server.api.requestLog.count - log == 1)
    }
}
