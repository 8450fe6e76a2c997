import Basics
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The test API server over HTTPS on 127.0.0.1, with its own CA and a bearer token.
/// A test double for the client and `gitops diff`, not a cluster.
public final class KubeTestHTTPSServer: @unchecked Sendable {
    public let api: KubeAPI
    /// The port it listens on (chosen by the system when 0 was asked for).
    public let port: Int
    /// The CA that signed the server's certificate (PEM).
    public let caPEM: String
    private let certificates: TestCertificates
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel

    public convenience init(api: KubeAPI = KubeAPI(), port: Int = 0) throws {
        try self.init(api: api, port: port, certificates: try TestCertificates())
    }

    private init(api: KubeAPI, port: Int, certificates: TestCertificates) throws {
        self.api = api
        self.certificates = certificates
        caPEM = certificates.caPEM
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificates.serverCertificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificates.serverKeyPEM.utf8), format: .pem)))
        // Client certificates are optional; one that is presented must be signed by the CA.
        configuration.certificateVerification = .optionalVerification
        configuration.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(certificates.caPEM.utf8), format: .pem)])
        let context = try NIOSSLContext(configuration: configuration)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(APIChannelHandler(api: api))
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
        self.port = channel.localAddress?.port ?? port
    }

    /// A kubeconfig for this server (context `kube-test-server`).
    public func kubeconfig() -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: kube-test-server
        clusters:
          - name: kube-test-server
            cluster:
              server: https://127.0.0.1:\(port)
              certificate-authority-data: \(Data(caPEM.utf8).base64EncodedString())
        users:
          - name: kube-test-server
            user:
              token: \(api.token)
        contexts:
          - name: kube-test-server
            context: {cluster: kube-test-server, user: kube-test-server, namespace: default}

        """
    }

    /// A client certificate and key (PEM) the server accepts as `user`.
    public func clientCertificate(user: String) throws -> (certificatePEM: String, keyPEM: String) {
        try certificates.clientCertificate(user: user)
    }

    public func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// Stops this server (every open connection is cut) and starts it again on the same port with
    /// the same certificates and the same objects, as an API server restarts over its etcd.
    /// `downtime` seconds pass between the stop and the start, when the port refuses connections.
    public func restarted(after downtime: Double = 0) throws -> KubeTestHTTPSServer {
        shutdown()
        if downtime > 0 { Thread.sleep(forTimeInterval: downtime) }
        return try KubeTestHTTPSServer(api: api, port: port, certificates: certificates)
    }
}

/// Collects one request and answers it from the API.
final class APIChannelHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let api: KubeAPI
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var watchID: Int?

    init(api: KubeAPI) { self.api = api }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            var request = APIRequest(method: head.method.rawValue, uri: head.uri, headers: headers, body: body)
            if let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
               let certificate = handler.peerCertificate, let der = try? certificate.toDERBytes() {
                request.clientCertificateUser = TestCertificates.commonName(der: der)
            }
            self.head = nil
            if api.isWatch(request) {
                startWatch(request, head: head, context: context)
                return
            }
            let response = api.handle(request)
            if response.dropConnection {
                context.close(promise: nil)
                return
            }
            if response.delaySeconds > 0 {
                let channel = context.channel
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(response.delaySeconds * 1000))) {
                    guard channel.isActive, let handler = try? channel.pipeline.syncOperations.context(handlerType: APIChannelHandler.self) else { return }
                    self.respond(response, to: head, context: handler)
                }
                return
            }
            respond(response, to: head, context: context)
        }
    }

    /// A watch: a chunked stream of JSON events, one per line, until the client goes, the
    /// server stops, or `timeoutSeconds` pass.
    private func startWatch(_ request: APIRequest, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let channel = context.channel
        let loop = context.eventLoop
        /// This handler's context, looked up on the channel's event loop.
        @Sendable func onLoop(_ body: @escaping @Sendable (APIChannelHandler, ChannelHandlerContext) -> Void) {
            loop.execute {
                guard channel.isActive, let context = try? channel.pipeline.syncOperations.context(handlerType: APIChannelHandler.self),
                      let handler = context.handler as? APIChannelHandler else { return }
                body(handler, context)
            }
        }
        let started = api.startWatch(request) { event in onLoop { handler, context in handler.writeEvent(event, context: context) } }
        switch started {
        case .refused(let response):
            respond(response, to: head, context: context)
        case .started(let id, let initial):
            watchID = id
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "transfer-encoding", value: "chunked")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            for event in initial { writeEvent(event, context: context) }
            context.flush()
            if let seconds = request.query["timeoutSeconds"].flatMap(Int64.init), seconds > 0 {
                loop.scheduleTask(in: .seconds(seconds)) { onLoop { handler, context in handler.endWatch(context: context) } }
            }
        }
    }

    private func writeEvent(_ event: Value, context: ChannelHandlerContext) {
        let line = JSONWriter.compact(event) + "\n"
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: line)))), promise: nil)
    }

    private func endWatch(context: ChannelHandlerContext) {
        if let watchID { api.stopWatch(watchID) }
        watchID = nil
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let watchID { api.stopWatch(watchID) }
        watchID = nil
        context.fireChannelInactive()
    }

    private func respond(_ response: APIResponse, to head: HTTPRequestHead, context: ChannelHandlerContext) {
        var responseHeaders = HTTPHeaders()
        for (name, value) in response.headers { responseHeaders.add(name: name, value: value) }
        responseHeaders.add(name: "content-length", value: String(response.body.count))
        let keepAlive = head.isKeepAlive
        if !keepAlive { responseHeaders.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: response.status),
                                                              headers: responseHeaders))), promise: nil)
        if response.truncate {
            let half = Array(response.body.prefix(response.body.count / 2))
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: half)))))
                .whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
            return
        }
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
