import Basics
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
import RepoModel

/// Helm's OCI media types.
enum HelmMediaType {
    static let manifest = "application/vnd.oci.image.manifest.v1+json"
    static let config = "application/vnd.cncf.helm.config.v1+json"
    static let chart = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
    /// What Helm 3.0–3.6 pushed; Helm still pulls it.
    static let legacyChart = "application/tar+gzip"
}

/// `oci://host[:port]/path/name`: the registry host and the repository inside it.
struct OCIRepository: Sendable, CustomStringConvertible {
    var host: String
    var path: String

    init(_ chart: RemoteChart) throws(ChartSourceError) {
        let rest = chart.repository.dropFirst("oci://".count)
        let parts = rest.split(separator: "/", maxSplits: 1)
        guard let host = parts.first, !host.isEmpty else { throw ChartSourceError("\(chart.repository) names no registry host") }
        self.host = String(host).lowercased()
        path = (parts.count > 1 ? String(parts[1]) + "/" : "") + chart.name
    }

    var description: String { "oci://\(host)/\(path)" }

    /// Helm's tags: a version's `+` is `_` (tags cannot hold `+`).
    static func tag(_ version: String) -> String { version.replacingOccurrences(of: "+", with: "_") }
    static func version(_ tag: String) -> String { tag.replacingOccurrences(of: "_", with: "+") }
}

/// A client for one OCI registry (the distribution API v2), as Helm uses it for charts: tags,
/// manifests and blobs by digest, each digest checked; anonymous, basic and token authentication
/// (the `WWW-Authenticate` bearer challenge), tokens kept per scope for the operation.
struct OCIClient: Sendable {
    let session: HTTPSession
    let repository: OCIRepository
    let login: RegistryLogin?
    let plainHTTP: Bool
    private let tokens = NIOLockedValueBox<[String: String]>([:])

    init(session: HTTPSession, repository: OCIRepository, credentials: ChartCredentials, plainHTTP: Bool) throws(ChartSourceError) {
        self.session = session
        self.repository = repository
        self.login = try credentials.login(registry: repository.host)
        self.plainHTTP = plainHTTP
    }

    var base: String { (plainHTTP ? "http://" : "https://") + repository.host + "/v2/" + repository.path }

    /// A request with the authorisation the registry asks for: anonymous first, then the
    /// challenge's bearer token (fetched with the login, if any) or basic authentication.
    func send(_ method: HTTPMethod = .GET, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
              push: Bool = false, what: String) async throws(ChartSourceError) -> HTTPReply {
        let scope = "repository:\(repository.path):" + (push ? "pull,push" : "pull")
        if let token = tokens.withLockedValue({ $0[scope] }) {
            let reply = try await session.send(method, url, headers: headers + [("Authorization", token)], body: body, what: what)
            if reply.status != 401 { return reply }
        }
        var reply = try await session.send(method, url, headers: headers, body: body, what: what)
        guard reply.status == 401, let challenge = reply.header("WWW-Authenticate") else { return reply }
        let authorization = try await authorize(challenge, scope: scope, what: what)
        tokens.withLockedValue { $0[scope] = authorization }
        reply = try await session.send(method, url, headers: headers + [("Authorization", authorization)], body: body, what: what)
        if reply.status == 401 || reply.status == 403 {
            throw ChartSourceError("\(repository): the registry refused \(login == nil ? "anonymous access" : "the login for \(repository.host)") to \(what) (HTTP \(reply.status)); log in with `docker login \(repository.host)` or set GITOPS_REGISTRY_USERNAME and GITOPS_REGISTRY_PASSWORD")
        }
        return reply
    }

