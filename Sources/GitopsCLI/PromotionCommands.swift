import ArgumentParser
import Basics
import ChartSources
import Drift
import Foundation
import Gates
import Git
import Promotion

/// Where a change is committed and by whom: what every command that writes to the repository takes.
struct CommitOptions: ParsableArguments {
    @Option(name: .long, help: "The branch the change is proposed against and merged into (default: the branch checked out).")
    var base: String?

    @Option(name: .long, help: "Author as 'Name <email>' (default: GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL, else Git's user.name/user.email).")
    var author: String?

    @Option(name: .long, help: "Committer as 'Name <email>' (default: GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL, else the author).")
    var committer: String?

    @Option(name: .long, help: "Push the branch (and the merge) to this remote; the base is the remote's branch, fetched first. Credentials: GITOPS_GIT_TOKEN (HTTPS), GITOPS_SSH_KEY or the SSH agent, else Git's credential helper.")
    var push: String?

    @Option(name: .long, help: "The environments repository (default: the Git repository around the current folder).")
    var repo: String?

    @OptionGroup var charts: ChartCacheOptions
}

/// Options every command that writes promotion branches takes.
struct BranchOptions: ParsableArguments {
    @OptionGroup var commit: CommitOptions

    @Option(name: .long, help: "The branch to write (default: promote/<dst>/from-<src>-<src-sha> or rollback/<env>/<sha>).")
    var branch: String?

    @Flag(name: .long, help: "Run the gates (render, schemas, policies) on the branch and merge it into the base with a merge commit.")
    var merge = false

    @Flag(name: .long, help: "Print the plan and the render diff it causes; write nothing.")
    var dryRun = false

    @OptionGroup var pullRequest: PullRequestOptions

    var base: String? { commit.base }
    var author: String? { commit.author }
    var committer: String? { commit.committer }
    var push: String? { commit.push }
    var repo: String? { commit.repo }

    func repository() throws -> Repository {
        try Repository(discoveringFrom: repo ?? FileManager.default.currentDirectoryPath)
    }

    func baseBranch(_ repository: Repository) throws -> String {
        if let base { return base }
        guard let current = repository.currentBranch() else {
            throw CommandFailure("HEAD is not on a branch; pass --base BRANCH")
        }
        return current
    }

    func workflow(_ repository: Repository) throws -> Workflow {
        let environment = ProcessInfo.processInfo.environment
        func parse(_ text: String, _ flag: String) throws -> Signature {
            guard let open = text.firstIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else {
                throw CommandFailure("\(flag) '\(text)' is not 'Name <email>'")
            }
            return Signature(name: text[..<open].trimmingCharacters(in: .whitespaces),
                             email: String(text[text.index(after: open)..<close]))
        }
        func fromEnvironment(_ prefix: String) -> Signature? {
            guard let name = environment["GIT_\(prefix)_NAME"], let email = environment["GIT_\(prefix)_EMAIL"] else { return nil }
            return Signature(name: name, email: email)
        }
        guard let author = try author.map({ try parse($0, "--author") }) ?? fromEnvironment("AUTHOR") ?? repository.configuredSignature() else {
            throw CommandFailure("no author: set Git's user.name and user.email, GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, or pass --author 'Name <email>'")
        }
        let committer = try committer.map { try parse($0, "--committer") } ?? fromEnvironment("COMMITTER") ?? author
        var workflow = Workflow(repository: repository, author: author, committer: committer, seedSecret: RandomSeed.secret)
        workflow.charts = try commit.charts.access()
        if let push { workflow.remote = (push, RemoteCredentials.fromEnvironment()) }
        return workflow
    }

