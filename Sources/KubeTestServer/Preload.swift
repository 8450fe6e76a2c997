import Basics

extension KubeAPI {
    /// Applies `object` with server-side apply as `fieldManager`, as a request through the API
    /// would: for what a cluster's owners install before any environment (CRDs of operators).
    /// The response says whether it was stored (2xx) or why not.
    public func preload(_ object: ValueObject, fieldManager: String = "cluster-admin") -> APIResponse {
        let apiVersion = object["apiVersion"]?.stringValue ?? "", kind = object["kind"]?.stringValue ?? ""
        let parts = apiVersion.split(separator: "/").map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", apiVersion)
        guard let info = servedResources.first(where: { $0.group == group && $0.version == version && $0.kind == kind }),
              let name = object["metadata"]?["name"]?.stringValue else {
            return .failure(404, reason: "NotFound", "no resource for \(apiVersion) \(kind), or no metadata.name")
        }
        let namespace = object["metadata"]?["namespace"]?.stringValue ?? "default"
        let path = (group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)")
            + (info.namespaced ? "/namespaces/\(namespace)" : "") + "/\(info.resource)/\(name)"
        return handle(APIRequest(method: "PATCH", path: path, query: ["fieldManager": fieldManager],
                                 headers: ["content-type": "application/apply-patch+yaml", "authorization": "Bearer \(token)"],
                                 body: Array(JSONWriter.compact(.object(object)).utf8)))
    }
}
