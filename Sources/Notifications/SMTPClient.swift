import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A message for an SMTP server: plain UTF-8 text.
struct MailMessage: Sendable {
    var from: String
    var to: [String]
    var subject: String
    var body: String

    /// The message as it goes after DATA: headers (no line breaks from user data in them), the
    /// body with CRLF line ends and leading dots doubled, without the final dot.
    func encoded(date: Date = Date(), id: String = UUID().uuidString) -> String {
        func header(_ text: String) -> String {
            text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let subject = header(subject)
        // A subject that is not ASCII goes as an RFC 2047 encoded word.
        let encodedSubject = subject.allSatisfy(\.isASCII) ? subject : "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let domain = from.split(separator: "@").last.map(String.init) ?? "gitops"
        var lines = [
            "From: \(header(from))",
            "To: \(to.map(header).joined(separator: ", "))",
            "Subject: \(encodedSubject)",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(id)@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "Auto-Submitted: auto-generated",
            "",
        ]
        for line in body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(line.hasPrefix(".") ? "." + line : String(line))
        }
        return lines.joined(separator: "\r\n")
    }
}

/// An SMTP server to send through.
struct MailServer: Sendable {
    enum Security: String, Sendable { case startTLS = "starttls", implicit, none }
    var host: String
    var port: Int
    var security: Security
    var username: String?
    var password: String?
    /// A PEM file of the certificate authorities to trust instead of the system's (a private relay).
    var caFile: String?
}

/// Why a message was not sent: `permanent` for a 5xx answer or a failed TLS handshake (a retry will not help).
struct MailError: Error, CustomStringConvertible {
    var description: String
    var permanent = false
}

/// SMTP (RFC 5321) over SwiftNIO: STARTTLS (or TLS from the start), AUTH PLAIN, one message.
enum SMTPClient {
    /// Sends `message` through `server`; the whole conversation must end within `timeout` seconds.
    static func send(_ message: MailMessage, via server: MailServer, timeout: Double) async throws -> Void {
        let lines = LineStream()
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(Int64(min(timeout, 10) * 1000)))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if server.security == .implicit { try channel.pipeline.syncOperations.addHandler(try tlsHandler(server)) }
                        try channel.pipeline.syncOperations.addHandler(LineHandler(stream: lines))
                    }
                }
                .connect(host: server.host, port: server.port).get()
        } catch {
            throw MailError(description: "cannot connect to \(server.host):\(server.port): \(error)")
        }
        let deadline = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            lines.finish(MailError(description: "no answer from \(server.host):\(server.port) in \(Int(timeout)) s"))
            channel.close(promise: nil)
        }
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        let session = Session(channel: channel, lines: lines)
        try await session.expect(220, "the greeting")
        var capabilities = try await session.command("EHLO gitops", expect: 250)
        if server.security == .startTLS {
            guard capabilities.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                throw MailError(description: "\(server.host):\(server.port) does not offer STARTTLS; use tls: implicit (port 465), or tls: none for a relay on a trusted network", permanent: true)
            }
            _ = try await session.command("STARTTLS", expect: 220)
            // Made on the channel's loop: a TLS handler never crosses threads.
            try await channel.eventLoop.submit { try channel.pipeline.syncOperations.addHandler(try tlsHandler(server), position: .first) }.get()
            capabilities = try await session.command("EHLO gitops", expect: 250)
        }
        if let username = server.username, let password = server.password {
            guard capabilities.contains(where: { $0.uppercased().hasPrefix("AUTH") && $0.uppercased().contains("PLAIN") }) else {
                throw MailError(description: "\(server.host) does not offer AUTH PLAIN", permanent: true)
            }
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            // The answer is said without the command: it holds the password.
            _ = try await session.command("AUTH PLAIN " + token, expect: 235, shown: "AUTH PLAIN")
        }
        _ = try await session.command("MAIL FROM:<\(message.from)>", expect: 250)
        for recipient in message.to { _ = try await session.command("RCPT TO:<\(recipient)>", expect: 250, also: [251]) }
        _ = try await session.command("DATA", expect: 354)
        _ = try await session.command(message.encoded() + "\r\n.", expect: 250, shown: "the message")
        _ = try? await session.command("QUIT", expect: 221)
    }

    static func tlsHandler(_ server: MailServer) throws -> NIOSSLClientHandler {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = server.caFile { configuration.trustRoots = .file(caFile) }
        // An address is checked against the certificate's IP names; only a name goes as SNI.
        let isAddress = (try? SocketAddress(ipAddress: server.host, port: 0)) != nil
        return try NIOSSLClientHandler(context: NIOSSLContext(configuration: configuration), serverHostname: isAddress ? nil : server.host)
    }

    /// One conversation: commands written, replies read (multi-line ones joined).
    struct Session {
        let channel: Channel
        let lines: LineStream

        /// Reads one reply; its lines (without the code) when its code is `code` (or one of `also`).
        @discardableResult
        func expect(_ code: Int, _ what: String, also: [Int] = []) async throws -> [String] {
            var texts: [String] = []
            while true {
                let line = try await lines.next()
                guard line.count >= 3, let got = Int(line.prefix(3)) else { throw MailError(description: "not an SMTP reply to \(what): \(line.prefix(80))") }
                texts.append(String(line.dropFirst(4)))
                if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " {
                    guard got == code || also.contains(got) else {
                        throw MailError(description: "\(what): \(line.prefix(200))", permanent: (500..<600).contains(got))
                    }
                    return texts
                }
            }
        }

        func command(_ text: String, expect code: Int, also: [Int] = [], shown: String? = nil) async throws -> [String] {
            do {
                try await channel.writeAndFlush(ByteBuffer(string: text + "\r\n")).get()
            } catch {
                // The connection failed under the write: why (a failed TLS handshake, say) is what the
                // reader is told as the channel closes.
                _ = try await expect(code, shown ?? String(text.prefix(60)), also: also)
                throw error
            }
            return try await expect(code, shown ?? String(text.prefix(60)), also: also)
        }
    }
}