    /// Opens the branch (or prints the plan), then merges when asked; prints what happened.
    func run(_ source: ProposalSource, repository: Repository, nothing: String) throws {
        let workflow = try workflow(repository)
        let base = try baseBranch(repository)
        if pullRequest.openPr {
            guard push != nil else { throw CommandFailure("--open-pr needs --push REMOTE: the pull request is for the pushed branch") }
            guard !merge else { throw CommandFailure("--open-pr proposes the change for a person to merge and --merge merges it here: pass one of them") }
        }
        if let recovered = try workflow.recoverInterruptedMerge() { Output.error("note: \(recovered)") }
        do {
            guard merge && !dryRun else {
                guard let opened = try workflow.open(source, base: base, branch: branch, dryRun: dryRun) else {
                    Output.write(nothing + "\n")
                    return
                }
                Output.write(Self.describe(opened, dryRun: dryRun))
                if dryRun { Output.write(DiffOutput.text(opened.renderDiff, colour: isatty(STDOUT_FILENO) != 0)) }
                if let push, pullRequest.openPr {
                    if dryRun { Output.write("would open or update a pull request for \(opened.branch)\n") } else { try pullRequest.open(opened, repository: repository, remote: push) }
                }
                if !dryRun { PromotionNotices.opened(opened, repository: repository, pushedTo: push) }
                return
            }
            // Merging plans (again) on the base's tip itself, checking a branch planned earlier for conflicts.
            switch try workflow.merge(source, branch: branch, base: base, gate: gate) {
            case .merged(let commit, let merged):
                Output.write(Self.describe(merged, dryRun: false))
                Output.write("merged \(merged.branch) into \(push.map { "\($0)/" } ?? "")\(base): \(commit.prefix(7)) Merge \(merged.proposal.kind) \(merged.proposal.id)\n")
                if let push, repository.currentBranch() == base { Output.write("your local \(base) is behind \(push)/\(base); git pull brings it along\n") }
                PromotionNotices.merged(merged, commit: commit, base: base, repository: repository)
            case .gateFailed(let report, let failed):
                Output.write(Self.describe(failed, dryRun: false))
                Output.write(report.errors.map { $0.description + "\n" }.joined())
                Output.error("error: the gates failed on \(failed.branch) (\(report.summary)); the branch is left for you to fix")
                throw ExitCode(1)
            case .alreadyMerged:
                Output.write(nothing + "\n")
            }
        } catch let conflict as PromotionConflict {
            throw CommandFailure(conflict.description)
        } catch let error as PromotionError {
            throw CommandFailure(error.description)
        }
    }

    /// Render, schemas and policies of the target environment on the proposed commit.
    func gate(_ snapshot: Snapshot, environment: String) throws -> CheckReport {
        try commit.charts.prefetch(snapshot.model.environments.filter { $0.name == environment }, tree: snapshot.tree)
        do {
            return try EnvironmentChecker(tree: snapshot.tree, model: snapshot.model, renderTime: Date(timeIntervalSince1970: snapshot.tree.commit.time),
                                          seedSecret: RandomSeed.secret, chartCache: commit.charts.cache).check([environment])
        } catch let error as CheckSetupError {
            throw CommandFailure(error.description)
        }
    }

    private func gate(_ snapshot: Snapshot) throws -> CheckReport {
        let environment = Trailers.parse((try? snapshot.tree.repository.commitInfo(snapshot.commit).message) ?? "")["Environment"] ?? ""
        return try gate(snapshot, environment: environment)
    }

    static func describe(_ opened: OpenedBranch, dryRun: Bool) -> String {
        var text = dryRun ? "would write \(opened.branch) on \(opened.base) (\(opened.baseCommit.prefix(7))): \(opened.proposal.title)\n"
            : opened.reused ? "\(opened.branch) already holds this change: \(opened.commit.prefix(7)) \(opened.proposal.title)\n"
            : "wrote \(opened.branch): \(opened.commit.prefix(7)) \(opened.proposal.title)\n"
        text += opened.proposal.lines.map { "  \($0)\n" }.joined()
        text += opened.proposal.notes.map { "  note: \($0)\n" }.joined()
        text += "  render of \(opened.proposal.target): \(opened.renderDiff.summary)\n"
        return text
    }
}

