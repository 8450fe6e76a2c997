import AsyncHTTPClient
import Basics
import Foundation
import NIOCore
import NIOHTTP1

/// Delivers events to their receivers in the background: `notify` returns at once, so a receiver
/// that is slow, failing or hanging never holds up a sync. Each delivery has a deadline and is
/// retried with exponential backoff; the same event (by key) is sent once per `quiet` window; a
/// receiver gets at most `perMinute` messages a minute (the rest are counted and said in the
/// next one). Credentials are read when sending and never logged.
public final class Notifier: @unchecked Sendable {
    public struct Options: Sendable {
        /// Deadline of one delivery.
        public var timeout: Double = 10
        public var attempts = 4
        /// The first retry's delay, doubled each time.
        public var backoff: Double = 1
        /// How long the same event is not sent again.
        public var quiet: Double = 3600
        public var perMinute = 10
        public init() {}
    }

    public let options: Options
    /// Where delivery problems are said (never with a URL or a token).
    private let report: @Sendable (String) -> Void
    private let lock = NSLock()
    private var sent: [String: Date] = [:]
    private var window: [String: (start: Date, count: Int, suppressed: Int)] = [:]
    private var inFlight = 0
    private let client: HTTPClient

    public init(options: Options = Options(), report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.options = options
        self.report = report
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    // Not `syncShutdown`: a notifier released on a concurrency thread must not block it.
    deinit { client.shutdown { _ in } }

    /// Deliveries still running (for tests and a graceful stop).
    public var pending: Int { lock.withLock { inFlight } }

    /// Waits until every delivery has ended or `timeout` seconds have passed (a command that
    /// exits after sending); true when none is left.
    public func drain(timeout: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while pending > 0 && Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
        return pending == 0
    }

    /// Sends `event` to the receivers `settings` names for it, in the background.
    public func notify(_ event: Event, settings: NotificationSettings) {
        for receiver in settings.receivers(for: event) {
            guard let note = admit(event, to: receiver.name) else { continue }
            lock.withLock { inFlight += 1 }
            Task(executorPreference: DeliveryExecutor.shared) {
                await self.deliver(event, note: note, to: receiver)
                self.lock.withLock { self.inFlight -= 1 }
            }
        }
    }

    /// Whether `event` goes to `receiver` now (not a repeat within the quiet window, within the
    /// rate); with a note of what the rate held back before it.
    func admit(_ event: Event, to receiver: String, now: Date = Date()) -> String?? {
        lock.withLock {
            let key = receiver + "|" + event.key
            if let last = sent[key], now.timeIntervalSince(last) < options.quiet { return nil }
            var current = window[receiver] ?? (now, 0, 0)
            if now.timeIntervalSince(current.start) >= 60 { current = (now, 0, current.suppressed) }
            guard current.count < options.perMinute else {
                current.suppressed += 1
                window[receiver] = current
                return nil
            }
            sent[key] = now
            let note: String? = current.suppressed > 0 ? "\(current.suppressed) more held back by the rate limit before this one" : nil
            window[receiver] = (current.start, current.count + 1, 0)
            return .some(note)
        }
    }

    /// How one attempt went.
    enum Outcome {
        case delivered
        /// Refused for good (a 4xx but 429, an SMTP 5xx): not retried.
        case refused(String)
        /// Cannot be sent (a credential not set): not retried.
        case unsendable(String)
        /// Worth another attempt.
        case failed(String)
    }

    private func deliver(_ event: Event, note: String?, to receiver: NotificationSettings.Receiver) async {
        var delay = options.backoff
        for attempt in 1...max(options.attempts, 1) {
            switch await send(event, note: note, to: receiver) {
            case .delivered: return
            case .refused(let why):
                report("notification to \(receiver.name) refused: \(why)")
                return
            case .unsendable(let why):
                report("notification to \(receiver.name) not sent: \(why)")
                return
            case .failed(let why):
                if attempt == options.attempts { report("notification to \(receiver.name) failed after \(attempt) attempts: \(why)") }
            }
            if attempt < options.attempts {
                try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                delay *= 2
            }
        }
    }

    /// One attempt.
    private func send(_ event: Event, note: String?, to receiver: NotificationSettings.Receiver) async -> Outcome {
        if case .email(let email) = receiver.kind { return await sendMail(event, note: note, email: email) }
        let url: String, headers: [(String, String)]
        switch Self.target(of: receiver.kind, for: event) {
        case .success(let target): (url, headers) = target
        case .failure(let why): return .unsendable(why.message)
        }
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "gitops")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(string: Self.body(event, note: note, for: receiver.kind)))
            let response = try await client.execute(request, timeout: .milliseconds(Int64(options.timeout * 1000)))
            _ = try? await response.body.collect(upTo: 64 << 10)
            let code = Int(response.status.code)
            if (200..<300).contains(code) { return .delivered }
            // A client error will not improve with a retry.
            return (400..<500).contains(code) && code != 429 ? .refused(String(code)) : .failed(String(code))
        } catch {
            return .failed(Self.describe(error))
        }
    }

    /// One attempt at an e-mail, credentials read now.
    private func sendMail(_ event: Event, note: String?, email: NotificationSettings.Email) async -> Outcome {
        var server = MailServer(host: email.host, port: email.port, security: MailServer.Security(rawValue: email.tls) ?? .startTLS, caFile: email.caFile)
        if let username = email.username, let password = email.password {
            guard let user = username.value() else { return .unsendable("\(username) is not set") }
            guard let secret = password.value() else { return .unsendable("\(password) is not set") }
            server.username = user
            server.password = secret
        }
        do {
            try await SMTPClient.send(Self.mail(event, note: note, email: email), via: server, timeout: options.timeout)
            return .delivered
        } catch let error as MailError {
            return error.permanent ? .refused(error.description) : .failed(error.description)
        } catch {
            return .failed(Self.describe(error))
        }
    }

    /// The e-mail for an event: the message as its subject, the event's facts and details as its text.
    static func mail(_ event: Event, note: String?, email: NotificationSettings.Email) -> MailMessage {
        var details = event.details
        if let note { details.append(note) }
        var lines = [event.message, "", "Environment: \(event.environment)", "Event: \(event.kind.rawValue)", "Revision: \(event.revision)"]
        if !details.isEmpty { lines += [""] + details.prefix(50).map { "- " + $0 } }
        lines += ["", "-- ", "gitops"]
        return MailMessage(from: email.from, to: email.to, subject: String("[gitops] \(event.environment): \(event.message)".prefix(200)),
                           body: lines.joined(separator: "\n"))
    }

    /// Why a message cannot be sent (a credential not set), without the credential.
    struct Unsendable: Error { var message: String }

    /// Where a receiver's message goes and the headers it needs, its credentials read now.
    static func target(of kind: NotificationSettings.Receiver.Kind, for event: Event) -> Result<(String, [(String, String)]), Unsendable> {
        switch kind {
        case .slack(let url), .webhook(let url, _):
            guard let value = url.value() else { return .failure(Unsendable(message: "\(url) is not set")) }
            return .success((value, []))
        case .email:
            return .failure(Unsendable(message: "an e-mail receiver has no URL"))
        case .githubStatus(let repository, let token, let api):
            guard event.revision.count == 40, event.revision.allSatisfy(\.isHexDigit) else {
                return .failure(Unsendable(message: "\(event.revision) is not a commit (a status needs one)"))
            }
            guard let value = token.value() else { return .failure(Unsendable(message: "\(token) is not set")) }
            let base = api.hasSuffix("/") ? String(api.dropLast()) : api
            return .success(("\(base)/repos/\(repository)/statuses/\(event.revision)",
                             [("Authorization", "Bearer \(value)"), ("Accept", "application/vnd.github+json")]))
        }
    }

    /// A commit status's state for an event.
    static func statusState(_ kind: Event.Kind) -> String {
        switch kind {
        case .syncSucceeded, .driftHealed, .promotionMerged: return "success"
        case .syncFailed, .revisionBlocked, .rolloutAborted: return "failure"
        case .healthDegraded: return "error"
        case .promotionOpened: return "pending"
        }
    }

    /// The JSON body for a receiver.
    static func body(_ event: Event, note: String?, for kind: NotificationSettings.Receiver.Kind) -> String {
        var details = event.details
        if let note { details.append(note) }
        switch kind {
        case .slack:
            var text = "*\(event.environment)*: \(event.message)"
            if !details.isEmpty { text += "\n" + details.prefix(10).map { "• " + $0 }.joined(separator: "\n") }
            return JSONWriter.compact(.object(["text": .string(text)]))
        case .webhook(_, let template):
            guard let template else {
                return JSONWriter.compact(.object(["event": .string(event.kind.rawValue), "environment": .string(event.environment),
                                                   "revision": .string(event.revision), "message": .string(event.message),
                                                   "details": .array(details.map { .string($0) })]))
            }
            var body = template
            for (name, value) in [("event", event.kind.rawValue), ("environment", event.environment), ("revision", event.revision),
                                  ("message", event.message), ("details", details.joined(separator: "\n"))] {
                body = body.replacingOccurrences(of: "{{\(name)}}", with: jsonEscaped(value))
            }
            return body
        case .email:
            return mail(event, note: note, email: NotificationSettings.Email(host: "", port: 0, tls: "", from: "", to: [])).body
        case .githubStatus:
            // GitHub keeps 140 characters of a description; the context names the environment.
            return JSONWriter.compact(.object(["state": .string(statusState(event.kind)), "description": .string(String(event.message.prefix(140))),
                                               "context": .string("gitops/\(event.environment)")]))
        }
    }

    /// `text` as it goes inside a JSON string (without the quotes).
    static func jsonEscaped(_ text: String) -> String {
        var quoted = ""
        JSONWriter.quote(text, into: &quoted)
        return String(quoted.dropFirst().dropLast())
    }

    /// An error without the URL (it may hold a token).
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "no answer in time"
            default: return "\(error)"
            }
        }
        return String(describing: type(of: error))
    }
}
