import Basics
import Foundation

/// Where to reach an API server and how to authenticate.
public struct ClusterConnection: Sendable {
    public var server: URL
    /// PEM CA certificates (nil: the system's trust store).
    public var caCertificates: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    public var tlsServerName: String?
    /// The context's namespace (default `default`).
    public var namespace: String
    public var credentials: Credentials
    /// The kubeconfig context it came from (`in-cluster` for the service account), for messages.
    public var context: String? = nil

    /// The in-cluster service account: `KUBERNETES_SERVICE_HOST`/`PORT`, the mounted CA, and the
    /// token file (re-read when it rotates).
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 accountFolder: String = "/var/run/secrets/kubernetes.io/serviceaccount") throws(ClusterError) -> ClusterConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
            throw ClusterError.configuration("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let url = URL(string: "https://\(hostPart):\(port)") else { throw ClusterError.configuration("invalid in-cluster address \(host):\(port)") }
        let ca = FileManager.default.contents(atPath: accountFolder + "/ca.crt").map(Array.init)
        let namespace = FileManager.default.contents(atPath: accountFolder + "/namespace")
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "default"
        return ClusterConnection(server: url, caCertificates: ca, insecureSkipTLSVerify: false, tlsServerName: nil, namespace: namespace,
                                 credentials: Credentials(kind: .tokenFile(accountFolder + "/token")), context: "in-cluster")
    }
}

/// How requests authenticate. Secrets never appear in `description` (errors, logs).
public struct Credentials: Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        case none
        case token(String)
        /// Read on every use, so a rotated token is picked up.
        case tokenFile(String)
        case basic(username: String, password: String)
        case clientCertificate(certificate: [UInt8], key: [UInt8])
        case exec(KubeConfig.ExecPlugin)
    }

    public var kind: Kind
    private let cache: ExecCredentialCache

    public init(kind: Kind) {
        self.kind = kind
        cache = ExecCredentialCache()
    }

    init(_ user: KubeConfig.UserEntry, context: String) throws(ClusterError) {
        func read(_ path: String) throws(ClusterError) -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path) else { throw ClusterError.configuration("cannot read \(path) (user of context '\(context)')") }
            return Array(data)
        }
        var certificate = user.clientCertificateData, key = user.clientKeyData
        if certificate == nil, let file = user.clientCertificate { certificate = try read(file) }
        if key == nil, let file = user.clientKey { key = try read(file) }
        if let exec = user.exec {
            self.init(kind: .exec(exec))
        } else if let certificate, let key {
            self.init(kind: .clientCertificate(certificate: certificate, key: key))
        } else if let token = user.token {
            self.init(kind: .token(token))
        } else if let file = user.tokenFile {
            self.init(kind: .tokenFile(file))
        } else if let username = user.username, let password = user.password {
            self.init(kind: .basic(username: username, password: password))
        } else {
            self.init(kind: .none)
        }
    }

    public var description: String {
        switch kind {
        case .none: return "no credentials"
        case .token: return "a bearer token"
        case .tokenFile(let path): return "the token in \(path)"
        case .basic(let username, _): return "basic auth as \(username)"
        case .clientCertificate: return "a client certificate"
        case .exec(let plugin): return "the exec plugin \(plugin.command)"
        }
    }

    /// The `Authorization` header value to send now (nil: none, or a client certificate).
    public func authorization(now: Date = Date()) throws(ClusterError) -> String? {
        switch kind {
        case .none, .clientCertificate: return nil
        case .token(let token): return "Bearer " + token
        case .tokenFile(let path):
            guard let data = FileManager.default.contents(atPath: path) else { throw ClusterError.configuration("cannot read the token file \(path)") }
            return "Bearer " + String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        case .basic(let username, let password):
            return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case .exec(let plugin):
            let credential = try cache.credential(plugin, now: now)
            return credential.token.map { "Bearer " + $0 }
        }
    }

    /// The client certificate and key to present, from the kubeconfig or an exec plugin.
    public func clientIdentity(now: Date = Date()) throws(ClusterError) -> (certificate: [UInt8], key: [UInt8])? {
        switch kind {
        case .clientCertificate(let certificate, let key): return (certificate, key)
        case .exec(let plugin):
            let credential = try cache.credential(plugin, now: now)
            guard let certificate = credential.clientCertificate, let key = credential.clientKey else { return nil }
            return (certificate, key)
        default: return nil
        }
    }

    /// Forget a cached exec credential (after a 401, as kubectl does).
    public func invalidate() { cache.clear() }
}

/// What an exec plugin returns (`ExecCredential` status).
struct ExecCredential: Sendable {
    var token: String?
    var clientCertificate: [UInt8]?
    var clientKey: [UInt8]?
    var expiry: Date?
}

/// Runs exec plugins and keeps their credential until it expires.
final class ExecCredentialCache: @unchecked Sendable {
    private let lock = NSLock()
    private var cached: ExecCredential?

    func clear() { lock.withLock { cached = nil } }

    func credential(_ plugin: KubeConfig.ExecPlugin, now: Date) throws(ClusterError) -> ExecCredential {
        if let cached = lock.withLock({ cached }), cached.expiry.map({ $0.timeIntervalSince(now) > 10 }) ?? true { return cached }
        let credential = try run(plugin)
        lock.withLock { cached = credential }
        return credential
    }

    private func run(_ plugin: KubeConfig.ExecPlugin) throws(ClusterError) -> ExecCredential {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [plugin.command] + plugin.args
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in plugin.env { environment[key] = value }
        // The plugin learns the request through KUBERNETES_EXEC_INFO, as kubectl sets it.
        environment["KUBERNETES_EXEC_INFO"] = #"{"apiVersion":"\#(plugin.apiVersion)","kind":"ExecCredential","spec":{"interactive":false}}"#
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw ClusterError.credentials("the exec plugin '\(plugin.command)' cannot run: \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        _ = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ClusterError.credentials("the exec plugin '\(plugin.command)' failed (exit \(process.terminationStatus))")
        }
        guard let value = try? JSONReader.values(String(decoding: data, as: UTF8.self)).first, value["kind"]?.stringValue == "ExecCredential",
              let status = value["status"] else {
            throw ClusterError.credentials("the exec plugin '\(plugin.command)' did not print an ExecCredential")
        }
        let apiVersion = value["apiVersion"]?.stringValue ?? ""
        guard apiVersion == "client.authentication.k8s.io/v1" || apiVersion == "client.authentication.k8s.io/v1beta1" else {
            throw ClusterError.credentials("the exec plugin '\(plugin.command)' returned apiVersion '\(apiVersion)'; v1 and v1beta1 are supported")
        }
        var credential = ExecCredential()
        credential.token = status["token"]?.stringValue
        credential.clientCertificate = status["clientCertificateData"]?.stringValue.map { Array($0.utf8) }
        credential.clientKey = status["clientKeyData"]?.stringValue.map { Array($0.utf8) }
        if let stamp = status["expirationTimestamp"]?.stringValue {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            credential.expiry = formatter.date(from: stamp) ?? ISO8601DateFormatter().date(from: stamp)
        }
        guard credential.token != nil || (credential.clientCertificate != nil && credential.clientKey != nil) else {
            throw ClusterError.credentials("the exec plugin '\(plugin.command)' returned neither a token nor a client certificate and key")
        }
        return credential
    }
}

