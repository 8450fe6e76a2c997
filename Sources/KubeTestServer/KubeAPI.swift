import Basics
import Foundation
import KubeModel
import Kustomize
import YAML

/// One HTTP request to the test API server, transport aside.
public struct APIRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Lower-cased header names.
    public var headers: [String: String]
    public var body: [UInt8]
    /// The common name of a verified client certificate, when one was presented.
    public var clientCertificateUser: String?

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits `/apis/apps/v1/deployments?limit=2` into path and query.
    public init(method: String, uri: String, headers: [String: String] = [:], body: [UInt8] = []) {
        let parts = uri.split(separator: "?", maxSplits: 1).map(String.init)
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                query[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
        }
        self.init(method: method, path: parts.first ?? "/", query: query, headers: headers, body: body)
    }
}

public struct APIResponse: Sendable, Error {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
    /// Transport faults: answer only after this many seconds, or close the connection unanswered.
    public var delaySeconds: Double = 0
    public var dropConnection = false
    /// Send the head and half the body, then close the connection.
    public var truncate = false

    public init(status: Int, headers: [String: String] = ["content-type": "application/json"], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ status: Int, _ value: Value) -> APIResponse {
        APIResponse(status: status, body: Array(JSONWriter.compact(value).utf8))
    }

    /// A Kubernetes `Status` failure.
    static func failure(_ code: Int, reason: String, _ message: String, details: Value? = nil) -> APIResponse {
        var status: ValueObject = ["apiVersion": .string("v1"), "kind": .string("Status"), "metadata": .object([:]),
                                   "status": .string("Failure"), "message": .string(message), "reason": .string(reason), "code": .int(Int64(code))]
        if let details { status["details"] = details }
        return json(code, .object(status))
    }
}

/// A Kubernetes API server in memory, for tests: discovery, generic storage with resourceVersion,
/// uid, generation, creationTimestamp and managedFields, the API server's defaults for common
/// kinds, create/get/list (label selectors, `limit`/`continue`)/replace/delete, server-side apply
/// with field managers and conflicts, `dryRun=All`, and injected faults. A test double, not a cluster.
public final class KubeAPI: @unchecked Sendable {
    /// The bearer token requests must carry (a test may rotate it, as a cloud provider's
    /// short-lived tokens expire).
    public var token: String { lock.withLock { currentToken } }
    private var currentToken: String
    let lock = NSLock()
    var objects: [StoreKey: ValueObject] = [:]
    /// Leaf field paths each field manager owns, per object.
    private var owners: [StoreKey: [String: Set<String>]] = [:]
    /// Each field manager's last operation on an object: `Apply` or `Update` (as managedFields say).
    private var operations: [StoreKey: [String: String]] = [:]
    var resourceVersion = 1000
    /// Recent changes, for watches that resume from a resource version.
    var events: [RecordedEvent] = []
    var watchers: [Int: Watcher] = [:]
    var nextWatcher = 0
    private var serial = 0
    private var customResources: [ResourceInfo] = []
    private var faults: [APIResponse] = []
    private var targetedFaults: [(response: APIResponse, remaining: Int, matches: @Sendable (APIRequest) -> Bool)] = []
    private var namespaceRestriction: Set<String>?
    /// Finds the fields a kind's schema does not declare (`fieldValidation=Strict|Warn`): given the
    /// object and, for a custom resource, its CustomResourceDefinition; returns their paths.
    public typealias FieldChecker = @Sendable (_ object: ValueObject, _ definition: ValueObject?) -> [String]
    /// Nil: the server knows no schemas and takes every field, as with `fieldValidation=Ignore`.
    var fieldChecker: FieldChecker?
    /// Warnings for the response being made (`Warning: 299 - "..."` headers).
    var pendingWarnings: [String] = []
    /// Whether workloads report ready replicas at once, as their controllers eventually would.
    public var simulateControllers = true
    /// Every request served (method and path), for tests.
    public internal(set) var requestLog: [String] = []

    struct StoreKey: Hashable {
        var group: String
        var resource: String
        var namespace: String
        var name: String
    }

    public init(token: String = UUID().uuidString) { currentToken = token }

    /// Validates written objects' fields with `checker` when a request asks (kubectl does by default).
    public func checkFields(with checker: @escaping FieldChecker) { lock.withLock { fieldChecker = checker } }

