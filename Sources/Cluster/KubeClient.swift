import Basics
import Foundation
import KubeModel
import NIOCore

/// A Kubernetes REST client: discovery, get, list, server-side apply and delete, with typed
/// errors, retries with backoff for throttling, server errors and timeouts, and client-side QPS.
public final class KubeClient: Sendable {
    /// How cascading deletes treat dependents.
    public enum Propagation: String, Sendable {
        case foreground = "Foreground", background = "Background", orphan = "Orphan"
    }

    public let connection: ClusterConnection
    let transport: HTTPTransport
    private let limiter: RateLimiter
    private let retry: RetryPolicy
    private let timeout: TimeAmount
    private let discovery: Discovery

    /// - Parameters:
    ///   - qps, burst: client-side throttling; 0 (the default, as kubectl) leaves throttling to the
    ///     server's priority and fairness, whose 429 answers are honoured with their `Retry-After`.
    ///   - timeoutSeconds: per attempt: connecting, the TLS handshake and the whole answer must fit
    ///     in it. A call's retries and backoffs all fit in twice that.
    public init(connection: ClusterConnection, qps: Double = 0, burst: Int = 100, retry: RetryPolicy = RetryPolicy(),
                timeoutSeconds: Int = 30) throws(ClusterError) {
        self.connection = connection
        transport = try HTTPTransport(connection: connection)
        limiter = RateLimiter(qps: qps, burst: burst)
        self.retry = retry
        timeout = .seconds(Int64(timeoutSeconds))
        let transport = transport, limiter = limiter, retryPolicy = retry, timeout = timeout
        discovery = Discovery { path throws(ClusterError) in
            try await Self.perform(transport: transport, limiter: limiter, retry: retryPolicy, timeout: timeout,
                                   method: "GET", target: path, body: [], contentType: nil).value
        }
    }

    /// Abandons every request in flight at once (SIGTERM): each fails with
    /// `ClusterError.interrupted`. Later requests get a deadline of a few seconds and no retries,
    /// so a stopping sync can still record its status without hanging on a dead server.
    public func interrupt() { transport.interruption.stop() }

    // MARK: Discovery

    /// The resource serving `gvk` (discovery is read again once when the kind is not known yet).
    public func resource(for gvk: GroupVersionKind) async throws(ClusterError) -> APIResource {
        try await discovery.resource(for: gvk)
    }

    /// Every kind the server serves, each in its group's preferred version.
    public func preferredResources() async throws(ClusterError) -> [APIResource] {
        try await discovery.preferredResources()
    }

    // MARK: Reading

    /// The object, or nil when it does not exist.
    public func get(_ gvk: GroupVersionKind, namespace: String?, name: String) async throws(ClusterError) -> ValueObject? {
        let resource = try await resource(for: gvk)
        do {
            return try await request("GET", resource.path(namespace: namespace ?? connection.namespace, name: name)).value.objectValue
        } catch .api(let error) where error.reason == .notFound {
            return nil
        }
    }

    /// Every object of a kind (in `namespace`, or all namespaces when nil), following `continue`
    /// tokens page by page; `labelSelector` as kubectl's `-l`.
    public func list(_ resource: APIResource, namespace: String? = nil, labelSelector: String? = nil, pageSize: Int = 500) async throws(ClusterError) -> [ValueObject] {
        var items: [ValueObject] = []
        var token: String?
        repeat {
            var query = ["limit=\(pageSize)"]
            if let labelSelector { query.append("labelSelector=" + Self.escapeQuery(labelSelector)) }
            if let token { query.append("continue=" + Self.escapeQuery(token)) }
            let page = try await request("GET", resource.path(namespace: namespace) + "?" + query.joined(separator: "&")).value
            for item in page["items"]?.arrayValue ?? [] {
                guard case .object(var object) = item else { continue }
                // List items carry no kind; give them their list's.
                object["apiVersion"] = .string(resource.gvk.apiVersion)
                object["kind"] = .string(resource.gvk.kind)
                items.append(object)
            }
            token = page["metadata"]?["continue"]?.stringValue
            if token?.isEmpty == true { token = nil }
        } while token != nil
        return items
    }

