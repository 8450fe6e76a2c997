import AsyncHTTPClient
import Basics
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// An HTTP response as the fetchers read it.
struct HTTPReply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    /// The URL that answered (after redirects).
    var url: String

    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// One HTTP client for one operation (a lock, a pull, a push), shut down when it ends. Every
/// request has a deadline; redirects are followed here (at most 5), and credentials are dropped
/// when one leads to another host, so a registry's token never reaches a storage bucket.
struct HTTPSession: Sendable {
    let client: HTTPClient
    /// Seconds a whole request may take.
    let deadline: Int64
    /// The largest body accepted.
    let maxBytes: Int
    /// True abandons the request in progress.
    let stopRequested: @Sendable () -> Bool

    /// Runs `body` with a session whose TLS trusts `tls`'s roots and presents its client
    /// certificate; the client is shut down (its connections closed) whatever happens.
    static func with<T: Sendable>(tls: TLSConfiguration? = nil, access: ChartAccess,
                                  _ body: (HTTPSession) async throws -> T) async throws(ChartSourceError) -> T {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(10), read: .seconds(access.deadline)))
        if let tls { configuration.tlsConfiguration = tls }
        // A refused connection or a failed TLS handshake fails at once (the default retries until the
        // connect timeout): the caller says why, and the sync job tries again at its next poll.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result: Result<T, ChartSourceError>
        do {
            result = .success(try await body(HTTPSession(client: client, deadline: access.deadline, maxBytes: access.maxBytes,
                                                         stopRequested: access.stopRequested)))
        } catch let error as ChartSourceError {
            result = .failure(error)
        } catch {
            result = .failure(ChartSourceError("\(error)"))
        }
        try? await client.shutdown()
        return try result.get()
    }

    /// Sends a request and returns whatever status answers (redirects followed).
    func send(_ method: HTTPMethod = .GET, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
              what: String) async throws(ChartSourceError) -> HTTPReply {
        var current = url
        var headers = headers
        for _ in 0...5 {
            var request = HTTPClientRequest(url: current)
            request.method = method
            request.headers.add(name: "User-Agent", value: "gitops")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let reply: HTTPReply
            do {
                reply = try await exchange(request, url: current)
            } catch let error as ChartSourceError {
                throw error
            } catch let error as NIOTooManyBytesError {
                _ = error
                throw ChartSourceError("fetching \(what) from \(Self.shown(current)): the answer is larger than \(maxBytes >> 20) MiB")
            } catch {
                throw ChartSourceError("fetching \(what) from \(Self.shown(current)) failed: \(Self.describe(error))")
            }
            guard [301, 302, 303, 307, 308].contains(reply.status), let location = reply.header("Location") else { return reply }
            let next = Self.resolve(location, against: current)
            if Self.host(of: next) != Self.host(of: current) {
                headers.removeAll { $0.0.lowercased() == "authorization" }
            }
            current = next
        }
        throw ChartSourceError("fetching \(what) from \(Self.shown(url)): more than 5 redirects")
    }

    /// One request and its whole answer, abandoned when a stop is requested.
    private func exchange(_ request: HTTPClientRequest, url: String) async throws -> HTTPReply {
        let client = self.client, deadline = self.deadline, maxBytes = self.maxBytes, stopRequested = self.stopRequested
        return try await withThrowingTaskGroup(of: HTTPReply.self) { group in
            group.addTask {
                let response = try await client.execute(request, deadline: .now() + .seconds(deadline))
                let collected = try await response.body.collect(upTo: maxBytes)
                return HTTPReply(status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView), url: url)
            }
            group.addTask {
                while !stopRequested() { try await Task.sleep(nanoseconds: 100_000_000) }
                throw ChartSourceError("stopped on request while fetching from \(Self.shown(url))")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw ChartSourceError("no answer from \(Self.shown(url))") }
            return first
        }
    }

    /// A GET that must answer 200; other statuses become errors naming what failed.
    func get(_ url: String, headers: [(String, String)] = [], what: String) async throws(ChartSourceError) -> [UInt8] {
        let reply = try await send(.GET, url, headers: headers, what: what)
        try Self.check(reply, what: what)
        return reply.body
    }

    static func check(_ reply: HTTPReply, what: String) throws(ChartSourceError) {
        switch reply.status {
        case 200..<300: return
        case 401, 403:
            throw ChartSourceError("fetching \(what) from \(shown(reply.url)): the server refused access (HTTP \(reply.status)); give its credentials (see `gitops chart --help`)")
        case 404:
            throw ChartSourceError("fetching \(what) from \(shown(reply.url)): not found (HTTP 404)")
        default:
            throw ChartSourceError("fetching \(what) from \(shown(reply.url)): HTTP \(reply.status)")
        }
    }

    /// `location` (absolute, or relative to `base`).
    static func resolve(_ location: String, against base: String) -> String {
        if location.contains("://") { return location }
        guard let url = URL(string: location, relativeTo: URL(string: base)) else { return location }
        return url.absoluteString
    }

    /// `host[:port]` of a URL, lowercased.
    static func host(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return "" }
        var rest = url[scheme.upperBound...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        return rest.lowercased()
    }

    /// A URL as it may be printed: without `user:password@` and without a query (which may hold a
    /// signed token).
    static func shown(_ url: String) -> String {
        var url = url
        if let query = url.firstIndex(of: "?") { url = String(url[..<query]) }
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
              !url[scheme.upperBound..<at].contains("/") else { return url }
        return String(url[..<scheme.upperBound]) + String(url[url.index(after: at)...])
    }

    /// A transport error in a sentence (NIO's descriptions are type names).
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "no answer before the deadline"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(error)"
            }
        }
        let text = "\(error)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS: the server's certificate is not trusted (CERTIFICATE_VERIFY_FAILED); give the repository's CA as caFile in Helm's repositories.yaml"
        }
        if text.contains("CERTIFICATE_REQUIRED") || text.contains("HANDSHAKE_FAILURE_ON_CLIENT_HELLO") {
            return "TLS: the server wants a client certificate; give certFile and keyFile in Helm's repositories.yaml"
        }
        if error is NIOSSLError || text.contains("sslError") { return "TLS: \(text)" }
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }
}
