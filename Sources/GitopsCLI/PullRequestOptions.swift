import ArgumentParser
import Basics
import Foundation
import Git
import Promotion
import PullRequests

extension Forge.Kind: ExpressibleByArgument {}

/// `--open-pr` and what it needs: which service, which project, the token, labels and reviewers.
struct PullRequestOptions: ParsableArguments {
    @Flag(name: .long, help: "Open a pull request (GitHub) or merge request (GitLab) for the pushed branch; an open one for the same change is updated. Needs --push.")
    var openPr = false

    @Option(name: .long, help: "github or gitlab (default: from the push remote's host name).")
    var forge: Forge.Kind?

    @Option(name: .long, help: "The forge's API URL (default: https://api.github.com, https://HOST/api/v3 for GitHub Enterprise, https://HOST/api/v4 for GitLab).")
    var forgeUrl: String?

    @Option(name: .long, help: "owner/repository (GitHub) or the project's path (GitLab) (default: from the push remote's URL).")
    var forgeProject: String?

    @Option(name: .long, help: "A file holding the API token (default: GITOPS_GITHUB_TOKEN or GITOPS_GITLAB_TOKEN).")
    var forgeTokenFile: String?

    @Option(name: .long, help: "A label for the pull request (repeatable).")
    var label: [String] = []

    @Option(name: .long, help: "A reviewer's user name, or org/team on GitHub (repeatable).")
    var reviewer: [String] = []

    /// The forge to talk to, from the options, the push remote's URL and the environment.
    func resolve(repository: Repository, remote: String) throws -> Forge {
        let url = try repository.remoteURL(remote).map(Forge.withoutCredentials)
        let location = url.flatMap(Forge.location(ofRemote:))
        guard let kind = forge ?? location.flatMap({ Forge.kind(ofHost: $0.host) }) else {
            throw CommandFailure("cannot tell which service hosts '\(url ?? remote)': pass --forge github or --forge gitlab")
        }
        guard let project = forgeProject ?? location?.project else {
            throw CommandFailure("cannot tell the project from the remote '\(remote)' (\(url ?? "no URL")): pass --forge-project owner/repository")
        }
        guard let api = forgeUrl ?? location.map({ Forge.apiURL(kind: kind, host: $0.host) }) else {
            throw CommandFailure("cannot tell \(kind.displayName)'s API from the remote '\(remote)': pass --forge-url URL")
        }
        let token: String
        if let forgeTokenFile {
            guard let text = FileManager.default.contents(atPath: forgeTokenFile).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw CommandFailure("cannot read --forge-token-file '\(forgeTokenFile)'")
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            token = ProcessInfo.processInfo.environment[kind.tokenVariable] ?? ""
        }
        guard !token.isEmpty else {
            throw CommandFailure("no \(kind.displayName) token: set \(kind.tokenVariable) or pass --forge-token-file FILE")
        }
        return Forge(kind: kind, apiURL: api, project: project, token: token)
    }

    /// Opens (or updates) the pull request for `opened`, whose branch is on `remote`; says what it did.
    func open(_ opened: OpenedBranch, repository: Repository, remote: String) throws {
        let forge = try resolve(repository: repository, remote: remote)
        let message = try repository.commitInfo(opened.commit).message
        // The commit's body: its changes, the render diff, notes and trailers.
        let body = message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().joined()
            .trimmingCharacters(in: .newlines)
        let draft = PullRequestDraft(title: opened.proposal.title, body: "```\n" + body + "\n```\n", head: opened.branch, base: opened.base,
                                     id: opened.proposal.id, labels: label, reviewers: reviewer)
        let result: PullRequestResult
        do {
            result = try Blocking.run { try await PullRequestOpener.open(draft, on: forge) }
        } catch let error as ForgeError {
            throw CommandFailure("the branch \(opened.branch) is pushed, but the \(forge.kind == .github ? "pull" : "merge") request was not opened: \(error.description)")
        }
        let noun = forge.kind == .github ? "pull request #" : "merge request !"
        Output.write("\(result.created ? "opened" : "updated") \(noun)\(result.number): \(result.url)\n")
    }
}
