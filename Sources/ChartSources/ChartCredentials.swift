import Basics
import Foundation
import NIOSSL
import YAML

/// How to reach one Helm HTTP repository: an entry of Helm's `repositories.yaml` (the file
/// `helm repo add` writes), plus gitops' `token` for bearer authentication.
public struct RepositoryAccess: Sendable, Equatable {
    /// The name `helm repo add` gave it (what `@name`/`alias:name` dependencies refer to).
    public var name: String
    public var url: String
    public var username: String?
    public var password: String?
    /// Sent as `Authorization: Bearer`; gitops' addition to Helm's fields.
    public var token: String?
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    public var insecureSkipTLSVerify = false
    /// Send the credentials to archive URLs on other hosts too (Helm's `pass_credentials_all`).
    public var passCredentialsAll = false

    public init(name: String, url: String) {
        self.name = name
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// The `Authorization` header for a request to `url`, if any (only to the repository's own
    /// host unless `passCredentialsAll`).
    func authorization(for url: String) -> [(String, String)] {
        guard passCredentialsAll || HTTPSession.host(of: url) == HTTPSession.host(of: self.url) else { return [] }
        if let token { return [("Authorization", "Bearer " + token)] }
        if let username {
            return [("Authorization", "Basic " + Data((username + ":" + (password ?? "")).utf8).base64EncodedString())]
        }
        return []
    }

    /// The TLS configuration its CA file and client certificate ask for (nil: the system's).
    func tls() throws(ChartSourceError) -> TLSConfiguration? {
        guard caFile != nil || certFile != nil || insecureSkipTLSVerify else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
            if let certFile {
                guard let keyFile else { throw ChartSourceError("repository \(url): certFile needs a keyFile") }
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            }
        } catch let error as ChartSourceError {
            throw error
        } catch {
            throw ChartSourceError("repository \(url): cannot read its CA or client certificate files: \(error)")
        }
        if insecureSkipTLSVerify { tls.certificateVerification = .none }
        return tls
    }
}

/// A login for an OCI registry.
public struct RegistryLogin: Sendable, Equatable {
    public var username: String
    public var password: String
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    var basic: String { "Basic " + Data((username + ":" + password).utf8).base64EncodedString() }
}

/// Where credentials come from; never from the environments repository. HTTP repositories: Helm's
/// `repositories.yaml` (`--repository-config`, `$HELM_REPOSITORY_CONFIG`, else
/// `~/.config/helm/repositories.yaml`). OCI registries: `GITOPS_REGISTRY_USERNAME` and
/// `GITOPS_REGISTRY_PASSWORD` (for `GITOPS_REGISTRY_HOST` only, when set), then the first of
/// `$REGISTRY_AUTH_FILE`, `$DOCKER_CONFIG/config.json`, `~/.docker/config.json` and Helm's
/// `registry/config.json` that has the host (with `credsStore`/`credHelpers` helpers run as
/// docker runs them).
public struct ChartCredentials: Sendable {
    public var repositories: [RepositoryAccess]
    /// Registry host → login, given directly (tests, embedding programs); asked first.
    var registryLogins: [String: RegistryLogin]
    /// The login from the GITOPS_REGISTRY_* variables, for one host or all.
    var registryVariables: (host: String?, login: RegistryLogin)?
    /// Docker-style auth files, in the order they are asked.
    var authFiles: [String] = []

    public init(repositories: [RepositoryAccess] = [], registryLogins: [String: RegistryLogin] = [:]) {
        self.repositories = repositories
        self.registryLogins = registryLogins
    }

    /// Credentials as a laptop or the sync job finds them.
    public static func standard(repositoryConfig: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ChartSourceError) -> ChartCredentials {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        var credentials = ChartCredentials()
        let repositoryFile = repositoryConfig ?? environment["HELM_REPOSITORY_CONFIG"] ?? configHome + "/helm/repositories.yaml"
        if FileManager.default.fileExists(atPath: repositoryFile) {
            credentials.repositories = try Self.repositories(file: repositoryFile)
        } else if repositoryConfig != nil {
            throw ChartSourceError("the repository config \(repositoryFile) does not exist")
        }
        if let username = environment["GITOPS_REGISTRY_USERNAME"], let password = environment["GITOPS_REGISTRY_PASSWORD"] {
            credentials.registryVariables = (environment["GITOPS_REGISTRY_HOST"].flatMap { $0.isEmpty ? nil : $0.lowercased() },
                                             RegistryLogin(username: username, password: password))
        }
        var files: [String] = []
        if let file = environment["REGISTRY_AUTH_FILE"], !file.isEmpty { files.append(file) }
        if let folder = environment["DOCKER_CONFIG"], !folder.isEmpty { files.append(folder + "/config.json") } else { files.append(home + "/.docker/config.json") }
        files.append(environment["HELM_REGISTRY_CONFIG"] ?? configHome + "/helm/registry/config.json")
        credentials.authFiles = files
        return credentials
    }

