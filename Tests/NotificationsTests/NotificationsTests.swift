import Basics
import Foundation
import Testing
import YAML
@testable import Notifications

@Suite struct NotificationSettingsTests {
    static func parse(_ text: String) throws(DiagnosticError) -> NotificationSettings {
        let node = try YAMLParser.parse(Array(text.utf8), file: "gitops.yaml").first!
        return try NotificationSettings.parse(node, file: "gitops.yaml")
    }

    static let example = """
        receivers:
          - name: team
            slack: {urlFrom: {env: SLACK_URL}}
          - name: ops
            webhook:
              urlFrom: {file: /run/secrets/ops-url}
              body: '{"title": "{{environment}}", "text": "{{message}}"}'
        rules:
          - events: [sync-failed, revision-blocked, rollout-aborted]
            receivers: [team, ops]
          - events: [sync-succeeded]
            environments: [production]
            receivers: [team]

        """

    @Test func rulesChooseReceiversByEventAndEnvironment() throws {
        let settings = try Self.parse(Self.example)
        #expect(settings.receivers.map(\.name) == ["team", "ops"])
        let failed = Event(.syncFailed, environment: "dev", revision: "abc", message: "x")
        #expect(settings.receivers(for: failed).map(\.name) == ["team", "ops"])
        #expect(settings.receivers(for: Event(.syncSucceeded, environment: "dev", revision: "abc", message: "x")).isEmpty)
        #expect(settings.receivers(for: Event(.syncSucceeded, environment: "production", revision: "abc", message: "x")).map(\.name) == ["team"])
    }

    @Test func mistakesAreReportedAtTheirLineAndColumn() {
        let text = """
            receivers:
              - name: team
                slack: {url: "https://hooks.slack.com/services/T/B/X"}
            rules:
              - events: [sync-faild]
                receivers: [teem]

            """
        #expect { try Self.parse(text) } throws: { error in
            let message = "\(error)"
            return message.contains("gitops.yaml:3:13: error: unknown field 'url' in slack:")
                && message.contains("gitops.yaml:3:12: error: slack.urlFrom needs {env: VARIABLE} or {file: PATH}: credentials never live in the repository")
                && message.contains("gitops.yaml:5:14: error: unknown event 'sync-faild'")
                && message.contains("did you mean 'sync-failed'?")
                && message.contains("gitops.yaml:6:17: error: no receiver 'teem' in notifications.receivers")
                && !message.contains("a rule needs")
        }
    }
}

@Suite struct NotifierTests {
    static let event = Event(.revisionBlocked, environment: "production", revision: "abc1234", message: "revision abc1234 blocked: \"quoted\"\nline")

    @Test func theSameEventIsSentOnceAndTheRateIsLimited() {
        var options = Notifier.Options()
        options.perMinute = 3
        options.quiet = 600
        let notifier = Notifier(options: options)
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(notifier.admit(Self.event, to: "team", now: start) != nil)
        #expect(notifier.admit(Self.event, to: "team", now: start.addingTimeInterval(5)) == nil, "a repeat within the quiet window")
        #expect(notifier.admit(Self.event, to: "ops", now: start) != nil, "another receiver hears it too")
        #expect(notifier.admit(Self.event, to: "team", now: start.addingTimeInterval(601)) != nil, "again after the quiet window")
        // A flapping object: many different events in a minute; three go out, the rest are counted.
        var admitted = 0
        for index in 0..<10 {
            let event = Event(.healthDegraded, environment: "production", revision: "abc", message: "flap \(index)")
            if notifier.admit(event, to: "flappy", now: start.addingTimeInterval(Double(index))) != nil { admitted += 1 }
        }
        #expect(admitted == 3)
        let next = notifier.admit(Event(.healthDegraded, environment: "production", revision: "abc", message: "later"), to: "flappy", now: start.addingTimeInterval(70))
        #expect(next == .some("7 more held back by the rate limit before this one"), "\(String(describing: next))")
    }

    @Test func bodiesAreValidJSONWhateverTheMessageHolds() throws {
        let slack = Notifier.body(Self.event, note: nil, for: .slack(url: .environment("X")))
        let slackJSON = try JSONSerialization.jsonObject(with: Data(slack.utf8)) as? [String: Any]
        #expect((slackJSON?["text"] as? String)?.hasPrefix("*production*: revision abc1234 blocked: \"quoted\"\nline") == true)
        let template = #"{"title": "{{environment}} {{event}}", "text": "{{message}}"}"#
        let custom = Notifier.body(Self.event, note: nil, for: .webhook(url: .environment("X"), body: template))
        let customJSON = try JSONSerialization.jsonObject(with: Data(custom.utf8)) as? [String: Any]
        #expect(customJSON?["title"] as? String == "production revision-blocked" && customJSON?["text"] as? String == Self.event.message)
        let plain = Notifier.body(Self.event, note: "2 more", for: .webhook(url: .environment("X"), body: nil))
        let plainJSON = try JSONSerialization.jsonObject(with: Data(plain.utf8)) as? [String: Any]
        #expect(plainJSON?["event"] as? String == "revision-blocked" && (plainJSON?["details"] as? [String]) == ["2 more"])
    }
}
