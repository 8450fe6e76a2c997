import Foundation
import Hummingbird
import NIOCore

/// Holds the dashboard's current state and makes a new one every `interval` seconds in the
/// background, so pages are served from memory (never a render per request).
public actor DashboardStore {
    private var state: DashboardState
    private let load: @Sendable () async -> DashboardState

    public init(load: @escaping @Sendable () async -> DashboardState) async {
        self.load = load
        state = await load()
    }

    public var current: DashboardState { state }

    public func refresh() async { state = await load() }
}

/// `gitops ui`'s HTTP server (Hummingbird): the pages, their JSON under `/api/v1`, and the
/// assets, all read-only. Every response says what it is and forbids what the pages never need
/// (scripts from elsewhere, framing, sniffing).
public struct DashboardServer: Sendable {
    public let store: DashboardStore
    let pages = DashboardPages()

    public init(store: DashboardStore) { self.store = store }

    /// Serves on `host:port` until the task is cancelled; `started` gets the port bound (for port 0).
    public func run(host: String, port: Int, started: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "gitops"),
                              onServerRunning: { channel in started(channel.localAddress?.port ?? port) })
        try await app.runService()
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let store = self.store, pages = self.pages
        router.get("/") { _, _ in
            Self.html(pages.environments(await store.current))
        }
        router.get("/environments/:name") { _, context in
            let state = await store.current
            let name = context.parameters.get("name") ?? ""
            guard let environment = state.environment(named: name) else { return Self.html(pages.notFound(state, "No environment '\(name)'."), status: .notFound) }
            return Self.html(pages.environment(state, environment))
        }
        router.get("/environments/:name/objects/:kind/:namespace/:object") { request, _ in
            let state = await store.current
            guard let view = state.objects[request.uri.path] else { return Self.html(pages.notFound(state, "No such object in the repository."), status: .notFound) }
            return Self.html(pages.object(state, view))
        }
        router.get("/api/v1/environments") { _, _ in
            Self.json(await store.current.snapshot)
        }
        router.get("/api/v1/environments/:name") { _, context in
            let state = await store.current
            guard let environment = state.environment(named: context.parameters.get("name") ?? "") else { return Self.json(["error": "no such environment"], status: .notFound) }
            return Self.json(environment)
        }
        router.get("/api/v1/environments/:name/objects/:kind/:namespace/:object") { request, _ in
            let state = await store.current
            guard let view = state.objects[String(request.uri.path.dropFirst("/api/v1".count))] else { return Self.json(["error": "no such object"], status: .notFound) }
            return Self.json(view)
        }
        router.get("/assets/dashboard.css") { _, _ in Self.asset(DashboardTemplates.css, type: "text/css; charset=utf-8") }
        router.get("/assets/dashboard.js") { _, _ in Self.asset(DashboardTemplates.javascript, type: "text/javascript; charset=utf-8") }
        router.get("/healthz") { _, _ in "ok\n" }
        return router
    }

    static let securityHeaders: HTTPFields = [
        .init("Content-Security-Policy")!: "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'",
        .init("X-Content-Type-Options")!: "nosniff",
        .init("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-store",
    ]

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        response(text, type: "text/html; charset=utf-8", status: status)
    }

    static func asset(_ text: String, type: String) -> Response { response(text, type: type, status: .ok) }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return response(text + "\n", type: "application/json", status: status)
    }

    static func response(_ text: String, type: String, status: HTTPResponse.Status) -> Response {
        var headers = securityHeaders
        headers[.contentType] = type
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
