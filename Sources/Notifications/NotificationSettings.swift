import Basics
import Foundation
import YAML

/// Who hears about what: `notifications:` in gitops.yaml's spec.
public struct NotificationSettings: Sendable, Hashable {
    public var receivers: [Receiver] = []
    public var rules: [Rule] = []

    public init(receivers: [Receiver] = [], rules: [Rule] = []) {
        self.receivers = receivers
        self.rules = rules
    }

    /// Where a credential or a URL that is one (a Slack webhook) comes from: never the repository.
    public enum Credential: Sendable, Hashable, CustomStringConvertible {
        case environment(String)
        case file(String)

        /// Its value now; nil when the variable or file is not there.
        public func value() -> String? {
            switch self {
            case .environment(let name): return ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
            case .file(let path):
                return (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }

        public var description: String {
            switch self {
            case .environment(let name): return "the environment variable \(name)"
            case .file(let path): return "the file \(path)"
            }
        }
    }

    public struct Receiver: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            /// A Slack-compatible incoming webhook (`{"text": ...}`).
            case slack(url: Credential)
            /// Any JSON webhook (Teams, Discord, your own): `body` with `{{event}}`, `{{environment}}`,
            /// `{{revision}}`, `{{message}}`, `{{details}}` replaced by JSON-escaped text; without a
            /// body, a JSON object of those fields.
            case webhook(url: Credential, body: String?)
            /// A GitHub commit status on the revision (`POST /repos/OWNER/NAME/statuses/SHA`),
            /// context `gitops/<environment>`: a commit shows whether it reached the environment.
            case githubStatus(repository: String, token: Credential, apiURL: String)
            /// E-mail over SMTP.
            case email(Email)
        }

        public var name: String
        public var kind: Kind

        public init(name: String, kind: Kind) {
            self.name = name
            self.kind = kind
        }
    }

    /// An e-mail receiver: where to send through and to whom.
    public struct Email: Sendable, Hashable {
        public var host: String
        public var port: Int
        /// `starttls` (required, the default), `implicit` (TLS from the start, port 465's default) or `none`.
        public var tls: String
        public var from: String
        public var to: [String]
        public var username: Credential?
        public var password: Credential?
        /// Certificate authorities to trust instead of the system's (PEM).
        public var caFile: String?

        public init(host: String, port: Int, tls: String, from: String, to: [String], username: Credential? = nil, password: Credential? = nil, caFile: String? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
            self.from = from
            self.to = to
            self.username = username
            self.password = password
            self.caFile = caFile
        }
    }

    public struct Rule: Sendable, Hashable {
        /// The events it sends (`Event.Kind` raw values).
        public var events: Set<Event.Kind>
        /// The environments it is about; empty: all.
        public var environments: Set<String>
        public var receivers: [String]

        public init(events: Set<Event.Kind>, environments: Set<String>, receivers: [String]) {
            self.events = events
            self.environments = environments
            self.receivers = receivers
        }
    }

    /// The receivers of `event`, each once.
    public func receivers(for event: Event) -> [Receiver] {
        var names: [String] = []
        for rule in rules where rule.events.contains(event.kind) && (rule.environments.isEmpty || rule.environments.contains(event.environment)) {
            for name in rule.receivers where !names.contains(name) { names.append(name) }
        }
        return names.compactMap { name in receivers.first { $0.name == name } }
    }
}

