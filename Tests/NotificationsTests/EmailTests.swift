import Basics
import Foundation
import Testing
import TestSupport
import YAML
@testable import Notifications

/// E-mail receivers against a local SMTP server (scripts/smtp-sink, Python's aiosmtpd): plain,
/// STARTTLS with a private CA and AUTH, a refusing server and one that never answers.
@Suite struct EmailTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// scripts/smtp-sink as a process; `messages` are what it accepted.
    final class Sink {
        let process = Process()
        let folder = NSTemporaryDirectory() + "smtp-sink-" + UUID().uuidString
        private(set) var port = 0

        init(_ options: [String] = []) throws {
            process.executableURL = URL(fileURLWithPath: EmailTests.root + "/scripts/smtp-sink")
            process.arguments = [folder + "/out"] + options
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The first line says the port.
            var line = [UInt8]()
            while let byte = try out.fileHandleForReading.read(upToCount: 1)?.first, byte != 10 { line.append(byte) }
            port = Int(String(decoding: line, as: UTF8.self).split(separator: " ").last ?? "") ?? 0
        }

        /// Each accepted message: its text and envelope.
        var messages: [(text: String, envelope: [String: Any])] {
            (1...100).compactMap { index in
                guard let text = try? String(contentsOfFile: "\(folder)/out/\(index).eml", encoding: .utf8),
                      let data = FileManager.default.contents(atPath: "\(folder)/out/\(index).json"),
                      let envelope = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
                return (text, envelope)
            }
        }

        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    static var aiosmtpd: Bool { (try? TestProcess.output(["python3", "-c", "import aiosmtpd; print('ok')"])) == "ok" }

    static func settings(_ email: String) throws -> NotificationSettings {
        let text = "receivers:\n  - name: mail\n    email: \(email)\nrules:\n  - events: [sync-failed]\n    receivers: [mail]\n"
        let node = try YAMLParser.parse(Array(text.utf8), file: "gitops.yaml").first!
        return try NotificationSettings.parse(node, file: "gitops.yaml")
    }

    static func waitForDeliveries(_ notifier: Notifier, seconds: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while notifier.pending > 0 && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
    }

    /// Problems said by a notifier, and when the last one was said.
    final class Problems: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        private var saidAt: Date?
        func add(_ line: String) { lock.withLock { lines.append(line); saidAt = Date() } }
        var all: [String] { lock.withLock { lines } }
        var last: Date? { lock.withLock { saidAt } }
    }

    static let failed = Event(.syncFailed, environment: "production", revision: "0123456789abcdef0123456789abcdef01234567",
                              message: "sync failed: Deployment blog-production/blog: forbidden",
                              details: ["Deployment blog-production/blog: forbidden", ".a line starting with a dot"])

    @Test(.enabled(if: aiosmtpd, "pip install aiosmtpd (scripts/test does)")) func aFailedSyncSendsOneMail() async throws {
        let sink = try Sink()
        defer { sink.stop() }
        let problems = Problems()
        let notifier = Notifier { problems.add($0) }
        let settings = try Self.settings("{smtp: '127.0.0.1:\(sink.port)', tls: none, from: gitops@example.com, to: [oncall@example.com, dev@example.com]}")
        notifier.notify(Self.failed, settings: settings)
        notifier.notify(Self.failed, settings: settings)  // the same event again: not sent twice
        try await Self.waitForDeliveries(notifier)
        let messages = sink.messages
        #expect(messages.count == 1, "\(problems.all)")
        let message = try #require(messages.first)
        #expect(message.envelope["from"] as? String == "gitops@example.com")
        #expect(message.envelope["to"] as? [String] == ["oncall@example.com", "dev@example.com"])
        #expect(message.text.contains("Subject: [gitops] production: sync failed: Deployment blog-production/blog: forbidden\r\n"), "\(message.text)")
        #expect(message.text.contains("Revision: 0123456789abcdef0123456789abcdef01234567") && message.text.contains("Event: sync-failed"))
        #expect(message.text.contains("\r\n- .a line starting with a dot\r\n"), "a dot-stuffed line arrives as it was")
        #expect(problems.all.isEmpty, "\(problems.all)")
    }

    @Test(.enabled(if: aiosmtpd, "pip install aiosmtpd (scripts/test does)")) func startTLSAndAuthWithAPrivateCA() async throws {
        let folder = NSTemporaryDirectory() + "smtp-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TestProcess.output(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem"], requireSuccess: true)
        let sink = try Sink(["--cert", folder + "/cert.pem", "--key", folder + "/key.pem", "--user", "gitops", "--password", "hunter2-smtp"])
        defer { sink.stop() }
        setenv("TEST_SMTP_USER", "gitops", 1)
        setenv("TEST_SMTP_PASSWORD", "hunter2-smtp", 1)
        setenv("TEST_SMTP_WRONG", "not-it", 1)
        let email = "{smtp: '127.0.0.1:\(sink.port)', from: gitops@example.com, to: oncall@example.com, caFile: '\(folder)/cert.pem', usernameFrom: {env: TEST_SMTP_USER}"
        let problems = Problems()
        let notifier = Notifier { problems.add($0) }
        notifier.notify(Self.failed, settings: try Self.settings(email + ", passwordFrom: {env: TEST_SMTP_PASSWORD}}"))
        try await Self.waitForDeliveries(notifier)
        let message = try #require(sink.messages.first, "\(problems.all)")
        #expect(message.envelope["tls"] as? Bool == true && message.envelope["authenticated"] as? Bool == true)

        // A wrong password is refused at once (no retries) and said without the password.
        var options = Notifier.Options()
        options.backoff = 0.1
        let refused = Problems()
        let wrong = Notifier(options: options) { refused.add($0) }
        wrong.notify(Self.failed, settings: try Self.settings(email + ", passwordFrom: {env: TEST_SMTP_WRONG}}"))
        try await Self.waitForDeliveries(wrong)
        #expect(refused.all.count == 1 && refused.all[0].contains("refused") && refused.all[0].contains("535"), "\(refused.all)")
        #expect(!refused.all.joined().contains("not-it") && !refused.all.joined().contains("hunter2"))
        #expect(sink.messages.count == 1)

        // Without the CA the certificate is not trusted: nothing is sent, and it is not retried.
        let untrusted = Problems()
        let plain = Notifier(options: options) { untrusted.add($0) }
        plain.notify(Self.failed, settings: try Self.settings(email.replacingOccurrences(of: ", caFile: '\(folder)/cert.pem'", with: "")
                                                              + ", passwordFrom: {env: TEST_SMTP_PASSWORD}}"))
        try await Self.waitForDeliveries(plain)
        #expect(untrusted.all.count == 1 && untrusted.all[0].contains("refused") && untrusted.all[0].contains("the TLS handshake failed")
                && untrusted.all[0].contains("set caFile") && !untrusted.all[0].contains("attempts"), "\(untrusted.all)")
        #expect(sink.messages.count == 1)
    }

    @Test(.enabled(if: aiosmtpd, "pip install aiosmtpd (scripts/test does)")) func aRefusingOrHangingServerNeverHoldsUpTheCaller() async throws {
        let refusing = try Sink(["--reject"])
        defer { refusing.stop() }
        let hanging = try Sink(["--hang"])
        defer { hanging.stop() }
        var options = Notifier.Options()
        options.timeout = 1
        options.backoff = 0.1
        options.attempts = 2
        let problems = Problems()
        let notifier = Notifier(options: options) { problems.add($0) }
        let text = """
            receivers:
              - name: refusing
                email: {smtp: '127.0.0.1:\(refusing.port)', tls: none, from: gitops@example.com, to: nobody@example.com}
              - name: hanging
                email: {smtp: '127.0.0.1:\(hanging.port)', tls: none, from: gitops@example.com, to: oncall@example.com}
            rules:
              - events: [sync-failed]
                receivers: [refusing, hanging]

            """
        let settings = try NotificationSettings.parse(try YAMLParser.parse(Array(text.utf8), file: "gitops.yaml").first!, file: "gitops.yaml")
        let started = Date()
        notifier.notify(Self.failed, settings: settings)
        #expect(Date().timeIntervalSince(started) < 0.5, "notify returns at once")
        try await Self.waitForDeliveries(notifier, seconds: 90)
        // Two 1 s attempts and a backoff: ended by the deadline, where the server would hold it
        // forever. Timed by the report (made on the delivery's own thread), not by this test's
        // task, which a loaded pool wakes late.
        let elapsed = problems.last.map { $0.timeIntervalSince(started) } ?? -1
        #expect(notifier.pending == 0 && elapsed > 0 && elapsed < 20, "\(elapsed) s")
        let said = problems.all.sorted()
        #expect(said.count == 2, "\(said)")
        #expect(said.first { $0.contains("hanging") }?.contains("failed after 2 attempts: no answer from 127.0.0.1") == true, "\(said)")
        #expect(said.first { $0.contains("refusing") }?.contains("refused: RCPT TO:<nobody@example.com>: 550") == true, "\(said)")
    }

    @Test func emailMistakesAreReportedAtTheirLineAndColumn() {
        func problem(_ email: String) -> String {
            do { _ = try Self.settings(email); return "" } catch { return "\(error)" }
        }
        #expect(problem("{smtp: smtp.example.com, from: a@example.com, to: b@example.com}").contains("gitops.yaml:3:19: error: email.smtp is HOST:PORT"))
        #expect(problem("{smtp: 'smtp.example.com:25', tls: none, from: a@example.com, to: b@example.com, usernameFrom: {env: U}, passwordFrom: {env: P}}")
            .contains("a password is never sent in the clear"))
        #expect(problem("{smtp: 'smtp.example.com:587', from: 'a@example.com\\r\\nBcc: x@evil.example', to: b@example.com}").contains("is not an e-mail address"))
        #expect(problem("{smtp: 'smtp.example.com:587', from: a@example.com}").contains("email needs to:"))
        #expect(problem("{smtp: 'smtp.example.com:587', from: a@example.com, to: b@example.com, tls: ssl}").contains("email.tls is starttls, implicit or none"))
        let implicit = try? Self.settings("{smtp: 'smtp.example.com:465', from: a@example.com, to: b@example.com}")
        guard case .email(let email)? = implicit?.receivers.first?.kind else { Issue.record("no e-mail receiver"); return }
        #expect(email.tls == "implicit" && email.host == "smtp.example.com" && email.port == 465)
    }
}
