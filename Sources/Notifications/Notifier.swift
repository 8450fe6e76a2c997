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

    deinit { try? client.syncShutdown() }

    /// Deliveries still running (for tests and a graceful stop).
    public var pending: Int { lock.withLock { inFlight } }

    /// Sends `event` to the receivers `settings` names for it, in the background.
    public func notify(_ event: Event, settings: NotificationSettings) {
        for receiver in settings.receivers(for: event) {
            guard let note = admit(event, to: receiver.name) else { continue }
            lock.withLock { inFlight += 1 }
            Task {
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

    private func deliver(_ event: Event, note: String?, to receiver: NotificationSettings.Receiver) async {
        let (credential, body) = Self.request(event, note: note, for: receiver.kind)
        guard let url = credential.value() else {
            report("notification to \(receiver.name) not sent: \(credential) is not set")
            return
        }
        var delay = options.backoff
        for attempt in 1...max(options.attempts, 1) {
            do {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "User-Agent", value: "gitops")
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await client.execute(request, timeout: .milliseconds(Int64(options.timeout * 1000)))
                _ = try? await response.body.collect(upTo: 64 << 10)
                if (200..<300).contains(Int(response.status.code)) { return }
                // A client error will not improve with a retry.
                if (400..<500).contains(Int(response.status.code)) && response.status.code != 429 {
                    report("notification to \(receiver.name) refused: \(response.status.code)")
                    return
                }
                if attempt == options.attempts { report("notification to \(receiver.name) failed: \(response.status.code) after \(attempt) attempts") }
            } catch {
                if attempt == options.attempts { report("notification to \(receiver.name) failed after \(attempt) attempts: \(Self.describe(error))") }
            }
            if attempt < options.attempts {
                try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                delay *= 2
            }
        }
    }

    /// The URL's credential and the body for a receiver.
    static func request(_ event: Event, note: String?, for kind: NotificationSettings.Receiver.Kind) -> (NotificationSettings.Credential, String) {
        var details = event.details
        if let note { details.append(note) }
        switch kind {
        case .slack(let url):
            var text = "*\(event.environment)*: \(event.message)"
            if !details.isEmpty { text += "\n" + details.prefix(10).map { "• " + $0 }.joined(separator: "\n") }
            return (url, JSONWriter.compact(.object(["text": .string(text)])))
        case .webhook(let url, let template):
            guard let template else {
                return (url, JSONWriter.compact(.object(["event": .string(event.kind.rawValue), "environment": .string(event.environment),
                                                         "revision": .string(event.revision), "message": .string(event.message),
                                                         "details": .array(details.map { .string($0) })])))
            }
            var body = template
            for (name, value) in [("event", event.kind.rawValue), ("environment", event.environment), ("revision", event.revision),
                                  ("message", event.message), ("details", details.joined(separator: "\n"))] {
                body = body.replacingOccurrences(of: "{{\(name)}}", with: jsonEscaped(value))
            }
            return (url, body)
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