    /// Replaces the token: requests with the old one are answered 401 from now on.
    public func rotateToken(to token: String) { lock.withLock { currentToken = token } }

    /// Whether a request (under the lock) carries the token or a client certificate.
    func authenticated(_ request: APIRequest) -> Bool {
        request.headers["authorization"] == "Bearer " + currentToken || (request.headers["authorization"] == nil && request.clientCertificateUser != nil)
    }

    /// The next requests get these responses instead (429 with Retry-After, 500, ...).
    public func injectFaults(_ responses: [APIResponse]) { lock.withLock { faults += responses } }

    /// Authorizes namespaced resources only in these namespaces (nil: everywhere), as a Role
    /// binding does for a service account: a request elsewhere, or across all namespaces, is
    /// answered 403 Forbidden. Cluster-scoped resources stay allowed.
    public func restrictNamespacedAccess(to namespaces: Set<String>?) { lock.withLock { namespaceRestriction = namespaces } }

    /// The next `times` requests that `matches` selects get `response` instead (before any other
    /// injected fault): a 409 for one object's apply, a reset for one kind's list.
    public func injectFault(_ response: APIResponse, times: Int = 1, matching matches: @escaping @Sendable (APIRequest) -> Bool) {
        lock.withLock { targetedFaults.append((response, times, matches)) }
    }

    /// Drops the faults not yet served.
    public func clearFaults() { lock.withLock { faults = []; targetedFaults = [] } }

    /// A fault: the connection is closed without an answer.
    public static var droppedConnection: APIResponse {
        var response = APIResponse(status: 0, body: [])
        response.dropConnection = true
        return response
    }

    /// A fault: the request is served (a write is made) but the connection is closed halfway
    /// through the answer, as when a connection is reset mid-response.
    public static var truncatedResponse: APIResponse {
        var response = APIResponse(status: 0, body: [])
        response.truncate = true
        return response
    }

    /// A fault: the request is served normally, `seconds` late.
    public static func latency(_ seconds: Double) -> APIResponse {
        var response = APIResponse(status: 0, body: [])
        response.delaySeconds = seconds
        return response
    }

    /// A fault response: `status` with a Kubernetes Status body and optional `Retry-After` seconds.
    public static func fault(_ status: Int, retryAfter: Int? = nil) -> APIResponse {
        let reasons = [409: "Conflict", 403: "Forbidden", 404: "NotFound", 410: "Expired", 429: "TooManyRequests",
                       503: "ServiceUnavailable", 504: "Timeout"]
        var response = APIResponse.failure(status, reason: reasons[status] ?? "InternalError", "injected fault")
        if let retryAfter { response.headers["retry-after"] = String(retryAfter) }
        return response
    }

