import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP response, body read whole. Header names are lower-cased.
public struct HTTPReply: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
}

/// HTTP/1.1 over TLS to one API server, one connection per request. TLS is verified against the
/// kubeconfig's CA (or the system's roots) unless `insecure-skip-tls-verify` says otherwise; the
/// client certificate, when there is one, comes from the credentials on every request, so a
/// rotated exec-plugin certificate is picked up.
final class HTTPTransport: Sendable {
    let connection: ClusterConnection
    private let group: MultiThreadedEventLoopGroup
    private let host: String
    private let port: Int
    private let secure: Bool
    private let baseTLS: TLSConfiguration
    private let pool = NIOLockedValueBox<[PooledConnection]>([])
    /// Abandons every wait when a stop is asked for.
    let interruption = Interruption()

    init(connection: ClusterConnection) throws(ClusterError) {
        self.connection = connection
        guard let host = connection.server.host, let scheme = connection.server.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            throw ClusterError.configuration("the server address \(connection.server.absoluteString) is not an http(s) URL")
        }
        self.host = host
        secure = scheme == "https"
        port = connection.server.port ?? (secure ? 443 : 80)
        var tls = TLSConfiguration.makeClientConfiguration()
        if connection.insecureSkipTLSVerify {
            tls.certificateVerification = .none
        } else if let ca = connection.caCertificates {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            } catch {
                throw ClusterError.configuration("the cluster's certificate authority is not a readable PEM certificate")
            }
        }
        baseTLS = tls
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    // Not `syncShutdownGracefully`: the last reference may go on an event loop (a client held by
    // an HTTP handler released when a server stops), where blocking is a crash.
    deinit {
        for connection in pool.withLockedValue({ $0 }) { connection.channel.close(promise: nil) }
        group.shutdownGracefully { _ in }
    }

    /// Sends one request and reads the whole response, within `timeout`. Connections are kept
    /// alive and reused (a few idle ones per client); one that the server closed in the meantime
    /// fails the request as a transport error, which callers retry.
    func send(method: String, target: String, headers: [String: String], body: [UInt8], timeout: TimeAmount) async throws(ClusterError) -> HTTPReply {
        let connection: PooledConnection
        do {
            connection = try await checkOut(timeout: timeout)
        } catch let error as ClusterError {
            throw error
        } catch {
            throw .transport(Self.describe(error, server: self.connection.server.absoluteString))
        }
        let channel = connection.channel
        let head = requestHead(method, target, headers.merging(["content-length": String(body.count)]) { $1 })
        let server = self.connection.server.absoluteString
        let interruption = self.interruption
        let future: EventLoopFuture<HTTPReply> = channel.eventLoop.flatSubmit { [head] in
            let promise = channel.eventLoop.makePromise(of: HTTPReply.self)
            connection.collector.expect(promise)
            let deadline = channel.eventLoop.scheduleTask(in: timeout) {
                promise.fail(ClusterError.timeout("no answer from \(server) within \(Self.seconds(timeout)) s"))
                channel.close(promise: nil)
            }
            // A stop request abandons the wait (the TLS handshake, the answer's head or body) at once.
            let token = interruption.register {
                promise.fail(ClusterError.interrupted("stopped on request while waiting for \(server)"))
                channel.close(promise: nil)
            }
            promise.futureResult.whenComplete { _ in
                deadline.cancel()
                interruption.unregister(token)
            }
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return promise.futureResult
        }
        do {
            let reply = try await future.get()
            if reply.headers["connection"]?.lowercased() == "close" { channel.close(promise: nil) } else { checkIn(connection) }
            return reply
        } catch let error as ClusterError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            if error is NIOSSLError || error is BoringSSLError { throw .tls(Self.describe(error, server: server)) }
            throw .transport(Self.describe(error, server: server))
        }
    }

    /// One piece of a streamed response.
    enum StreamPart: Sendable {
        case head(status: Int, headers: [String: String])
        case body([UInt8])
    }

    /// Sends a request on a connection of its own and streams the response as it arrives (for
    /// watches); the connection closes when the stream ends or its consumer stops.
    func stream(method: String, target: String, headers: [String: String], connectTimeout: TimeAmount) async throws(ClusterError) -> AsyncThrowingStream<StreamPart, Error> {
        let (parts, continuation) = AsyncThrowingStream<StreamPart, Error>.makeStream()
        let channel: Channel
        do {
            channel = try await connect(tls: try tlsConfiguration(), timeout: connectTimeout, handler: StreamForwarder(continuation: continuation))
        } catch let error as ClusterError {
            throw error
        } catch {
            throw .transport(Self.describe(error, server: connection.server.absoluteString))
        }
        continuation.onTermination = { _ in channel.close(promise: nil) }
        let head = requestHead(method, target, headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        return parts
    }

    /// An idle connection made with the same client identity, or a new one.
    private func checkOut(timeout: TimeAmount) async throws -> PooledConnection {
        let tls = try tlsConfiguration()
        let identity = tls.certificateChain.description
        while let idle = pool.withLockedValue({ connections -> PooledConnection? in
            guard let index = connections.firstIndex(where: { $0.identity == identity }) else { return nil }
            return connections.remove(at: index)
        }) {
            if idle.channel.isActive { return idle }
        }
        let collector = ReplyCollector()
        let channel = try await connect(tls: tls, timeout: timeout, handler: collector)
        return PooledConnection(channel: channel, collector: collector, identity: identity)
    }

    private func requestHead(_ method: String, _ target: String, _ headers: [String: String]) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: target)
        head.headers.add(name: "host", value: port == (secure ? 443 : 80) ? host : "\(host):\(port)")
        head.headers.add(name: "user-agent", value: "gitops")
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head.headers.add(name: name, value: value) }
        return head
    }

    /// `timeout` in whole seconds, at least 1, for messages.
    static func seconds(_ timeout: TimeAmount) -> Int64 { max(1, (timeout.nanoseconds + 500_000_000) / 1_000_000_000) }

    /// A new connection: TLS (when https), HTTP/1.1, then `handler` for the responses; abandoned
    /// when a stop is asked for.
    private func connect(tls: TLSConfiguration, timeout: TimeAmount, handler: some ChannelInboundHandler & Sendable) async throws -> Channel {
        let server = connection.server.absoluteString
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: Channel.self)
        let token = interruption.register {
            promise.fail(ClusterError.interrupted("stopped on request while connecting to \(server)"))
        }
        let attempt = makeConnection(tls: tls, timeout: timeout, handler: handler)
        attempt.whenSuccess { channel in
            promise.futureResult.whenComplete { result in
                // Abandoned meanwhile: the late connection is closed.
                if case .failure = result { channel.close(promise: nil) }
            }
            promise.succeed(channel)
        }
        attempt.whenFailure { promise.fail($0) }
        defer { interruption.unregister(token) }
        return try await promise.futureResult.get()
    }

    private func makeConnection(tls: TLSConfiguration, timeout: TimeAmount, handler: some ChannelInboundHandler & Sendable) -> EventLoopFuture<Channel> {
        let sniHost = tlsServerName
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { [secure] channel in
                channel.eventLoop.makeCompletedFuture {
                    if secure {
                        let context = try NIOSSLContext(configuration: tls)
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: sniHost))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        return bootstrap.connect(host: host, port: port)
    }

    private func checkIn(_ connection: PooledConnection) {
        pool.withLockedValue { connections in
            if connections.count < 8 { connections.append(connection) } else { connection.channel.close(promise: nil) }
        }
    }

    /// SNI and the name the certificate must carry: `tls-server-name`, else the host unless it is
    /// an IP address (then the certificate's IP addresses are checked against the peer).
    private var tlsServerName: String? {
        if let name = connection.tlsServerName { return name }
        let isIP = host.contains(":") || host.split(separator: ".").allSatisfy { UInt8($0) != nil }
        return isIP ? nil : host
    }

    private func tlsConfiguration() throws -> TLSConfiguration {
        var tls = baseTLS
        if let identity = try connection.credentials.clientIdentity() {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(identity.certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: identity.key, format: .pem))
            } catch {
                throw ClusterError.configuration("the client certificate or key is not readable PEM")
            }
        }
        return tls
    }

    private static func describe(_ error: Error, server: String) -> String {
        if let tls = error as? NIOSSLError { return "TLS with \(server) failed: \(tls)" }
        if let tls = error as? BoringSSLError { return "TLS with \(server) failed: \(tls)" }
        if let connect = error as? NIOConnectionError {
            return "cannot connect to \(server): \(connect.connectionErrors.first.map { reason(of: $0.error) } ?? "\(connect)")"
        }
        if let io = error as? IOError { return "the connection to \(server) failed: \(reason(of: io))" }
        if error is ChannelError { return "the connection to \(server) failed: \(error)" }
        return "the request to \(server) failed: \(error)"
    }
}