/// The server's lines, as they arrive, for one reader.
final class LineStream: @unchecked Sendable {
    private let lock = NSLock()
    private var buffered: [String] = []
    private var failure: Error?
    private var waiting: CheckedContinuation<String, Error>?

    func push(_ line: String) {
        lock.lock()
        if let waiting {
            self.waiting = nil
            lock.unlock()
            waiting.resume(returning: line)
            return
        }
        buffered.append(line)
        lock.unlock()
    }

    func finish(_ error: Error) {
        lock.lock()
        if failure == nil { failure = error }
        let waiting = self.waiting
        self.waiting = nil
        lock.unlock()
        waiting?.resume(throwing: error)
    }

    func next() async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            if !buffered.isEmpty {
                let line = buffered.removeFirst()
                lock.unlock()
                continuation.resume(returning: line)
            } else if let failure {
                lock.unlock()
                continuation.resume(throwing: failure)
            } else {
                waiting = continuation
                lock.unlock()
            }
        }
    }
}

/// Splits what the server sends into CRLF-ended lines (at most 4 KiB each).
final class LineHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let stream: LineStream
    private var pending: [UInt8] = []

    init(stream: LineStream) { self.stream = stream }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        while let end = pending.firstIndex(of: 10) {
            var line = Array(pending[..<end])
            if line.last == 13 { line.removeLast() }
            pending.removeSubrange(...end)
            stream.push(String(decoding: line, as: UTF8.self))
        }
        if pending.count > 4096 {
            stream.finish(MailError(description: "a reply line over 4 KiB"))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stream.finish(MailError(description: "the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A failed handshake (an untrusted or mismatched certificate) fails the same way next time.
        if case .handshakeFailed = error as? NIOSSLError {
            stream.finish(MailError(description: "the TLS handshake failed (\(error)); if the server's certificate is from a private CA, set caFile", permanent: true))
        } else {
            stream.finish(MailError(description: "\(error)"))
        }
        context.close(promise: nil)
    }
}