extension NotificationSettings {
    /// Reads a `notifications:` block; every problem is reported at its line and column.
    public static func parse(_ node: Node, file: String) throws(DiagnosticError) -> NotificationSettings {
        var collector = DiagnosticCollector()
        func error(_ at: Node, _ message: String) {
            collector.error("notifications", at: SourceLocation(file: file, line: at.start.line, column: at.start.column), message)
        }
        func fields(_ node: Node?, _ known: [String], _ what: String) -> [String: Node] {
            node?.fields(known: known, in: what, error: error) ?? [:]
        }
        func credential(_ node: Node?, _ what: String, at parent: Node) -> Credential? {
            guard let node else { error(parent, "\(what) needs {env: VARIABLE} or {file: PATH}: credentials never live in the repository"); return nil }
            let source = fields(node, ["env", "file"], what)
            if let name = source["env"]?.scalar, !name.isEmpty { return .environment(name) }
            if let path = source["file"]?.scalar, !path.isEmpty { return .file(path) }
            error(node, "\(what) needs {env: VARIABLE} or {file: PATH}")
            return nil
        }
        var settings = NotificationSettings()
        let top = fields(node, ["receivers", "rules"], "notifications:")
        for item in top["receivers"]?.items ?? [] {
            let receiver = fields(item, ["name", "slack", "webhook", "githubStatus", "email"], "a receiver")
            guard let name = receiver["name"]?.scalar, !name.isEmpty else { error(item, "a receiver needs name:"); continue }
            if settings.receivers.contains(where: { $0.name == name }) { error(receiver["name"] ?? item, "receiver '\(name)' is declared twice"); continue }
            if let slack = receiver["slack"] {
                let options = fields(slack, ["urlFrom"], "slack:")
                if let url = credential(options["urlFrom"], "slack.urlFrom", at: slack) { settings.receivers.append(Receiver(name: name, kind: .slack(url: url))) }
            } else if let webhook = receiver["webhook"] {
                let options = fields(webhook, ["urlFrom", "body"], "webhook:")
                if let url = credential(options["urlFrom"], "webhook.urlFrom", at: webhook) {
                    settings.receivers.append(Receiver(name: name, kind: .webhook(url: url, body: options["body"]?.scalar)))
                }
            } else if let github = receiver["githubStatus"] {
                let options = fields(github, ["repository", "tokenFrom", "apiURL"], "githubStatus:")
                guard let repository = options["repository"]?.scalar, repository.split(separator: "/").count == 2 else {
                    error(options["repository"] ?? github, "githubStatus.repository is OWNER/NAME"); continue
                }
                if let token = credential(options["tokenFrom"], "githubStatus.tokenFrom", at: github) {
                    settings.receivers.append(Receiver(name: name, kind: .githubStatus(repository: repository, token: token,
                                                                                       apiURL: options["apiURL"]?.scalar ?? "https://api.github.com")))
                }
            } else if let mail = receiver["email"] {
                if let email = parseEmail(mail, fields: fields, credential: credential, error: error) {
                    settings.receivers.append(Receiver(name: name, kind: .email(email)))
                }
            } else {
                error(item, "receiver '\(name)' needs slack:, webhook:, githubStatus: or email:")
            }
        }
        let names = settings.receivers.map(\.name)
        for item in top["rules"]?.items ?? [] {
            let rule = fields(item, ["events", "environments", "receivers"], "a rule")
            var events = Set<Event.Kind>()
            for event in rule["events"]?.items ?? [] {
                guard let text = event.scalar, let kind = Event.Kind(rawValue: text) else {
                    let known = Event.Kind.allCases.map(\.rawValue)
                    error(event, "unknown event '\(event.scalar ?? "")'; events are \(known.joined(separator: ", "))"
                          + (event.scalar.flatMap { Suggestion.closest(to: $0, in: known) }.map { "; did you mean '\($0)'?" } ?? ""))
                    continue
                }
                events.insert(kind)
            }
            if rule["events"]?.items?.isEmpty ?? true { error(item, "a rule needs events:, such as [sync-failed, revision-blocked]") }
            var receivers: [String] = []
            for receiver in rule["receivers"]?.items ?? [] {
                guard let name = receiver.scalar, names.contains(name) else {
                    error(receiver, "no receiver '\(receiver.scalar ?? "")' in notifications.receivers" + (receiver.scalar.flatMap { Suggestion.closest(to: $0, in: names) }.map { "; did you mean '\($0)'?" } ?? ""))
                    continue
                }
                receivers.append(name)
            }
            if rule["receivers"]?.items?.isEmpty ?? true { error(item, "a rule needs receivers:") }
            let environments = Set((rule["environments"]?.items ?? []).compactMap(\.scalar))
            settings.rules.append(Rule(events: events, environments: environments, receivers: receivers))
        }
        collector.sortByLocation()
        try collector.throwIfErrors()
        return settings
    }

    /// An `email:` receiver: `smtp: HOST:PORT`, `tls`, `from`, `to`, `usernameFrom`, `passwordFrom`, `caFile`.
    static func parseEmail(_ node: Node, fields: (Node?, [String], String) -> [String: Node], credential: (Node?, String, Node) -> Credential?,
                           error: (Node, String) -> Void) -> Email? {
        let options = fields(node, ["smtp", "tls", "from", "to", "usernameFrom", "passwordFrom", "caFile"], "email:")
        guard let smtp = options["smtp"]?.scalar, let colon = smtp.lastIndex(of: ":"), let port = Int(smtp[smtp.index(after: colon)...]),
              (1...65_535).contains(port), colon != smtp.startIndex else {
            error(options["smtp"] ?? node, "email.smtp is HOST:PORT, such as smtp.example.com:587")
            return nil
        }
        let tls = options["tls"]?.scalar ?? (port == 465 ? "implicit" : "starttls")
        guard ["starttls", "implicit", "none"].contains(tls) else {
            error(options["tls"] ?? node, "email.tls is starttls, implicit or none, not '\(tls)'")
            return nil
        }
        func address(_ item: Node) -> String? {
            guard let text = item.scalar, Self.isAddress(text) else {
                error(item, "'\(item.scalar ?? "")' is not an e-mail address (name@domain)")
                return nil
            }
            return text
        }
        guard let fromNode = options["from"] else { error(node, "email needs from:"); return nil }
        guard let from = address(fromNode) else { return nil }
        let toNodes = options["to"]?.items ?? options["to"].map { [$0] } ?? []
        if toNodes.isEmpty { error(node, "email needs to: (one address or a list)"); return nil }
        let to = toNodes.compactMap(address)
        guard to.count == toNodes.count else { return nil }
        let username = options["usernameFrom"].flatMap { credential($0, "email.usernameFrom", node) }
        let password = options["passwordFrom"].flatMap { credential($0, "email.passwordFrom", node) }
        if (username == nil) != (password == nil) {
            error(options["usernameFrom"] ?? options["passwordFrom"] ?? node, "email needs both usernameFrom: and passwordFrom:, or neither")
            return nil
        }
        if password != nil && tls == "none" {
            error(options["tls"] ?? node, "a password is never sent in the clear: use tls: starttls or implicit")
            return nil
        }
        return Email(host: String(smtp[..<colon]), port: port, tls: tls, from: from, to: to, username: username, password: password,
                     caFile: options["caFile"]?.scalar)
    }

    /// `name@domain`, nothing that could break a header or an SMTP command.
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && text.count <= 254
            && !text.contains { $0.isWhitespace || "<>,;:\"()[]\\".contains($0) || !$0.isASCII }
    }
}
