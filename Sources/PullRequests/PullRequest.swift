/// The pull request gitops wants open for a pushed branch.
public struct PullRequestDraft: Sendable {
    public var title: String
    /// Markdown; the marker of `id` is appended, which is how a later run finds it again.
    public var body: String
    /// The branch with the change (already pushed) and the branch it merges into.
    public var head: String
    public var base: String
    /// The change's id (the commit's `Promotion-Id`): one open pull request per id.
    public var id: String
    public var labels: [String]
    /// User names; on GitHub `org/team` asks a team.
    public var reviewers: [String]

    public init(title: String, body: String, head: String, base: String, id: String, labels: [String] = [], reviewers: [String] = []) {
        self.title = title
        self.body = body
        self.head = head
        self.base = base
        self.id = id
        self.labels = labels
        self.reviewers = reviewers
    }

    /// The hidden line that ties a pull request to its change.
    public var marker: String { "<!-- gitops:promotion-id=\(id) -->" }

    var fullBody: String { body + (body.hasSuffix("\n") ? "" : "\n") + "\n" + marker + "\n" }
}

/// What `open` did.
public struct PullRequestResult: Sendable, Equatable {
    /// The pull request's number (GitHub) or merge request's iid (GitLab).
    public var number: Int
    public var url: String
    /// False when an open one for the same change was updated.
    public var created: Bool
}
