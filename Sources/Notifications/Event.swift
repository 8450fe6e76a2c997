/// Something that happened to an environment, for its receivers.
public struct Event: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case syncSucceeded = "sync-succeeded"
        case syncFailed = "sync-failed"
        case revisionBlocked = "revision-blocked"
        case healthDegraded = "health-degraded"
        case driftHealed = "drift-healed"
        case promotionOpened = "promotion-opened"
        case promotionMerged = "promotion-merged"
        case rolloutAborted = "rollout-aborted"
    }

    public var kind: Kind
    public var environment: String
    public var revision: String
    /// One line for a person.
    public var message: String
    /// More lines (findings, objects), never a Secret value.
    public var details: [String]
    /// Events with the same key are one event: it is sent once in a while, not at every poll.
    public var key: String

    public init(_ kind: Kind, environment: String, revision: String, message: String, details: [String] = [], key: String? = nil) {
        self.kind = kind
        self.environment = environment
        self.revision = revision
        self.message = message
        self.details = details
        self.key = key ?? "\(kind.rawValue)|\(environment)|\(revision)|\(message)"
    }
}
