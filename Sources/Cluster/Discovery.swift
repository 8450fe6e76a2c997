import Basics
import KubeModel

/// One kind the API server serves: where it lives and what can be done with it.
public struct APIResource: Sendable, Hashable {
    public var gvk: GroupVersionKind
    /// The plural resource name in URLs (`deployments`).
    public var resource: String
    public var namespaced: Bool
    public var verbs: [String]

    /// `/apis/apps/v1/namespaces/shop/deployments` (and `/name`).
    func path(namespace: String?, name: String? = nil) -> String {
        var path = gvk.group.isEmpty ? "/api/\(gvk.version)" : "/apis/\(gvk.group)/\(gvk.version)"
        if namespaced, let namespace, !namespace.isEmpty { path += "/namespaces/\(Self.escape(namespace))" }
        path += "/" + resource
        if let name { path += "/" + Self.escape(name) }
        return path
    }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/"))) ?? segment
    }
}

/// The server's groups, versions and resources, read once and read again when a kind is unknown
/// (a CRD created since).
actor Discovery {
    private var byKind: [GroupVersionKind: APIResource] = [:]
    private var preferred: [APIResource] = []
    private var loaded = false
    private let fetch: @Sendable (String) async throws(ClusterError) -> Value

    init(fetch: @escaping @Sendable (String) async throws(ClusterError) -> Value) { self.fetch = fetch }

    /// The resource serving `gvk`, refreshing the cache once when it is not known.
    func resource(for gvk: GroupVersionKind) async throws(ClusterError) -> APIResource {
        if !loaded { try await refresh() }
        if let found = byKind[gvk] { return found }
        try await refresh()
        if let found = byKind[gvk] { return found }
        throw ClusterError.api(APIError(reason: .notFound, code: 404,
                                        message: "the server does not serve \(gvk) (is its CustomResourceDefinition installed?)",
                                        causes: [], request: "discovery", retryAfter: nil))
    }

    /// Every kind in its group's preferred version, subresources left out.
    func preferredResources() async throws(ClusterError) -> [APIResource] {
        if !loaded { try await refresh() }
        return preferred
    }

    func refresh() async throws(ClusterError) {
        var byKind: [GroupVersionKind: APIResource] = [:]
        var preferred: [APIResource] = []
        var groupVersions: [(String, Bool)] = []
        let core = try await fetch("/api")
        for version in core["versions"]?.arrayValue ?? [] { if let v = version.stringValue { groupVersions.append((v, v == "v1")) } }
        let groups = try await fetch("/apis")
        for group in groups["groups"]?.arrayValue ?? [] {
            let preferredVersion = group["preferredVersion"]?["groupVersion"]?.stringValue
            for version in group["versions"]?.arrayValue ?? [] {
                guard let groupVersion = version["groupVersion"]?.stringValue else { continue }
                groupVersions.append((groupVersion, groupVersion == preferredVersion))
            }
        }
        for (groupVersion, isPreferred) in groupVersions {
            let list: Value
            do {
                list = try await fetch(groupVersion.contains("/") ? "/apis/\(groupVersion)" : "/api/\(groupVersion)")
            } catch .api(let error) where error.reason == .notFound || error.reason == .serverError {
                continue  // an aggregated API that is down must not stop everything else
            }
            let parts = groupVersion.split(separator: "/").map(String.init)
            let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
            for entry in list["resources"]?.arrayValue ?? [] {
                guard let name = entry["name"]?.stringValue, !name.contains("/"), let kind = entry["kind"]?.stringValue else { continue }
                let resource = APIResource(gvk: GroupVersionKind(group: group, version: version, kind: kind), resource: name,
                                           namespaced: entry["namespaced"] == .bool(true),
                                           verbs: (entry["verbs"]?.arrayValue ?? []).compactMap(\.stringValue))
                byKind[resource.gvk] = resource
                if isPreferred { preferred.append(resource) }
            }
        }
        self.byKind = byKind
        self.preferred = preferred
        loaded = true
    }
}
