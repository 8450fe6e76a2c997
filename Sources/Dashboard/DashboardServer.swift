import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Holds the dashboard's current state and makes a new one every `interval` seconds in the
/// background, so pages are served from memory (never a render per request).
public actor DashboardStore {
    private var state: DashboardState
    private let load: @Sendable () async -> DashboardState
    /// With a `maxAge`, a page asked for after that many seconds waits for a new state (one load
    /// for every page waiting); without, the state is what the last `refresh()` made.
    private let maxAge: Double?
    private var loading: Task<DashboardState, Never>?

    public init(load: @escaping @Sendable () async -> DashboardState) async {
        self.load = load
        maxAge = nil
        state = await load()
    }

    /// A store that loads only when a page is asked for and the state is older than `maxAge`
    /// seconds (the sync job: nothing is rendered while nobody looks).
    public init(maxAge: Double, load: @escaping @Sendable () async -> DashboardState) {
        self.load = load
        self.maxAge = maxAge
        state = .empty(revision: "not read yet")
        state.snapshot.loadedAt = 0
    }

    public var current: DashboardState {
        get async {
            if let maxAge, Date().timeIntervalSince1970 - state.snapshot.loadedAt > maxAge { await refresh() }
            return state
        }
    }

    public func refresh() async {
        if let loading { state = await loading.value; return }
        let task = Task { await load() }
        loading = task
        state = await task.value
        loading = nil
    }
}

/// One answer of the dashboard, whoever serves it (`gitops ui`'s Hummingbird server or the sync
/// job's port).
public struct DashboardResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: String

    /// Every response says what it is and forbids what the pages never need (scripts from
    /// elsewhere, framing, sniffing, caching).
    public static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
    ]
}

/// The dashboard's pages and JSON by path: what both servers answer for a GET.
public struct DashboardSite: Sendable {
    public let store: DashboardStore
    /// The repository's history (the history and compare pages); nil: not a Git repository.
    public let history: DashboardHistory?
    let pages = DashboardPages()

    public init(store: DashboardStore, history: DashboardHistory? = nil) {
        self.store = store
        self.history = history
    }

    /// The answer for `GET path?query` (`path` as sent, percent-encoded); nil: not a dashboard path.
    public func answer(path: String, query: [String: String]) async -> DashboardResponse? {
        if path == "/assets/dashboard.css" { return .init(status: 200, contentType: "text/css; charset=utf-8", body: DashboardTemplates.css) }
        if path == "/assets/dashboard.js" { return .init(status: 200, contentType: "text/javascript; charset=utf-8", body: DashboardTemplates.javascript) }
        let api = path.hasPrefix("/api/v1/")
        let route = api ? String(path.dropFirst("/api/v1".count)) : path
        let parts = route.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let state = await store.current
        func missing(_ message: String) -> DashboardResponse {
            api ? Self.json(["error": message], status: 404) : Self.html(pages.notFound(state, message), status: 404)
        }
        switch parts.first {
        case nil where !api:
            return Self.html(pages.environments(state, branches: await history?.branches() ?? []))
        case "branches"? where parts.count == 1 && api:
            return Self.json(await history?.branches() ?? [])
        case "environments"?:
            if parts.count == 1 { return api ? Self.json(state.snapshot) : nil }
            let name = parts[1].removingPercentEncoding ?? parts[1]
            guard let environment = state.environment(named: name) else { return missing("No environment '\(name)'.") }
            if parts.count == 2 {
                if api { return Self.json(environment) }
                let branches = (await history?.branches() ?? []).filter { $0.environment == environment.name }
                return Self.html(pages.environment(state, environment, branches: branches))
            }
            guard parts.count == 6, parts[2] == "objects", let view = state.objects[route] else { return missing("No such object in the repository.") }
            return api ? Self.json(view) : Self.html(pages.object(state, view, split: query["view"] == "split"))
        case "history"? where parts.count == 1:
            guard let history else { return missing("No history: the dashboard does not read a Git repository.") }
            let commits = await history.commits(environments: state.snapshot.environments.map(\.name))
            return api ? Self.json(commits) : Self.html(pages.history(state, commits))
        case "compare"? where parts.count == 1:
            guard let history else { return missing("No comparisons: the dashboard does not read a Git repository.") }
            let from = query["from"] ?? "", to = query["to"] ?? ""
            if from.isEmpty || to.isEmpty {
                return api ? Self.json(["error": "pass ?from=REV&to=REV"], status: 400) : Self.html(pages.compareForm(state, from: from, to: to))
            }
            let comparison = await history.compare(from: from, to: to)
            return api ? Self.json(comparison) : Self.html(pages.compare(state, comparison))
        default:
            return api ? missing("No such endpoint.") : nil
        }
    }

    /// The page for a path the dashboard does not have.
    public func notFound() async -> DashboardResponse {
        Self.html(pages.notFound(await store.current, "No such page."), status: 404)
    }

    static func html(_ text: String, status: Int = 200) -> DashboardResponse {
        DashboardResponse(status: status, contentType: "text/html; charset=utf-8", body: text)
    }

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> DashboardResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return DashboardResponse(status: status, contentType: "application/json", body: text + "\n")
    }
}

/// `gitops ui`'s HTTP server (Hummingbird): the site's pages, their JSON under `/api/v1`, and the
/// assets, all read-only.
public struct DashboardServer: Sendable {
    public let site: DashboardSite

    public init(site: DashboardSite) { self.site = site }

    /// Serves on `host:port` until the task is cancelled; `started` gets the port bound (for port 0).
    public func run(host: String, port: Int, started: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "gitops"),
                              onServerRunning: { channel in started(channel.localAddress?.port ?? port) })
        try await app.runService()
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let site = self.site
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var query: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
            if let answer = await site.answer(path: request.uri.path, query: query) { return Self.response(answer) }
            return Self.response(await site.notFound())
        }
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/", use: handler)
        router.get("**", use: handler)
        return router
    }

    static func response(_ answer: DashboardResponse) -> Response {
        var headers = HTTPFields()
        for (name, value) in DashboardResponse.securityHeaders { headers[HTTPField.Name(name)!] = value }
        headers[.contentType] = answer.contentType
        return Response(status: .init(code: answer.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
