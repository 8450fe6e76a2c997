import Basics
import Foundation
import YAML

/// A kubeconfig as kubectl reads it: `--kubeconfig FILE`, else every file of `KUBECONFIG`
/// merged (the first file to set a cluster, user, context or `current-context` wins), else
/// `~/.kube/config`.
public struct KubeConfig: Sendable {
    public struct ClusterEntry: Sendable, Hashable {
        public var server: String
        public var certificateAuthority: String?
        public var certificateAuthorityData: [UInt8]?
        public var insecureSkipTLSVerify = false
        public var tlsServerName: String?
    }

    public struct ExecPlugin: Sendable, Hashable {
        public var command: String
        public var args: [String]
        public var env: [String: String]
        public var apiVersion: String
    }

    public struct UserEntry: Sendable, Hashable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: [UInt8]?
        public var clientKey: String?
        public var clientKeyData: [UInt8]?
        public var username: String?
        public var password: String?
        public var exec: ExecPlugin?
    }

    public struct ContextEntry: Sendable, Hashable {
        public var cluster: String
        public var user: String
        public var namespace: String?
    }

    public var clusters: [String: ClusterEntry] = [:]
    public var users: [String: UserEntry] = [:]
    public var contexts: [String: ContextEntry] = [:]
    public var currentContext: String?
    /// The files read, in order (paths in a file resolve against its folder).
    public var files: [String] = []

    public init() {}

    /// The kubeconfig kubectl would use.
    public static func load(explicitPath: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(ClusterError) -> KubeConfig {
        let paths: [String]
        if let explicitPath {
            paths = [explicitPath]
        } else if let list = environment["KUBECONFIG"], !list.isEmpty {
            paths = list.split(separator: ":").map(String.init).filter { FileManager.default.fileExists(atPath: $0) }
        } else {
            paths = [((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".kube/config")]
        }
        var config = KubeConfig()
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                if explicitPath != nil || paths.count == 1 {
                    throw ClusterError.configuration("cannot read the kubeconfig \(path); pass --kubeconfig FILE or set KUBECONFIG")
                }
                continue
            }
            config.merge(try parse(Array(data), file: path))
        }
        return config
    }

    /// One kubeconfig file.
    public static func parse(_ bytes: [UInt8], file: String) throws(ClusterError) -> KubeConfig {
        let value: Value
        do { value = try YAML.value(String(decoding: bytes, as: UTF8.self), file: file) } catch {
            // Where and what, never the line: a kubeconfig holds tokens and keys.
            throw ClusterError.configuration(error.diagnostics.map { ($0.location.map { "\($0): " } ?? "") + $0.message }.joined(separator: "; ")
                                             + "; fix the kubeconfig or pass another with --kubeconfig")
        }
        var config = KubeConfig()
        config.files = [file]
        let folder = (file as NSString).deletingLastPathComponent
        func path(_ text: String?) -> String? {
            guard let text, !text.isEmpty else { return nil }
            return text.hasPrefix("/") ? text : (folder as NSString).appendingPathComponent(text)
        }
        func data(_ text: String?, _ what: String) throws(ClusterError) -> [UInt8]? {
            guard let text else { return nil }
            guard let decoded = Data(base64Encoded: text.filter { !$0.isWhitespace }) else {
                throw ClusterError.configuration("\(file): \(what) is not base64")
            }
            return Array(decoded)
        }
        for entry in value["clusters"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let cluster = entry["cluster"] else { continue }
            guard let server = cluster["server"]?.stringValue else { throw ClusterError.configuration("\(file): cluster '\(name)' has no server") }
            config.clusters[name] = ClusterEntry(
                server: server, certificateAuthority: path(cluster["certificate-authority"]?.stringValue),
                certificateAuthorityData: try data(cluster["certificate-authority-data"]?.stringValue, "certificate-authority-data of cluster '\(name)'"),
                insecureSkipTLSVerify: cluster["insecure-skip-tls-verify"] == .bool(true),
                tlsServerName: cluster["tls-server-name"]?.stringValue)
        }
        for entry in value["users"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue else { continue }
            let user = entry["user"] ?? .object([:])
            var exec: ExecPlugin?
            if let plugin = user["exec"] {
                guard let command = plugin["command"]?.stringValue else { throw ClusterError.configuration("\(file): user '\(name)' has an exec plugin without a command") }
                var env: [String: String] = [:]
                for variable in plugin["env"]?.arrayValue ?? [] {
                    if let key = variable["name"]?.stringValue { env[key] = variable["value"]?.stringValue ?? "" }
                }
                exec = ExecPlugin(command: command.contains("/") ? (path(command) ?? command) : command,
                                  args: plugin["args"]?.arrayValue?.compactMap(\.stringValue) ?? [], env: env,
                                  apiVersion: plugin["apiVersion"]?.stringValue ?? "client.authentication.k8s.io/v1")
            }
            config.users[name] = UserEntry(
                token: user["token"]?.stringValue, tokenFile: path(user["tokenFile"]?.stringValue),
                clientCertificate: path(user["client-certificate"]?.stringValue),
                clientCertificateData: try data(user["client-certificate-data"]?.stringValue, "client-certificate-data of user '\(name)'"),
                clientKey: path(user["client-key"]?.stringValue),
                clientKeyData: try data(user["client-key-data"]?.stringValue, "client-key-data of user '\(name)'"),
                username: user["username"]?.stringValue, password: user["password"]?.stringValue, exec: exec)
        }
        for entry in value["contexts"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let context = entry["context"] else { continue }
            config.contexts[name] = ContextEntry(cluster: context["cluster"]?.stringValue ?? "", user: context["user"]?.stringValue ?? "",
                                                 namespace: context["namespace"]?.stringValue)
        }
        config.currentContext = value["current-context"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return config
    }

    /// kubectl's merge: what an earlier file set stays.
    mutating func merge(_ other: KubeConfig) {
        clusters.merge(other.clusters) { first, _ in first }
        users.merge(other.users) { first, _ in first }
        contexts.merge(other.contexts) { first, _ in first }
        currentContext = currentContext ?? other.currentContext
        files += other.files
    }

    /// The connection settings of `context` (default: the current context).
    public func connection(context name: String? = nil) throws(ClusterError) -> ClusterConnection {
        guard let contextName = name ?? currentContext else {
            throw ClusterError.configuration("the kubeconfig has no current-context; pass --context NAME (known: \(contexts.keys.sorted().joined(separator: ", ")))")
        }
        guard let context = contexts[contextName] else {
            var message = "no context '\(contextName)' in the kubeconfig (\(files.joined(separator: ", ")))"
            if let suggestion = Suggestion.closest(to: contextName, in: contexts.keys.sorted()) { message += "; did you mean '\(suggestion)'?" }
            throw ClusterError.configuration(message)
        }
        guard let cluster = clusters[context.cluster] else {
            throw ClusterError.configuration("context '\(contextName)' names cluster '\(context.cluster)', which the kubeconfig does not define")
        }
        guard let url = URL(string: cluster.server), url.scheme == "https" || url.scheme == "http" else {
            throw ClusterError.configuration("cluster '\(context.cluster)' has an invalid server '\(cluster.server)'")
        }
        var caData = cluster.certificateAuthorityData
        if caData == nil, let file = cluster.certificateAuthority {
            guard let bytes = FileManager.default.contents(atPath: file) else {
                throw ClusterError.configuration("cannot read certificate-authority \(file) of cluster '\(context.cluster)'")
            }
            caData = Array(bytes)
        }
        let user = users[context.user] ?? UserEntry()
        return ClusterConnection(server: url, caCertificates: caData, insecureSkipTLSVerify: cluster.insecureSkipTLSVerify,
                                 tlsServerName: cluster.tlsServerName, namespace: context.namespace ?? "default",
                                 credentials: try Credentials(user, context: contextName), context: contextName)
    }
}
