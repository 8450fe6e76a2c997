/// What can go wrong reaching a cluster. Messages never contain credentials.
public enum ClusterError: Error, Sendable, CustomStringConvertible {
    /// The kubeconfig or the in-cluster set-up is unusable.
    case configuration(String)
    case credentials(String)
    /// The connection failed (refused, closed early).
    case transport(String)
    /// TLS failed (the certificate is not trusted, the name does not match): not retried.
    case tls(String)
    case timeout(String)
    /// A stop was asked for (SIGTERM): requests in flight were abandoned.
    case interrupted(String)
    /// The API server answered with a failure `Status`.
    case api(APIError)

    public var description: String {
        switch self {
        case .configuration(let message), .transport(let message), .timeout(let message), .tls(let message), .interrupted(let message): return message
        case .credentials(let message): return "credentials: " + message
        case .api(let error): return error.description
        }
    }

    /// The API server answered 409 Conflict.
    var isConflict: Bool {
        if case .api(let error) = self { return error.reason == .conflict }
        return false
    }

    /// Worth retrying: throttling, server errors, timeouts and dropped connections.
    var isTransient: Bool {
        switch self {
        case .transport, .timeout: return true
        case .api(let error): return error.isTransient
        case .configuration, .credentials, .tls, .interrupted: return false
        }
    }
}

/// A Kubernetes `Status` failure, typed by what a caller does about it.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case notFound
        case alreadyExists
        /// Another field manager owns fields with other values (server-side apply), or the object changed.
        case conflict
        case forbidden
        case unauthorized
        /// The object is invalid; `causes` name the fields.
        case invalid
        /// A `continue` token or resource version expired.
        case gone
        case tooManyRequests
        case serverError
        case badRequest
        case other
    }

    /// One `details.causes` entry: the field and what is wrong (for conflicts, the manager).
    public struct Cause: Sendable, Equatable {
        public var field: String
        public var message: String
        public var reason: String
    }

    public var reason: Reason
    public var code: Int
    public var message: String
    public var causes: [Cause]
    /// What was asked (`PATCH /apis/apps/v1/namespaces/shop/deployments/web`), for the message.
    public var request: String
    /// Seconds the server asked to wait (`Retry-After`).
    public var retryAfter: Double?

    /// For conflicts: the managers that own the conflicting fields.
    public var conflictingManagers: [String] {
        Array(Set(causes.compactMap { cause -> String? in
            guard let start = cause.message.range(of: "conflict with \""), let end = cause.message[start.upperBound...].firstIndex(of: "\"") else { return nil }
            return String(cause.message[start.upperBound..<end])
        })).sorted()
    }

    public var description: String {
        var text = "\(request): \(code) \(message)"
        if reason == .invalid, !causes.isEmpty { text += " (" + causes.map { "\($0.field): \($0.message)" }.joined(separator: "; ") + ")" }
        if reason == .conflict, !message.lowercased().contains("conflict") { text += " (a conflict: the object changed while it was written)" }
        return text
    }

    var isTransient: Bool {
        reason == .tooManyRequests || reason == .serverError
    }

    static func reason(code: Int, statusReason: String) -> Reason {
        switch (code, statusReason) {
        case (404, _), (_, "NotFound"): return .notFound
        case (_, "AlreadyExists"): return .alreadyExists
        case (409, _), (_, "Conflict"): return .conflict
        case (403, _), (_, "Forbidden"): return .forbidden
        case (401, _), (_, "Unauthorized"): return .unauthorized
        case (422, _), (_, "Invalid"): return .invalid
        case (410, _), (_, "Gone"), (_, "Expired"): return .gone
        case (429, _), (_, "TooManyRequests"): return .tooManyRequests
        case (400, _), (_, "BadRequest"): return .badRequest
        case (500..., _): return .serverError
        default: return .other
        }
    }
}