struct PromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Promote the values at promote: paths from one environment into the next, as a commit on a branch.",
        discussion: """
        For every release of DST with promote: paths that SRC also has, the effective values (chart defaults, values
        files, inline values) are compared; each difference is written into the file where DST's value is defined,
        every other byte kept. DST must promote from SRC (its spec.promotion.from, else the order in gitops.yaml)
        unless --force. The commit goes on promote/<dst>/from-<src>-<src-sha> on top of the base branch, without touching
        the working tree. --merge runs the gates and merges it like a reviewed pull request.
        Exit codes: 0 done (or nothing to promote), 1 a gate failed, 2 error (a conflict shows both values).
        """)

    @Argument(help: "The environment to promote from.")
    var source: String

    @Argument(help: "The environment to promote into.")
    var target: String

    @Option(name: .long, help: "Only this release (repeatable).")
    var release: [String] = []

    @Option(name: .long, help: "Read the source's values at this revision (default: the base branch's tip).")
    var sourceRevision: String?

    @Flag(name: .long, help: "Promote although DST does not promote from SRC (spec.promotion.from, promotion.order); the commit records it.")
    var force = false

    @OptionGroup var options: BranchOptions

    func run() throws {
        let repository = try options.repository()
        let base = try options.baseBranch(repository)
        let sourceCommit = try repository.resolveCommit(sourceRevision ?? base).id
        let source = PromotionSource(source: self.source, target: target, sourceSnapshot: try Snapshot(repository: repository, commit: sourceCommit),
                                     releases: release.isEmpty ? nil : release, force: force)
        try options.run(source, repository: repository, nothing: "nothing to promote: \(target) already has \(self.source)'s values")
    }
}

struct SetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set values of one release of an environment (a new image tag from a build), as a commit on a branch.",
        discussion: """
        Each PATH=VALUE is written where the environment defines the value (the release's inline values, else the
        last values file that sets it, else its first values file), every other byte kept, as promotions edit. For a
        kustomize release the path names a field of its kustomization, such as images[name=ghcr.io/example/blog].newTag.
        A VALUE replacing a string stays a string (1.10 is the tag 1.10); otherwise it is read as a YAML scalar.
        The commit goes on set/<env>/<release>-<id> on top of the base branch; the same values give the same branch,
        so running it again (or twice at once) writes one change. --merge runs the gates and merges it.
        Exit codes: 0 done (or nothing to change), 1 a gate failed, 2 error.
        """)

    @Argument(help: "The environment.")
    var environment: String

    @Argument(help: "The release whose values are set.")
    var release: String

    @Argument(help: "PATH=VALUE pairs, e.g. image.tag=1.6.0.")
    var assignments: [String]

    @Option(name: .long, help: "Why, for the commit message (a build, a ticket).")
    var reason: String?

    @OptionGroup var options: BranchOptions

    func run() throws {
        guard !assignments.isEmpty else { throw CommandFailure("name at least one PATH=VALUE, e.g. image.tag=1.6.0") }
        let parsed: [ValueAssignment]
        do { parsed = try assignments.map(ValueAssignment.init(parsing:)) } catch let error as PromotionError { throw CommandFailure(error.description) }
        let repository = try options.repository()
        let source = SetSource(environment: environment, release: release, assignments: parsed, reason: reason)
        try options.run(source, repository: repository, nothing: "nothing to change: \(environment) \(release) already has \(assignments.joined(separator: " "))")
    }
}

struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Restore an environment's own files to an earlier revision, as a commit on a branch.",
        discussion: """
        Restores the environment's folder and the charts and manifest folders only it uses; shared ones are left
        alone and named. --merge runs the gates and merges, as for promotions.
        """)

    @Argument(help: "The environment to roll back.")
    var environment: String

    @Option(name: .long, help: "The revision whose content to restore (HEAD~1, a tag, a commit id).")
    var to: String

    @OptionGroup var options: BranchOptions

    func run() throws {
        let repository = try options.repository()
        let commit = try repository.resolveCommit(to)
        let source = RollbackSource(environment: environment, to: try Snapshot(repository: repository, commit: commit.id), toSummary: commit.summary)
        try options.run(source, repository: repository, nothing: "nothing to roll back: \(environment)'s files already match \(to)")
    }
}

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Run the gates on a promotion, rollback or set branch and merge it into the base with a merge commit.")

    @Argument(help: "The branch to merge (promote/..., rollback/... or set/...).")
    var branch: String

    // What a merge takes of BranchOptions: not --branch, --merge or --dry-run.
    @OptionGroup var commit: CommitOptions

    func run() throws {
        var options = try BranchOptions.parse([])
        options.commit = commit
        let repository = try options.repository()
        options.branch = branch
        options.merge = true
        let source: ProposalSource
        do { source = try options.workflow(repository).source(ofBranch: branch) } catch let error as PromotionError { throw CommandFailure(error.description) }
        try options.run(source, repository: repository, nothing: "\(try options.baseBranch(repository)) already has the change of \(branch)")
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The commits that changed what an environment renders from, newest first, with the objects each changed.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "The environment.")
    var environment: String

    @Option(name: .long, help: "At most this many commits.")
    var limit = 20

    @Option(name: .long, help: "Start from this revision (default: HEAD).")
    var revision = "HEAD"

    @Option(name: .long, help: "The environments repository (default: the Git repository around the current folder).")
    var repo: String?

    @Option(name: .long, help: "Output format.")
    var output: Format = .text

    @OptionGroup var charts: ChartCacheOptions

    func run() throws {
        let repository = try Repository(discoveringFrom: repo ?? FileManager.default.currentDirectoryPath)
        let entries: [HistoryEntry]
        do {
            entries = try History.of(environment, repository: repository, revision: revision, limit: limit, seedSecret: RandomSeed.secret,
                                     charts: try charts.access(), offline: charts.offline)
        } catch let error as PromotionError { throw CommandFailure(error.description) }
        switch output {
        case .json:
            Output.write(JSONWriter.write(.array(entries.map(Self.json))) + "\n")
        case .text:
            var text = ""
            for entry in entries {
                let date = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: entry.commit.committer.time ?? 0))
                text += "\(entry.commit.shortID) \(date) \(entry.commit.author.name): \(entry.commit.summary)\n"
                if let from = entry.trailers["Promoted-From"], let at = from.firstIndex(of: "@") {
                    text += "  promoted from \(from[..<at]) at \(from[from.index(after: at)...].prefix(7)) (promotion \(entry.trailers["Promotion-Id"] ?? "?"))\n"
                }
                if let to = entry.trailers["Rolled-Back-To"] { text += "  rolled back to \(to.prefix(7)) (promotion \(entry.trailers["Promotion-Id"] ?? "?"))\n" }
                if entry.trailers["Set-Values"] != nil {
                    text += "  set by gitops set (change \(entry.trailers["Promotion-Id"] ?? "?"))\(entry.trailers["Set-Reason"].map { ": \($0)" } ?? "")\n"
                }
                if let error = entry.renderError { text += "  objects unknown: \(error)\n" }
                for object in entry.objects {
                    text += "  \(object.action == .create ? "+" : object.action == .prune ? "-" : "~") \(object.title)\n"
                }
            }
            Output.write(text)
        }
    }

    static func json(_ entry: HistoryEntry) -> Value {
        var trailers = ValueObject()
        for (key, value) in entry.trailers.sorted(by: { $0.key < $1.key }) { trailers[key] = .string(value) }
        return .object([
            "commit": .string(entry.commit.id), "summary": .string(entry.commit.summary), "author": .string(entry.commit.author.name),
            "time": .int(Int64(entry.commit.committer.time ?? 0)), "merged": entry.merged.map { .string($0.id) } ?? .null,
            "trailers": .object(trailers),
            "objects": .array(entry.objects.map { object in
                .object(["action": .string(object.action.rawValue), "kind": .string(object.key.groupKind.kind),
                         "namespace": .string(object.key.namespace), "name": .string(object.key.name)])
            }),
            "renderError": entry.renderError.map { .string($0) } ?? .null,
        ])
    }
}