    public func handle(_ request: APIRequest) -> APIResponse {
        lock.lock()
        defer { lock.unlock() }
        pendingWarnings = []
        var response = authorizedHandle(request)
        if !pendingWarnings.isEmpty {
            response.headers["warning"] = pendingWarnings.map { "299 - \"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"" }.joined(separator: ", ")
        }
        return response
    }

    private func authorizedHandle(_ request: APIRequest) -> APIResponse {
        // Dry runs are marked: a test can tell a prediction from a write.
        requestLog.append("\(request.method) \(request.path)" + (request.query["dryRun"] == "All" ? " (dry run)" : ""))
        guard authenticated(request) else {
            return .failure(401, reason: "Unauthorized", "Unauthorized")
        }
        if let index = targetedFaults.firstIndex(where: { $0.remaining > 0 && $0.matches(request) }) {
            targetedFaults[index].remaining -= 1
            return serve(request, with: targetedFaults[index].response)
        }
        if !faults.isEmpty { return serve(request, with: faults.removeFirst()) }
        return route(request)
    }

    /// A fault's answer: a failure as it is, else the request served with the fault's delay or cut.
    private func serve(_ request: APIRequest, with fault: APIResponse) -> APIResponse {
        guard fault.status == 0, !fault.dropConnection else { return fault }
        var response = route(request)
        response.delaySeconds = fault.delaySeconds
        response.truncate = fault.truncate
        return response
    }

    private func route(_ request: APIRequest) -> APIResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        switch parts.count {
        case 1 where parts[0] == "version":
            return .json(200, .object(["major": "1", "minor": "32", "gitVersion": "v1.32.0+kube-test-server", "platform": "linux/amd64"]))
        case 1 where parts[0] == "api": return .json(200, .object(["kind": "APIVersions", "versions": ["v1"]]))
        case 1 where parts[0] == "apis": return .json(200, groupList())
        case 2 where parts[0] == "api": return resourceList(group: "", version: parts[1])
        case 3 where parts[0] == "apis": return resourceList(group: parts[1], version: parts[2])
        case 2 where parts[0] == "openapi" && parts[1] == "v3": return .json(200, openAPIIndex())
        case 4 where parts[0] == "openapi" && parts[1] == "v3" && parts[2] == "api",
             5 where parts[0] == "openapi" && parts[1] == "v3" && parts[2] == "apis":
            let (group, version) = parts[2] == "api" ? ("", parts[3]) : (parts[3], parts[4])
            guard let document = openAPIDocument(group: group, version: version) else {
                return .failure(404, reason: "NotFound", "no OpenAPI document for \(group)/\(version)")
            }
            return .json(200, document)
        default: break
        }
        let info: ResourceInfo, namespace: String, name: String?
        switch resolve(request.path) {
        case .success(let target): (info, namespace, name) = target
        case .failure(let response): return response
        }
        if let allowed = namespaceRestriction, info.namespaced, !allowed.contains(namespace) {
            let verb = request.method == "GET" ? (name == nil ? "list" : "get") : request.method.lowercased()
            let scope = namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(namespace)\""
            return .failure(403, reason: "Forbidden", "\(info.resource) is forbidden: User \"system:serviceaccount:test:gitops\" cannot \(verb) resource \"\(info.resource)\" in API group \"\(info.group)\" \(scope)")
        }
        let dryRun = request.query["dryRun"] == "All"
        // Protobuf bodies are not decoded: only `kubectl create <generator>` sends them (typed
        // clients); kubectl create -f, apply, edit, patch, scale, label and annotate send JSON.
        if request.headers["content-type"]?.contains("protobuf") == true {
            return .failure(415, reason: "UnsupportedMediaType",
                            "kube-test-server does not read protobuf bodies; send JSON (for kubectl create <generator>: add --dry-run=client -o yaml | kubectl create -f -)")
        }
        if let name, request.path.hasSuffix("/\(name)/scale") {
            return scale(info, namespace, name, request, dryRun: dryRun)
        }
        switch (request.method, name) {
        case ("GET", let name?): return get(info, namespace, name)
        case ("GET", nil): return list(info, namespace, request.query)
        case ("POST", nil): return create(info, namespace, request, dryRun: dryRun)
        case ("PUT", let name?): return replace(info, namespace, name, request, dryRun: dryRun)
        case ("PATCH", let name?):
            let type = (request.headers["content-type"] ?? "").split(separator: ";").first.map(String.init) ?? ""
            if type == "application/apply-patch+yaml" { return apply(info, namespace, name, request, dryRun: dryRun) }
            return patch(info, namespace, name, request, type: type, dryRun: dryRun)
        case ("DELETE", let name?): return delete(info, namespace, name, dryRun: dryRun)
        default:
            return .failure(405, reason: "MethodNotAllowed", "\(request.method) is not supported on \(request.path)")
        }
    }

    /// The resource, namespace and name a path names.
    func resolve(_ path: String) -> Result<(ResourceInfo, String, String?), APIResponse> {
        let parts = path.split(separator: "/").map(String.init)
        let (group, version, rest): (String, String, [String])
        if parts.first == "api", parts.count >= 3 {
            (group, version, rest) = ("", parts[1], Array(parts.dropFirst(2)))
        } else if parts.first == "apis", parts.count >= 4 {
            (group, version, rest) = (parts[1], parts[2], Array(parts.dropFirst(3)))
        } else {
            return .failure(.failure(404, reason: "NotFound", "the server could not find the requested resource"))
        }
        var namespace = "", resourceName = "", name: String?
        if rest.first == "namespaces", rest.count >= 3 {
            namespace = rest[1]; resourceName = rest[2]; name = rest.count > 3 ? rest[3] : nil
        } else {
            resourceName = rest[0]; name = rest.count > 1 ? rest[1] : nil
        }
        guard let info = resources.first(where: { $0.group == group && $0.version == version && $0.resource == resourceName }) else {
            return .failure(.failure(404, reason: "NotFound", "the server could not find the requested resource (\(path))"))
        }
        return .success((info, info.namespaced ? namespace : "", name))
    }

