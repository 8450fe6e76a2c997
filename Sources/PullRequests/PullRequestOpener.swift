import Basics

/// Opens the pull request (GitHub) or merge request (GitLab) for a pushed branch, or updates the
/// open one for the same change: found by the change's marker in its body, or by its branch, so
/// running again never opens a second one.
public enum PullRequestOpener {
    public static func open(_ draft: PullRequestDraft, on forge: Forge) async throws(ForgeError) -> PullRequestResult {
        try await ForgeClient.with(forge) { client in
            switch forge.kind {
            case .github: return try await GitHub(client: client).open(draft)
            case .gitlab: return try await GitLab(client: client).open(draft)
            }
        }
    }

}

/// GitHub's REST API: pulls, issue labels, requested reviewers.
struct GitHub {
    let client: ForgeClient
    var repo: String { "/repos/" + client.forge.project }

    func open(_ draft: PullRequestDraft) async throws(ForgeError) -> PullRequestResult {
        let owner = client.forge.project.split(separator: "/").first.map(String.init) ?? ""
        var result: PullRequestResult
        if let existing = try await find(draft) {
            _ = try await client.call(.PATCH, "\(repo)/pulls/\(existing.number)", .object(["title": .string(draft.title), "body": .string(draft.fullBody)]))
            result = existing
        } else {
            let created = try await client.call(.POST, "\(repo)/pulls", .object([
                "title": .string(draft.title), "body": .string(draft.fullBody), "head": .string("\(owner):\(draft.head)"),
                "base": .string(draft.base), "maintainer_can_modify": .bool(false),
            ]))
            guard case .int(let number)? = created["number"] else { throw ForgeError("GitHub created a pull request but did not say its number: \(ForgeClient.message(created))") }
            result = PullRequestResult(number: Int(number), url: created["html_url"]?.stringValue ?? "", created: true)
        }
        if !draft.labels.isEmpty {
            _ = try await client.call(.POST, "\(repo)/issues/\(result.number)/labels", .object(["labels": .array(draft.labels.map(Value.string))]))
        }
        let teams = draft.reviewers.filter { $0.contains("/") }.map { String($0.split(separator: "/").last ?? "") }
        let users = draft.reviewers.filter { !$0.contains("/") }
        if !users.isEmpty || !teams.isEmpty {
            _ = try await client.call(.POST, "\(repo)/pulls/\(result.number)/requested_reviewers",
                                      .object(["reviewers": .array(users.map(Value.string)), "team_reviewers": .array(teams.map(Value.string))]))
        }
        return result
    }

    /// The open pull request carrying the change's marker, or from its branch.
    private func find(_ draft: PullRequestDraft) async throws(ForgeError) -> PullRequestResult? {
        try await client.first("\(repo)/pulls?state=open&per_page=100") { item in
            guard (item["body"]?.stringValue ?? "").contains(draft.marker) || item["head"]?["ref"]?.stringValue == draft.head,
                  case .int(let number)? = item["number"] else { return nil }
            return PullRequestResult(number: Int(number), url: item["html_url"]?.stringValue ?? "", created: false)
        }
    }
}

/// GitLab's REST API (v4): merge requests, users (reviewers are ids there).
struct GitLab {
    let client: ForgeClient
    var project: String { "/projects/" + ForgeClient.segment(client.forge.project) }

    func open(_ draft: PullRequestDraft) async throws(ForgeError) -> PullRequestResult {
        var reviewerIDs: [Value] = []
        for name in draft.reviewers {
            let users = try await client.call(.GET, "/users?username=\(ForgeClient.segment(name))")
            guard case .int(let id)? = users.arrayValue?.first?["id"] else {
                throw ForgeError("GitLab has no user '\(name)' (a --reviewer); name users by their username")
            }
            reviewerIDs.append(.int(id))
        }
        var fields: ValueObject = ["title": .string(draft.title), "description": .string(draft.fullBody)]
        if !reviewerIDs.isEmpty { fields["reviewer_ids"] = .array(reviewerIDs) }
        if let existing = try await find(draft) {
            if !draft.labels.isEmpty { fields["add_labels"] = .string(draft.labels.joined(separator: ",")) }
            _ = try await client.call(.PUT, "\(project)/merge_requests/\(existing.number)", .object(fields))
            return existing
        }
        fields["source_branch"] = .string(draft.head)
        fields["target_branch"] = .string(draft.base)
        fields["remove_source_branch"] = .bool(true)
        if !draft.labels.isEmpty { fields["labels"] = .string(draft.labels.joined(separator: ",")) }
        let created = try await client.call(.POST, "\(project)/merge_requests", .object(fields))
        guard case .int(let iid)? = created["iid"] else { throw ForgeError("GitLab created a merge request but did not say its iid: \(ForgeClient.message(created))") }
        return PullRequestResult(number: Int(iid), url: created["web_url"]?.stringValue ?? "", created: true)
    }

    private func find(_ draft: PullRequestDraft) async throws(ForgeError) -> PullRequestResult? {
        try await client.first("\(project)/merge_requests?state=opened&per_page=100") { item in
            guard (item["description"]?.stringValue ?? "").contains(draft.marker) || item["source_branch"]?.stringValue == draft.head,
                  case .int(let iid)? = item["iid"] else { return nil }
            return PullRequestResult(number: Int(iid), url: item["web_url"]?.stringValue ?? "", created: false)
        }
    }
}
