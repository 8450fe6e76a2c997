import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The sync job's HTTP surface: `/healthz` (the process), `/readyz` (a first sync completed),
/// `/metrics` (Prometheus), and `POST /hooks/github|gitlab|generic` webhooks that trigger a fetch
/// at once, each checked against the shared secret (GitHub's `X-Hub-Signature-256` HMAC, GitLab's
/// `X-Gitlab-Token`, or for the generic hook an `X-Gitops-Signature` HMAC), and
/// `POST /rollouts/<workload>/promote|abort` with the same secret as a bearer token.
public final class SyncHTTPServer: @unchecked Sendable {
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel

    public init(host: String, port: Int, service: SyncService, webhookSecret: String?, pages: SyncWebPages? = nil) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(SyncHTTPHandler(service: service, secret: webhookSecret, pages: pages))
                }
            }
        channel = try bootstrap.bind(host: host, port: port).wait()
        self.port = channel.localAddress?.port ?? port
    }

    public func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// Whether a webhook request carries the secret: GitHub's and the generic hook's HMAC-SHA256
    /// of the body (`sha256=<hex>`), or GitLab's token, compared in constant time.
    static func authorized(kind: String, headers: [String: String], body: [UInt8], secret: String?) -> Bool {
        guard let secret, !secret.isEmpty else { return false }
        switch kind {
        case "github", "generic":
            // The algorithm name and the hex digits are both read without regard to case: only the MAC counts.
            let header = (headers[kind == "github" ? "x-hub-signature-256" : "x-gitops-signature"] ?? "").lowercased()
            guard header.hasPrefix("sha256=") else { return false }
            let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
            let expected = mac.map { String(format: "%02x", $0) }.joined()
            return constantTimeEqual(Array(header.dropFirst(7).utf8), Array(expected.utf8))
        case "gitlab":
            return constantTimeEqual(Array((headers["x-gitlab-token"] ?? "").utf8), Array(secret.utf8))
        default:
            return false
        }
    }

    /// The `ref` of a push event's JSON body (GitHub's, GitLab's, or a generic one that sends it).
    static func pushedRef(_ body: [UInt8]) -> String? {
        guard !body.isEmpty, let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        return json["ref"] as? String
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

private final class SyncHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let service: SyncService
    let secret: String?
    let pages: SyncWebPages?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    static let maximumBody = 4 << 20

    init(service: SyncService, secret: String?, pages: SyncWebPages?) {
        self.service = service
        self.secret = secret
        self.pages = pages
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            bodyTooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes <= Self.maximumBody {
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            } else {
                bodyTooLarge = true
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if head.method == .POST, head.uri.hasPrefix("/rollouts/") {
                answerRollout(head, context: context)
                return
            }
            let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
            if head.method == .GET, let pages, !["/healthz", "/readyz", "/metrics"].contains(path) {
                answerPage(head, path: path, pages: pages, context: context)
                return
            }
            let (status, text) = answer(head)
            respond(head, status: status, text: text, context: context)
        }
    }

    private func respond(_ head: HTTPRequestHead, status: HTTPResponseStatus, text: String, context: ChannelHandlerContext,
                         type: String? = nil, extra: [(String, String)] = []) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: type ?? (head.uri == "/metrics" ? "text/plain; version=0.0.4" : "text/plain"))
        for (name, value) in extra { headers.add(name: name, value: value) }
        headers.add(name: "content-length", value: String(text.utf8.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// A dashboard page: the token checked first (when one is needed), the page made off the
    /// event loop (it may render and read the cluster), answered when done.
    private func answerPage(_ head: HTTPRequestHead, path: String, pages: SyncWebPages, context: ChannelHandlerContext) {
        if let why = pages.disabled {
            return respond(head, status: .forbidden, text: why + "\n", context: context)
        }
        if let token = pages.token, !SyncWebPages.authorized(head.headers["authorization"].first, token: token) {
            return respond(head, status: .unauthorized, text: "the dashboard needs its token: Authorization: Bearer <token>, or the token as the password\n",
                           context: context, extra: [("WWW-Authenticate", "Basic realm=\"gitops dashboard\", charset=\"UTF-8\"")])
        }
        var query: [String: String] = [:]
        for item in URLComponents(string: head.uri)?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        Task {
            let answer = await pages.answer(path, query)
            loop.execute {
                let (handler, context) = bound.value
                guard let answer else { return handler.respond(head, status: .notFound, text: "not found\n", context: context) }
                handler.respond(head, status: HTTPResponseStatus(statusCode: answer.status), text: answer.body, context: context,
                                type: answer.contentType, extra: answer.headers)
            }
        }
    }

    /// `POST /rollouts/<workload>/promote|abort` with `Authorization: Bearer <webhook secret>`:
    /// recorded off the event loop (an API call), answered when done.
    private func answerRollout(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let parts = head.uri.split(separator: "?").first.map { $0.split(separator: "/").map(String.init) } ?? []
        guard parts.count == 3, ["promote", "abort"].contains(parts[2]) else {
            return respond(head, status: .notFound, text: "POST /rollouts/<workload>/promote or /rollouts/<workload>/abort\n", context: context)
        }
        let token = head.headers["authorization"].first.flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        guard let secret, !secret.isEmpty, SyncHTTPServer.constantTimeEqual(Array(token.utf8), Array(secret.utf8)) else {
            service.log.error("rollout request refused: missing or wrong bearer token", ["path": parts.joined(separator: "/")])
            return respond(head, status: .unauthorized, text: "send the webhook secret as Authorization: Bearer <secret>\n", context: context)
        }
        let by = head.headers["x-gitops-user"].first.map { String($0.prefix(64)) } ?? "an HTTP client"
        let service = self.service
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        Task {
            let (ok, message) = await service.requestRollout(workload: parts[1], action: parts[2], by: by)
            loop.execute {
                let (handler, context) = bound.value
                handler.respond(head, status: ok ? .accepted : .conflict, text: message.hasSuffix("\n") ? message : message + "\n", context: context)
            }
        }
    }

    private func answer(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String) {
        let path = String(head.uri.split(separator: "?").first ?? "")
        switch (head.method, path) {
        case (.GET, "/healthz"): return (.ok, "ok\n")
        case (.GET, "/readyz"): return service.metrics.ready ? (.ok, "ready\n") : (.serviceUnavailable, "no sync has completed yet\n")
        case (.GET, "/metrics"): return (.ok, service.metrics.text())
        case (.POST, let hook) where hook.hasPrefix("/hooks/"):
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let kind = String(hook.dropFirst("/hooks/".count))
            guard ["github", "gitlab", "generic"].contains(kind) else { return (.notFound, "hooks: github, gitlab, generic\n") }
            guard !bodyTooLarge else {
                service.log.error("webhook refused: body over 4 MiB; polling will pick the change up", ["hook": kind])
                return (.payloadTooLarge, "body over 4 MiB; the next poll fetches anyway\n")
            }
            guard SyncHTTPServer.authorized(kind: kind, headers: headers, body: body, secret: secret) else {
                service.log.error("webhook refused: missing or wrong signature", ["hook": kind])
                return (.unauthorized, "missing or wrong signature\n")
            }
            if headers["x-github-event"] == "ping" { return (.ok, "pong\n") }
            // A push event names its branch: pushes to other branches are no reason to fetch.
            if let branch = service.configuration.source.branch, let ref = SyncHTTPServer.pushedRef(body), ref != "refs/heads/\(branch)" {
                service.log.info("webhook: a push to another branch; nothing to do", ["hook": kind, "ref": ref])
                return (.ok, "ignored: \(ref) is not refs/heads/\(branch)\n")
            }
            service.log.info("webhook: fetching now", ["hook": kind])
            service.trigger()
            return (.accepted, "fetching\n")
        default:
            return (.notFound, "not found\n")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