    /// Reads Helm's `repositories.yaml`.
    static func repositories(file: String) throws(ChartSourceError) -> [RepositoryAccess] {
        guard let data = FileManager.default.contents(atPath: file) else { throw ChartSourceError("cannot read the repository config \(file)") }
        let document: Value
        do { document = try YAML.values(Array(data), file: file).first ?? .null } catch {
            throw ChartSourceError(error.diagnostics.first?.description ?? "\(file) is not YAML")
        }
        func text(_ value: Value?) -> String? { value?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        return (document["repositories"]?.arrayValue ?? []).compactMap { item in
            guard let url = text(item["url"]) else { return nil }
            var access = RepositoryAccess(name: text(item["name"]) ?? "", url: url)
            access.username = text(item["username"])
            access.password = text(item["password"])
            access.token = text(item["token"])
            access.caFile = text(item["caFile"])
            access.certFile = text(item["certFile"])
            access.keyFile = text(item["keyFile"])
            access.insecureSkipTLSVerify = item["insecure_skip_tls_verify"] == .bool(true)
            access.passCredentialsAll = item["pass_credentials_all"] == .bool(true)
            return access
        }
    }

    /// The repository `url` belongs to (the longest URL prefix), else plain access.
    public func repository(_ url: String) -> RepositoryAccess {
        let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
        return repositories.filter { trimmed == $0.url || trimmed.hasPrefix($0.url + "/") }.max { $0.url.count < $1.url.count }
            ?? RepositoryAccess(name: "", url: trimmed)
    }

    /// The repository `helm repo add` named `name` (for `@name` dependencies).
    public func repository(named name: String) -> RepositoryAccess? { repositories.first { $0.name == name } }

    /// The login for a registry host (`host[:port]`), if any is configured.
    public func login(registry host: String) throws(ChartSourceError) -> RegistryLogin? {
        let host = host.lowercased()
        if let login = registryLogins[host] { return login }
        if let (only, login) = registryVariables, only == nil || only == host { return login }
        for file in authFiles {
            if let login = try DockerConfig.login(file: file, host: host) { return login }
        }
        return nil
    }
}

/// Docker's `config.json` (also podman's auth file and Helm's registry config): `auths` with a
/// base64 `user:password`, or a credential helper.
enum DockerConfig {
    static func login(file: String, host: String) throws(ChartSourceError) -> RegistryLogin? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ChartSourceError("\(file) is not a JSON registry auth file")
        }
        let keys = keys(for: host)
        if let helpers = json["credHelpers"] as? [String: String], let helper = keys.compactMap({ helpers[$0] }).first {
            return try run(helper: helper, host: host, file: file)
        }
        if let auths = json["auths"] as? [String: Any] {
            for (key, value) in auths where keys.contains(normalize(key)) {
                guard let entry = value as? [String: Any] else { continue }
                if let auth = entry["auth"] as? String, !auth.isEmpty {
                    guard let decoded = Data(base64Encoded: auth).map({ String(decoding: $0, as: UTF8.self) }),
                          let colon = decoded.firstIndex(of: ":") else {
                        throw ChartSourceError("\(file): the auth entry for \(key) is not base64 of user:password")
                    }
                    return RegistryLogin(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
                }
                if let username = entry["username"] as? String, let password = entry["password"] as? String {
                    return RegistryLogin(username: username, password: password)
                }
                if let token = entry["identitytoken"] as? String {
                    // An OAuth2 refresh token: docker's convention is this user name with it.
                    return RegistryLogin(username: "<token>", password: token)
                }
            }
        }
        if let store = json["credsStore"] as? String, !store.isEmpty {
            return try run(helper: store, host: host, file: file)
        }
        return nil
    }

    /// The keys an auth file may use for `host` (Docker Hub has several names).
    static func keys(for host: String) -> Set<String> {
        let dockerHub: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io", "index.docker.io/v1"]
        return dockerHub.contains(host) ? dockerHub : [host]
    }

    /// `https://host/v1/` → `host/v1`, `host:port` as it is.
    static func normalize(_ key: String) -> String {
        var key = key.lowercased()
        for scheme in ["https://", "http://"] where key.hasPrefix(scheme) { key.removeFirst(scheme.count) }
        while key.hasSuffix("/") { key.removeLast() }
        return key
    }

    /// `docker-credential-<helper> get`, the host on stdin, as docker runs it (10 s at most).
    static func run(helper: String, host: String, file: String) throws(ChartSourceError) -> RegistryLogin? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["docker-credential-" + helper, "get"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw ChartSourceError("\(file) names the credential helper docker-credential-\(helper), which cannot be run: \(error)")
        }
        input.fileHandleForWriting.write(Data(host.utf8))
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            throw ChartSourceError("the credential helper docker-credential-\(helper) did not answer within 10 s")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        guard process.terminationStatus == 0 else { return nil }  // "credentials not found"
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let username = json["Username"] as? String, let secret = json["Secret"] as? String else {
            throw ChartSourceError("the credential helper docker-credential-\(helper) answered something other than its JSON")
        }
        return RegistryLogin(username: username, password: secret)
    }
}
