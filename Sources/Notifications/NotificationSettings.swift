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
        }

        public var name: String
        public var kind: Kind

        public init(name: String, kind: Kind) {
            self.name = name
            self.kind = kind
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
            let receiver = fields(item, ["name", "slack", "webhook", "githubStatus"], "a receiver")
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
            } else {
                error(item, "receiver '\(name)' needs slack:, webhook: or githubStatus:")
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
}
