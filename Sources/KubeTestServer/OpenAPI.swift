import Basics
import Crypto
import Foundation

/// `/openapi/v3`: the index of group versions and, for each, an OpenAPI 3 document of its paths
/// whose write operations declare the `fieldValidation` parameter, carrying the
/// `x-kubernetes-group-version-kind` extension. That is what kubectl reads to learn that the server
/// validates fields itself: it then sends `fieldValidation=Strict` instead of validating on its own
/// (which needs `/openapi/v2` in protobuf). Schemas are not served.
extension KubeAPI {
    /// The group-version paths of the index (`api/v1`, `apis/apps/v1`).
    func openAPIIndex() -> Value {
        var paths = ValueObject()
        for (group, version) in servedGroupVersions() {
            let path = group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
            let document = JSONWriter.compact(openAPIDocument(group: group, version: version) ?? .null)
            let hash = SHA256.hash(data: Array(document.utf8)).prefix(16).map { String(format: "%02X", $0) }.joined()
            paths[path] = .object(["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")])
        }
        return .object(["paths": .object(paths)])
    }

    func servedGroupVersions() -> [(String, String)] {
        var seen = Set<String>()
        return servedResourcesUnlocked.compactMap { info in
            seen.insert(info.apiVersion).inserted ? (info.group, info.version) : nil
        }
    }

    /// The OpenAPI 3 document of one group version: every resource's paths and operations.
    func openAPIDocument(group: String, version: String) -> Value? {
        let infos = servedResourcesUnlocked.filter { $0.group == group && $0.version == version }
        guard !infos.isEmpty else { return nil }
        let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        var paths = ValueObject()
        for info in infos {
            let gvk: Value = .object(["group": .string(info.group), "version": .string(info.version), "kind": .string(info.kind)])
            func operation(_ action: String, _ verb: String, _ parameters: [String]) -> Value {
                .object(["operationId": .string("\(verb)\(info.kind)"), "x-kubernetes-action": .string(action),
                         "x-kubernetes-group-version-kind": gvk,
                         "parameters": .array(parameters.map { .object(["name": .string($0), "in": "query", "schema": .object(["type": "string"])]) }),
                         "responses": .object(["200": .object(["description": "OK"])])])
            }
            let writes = ["dryRun", "fieldManager", "fieldValidation"]
            let base = info.namespaced ? "\(prefix)/namespaces/{namespace}/\(info.resource)" : "\(prefix)/\(info.resource)"
            paths[base] = .object(["get": operation("list", "list", ["labelSelector", "limit", "continue", "watch"]),
                                   "post": operation("post", "create", writes)])
            paths[base + "/{name}"] = .object(["get": operation("get", "read", []), "put": operation("put", "replace", writes),
                                               "patch": operation("patch", "patch", writes + ["force"]),
                                               "delete": operation("delete", "delete", ["dryRun"])])
        }
        return .object(["openapi": "3.0.0", "info": .object(["title": "Kubernetes (kube-test-server)", "version": "v1.32.0"]),
                        "paths": .object(paths), "components": .object(["schemas": .object([:])])])
    }

    /// The unknown fields of a written object, when the request asks for field validation and the
    /// server knows the kind's schema: nil when the write may go on (after a `Warn`, with warnings
    /// to send), else the 400 a `Strict` request gets, in the API server's words.
    func fieldValidation(_ object: ValueObject, _ info: ResourceInfo, _ request: APIRequest) -> APIResponse? {
        let mode = request.query["fieldValidation"] ?? "Ignore"
        guard mode == "Strict" || mode == "Warn", let checker = fieldChecker else { return nil }
        let definition = info.group.isEmpty || BuiltInResources.all.contains(info) ? nil
            : objects[StoreKey(group: "apiextensions.k8s.io", resource: "customresourcedefinitions", namespace: "", name: "\(info.resource).\(info.group)")]
        let unknown = checker(object, definition)
        guard !unknown.isEmpty else { return nil }
        let problems = unknown.map { "unknown field \"\($0)\"" }
        if mode == "Strict" { return .failure(400, reason: "BadRequest", "strict decoding error: " + problems.joined(separator: ", ")) }
        pendingWarnings += problems
        return nil
    }
}
