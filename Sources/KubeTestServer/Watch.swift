import Basics
import Foundation
import KubeModel

/// One change, kept for watches that resume from a resource version.
struct RecordedEvent {
    var resourceVersion: Int
    var type: String
    var info: ResourceInfo
    var key: KubeAPI.StoreKey
    var object: ValueObject
}

/// A watch in progress: what it selects and where its events go.
struct Watcher {
    var info: ResourceInfo
    var namespace: String
    var labelSelector: String?
    var send: @Sendable (Value) -> Void

    func selects(_ info: ResourceInfo, _ key: KubeAPI.StoreKey, _ object: ValueObject) -> Bool {
        info.group == self.info.group && info.resource == self.info.resource && (namespace.isEmpty || key.namespace == namespace)
            && (labelSelector.map { LabelSelector.matches($0, object["metadata"]?["labels"]?.objectValue ?? [:]) } ?? true)
    }
}

/// How a watch request starts: refused, or with the events to send first.
public enum WatchStart: Sendable {
    case refused(APIResponse)
    case started(id: Int, initial: [Value])
}

extension KubeAPI {
    /// How many changes are kept for resuming watches; older resource versions get 410 Gone.
    static let retainedEvents = 1000

    /// Whether a request asks to watch (`?watch=true` on a collection).
    public func isWatch(_ request: APIRequest) -> Bool {
        request.method == "GET" && (request.query["watch"] == "true" || request.query["watch"] == "1")
    }

    /// Starts a watch: events since `resourceVersion` (or ADDED for every current object when it is
    /// absent or 0), then each change as it happens, through `send`, until `stopWatch`.
    public func startWatch(_ request: APIRequest, send: @escaping @Sendable (Value) -> Void) -> WatchStart {
        lock.lock()
        defer { lock.unlock() }
        requestLog.append("WATCH \(request.path)")
        guard authenticated(request) else {
            return .refused(.failure(401, reason: "Unauthorized", "Unauthorized"))
        }
        let info: ResourceInfo, namespace: String
        switch resolve(request.path) {
        case .success(let target) where target.2 == nil: (info, namespace) = (target.0, target.1)
        case .success: return .refused(.failure(405, reason: "MethodNotAllowed", "watch a collection, not a single object"))
        case .failure(let response): return .refused(response)
        }
        let selector = request.query["labelSelector"].flatMap { $0.isEmpty ? nil : $0 }
        let watcher = Watcher(info: info, namespace: namespace, labelSelector: selector, send: send)
        var initial: [Value] = []
        if let from = request.query["resourceVersion"].flatMap(Int.init), from > 0 {
            if let oldest = events.first?.resourceVersion, from < oldest - 1 {
                return .refused(.failure(410, reason: "Expired", "too old resource version: \(from) (\(oldest - 1))"))
            }
            for event in events where event.resourceVersion > from && watcher.selects(event.info, event.key, event.object) {
                initial.append(.object(["type": .string(event.type), "object": .object(event.object)]))
            }
        } else {
            for (key, object) in objects.sorted(by: { ($0.key.namespace, $0.key.name) < ($1.key.namespace, $1.key.name) })
            where watcher.selects(info, key, object) {
                initial.append(.object(["type": "ADDED", "object": .object(object)]))
            }
        }
        nextWatcher += 1
        watchers[nextWatcher] = watcher
        return .started(id: nextWatcher, initial: initial)
    }

    public func stopWatch(_ id: Int) {
        lock.withLock { _ = watchers.removeValue(forKey: id) }
    }

    /// Called with the lock held, after a change is stored.
    func record(_ type: String, info: ResourceInfo, key: StoreKey, object: ValueObject) {
        events.append(RecordedEvent(resourceVersion: resourceVersion, type: type, info: info, key: key, object: object))
        if events.count > Self.retainedEvents { events.removeFirst(events.count - Self.retainedEvents) }
        for watcher in watchers.values where watcher.selects(info, key, object) {
            watcher.send(.object(["type": .string(type), "object": .object(object)]))
        }
    }
}
