import Basics
import Foundation
import NIOCore

/// One change a watch reports.
public struct WatchEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK"
    }

    public var kind: Kind
    public var object: ValueObject

    /// The object's `metadata.resourceVersion`: where to resume after this event.
    public var resourceVersion: String? { object["metadata"]?["resourceVersion"]?.stringValue }
}

extension KubeClient {
    /// Watches a kind (in `namespace`, or everywhere): the changes after `resourceVersion`, or the
    /// current objects as ADDED events first when it is nil. The stream ends when the server ends
    /// the watch (after about `timeoutSeconds`); resume from the last event's resource version. An
    /// expired resource version fails with `APIError.Reason.gone`: list again, then watch from the
    /// list's version.
    public func watch(_ resource: APIResource, namespace: String? = nil, labelSelector: String? = nil, resourceVersion: String? = nil,
                      timeoutSeconds: Int = 300) async throws(ClusterError) -> AsyncThrowingStream<WatchEvent, Error> {
        var query = ["watch=true", "allowWatchBookmarks=true", "timeoutSeconds=\(timeoutSeconds)"]
        if let labelSelector { query.append("labelSelector=" + Self.escapeQuery(labelSelector)) }
        if let resourceVersion { query.append("resourceVersion=" + Self.escapeQuery(resourceVersion)) }
        let target = resource.path(namespace: namespace) + "?" + query.joined(separator: "&")
        var headers = ["accept": "application/json"]
        if let authorization = try connection.credentials.authorization() { headers["authorization"] = authorization }
        let parts = try await transport.stream(method: "GET", target: target, headers: headers, connectTimeout: .seconds(30))
        let (events, continuation) = AsyncThrowingStream<WatchEvent, Error>.makeStream()
        let task = Task {
            var status = 0, headers: [String: String] = [:], pending: [UInt8] = []
            do {
                for try await part in parts {
                    switch part {
                    case .head(let code, let fields): (status, headers) = (code, fields)
                    case .body(let bytes):
                        pending += bytes
                        guard status == 200 else { continue }
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = Array(pending[..<newline])
                            pending.removeSubrange(...newline)
                            if let event = try Self.decodeEvent(line, request: "WATCH \(target)") { continuation.yield(event) }
                        }
                    }
                }
                if status != 200 {
                    throw ClusterError.api(Self.apiError(HTTPReply(status: status, headers: headers, body: pending), request: "WATCH \(target)"))
                }
                if let event = try Self.decodeEvent(pending, request: "WATCH \(target)") { continuation.yield(event) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return events
    }

    static func decodeEvent(_ line: [UInt8], request: String) throws(ClusterError) -> WatchEvent? {
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { return nil }
        guard let value = JSONReader.values(orNil: line), let type = value["type"]?.stringValue, case .object(let object)? = value["object"] else {
            throw ClusterError.transport("\(request): a watch event is not JSON")
        }
        if type == "ERROR" {
            var code = 500
            if case .int(let number)? = object["code"] { code = Int(number) }
            throw ClusterError.api(apiError(HTTPReply(status: code, headers: [:], body: Array(JSONWriter.compact(.object(object)).utf8)), request: request))
        }
        guard let kind = WatchEvent.Kind(rawValue: type) else { return nil }
        return WatchEvent(kind: kind, object: object)
    }
}