extension HTTPTransport {
    /// An error's cause in a few plain words: the system's text for an errno (`Connection
    /// refused`), not NIO's nested description.
    static func reason(of error: Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if case ChannelError.connectTimeout(let amount)? = error as? ChannelError { return "no connection within \(seconds(amount)) s" }
        return "\(error)"
    }
}

/// A kept-alive connection and the handler that collects its answers.
struct PooledConnection: Sendable {
    var channel: Channel
    var collector: ReplyCollector
    /// The client certificate it was made with, so a rotated one gets a new connection.
    var identity: String
}

/// Collects the response to the request in flight on its connection.
final class ReplyCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private var promise: EventLoopPromise<HTTPReply>?
    private var reply = HTTPReply(status: 0, headers: [:], body: [])
    /// Why the connection ended before a request was waiting (a failed TLS handshake, a close).
    private var ended: Error?

    /// Called on the channel's event loop before the request is written.
    func expect(_ promise: EventLoopPromise<HTTPReply>) {
        if let ended {
            promise.fail(ended)
            return
        }
        self.promise = promise
        reply = HTTPReply(status: 0, headers: [:], body: [])
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            reply.status = Int(head.status.code)
            for (name, value) in head.headers { reply.headers[name.lowercased()] = value }
        case .body(var buffer):
            reply.body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            promise?.succeed(reply)
            promise = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let error = ended ?? ClusterError.transport("the server closed the connection before answering")
        ended = error
        promise?.fail(error)
        promise = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if ended == nil { ended = error }
        promise?.fail(error)
        promise = nil
        context.close(promise: nil)
    }
}

/// Forwards a streamed response to an async stream.
final class StreamForwarder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private let continuation: AsyncThrowingStream<HTTPTransport.StreamPart, Error>.Continuation

    init(continuation: AsyncThrowingStream<HTTPTransport.StreamPart, Error>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            continuation.yield(.head(status: Int(head.status.code), headers: headers))
        case .body(var buffer):
            continuation.yield(.body(buffer.readBytes(length: buffer.readableBytes) ?? []))
        case .end:
            continuation.finish()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish(throwing: ClusterError.transport("the server closed the watch"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }
}