    // MARK: Writing

    /// Server-side apply of `object` as `fieldManager`. `dryRun` returns what the server would store
    /// (defaults and mutating webhooks included) and stores nothing; `force` takes over fields other
    /// managers own instead of failing with a conflict.
    public func apply(_ object: ValueObject, fieldManager: String, force: Bool = false, dryRun: Bool = false) async throws(ClusterError) -> ValueObject {
        let gvk = GroupVersionKind(apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? "")
        guard let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty else {
            throw ClusterError.configuration("cannot apply a \(gvk) without metadata.name")
        }
        let resource = try await resource(for: gvk)
        var query = ["fieldManager=" + Self.escapeQuery(fieldManager)]
        if force { query.append("force=true") }
        if dryRun { query.append("dryRun=All") }
        let namespace = object["metadata"]?["namespace"]?.stringValue ?? connection.namespace
        let body = Array(JSONWriter.compact(.object(object)).utf8)
        let result = try await request("PATCH", resource.path(namespace: namespace, name: name) + "?" + query.joined(separator: "&"),
                                       body: body, contentType: "application/apply-patch+yaml")
        return result.value.objectValue ?? [:]
    }

    /// Deletes an object; deleting one that is already gone is not an error (returns false).
    @discardableResult
    public func delete(_ gvk: GroupVersionKind, namespace: String?, name: String, propagation: Propagation = .background,
                       dryRun: Bool = false) async throws(ClusterError) -> Bool {
        let resource = try await resource(for: gvk)
        var options: ValueObject = ["apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": .string(propagation.rawValue)]
        if dryRun { options["dryRun"] = .array(["All"]) }
        do {
            _ = try await request("DELETE", resource.path(namespace: namespace ?? connection.namespace, name: name) + (dryRun ? "?dryRun=All" : ""),
                                  body: Array(JSONWriter.compact(.object(options)).utf8), contentType: "application/json")
            return true
        } catch .api(let error) where error.reason == .notFound {
            return false
        }
    }

    /// Any request: the decoded JSON answer.
    public func request(_ method: String, _ target: String, body: [UInt8] = [], contentType: String? = nil) async throws(ClusterError) -> (value: Value, reply: HTTPReply) {
        try await Self.perform(transport: transport, limiter: limiter, retry: retry, timeout: timeout,
                               method: method, target: target, body: body, contentType: contentType)
    }

    // MARK: Requests

    /// The deadline of a call once a stop was asked for.
    static let stoppingTimeout: TimeAmount = .seconds(5)