    // MARK: Discovery

    private var resources: [ResourceInfo] { BuiltInResources.all + customResources }
    /// The served resources, for code already holding the lock.
    var servedResourcesUnlocked: [ResourceInfo] { resources }

    /// The resources served now (built in, and those of CRDs created so far).
    var servedResources: [ResourceInfo] { lock.withLock { resources } }

    private func groupList() -> Value {
        var groups: [String: [String]] = [:]
        for info in resources where !info.group.isEmpty { groups[info.group, default: []].append(info.version) }
        return .object(["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.keys.sorted().map { group in
            let versions = Array(Set(groups[group]!)).sorted()
            return .object(["name": .string(group),
                            "versions": .array(versions.map { .object(["groupVersion": .string("\(group)/\($0)"), "version": .string($0)]) }),
                            "preferredVersion": .object(["groupVersion": .string("\(group)/\(versions[0])"), "version": .string(versions[0])])])
        })])
    }

    private func resourceList(group: String, version: String) -> APIResponse {
        let matching = resources.filter { $0.group == group && $0.version == version }
        guard !matching.isEmpty else { return .failure(404, reason: "NotFound", "no API group version \(group)/\(version)") }
        return .json(200, .object(["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(matching[0].apiVersion),
                                   "resources": .array(matching.map { info in
            .object(["name": .string(info.resource), "kind": .string(info.kind), "namespaced": .bool(info.namespaced),
                     "singularName": .string(info.kind.lowercased()), "verbs": .array(info.verbs.map { .string($0) }),
                     "shortNames": .array(info.shortNames.map { .string($0) })])
        })]))
    }

    // MARK: Reading

    private func get(_ info: ResourceInfo, _ namespace: String, _ name: String) -> APIResponse {
        guard let object = objects[StoreKey(group: info.group, resource: info.resource, namespace: namespace, name: name)] else {
            return notFound(info, name)
        }
        return .json(200, .object(object))
    }

    private func notFound(_ info: ResourceInfo, _ name: String) -> APIResponse {
        .failure(404, reason: "NotFound", "\(info.resource).\(info.group.isEmpty ? "" : info.group) \"\(name)\" not found"
                    .replacingOccurrences(of: ". \"", with: " \""),
                 details: .object(["name": .string(name), "group": .string(info.group), "kind": .string(info.resource)]))
    }

    private func list(_ info: ResourceInfo, _ namespace: String, _ query: [String: String]) -> APIResponse {
        var items = objects.filter { $0.key.group == info.group && $0.key.resource == info.resource && (namespace.isEmpty || $0.key.namespace == namespace) }
            .sorted { ($0.key.namespace, $0.key.name) < ($1.key.namespace, $1.key.name) }.map(\.value)
        if let selector = query["labelSelector"], !selector.isEmpty {
            items = items.filter { LabelSelector.matches(selector, $0["metadata"]?["labels"]?.objectValue ?? ValueObject()) }
        }
        var start = 0
        if let token = query["continue"], !token.isEmpty {
            guard let offset = Int(token), offset <= items.count else { return .failure(410, reason: "Expired", "the continue token is not valid") }
            start = offset
        }
        var metadata: ValueObject = ["resourceVersion": .string(String(resourceVersion))]
        var page = Array(items[start...])
        if let limit = query["limit"].flatMap(Int.init), limit > 0, page.count > limit {
            page = Array(page.prefix(limit))
            metadata["continue"] = .string(String(start + limit))
        }
        return .json(200, .object(["apiVersion": .string(info.apiVersion), "kind": .string(info.kind + "List"), "metadata": .object(metadata),
                                   "items": .array(page.map { .object($0) })]))
    }

    // MARK: Writing

    private func parse(_ request: APIRequest) -> Result<ValueObject, APIResponse> {
        guard let value = try? YAML.value(String(decoding: request.body, as: UTF8.self), file: "request"), case .object(let object) = value else {
            return .failure(.failure(400, reason: "BadRequest", "the request body is not a JSON or YAML object"))
        }
        return .success(object)
    }

    private func checkIdentity(_ object: ValueObject, _ info: ResourceInfo, name: String?) -> APIResponse? {
        guard object["kind"]?.stringValue == info.kind, object["apiVersion"]?.stringValue == info.apiVersion else {
            return .failure(400, reason: "BadRequest", "the object is not a \(info.apiVersion) \(info.kind)")
        }
        let objectName = object["metadata"]?["name"]?.stringValue ?? ""
        if objectName.isEmpty {
            return .failure(422, reason: "Invalid", "\(info.kind) is invalid: metadata.name: Required value",
                            details: .object(["kind": .string(info.kind), "causes": .array([.object([
                                "reason": "FieldValueRequired", "message": "Required value", "field": "metadata.name"])])]))
        }
        if let name, name != objectName {
            return .failure(400, reason: "BadRequest", "the name of the object (\(objectName)) does not match the name in the URL (\(name))")
        }
        return nil
    }

    private func create(_ info: ResourceInfo, _ namespace: String, _ request: APIRequest, dryRun: Bool) -> APIResponse {
        let object: ValueObject
        switch parse(request) { case .success(let o): object = o; case .failure(let r): return r }
        if let problem = checkIdentity(object, info, name: nil) { return problem }
        if let problem = fieldValidation(object, info, request) { return problem }
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        let key = StoreKey(group: info.group, resource: info.resource, namespace: namespace, name: name)
        guard objects[key] == nil else {
            return .failure(409, reason: "AlreadyExists", "\(info.resource) \"\(name)\" already exists")
        }
        let stored = store(object, info: info, key: key, previous: nil, manager: request.query["fieldManager"] ?? "unknown",
                           operation: "Update", fields: LeafPaths.of(object), dryRun: dryRun)
        return .json(201, .object(stored))
    }

    private func replace(_ info: ResourceInfo, _ namespace: String, _ name: String, _ request: APIRequest, dryRun: Bool) -> APIResponse {
        let object: ValueObject
        switch parse(request) { case .success(let o): object = o; case .failure(let r): return r }
        if let problem = checkIdentity(object, info, name: name) { return problem }
        if let problem = fieldValidation(object, info, request) { return problem }
        let key = StoreKey(group: info.group, resource: info.resource, namespace: namespace, name: name)
        guard let previous = objects[key] else { return notFound(info, name) }
        if let wanted = object["metadata"]?["resourceVersion"]?.stringValue, wanted != previous["metadata"]?["resourceVersion"]?.stringValue {
            return .failure(409, reason: "Conflict", "Operation cannot be fulfilled on \(info.resource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again")
        }
        // An update takes the fields it changes from their owners; the others keep what it left alone.
        let manager = request.query["fieldManager"] ?? "unknown"
        let newFields = LeafPaths.of(object)
        let changed = newFields.union(LeafPaths.of(previous)).filter { LeafPaths.value(at: $0, in: previous) != LeafPaths.value(at: $0, in: object) }
        var fieldOwners = owners[key] ?? [:]
        for (other, fields) in fieldOwners where other != manager { fieldOwners[other] = fields.subtracting(changed) }
        fieldOwners[manager] = (fieldOwners[manager] ?? []).union(changed).intersection(newFields)
        let stored = store(object, info: info, key: key, previous: previous, manager: manager,
                           operation: "Update", fields: newFields, dryRun: dryRun, owners: fieldOwners)
        return .json(200, .object(stored))
    }

    /// PATCH with a JSON merge patch, a JSON patch or a strategic merge patch: the patched object
    /// is stored as an update by the request's field manager (managedFields say operation Update).
    private func patch(_ info: ResourceInfo, _ namespace: String, _ name: String, _ request: APIRequest, type: String, dryRun: Bool) -> APIResponse {
        let key = StoreKey(group: info.group, resource: info.resource, namespace: namespace, name: name)
        guard let previous = objects[key] else { return notFound(info, name) }
        guard let body = try? YAML.value(String(decoding: request.body, as: UTF8.self), file: "patch") else {
            return .failure(400, reason: "BadRequest", "the patch is not JSON")
        }
        var current = previous
        var metadata = current["metadata"]?.objectValue ?? [:]
        metadata["managedFields"] = nil
        current["metadata"] = .object(metadata)
        let patched: Value
        do {
            switch type {
            case "application/merge-patch+json": patched = ObjectPatches.mergePatch(body, to: .object(current))
            case "application/json-patch+json": patched = try ObjectPatches.jsonPatch(body, to: .object(current))
            case "application/strategic-merge-patch+json":
                guard case .object(let patchObject) = body else { return .failure(400, reason: "BadRequest", "a strategic merge patch is an object") }
                patched = .object(try ObjectPatches.strategicMerge(patchObject, to: current))
            default:
                return .failure(415, reason: "UnsupportedMediaType",
                                "the patch type '\(type)' is not supported: use application/merge-patch+json, json-patch+json, strategic-merge-patch+json or apply-patch+yaml")
            }
        } catch {
            return .failure(422, reason: "Invalid", "the patch does not apply: \(error)")
        }
        guard case .object(var object) = patched else { return .failure(422, reason: "Invalid", "the patched object is not an object") }
        // The patch does not carry identity; a stale resourceVersion in it is a conflict as in PUT.
        var patchedMetadata = object["metadata"]?.objectValue ?? [:]
        if patchedMetadata["resourceVersion"] == previous["metadata"]?["resourceVersion"] { patchedMetadata["resourceVersion"] = nil }
        object["metadata"] = .object(patchedMetadata)
        let encoded = JSONWriter.compact(.object(object))
        let update = APIRequest(method: "PUT", path: request.path, query: request.query, headers: ["content-type": "application/json"], body: Array(encoded.utf8))
        return replace(info, namespace, name, update, dryRun: dryRun)
    }

    /// The scale subresource of Deployments, StatefulSets and ReplicaSets (`kubectl scale`):
    /// an `autoscaling/v1` Scale read from and written to `spec.replicas`.
    private func scale(_ info: ResourceInfo, _ namespace: String, _ name: String, _ request: APIRequest, dryRun: Bool) -> APIResponse {
        guard ["deployments", "statefulsets", "replicasets"].contains(info.resource) else {
            return .failure(404, reason: "NotFound", "\(info.resource) has no scale subresource")
        }
        let key = StoreKey(group: info.group, resource: info.resource, namespace: namespace, name: name)
        guard let previous = objects[key] else { return notFound(info, name) }
        func scaleObject(_ object: ValueObject) -> Value {
            let replicas = object["spec"]?["replicas"] ?? .int(1)
            let metadata = object["metadata"]?.objectValue ?? [:]
            return .object(["apiVersion": "autoscaling/v1", "kind": "Scale",
                            "metadata": .object(["name": .string(name), "namespace": .string(namespace), "resourceVersion": metadata["resourceVersion"] ?? .string("0")]),
                            "spec": .object(["replicas": replicas]),
                            "status": .object(["replicas": object["status"]?["replicas"] ?? replicas])])
        }
        var wanted: Value?
        switch request.method {
        case "GET": return .json(200, scaleObject(previous))
        case "PUT":
            wanted = (try? YAML.value(String(decoding: request.body, as: UTF8.self), file: "scale"))?["spec"]?["replicas"]
        case "PATCH":
            let body = (try? YAML.value(String(decoding: request.body, as: UTF8.self), file: "scale")) ?? .null
            let type = (request.headers["content-type"] ?? "").split(separator: ";").first.map(String.init) ?? ""
            let patched = type == "application/json-patch+json" ? (try? ObjectPatches.jsonPatch(body, to: scaleObject(previous))) : ObjectPatches.mergePatch(body, to: scaleObject(previous))
            wanted = patched?["spec"]?["replicas"]
        default:
            return .failure(405, reason: "MethodNotAllowed", "\(request.method) is not supported on the scale subresource")
        }
        guard let replicas = wanted, case .int = replicas else { return .failure(422, reason: "Invalid", "Scale.spec.replicas must be an integer") }
        var object = previous
        var spec = object["spec"]?.objectValue ?? [:]
        spec["replicas"] = replicas
        object["spec"] = .object(spec)
        var metadata = object["metadata"]?.objectValue ?? [:]
        metadata["managedFields"] = nil
        metadata["resourceVersion"] = nil
        object["metadata"] = .object(metadata)
        let update = APIRequest(method: "PUT", path: request.path, query: request.query, headers: ["content-type": "application/json"],
                                body: Array(JSONWriter.compact(.object(object)).utf8))
        let stored = replace(info, namespace, name, update, dryRun: dryRun)
        guard stored.status == 200 else { return stored }
        return .json(200, scaleObject(objects[key] ?? object))
    }

    private func delete(_ info: ResourceInfo, _ namespace: String, _ name: String, dryRun: Bool) -> APIResponse {
        let key = StoreKey(group: info.group, resource: info.resource, namespace: namespace, name: name)
        guard let previous = objects[key] else { return notFound(info, name) }
        if !dryRun {
            objects[key] = nil
            owners[key] = nil
            operations[key] = nil
            resourceVersion += 1
            var gone = previous
            var metadata = gone["metadata"]?.objectValue ?? [:]
            metadata["resourceVersion"] = .string(String(resourceVersion))
            gone["metadata"] = .object(metadata)
            record("DELETED", info: info, key: key, object: gone)
            if info.kind == "CustomResourceDefinition" { customResources.removeAll { $0.kind == Self.crdKind(previous) } }
        }
        return .json(200, .object(["apiVersion": "v1", "kind": "Status", "status": "Success",
                                   "details": .object(["name": .string(name), "kind": .string(info.resource)])]))
    }

    /// Server-side apply: the manager's fields are set, fields it applied before and dropped now are
    /// removed, and fields another manager owns with a different value are conflicts unless `force`.
    private func apply(_ info: ResourceInfo, _ namespace: String, _ name: String, _ request: APIRequest, dryRun: Bool) -> APIResponse {
        guard let manager = request.query["fieldManager"], !manager.isEmpty else {
            return .failure(422, reason: "Invalid", "PatchOptions.meta.k8s.io is invalid: fieldManager: Required value: is required for apply patch")
        }
        let applied: ValueObject
        switch parse(request) { case .success(let o): applied = o; case .failure(let r): return r }
        if let problem = checkIdentity(applied, info, name: name) { return problem }
        if let problem = fieldValidation(applied, info, request) { return problem }
        let key = StoreKey(group: info.group, resource: info.resource, namespace: namespace, name: name)
        let previous = objects[key]
        let appliedFields = LeafPaths.of(applied)
        var fieldOwners = owners[key] ?? [:]
        if let previous {
            var conflicts: [(String, String)] = []
            for (other, fields) in fieldOwners where other != manager {
                for field in fields.intersection(appliedFields)
                where LeafPaths.value(at: field, in: previous) != LeafPaths.value(at: field, in: applied) {
                    conflicts.append((other, field))
                }
            }
            if !conflicts.isEmpty && request.query["force"] != "true" {
                conflicts.sort { ($0.1, $0.0) < ($1.1, $1.0) }
                let lines = conflicts.map { "conflict with \"\($0.0)\": \(LeafPaths.display($0.1))" }
                return .failure(409, reason: "Conflict", "Apply failed with \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"): " + lines.joined(separator: "\n"),
                                details: .object(["causes": .array(conflicts.map { .object([
                                    "reason": "FieldManagerConflict", "message": .string("conflict with \"\($0.0)\""), "field": .string(LeafPaths.display($0.1))]) })]))
            }
            for (other, fields) in fieldOwners where other != manager { fieldOwners[other] = fields.subtracting(appliedFields) }
        }
        // Fields this manager applied before and no longer applies go, unless another manager owns them.
        var base = previous ?? ValueObject()
        let dropped = (fieldOwners[manager] ?? []).subtracting(appliedFields)
        let ownedByOthers = fieldOwners.filter { $0.key != manager }.values.reduce(Set<String>()) { $0.union($1) }
        for field in dropped.subtracting(ownedByOthers).sorted(by: >) { base = LeafPaths.removing(field, from: base) }
        var merged = LeafPaths.merge(applied, into: base)
        merged["status"] = previous?["status"]
        fieldOwners[manager] = appliedFields
        let stored = store(merged, info: info, key: key, previous: previous, manager: manager, operation: "Apply",
                           fields: appliedFields, dryRun: dryRun, owners: fieldOwners)
        return .json(previous == nil ? 201 : 200, .object(stored))
    }

    /// Bookkeeping, defaults and storage of a written object; returns what the server returns.
    private func store(_ object: ValueObject, info: ResourceInfo, key: StoreKey, previous: ValueObject?, manager: String,
                       operation: String, fields: Set<String>, dryRun: Bool, owners newOwners: [String: Set<String>]? = nil) -> ValueObject {
        var object = ServerDefaults.apply(object, kind: info.kind) {
            serial += 1
            return "10.96.\(serial / 250).\(serial % 250 + 1)"
        }
        var metadata = object["metadata"]?.objectValue ?? ValueObject()
        if info.namespaced { metadata["namespace"] = .string(key.namespace) }
        let previousMetadata = previous?["metadata"]?.objectValue
        metadata["uid"] = previousMetadata?["uid"] ?? .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = previousMetadata?["creationTimestamp"] ?? .string(ISO8601DateFormatter().string(from: Date()))
        let specChanged = previous.map { old in
            object.filter { $0.key != "metadata" && $0.key != "status" }.map(\.key).sorted() != old.filter { $0.key != "metadata" && $0.key != "status" }.map(\.key).sorted()
                || object.contains { key, value in key != "metadata" && key != "status" && old[key] != value }
        } ?? true
        let generation = previousMetadata?["generation"]?.intValue ?? 0
        metadata["generation"] = .int(Int64(specChanged ? generation + 1 : max(generation, 1)))
        var fieldOwners = newOwners ?? (owners[key] ?? [:])
        if newOwners == nil { fieldOwners[manager] = fields }
        var managerOperations = operations[key] ?? [:]
        managerOperations[manager] = operation
        metadata["managedFields"] = .array(fieldOwners.keys.sorted().compactMap { name in
            guard let owned = fieldOwners[name], !owned.isEmpty else { return nil }
            return .object(["manager": .string(name), "operation": .string(managerOperations[name] ?? "Apply"),
                            "apiVersion": .string(info.apiVersion), "fieldsType": "FieldsV1", "fieldsV1": LeafPaths.fieldsV1(owned)])
        })
        let changed = previous.map { old in
            var a = old, b = object
            a["metadata"] = nil; b["metadata"] = nil
            return a != b || old["metadata"]?["labels"] != metadata["labels"] || old["metadata"]?["annotations"] != metadata["annotations"]
        } ?? true
        let version = changed && !dryRun ? resourceVersion + 1 : resourceVersion
        metadata["resourceVersion"] = changed ? .string(String(version)) : (previousMetadata?["resourceVersion"] ?? .string(String(version)))
        object["metadata"] = .object(metadata)
        if simulateControllers, let generation = metadata["generation"], case .int(let number) = generation {
            object = SimulatedControllers.status(of: object, kind: info.kind, generation: number)
        }
        if !dryRun {
            if changed { resourceVersion = version }
            objects[key] = object
            if changed { record(previous == nil ? "ADDED" : "MODIFIED", info: info, key: key, object: object) }
            owners[key] = fieldOwners
            operations[key] = managerOperations
            if info.kind == "CustomResourceDefinition" { registerCRD(object) }
        }
        return object
    }

    private static func crdKind(_ crd: ValueObject) -> String { crd["spec"]?["names"]?["kind"]?.stringValue ?? "" }

    /// A CustomResourceDefinition makes its kind servable at once.
    private func registerCRD(_ crd: ValueObject) {
        guard let group = crd["spec"]?["group"]?.stringValue, let plural = crd["spec"]?["names"]?["plural"]?.stringValue else { return }
        let kind = Self.crdKind(crd)
        let namespaced = crd["spec"]?["scope"]?.stringValue != "Cluster"
        customResources.removeAll { $0.group == group && $0.kind == kind }
        for version in crd["spec"]?["versions"]?.arrayValue ?? [] where version["served"] != .bool(false) {
            guard let name = version["name"]?.stringValue else { continue }
            let shortNames = (crd["spec"]?["names"]?["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue)
            customResources.append(ResourceInfo(group: group, version: name, resource: plural, kind: kind, namespaced: namespaced, shortNames: shortNames))
        }
    }
}

extension Value {
    var intValue: Int? {
        switch self {
        case .int(let i): return Int(i)
        case .float(let d): return Int(d)
        default: return nil
        }
    }
}

