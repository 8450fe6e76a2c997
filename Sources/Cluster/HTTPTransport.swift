import Foundation
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

    deinit { try? group.syncShutdownGracefully() }

    /// Sends one request and reads the whole response, within `timeout`.
    func send(method: String, target: String, headers: [String: String], body: [UInt8], timeout: TimeAmount) async throws(ClusterError) -> HTTPReply {
        let tls: TLSConfiguration
        do { tls = try tlsConfiguration() } catch let error as ClusterError { throw error } catch { throw .transport("TLS set-up failed: \(error)") }
        let sniHost = tlsServerName
        let promise = group.next().makePromise(of: HTTPReply.self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { [secure] channel in
                channel.eventLoop.makeCompletedFuture {
                    if secure {
                        let context = try NIOSSLContext(configuration: tls)
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: sniHost))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ReplyCollector(promise: promise))
                }
            }
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            let deadline = channel.eventLoop.scheduleTask(in: timeout) {
                promise.fail(ClusterError.timeout("no answer from \(self.connection.server.absoluteString) within \(timeout.nanoseconds / 1_000_000_000) s"))
                channel.close(promise: nil)
            }
            var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: target)
            head.headers.add(name: "host", value: port == (secure ? 443 : 80) ? host : "\(host):\(port)")
            head.headers.add(name: "user-agent", value: "gitops")
            head.headers.add(name: "connection", value: "close")
            head.headers.add(name: "content-length", value: String(body.count))
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            defer {
                deadline.cancel()
                channel.close(promise: nil)
            }
            return try await promise.futureResult.get()
        } catch let error as ClusterError {
            promise.fail(error)
            throw error
        } catch {
            promise.fail(error)
            throw .transport(Self.describe(error, server: connection.server.absoluteString))
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
        if let connect = error as? NIOConnectionError {
            return "cannot connect to \(server): \(connect.connectionErrors.first.map { "\($0.error)" } ?? "\(connect)")"
        }
        if error is ChannelError { return "the connection to \(server) failed: \(error)" }
        return "the request to \(server) failed: \(error)"
    }
}

/// Collects the response of one request.
private final class ReplyCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<HTTPReply>
    private var reply = HTTPReply(status: 0, headers: [:], body: [])

    init(promise: EventLoopPromise<HTTPReply>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            reply.status = Int(head.status.code)
            for (name, value) in head.headers { reply.headers[name.lowercased()] = value }
        case .body(var buffer):
            reply.body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            promise.succeed(reply)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ClusterError.transport("the server closed the connection before answering"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