    private static func perform(transport: HTTPTransport, limiter: RateLimiter, retry: RetryPolicy, timeout: TimeAmount, method: String,
                                target: String, body: [UInt8], contentType: String?) async throws(ClusterError) -> (value: Value, reply: HTTPReply) {
        let interruption = transport.interruption
        let stopping = interruption.isStopped
        let attemptTimeout = stopping ? min(timeout, stoppingTimeout) : timeout
        let started = NIODeadline.now()
        let deadline = started + (stopping ? attemptTimeout : timeout * 2)
        func timedOut(_ attempts: Int) -> ClusterError {
            let took = HTTPTransport.seconds(.now() - started)
            return .timeout("no answer from \(server) within \(HTTPTransport.seconds(attemptTimeout)) s (\(method) \(target)"
                            + (attempts > 1 ? "; \(attempts) attempts in \(took) s)" : ")"))
        }
        let server = transport.connection.server.absoluteString
        var attempt = 0
        var reauthenticated = false
        // A forced server-side apply sends no resourceVersion, so a 409 can only mean the object
        // changed while the server wrote it: tried again, as client-go's RetryOnConflict does.
        let forcedApply = method == "PATCH" && contentType == "application/apply-patch+yaml" && target.contains("force=true")
        while true {
            await limiter.acquire()
            var headers = ["accept": "application/json"]
            if let contentType { headers["content-type"] = contentType }
            if let authorization = try transport.connection.credentials.authorization() { headers["authorization"] = authorization }
            let failure: ClusterError
            let remaining = deadline - .now()
            guard remaining > .milliseconds(10) else { throw timedOut(attempt) }
            do throws(ClusterError) {
                let reply = try await transport.send(method: method, target: target, headers: headers, body: body,
                                                     timeout: min(attemptTimeout, remaining))
                if (200..<300).contains(reply.status) {
                    let text = String(decoding: reply.body, as: UTF8.self)
                    guard let value = (text.isEmpty ? Value.null : (try? JSONReader.values(text).first)) else {
                        throw ClusterError.transport("\(method) \(target): the answer is not JSON")
                    }
                    return (value, reply)
                }
                failure = .api(apiError(reply, request: "\(method) \(target)", connection: transport.connection))
            } catch .timeout {
                failure = timedOut(attempt + 1)
            } catch {
                failure = error
            }
            attempt += 1
            // An expired exec credential: get a fresh one once, as kubectl does.
            if case .api(let error) = failure, error.reason == .unauthorized, !reauthenticated,
               case .exec = transport.connection.credentials.kind {
                transport.connection.credentials.invalidate()
                reauthenticated = true
                continue
            }
            guard failure.isTransient || (forcedApply && failure.isConflict), attempt < retry.attempts, !stopping, !interruption.isStopped else {
                throw failure
            }
            var retryAfter: Double?
            if case .api(let error) = failure { retryAfter = error.retryAfter }
            let delay = retry.delay(after: attempt - 1, retryAfter: retryAfter)
            // Retries stay within the call's time: a wait past it ends the call with this failure.
            guard NIODeadline.now() + .nanoseconds(Int64(delay * 1_000_000_000)) < deadline else {
                if case .timeout = failure { throw timedOut(attempt) }
                throw failure
            }
            await interruption.sleep(delay)
            if interruption.isStopped { throw .interrupted("stopped on request before retrying \(method) \(target)") }
        }
    }

    static func apiError(_ reply: HTTPReply, request: String, connection: ClusterConnection? = nil) -> APIError {
        let status = JSONReader.values(orNil: reply.body)
        let statusReason = status?["reason"]?.stringValue ?? ""
        var message = status?["message"]?.stringValue ?? HTTPResponseStatusText.text(reply.status)
        // Refused credentials: say which ones, and where to look.
        if reply.status == 401, let connection {
            let context = connection.context.map { "context '\($0)'" } ?? "the kubeconfig's context"
            message += " (the server refused \(connection.credentials) of \(context); check them with kubectl --context \(connection.context ?? "<context>") auth whoami, or log in again)"
        }
        let causes = (status?["details"]?["causes"]?.arrayValue ?? []).map { cause in
            APIError.Cause(field: cause["field"]?.stringValue ?? "", message: cause["message"]?.stringValue ?? "",
                           reason: cause["reason"]?.stringValue ?? "")
        }
        return APIError(reason: APIError.reason(code: reply.status, statusReason: statusReason), code: reply.status, message: message,
                        causes: causes, request: request, retryAfter: reply.headers["retry-after"].flatMap(Double.init))
    }

    static func escapeQuery(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? text
    }
}

extension JSONReader {
    /// The first JSON value in `bytes`, or nil when they are not JSON.
    static func values(orNil bytes: [UInt8]) -> Value? {
        try? values(String(decoding: bytes, as: UTF8.self)).first
    }
}

enum HTTPResponseStatusText {
    static func text(_ code: Int) -> String {
        switch code {
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "HTTP \(code)"
        }
    }
}