    /// The `Authorization` value a challenge asks for.
    private func authorize(_ challenge: String, scope: String, what: String) async throws(ChartSourceError) -> String {
        let (scheme, parameters) = Self.parse(challenge)
        if scheme == "basic" {
            guard let login else {
                throw ChartSourceError("\(repository): the registry needs a login to \(what); log in with `docker login \(repository.host)` or set GITOPS_REGISTRY_USERNAME and GITOPS_REGISTRY_PASSWORD")
            }
            return login.basic
        }
        guard scheme == "bearer", let realm = parameters["realm"] else {
            throw ChartSourceError("\(repository): the registry asks for '\(challenge.prefix(40))' authentication, which gitops does not speak")
        }
        var query = [String]()
        if let service = parameters["service"] { query.append("service=" + Self.escape(service)) }
        // The challenge's scope for this request, and ours (push needs both actions).
        var scopes = [scope]
        if let asked = parameters["scope"], asked != scope { scopes.insert(asked, at: 0) }
        for scope in scopes { query.append("scope=" + Self.escape(scope)) }
        let url = realm + (realm.contains("?") ? "&" : "?") + query.joined(separator: "&")
        let reply = try await session.send(.GET, url, headers: login.map { [("Authorization", $0.basic)] } ?? [], what: "a token for \(repository)")
        guard reply.status == 200 else {
            if reply.status == 401 || reply.status == 403 {
                throw ChartSourceError(login == nil
                    ? "\(repository): the registry's token service refuses anonymous access (HTTP \(reply.status)); log in with `docker login \(repository.host)` or set GITOPS_REGISTRY_USERNAME and GITOPS_REGISTRY_PASSWORD"
                    : "\(repository): the registry's token service refused the login for \(repository.host) (HTTP \(reply.status)); check the user name and password")
            }
            throw ChartSourceError("\(repository): the registry's token service \(HTTPSession.shown(realm)) answered HTTP \(reply.status)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any],
              let token = (json["token"] as? String) ?? (json["access_token"] as? String), !token.isEmpty else {
            throw ChartSourceError("\(repository): the registry's token service answered without a token")
        }
        return "Bearer " + token
    }

    /// `Bearer realm="...",service="...",scope="..."` → ("bearer", parameters).
    static func parse(_ challenge: String) -> (String, [String: String]) {
        let trimmed = challenge.trimmingCharacters(in: .whitespaces)
        let space = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
        let scheme = trimmed[..<space].lowercased()
        var parameters: [String: String] = [:]
        var rest = Substring(trimmed[space...])
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let c = rest.first, c != "\"" {
                    if c == "\\", let next = rest.dropFirst().first { value.append(next); rest = rest.dropFirst(2); continue }
                    value.append(c)
                    rest = rest.dropFirst()
                }
                rest = rest.dropFirst()
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = String(rest[..<end]).trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            parameters[key] = value
        }
        return (scheme, parameters)
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    // MARK: Reading

    /// Every tag of the repository (following `Link` pagination).
    func tags() async throws(ChartSourceError) -> [String] {
        var url: String? = base + "/tags/list?n=1000"
        var tags: [String] = []
        var pages = 0
        while let next = url, pages < 100 {
            pages += 1
            let reply = try await send(.GET, next, what: "the tags of \(repository)")
            if reply.status == 404 { throw ChartSourceError("\(repository) does not exist in the registry (HTTP 404 listing its tags)") }
            try HTTPSession.check(reply, what: "the tags of \(repository)")
            guard let json = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any] else {
                throw ChartSourceError("\(repository): the tag list is not JSON")
            }
            tags += (json["tags"] as? [String]) ?? []
            url = reply.header("Link").flatMap { Self.nextLink($0, current: next) }
        }
        return tags
    }

    /// `<url>; rel="next"` → the absolute next URL.
    static func nextLink(_ header: String, current: String) -> String? {
        guard header.contains("rel=\"next\""), let open = header.firstIndex(of: "<"), let close = header.firstIndex(of: ">"), open < close else { return nil }
        return HTTPSession.resolve(String(header[header.index(after: open)..<close]), against: current)
    }

    /// A chart's manifest by tag or digest: its own digest (checked when the registry says it, or
    /// when asked for by digest) and the chart layer's.
    func manifest(_ reference: String, what: String) async throws(ChartSourceError) -> (digest: String, chartLayer: String, size: Int) {
        let reply = try await send(.GET, base + "/manifests/" + reference,
                                   headers: [("Accept", HelmMediaType.manifest + ", application/vnd.oci.artifact.manifest.v1+json")], what: what)
        if reply.status == 404 { throw ChartSourceError("\(what): no such tag or digest in \(repository) (HTTP 404)") }
        try HTTPSession.check(reply, what: what)
        let digest = ChartCache.digest(of: reply.body)
        let stated = reply.header("Docker-Content-Digest") ?? (reference.hasPrefix("sha256:") ? reference : nil)
        if let stated, stated != "sha256:" + digest {
            throw ChartSourceError("\(what): the manifest from \(repository) has digest sha256:\(digest), not \(stated) as the registry says; nothing was cached")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any],
              let layers = json["layers"] as? [[String: Any]] else {
            throw ChartSourceError("\(what): the manifest in \(repository) is not an OCI image manifest")
        }
        let charts = layers.filter { [HelmMediaType.chart, HelmMediaType.legacyChart].contains($0["mediaType"] as? String) }
        guard charts.count == 1, let layer = charts.first?["digest"] as? String, layer.hasPrefix("sha256:") else {
            throw ChartSourceError("\(what): \(repository) holds no Helm chart there (the manifest needs exactly one layer of type \(HelmMediaType.chart)); is it a container image?")
        }
        return (digest, String(layer.dropFirst("sha256:".count)), (charts.first?["size"] as? Int) ?? 0)
    }

    /// A blob by digest, verified.
    func blob(_ digest: String, what: String) async throws(ChartSourceError) -> [UInt8] {
        let reply = try await send(.GET, base + "/blobs/sha256:" + digest, what: what)
        if reply.status == 404 { throw ChartSourceError("\(what): the registry no longer has blob sha256:\(digest) in \(repository) (HTTP 404)") }
        try HTTPSession.check(reply, what: what)
        let actual = ChartCache.digest(of: reply.body)
        guard actual == digest else {
            throw ChartSourceError("\(what) from \(repository) has digest sha256:\(actual), but sha256:\(digest) was asked for: the registry answered other bytes; nothing was cached")
        }
        return reply.body
    }

    // MARK: Writing

    /// Uploads a blob unless the registry has it (a monolithic upload: POST, then PUT with the digest).
    func upload(_ bytes: [UInt8], what: String) async throws(ChartSourceError) -> String {
        let digest = "sha256:" + ChartCache.digest(of: bytes)
        let head = try await send(.HEAD, base + "/blobs/" + digest, push: true, what: what)
        if head.status == 200 { return digest }
        let started = try await send(.POST, base + "/blobs/uploads/", headers: [("Content-Length", "0")], body: [], push: true, what: what)
        guard started.status == 202, let location = started.header("Location") else {
            try HTTPSession.check(started, what: "an upload of \(what)")
            throw ChartSourceError("pushing \(what) to \(repository): the registry started no upload (HTTP \(started.status))")
        }
        let target = HTTPSession.resolve(location, against: started.url)
        let finished = try await send(.PUT, target + (target.contains("?") ? "&" : "?") + "digest=" + Self.escape(digest),
                                      headers: [("Content-Type", "application/octet-stream"), ("Content-Length", String(bytes.count))],
                                      body: bytes, push: true, what: what)
        guard finished.status == 201 else {
            try HTTPSession.check(finished, what: "an upload of \(what)")
            throw ChartSourceError("pushing \(what) to \(repository): the upload ended with HTTP \(finished.status)")
        }
        return digest
    }

    /// Writes a manifest under a tag; returns its digest.
    func putManifest(_ bytes: [UInt8], tag: String, what: String) async throws(ChartSourceError) -> String {
        let reply = try await send(.PUT, base + "/manifests/" + tag, headers: [("Content-Type", HelmMediaType.manifest)],
                                   body: bytes, push: true, what: what)
        guard reply.status == 201 else {
            try HTTPSession.check(reply, what: what)
            throw ChartSourceError("pushing \(what) to \(repository): the manifest was refused (HTTP \(reply.status))")
        }
        return "sha256:" + ChartCache.digest(of: bytes)
    }
}
