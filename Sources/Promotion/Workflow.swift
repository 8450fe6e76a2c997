import Basics
import ChartSources
import Drift
import Foundation
import Gates
import Git
import RepoModel
import Render
import Validation

/// What opening a proposal's branch did.
public struct OpenedBranch: Sendable {
    public var proposal: Proposal
    public var branch: String
    public var commit: String
    /// The branch already held this change (nothing was written).
    public var reused: Bool
    public var base: String
    public var baseCommit: String
    /// The render diff the change causes for the target environment.
    public var renderDiff: DriftReport
}

/// What merging did.
public enum MergeOutcome: Sendable {
    case merged(commit: String, opened: OpenedBranch)
    /// A gate found errors; the branch is left for a person to fix.
    case gateFailed(CheckReport, opened: OpenedBranch)
    /// The base already has the change (merged by someone else meanwhile).
    case alreadyMerged(base: String)
}

/// Proposals as branches and merges, the way pull requests work, with libgit2 only: commits are
/// built in memory on the base branch's tip, refs move by compare-and-swap, and a base that moved
/// meanwhile gets the proposal made again on its new tip (bounded retries with backoff).
public struct Workflow: Sendable {
    public let repository: Repository
    public var author: Signature
    public var committer: Signature
    public var seedSecret: String?
    /// Where the remote charts a render diff needs come from (fetched into the cache first).
    public var charts = ChartAccess(cache: .standard())
    /// Attempts when the base keeps moving.
    public var attempts = 5
    /// When set, the base is the remote's branch: fetched before each attempt, the promotion branch
    /// pushed, and the merge pushed to the remote (a non-fast-forward rejection re-plans on the new
    /// remote tip). The local base branch is not moved.
    public var remote: (name: String, credentials: RemoteCredentials)?

    public init(repository: Repository, author: Signature, committer: Signature, seedSecret: String? = nil) {
        self.repository = repository
        self.author = author
        self.committer = committer
        self.seedSecret = seedSecret
    }

    // MARK: Opening

    /// Writes the proposal as one commit on `branch` (default: the source's name for it) on top of
    /// `base`'s tip. Reuses a branch that already holds the same change (by id), never a second one.
    public func open(_ source: ProposalSource, base: String, branch: String? = nil, dryRun: Bool = false) throws -> OpenedBranch? {
        if !dryRun { _ = try recoverInterruptedMerge() }
        for attempt in 0..<attempts {
            let baseCommit = try tip(base)
            let snapshot = try Snapshot(repository: repository, commit: baseCommit)
            let proposal = try source.propose(on: snapshot)
            if proposal.isEmpty { return nil }
            var name = source.defaultBranch(for: proposal)
            if let branch { name = branch } else if let found = try existingBranch(for: proposal) { name = found }
            let tree = try repository.tree(basedOn: snapshot.tree.commit.treeID, changing: proposal.edits)
            let diff = try renderDiff(proposal.target, before: snapshot, afterTree: tree)
            var opened = OpenedBranch(proposal: proposal, branch: name, commit: "", reused: false, base: base, baseCommit: baseCommit, renderDiff: diff)
            if dryRun { return opened }
            let existing = try repository.referenceTarget("refs/heads/" + name)
            if let existing {
                let info = try repository.commitInfo(existing)
                if info.treeID == tree && info.parents.first == baseCommit {
                    opened.commit = existing
                    opened.reused = true
                    try pushBranch(name, id: proposal.id, replacing: nil)
                    return opened
                }
                guard Trailers.parse(info.message)["Promotion-Id"] == proposal.id else {
                    throw PromotionError("branch \(name) exists and holds another change (\(info.shortID) \(info.summary)); pass --branch NAME")
                }
            }
            let message = Self.message(proposal, diff: diff)
            let commit = try repository.commit(tree: tree, parents: [baseCommit], author: author, committer: committer, message: message)
            CrashPoint.reach("before-branch-ref")
            guard try swap("refs/heads/" + name, to: commit, expected: existing, message: "gitops: \(proposal.title)") else {
                // Someone else wrote the branch meanwhile: look again.
                try backoff(attempt)
                continue
            }
            CrashPoint.reach("after-branch-ref")
            opened.commit = commit
            try pushBranch(name, id: proposal.id, replacing: existing)
            return opened
        }
        throw PromotionError("\(branch ?? "the branch") kept moving; gave up after \(attempts) attempts")
    }

    /// A local branch already holding the same change (same `Promotion-Id`), so it is reused.
    private func existingBranch(for proposal: Proposal) throws -> String? {
        for prefix in ["promote/\(proposal.target)/", "rollback/\(proposal.target)/", "set/\(proposal.target)/"] {
            for name in try repository.branches(prefix: prefix) {
                guard let tip = try repository.referenceTarget("refs/heads/" + name) else { continue }
                if Trailers.parse(try repository.commitInfo(tip).message)["Promotion-Id"] == proposal.id { return name }
            }
        }
        return nil
    }

    // MARK: Merging

    /// Runs the gates on the branch tip and merges it into `base` with a merge commit. If the base
    /// moved, the proposal is made again on the new tip (a real conflict throws), the branch is
    /// updated, and the gates run again.
    /// - Parameter gate: checks the target environment on a snapshot (render, schemas, policies).
    public func merge(_ source: ProposalSource, branch: String? = nil, base: String,
                      gate: (Snapshot) throws -> CheckReport) throws -> MergeOutcome {
        _ = try recoverInterruptedMerge()
        var planned: Snapshot?
        for attempt in 0..<attempts {
            let baseCommit = try tip(base)
            if let branch, planned == nil, let branchTip = try repository.referenceTarget("refs/heads/" + branch),
               let parent = try repository.commitInfo(branchTip).parents.first {
                planned = try Snapshot(repository: repository, commit: parent)
            }
            let current = try Snapshot(repository: repository, commit: baseCommit)
            if let planned, planned.commit != baseCommit { try source.checkConflicts(planned: planned, current: current) }
            guard let opened = try open(source, base: base, branch: branch) else { return .alreadyMerged(base: base) }
            planned = planned ?? current
            let tip = try Snapshot(repository: repository, commit: opened.commit)
            let report = try gate(tip)
            if !report.passed { return .gateFailed(report, opened: opened) }
            let message = "Merge \(opened.proposal.kind) \(opened.proposal.id): \(opened.proposal.title)\n\n"
                + "Merged branch \(opened.branch) into \(base).\n\nPromotion-Id: \(opened.proposal.id)\n"
            let merge = try repository.commit(tree: tip.tree.commit.treeID, parents: [opened.baseCommit, opened.commit],
                                              author: author, committer: committer, message: message)
            if let remote {
                guard try pushMerge(merge, to: base, remote: remote) else {
                    try backoff(attempt)
                    continue
                }
                return .merged(commit: merge, opened: opened)
            }
            // The checked-out branch: its files must not hold unsaved edits we would overwrite.
            let checkedOut = repository.workdir != nil && repository.currentBranch() == base
            let paths = opened.proposal.edits.keys.sorted()
            if checkedOut {
                // Another merge moving the checked-out branch (its files half checked out) is not
                // a person's edit: plan again on where it leaves the branch.
                guard try self.tip(base) == opened.baseCommit else {
                    try backoff(attempt)
                    continue
                }
                let dirty = try repository.modifiedPaths(paths)
                if !dirty.isEmpty, try self.tip(base) != opened.baseCommit {
                    try backoff(attempt)
                    continue
                }
                guard dirty.isEmpty else {
                    throw PromotionError("\(dirty.joined(separator: ", ")) \(dirty.count == 1 ? "has" : "have") uncommitted edits in the working tree, and merging into the checked-out \(base) would overwrite them; commit or stash them first (branch \(opened.branch) is ready)")
                }
            }
            CrashPoint.reach("before-merge-ref")
            if checkedOut { try MergeJournal(base: base, from: opened.baseCommit, to: merge, paths: paths).write(repository) }
            guard try swap("refs/heads/" + base, to: merge, expected: opened.baseCommit, message: "gitops: merge \(opened.branch)") else {
                MergeJournal.remove(repository)
                try backoff(attempt)
                continue
            }
            CrashPoint.reach("before-checkout")
            if checkedOut {
                try repository.checkOut(paths: paths, from: opened.baseCommit, to: merge)
                MergeJournal.remove(repository)
            }
            return .merged(commit: merge, opened: opened)
        }
        throw PromotionError("\(base) kept moving while merging; gave up after \(attempts) attempts")
    }

    // MARK: Helpers

    /// Finishes a merge a killed process left half done (see `MergeJournal`); what it did, if anything.
    @discardableResult
    public func recoverInterruptedMerge() throws -> String? { try MergeJournal.recover(repository) }

    /// A compare-and-swap ref update; false when the ref moved meanwhile. A ref another process
    /// is writing at this instant (its lock file) is waited for, up to about two seconds; a lock
    /// older than that is reported with the file to remove.
    private func swap(_ name: String, to commit: String, expected: String?, message: String) throws -> Bool {
        var attempt = 0
        while true {
            attempt += 1
            let outcome = Self.attempt { () throws(GitError) in try repository.updateReference(name, to: commit, expected: expected, message: message) }
            switch outcome {
            case .success: return true
            case .failure(let error) where error.code == .referenceMoved: return false
            case .failure(let error) where error.code == .referenceLocked && attempt < 20: usleep(100_000)
            case .failure(let error): throw error
            }
        }
    }

    private static func attempt(_ body: () throws(GitError) -> Void) -> Result<Void, GitError> {
        do { try body(); return .success(()) } catch { return .failure(error) }
    }

    func tip(_ branch: String) throws -> String {
        if let remote {
            try repository.fetch(remote: remote.name, refspecs: ["+refs/heads/\(branch):refs/remotes/\(remote.name)/\(branch)"], credentials: remote.credentials)
            guard let commit = try repository.referenceTarget("refs/remotes/\(remote.name)/\(branch)") else {
                throw PromotionError("the remote '\(remote.name)' has no branch '\(branch)'")
            }
            return commit
        }
        guard let commit = try repository.referenceTarget("refs/heads/" + branch) else {
            throw PromotionError("no branch '\(branch)' in \(repository.gitDirectory); pass --base BRANCH")
        }
        return commit
    }

    /// Pushes the promotion branch. The remote's copy is replaced only when it is a commit gitops
    /// wrote for the same change (`replacing`, or one carrying the same Promotion-Id); a person's
    /// commits on it are never overwritten.
    private func pushBranch(_ name: String, id: String, replacing previous: String?) throws {
        guard let remote else { return }
        let tracking = "refs/remotes/\(remote.name)/\(name)"
        try? repository.fetch(remote: remote.name, refspecs: ["+refs/heads/\(name):\(tracking)"], credentials: remote.credentials)
        var force = false
        if let remoteTip = try repository.referenceTarget(tracking), let local = try repository.referenceTarget("refs/heads/" + name),
           remoteTip != local, !(try repository.isAncestor(remoteTip, of: local)) {
            let remoteMessage = try repository.commitInfo(remoteTip).message
            let ours = remoteTip == previous || Trailers.parse(remoteMessage)["Promotion-Id"] == id
            guard ours else {
                throw PromotionError("the remote '\(remote.name)' has other commits on \(name); look at them, or pass --branch NAME")
            }
            force = true
        }
        let rejected = try repository.push(remote: remote.name, refspecs: ["\(force ? "+" : "")refs/heads/\(name):refs/heads/\(name)"],
                                           credentials: remote.credentials)
        if let reason = rejected.values.first {
            throw PromotionError("the remote '\(remote.name)' refused branch \(name) (\(reason))")
        }
    }

    /// Pushes a merge commit to the remote's base branch; false when the remote moved meanwhile.
    private func pushMerge(_ merge: String, to base: String, remote: (name: String, credentials: RemoteCredentials)) throws -> Bool {
        let temporary = "refs/gitops/merge-\(getpid())"
        try repository.updateReference(temporary, to: merge, expected: try repository.referenceTarget(temporary), message: "gitops: push")
        defer { try? repository.deleteReference(temporary) }
        CrashPoint.reach("before-merge-push")
        let rejected = try repository.push(remote: remote.name, refspecs: ["\(temporary):refs/heads/\(base)"], credentials: remote.credentials)
        return rejected.isEmpty
    }

    private func backoff(_ attempt: Int) throws {
        let seconds = min(2.0, 0.05 * pow(2, Double(attempt))) * Double.random(in: 0.5...1.5)
        Thread.sleep(forTimeInterval: seconds)
    }

    /// The target environment's render before and after the change.
    func renderDiff(_ environment: String, before: Snapshot, afterTree tree: String) throws -> DriftReport {
        let afterTree = try repository.tree(id: tree, label: "the proposed change", time: Date().timeIntervalSince1970)
        let afterModel = try RepositoryLoader.loadEach(from: afterTree)
        let time = Date(timeIntervalSince1970: before.tree.commit.time)
        let charts = self.charts
        for (model, tree) in [(before.model, before.tree), (afterModel, afterTree)] {
            let environments = model.environment(named: environment).map { [$0] } ?? []
            if ChartPrefetch.needed(environments, tree: tree) {
                do {
                    try Blocking.run { try await ChartPrefetch.ensure(environments, tree: tree, access: charts) }
                } catch {
                    throw PromotionError("fetching the charts \(environment) pins failed: \(error)")
                }
            }
        }
        let old = try before.model.environment(named: environment).map {
            try Renderer(tree: before.tree, renderTime: time, seedSecret: seedSecret, chartCache: charts.cache).render($0).objects
        } ?? []
        let new = try afterModel.environment(named: environment).map {
            try Renderer(tree: afterTree, renderTime: time, seedSecret: seedSecret, chartCache: charts.cache).render($0).objects
        } ?? []
        return Drift.compare(desired: new, live: old) { _ in true }
    }

    /// Title, the changes, the render diff summary, notes, trailers.
    static func message(_ proposal: Proposal, diff: DriftReport) -> String {
        var text = proposal.title + "\n\nChanges:\n" + proposal.lines.map { "- \($0)\n" }.joined()
        text += "\nRender of \(proposal.target): \(diff.summary)\n"
        for entry in diff.entries where entry.action != .unchanged {
            text += "  \(entry.action == .create ? "+" : entry.action == .prune ? "-" : "~") \(entry.title)\n"
        }
        if !proposal.notes.isEmpty { text += "\nNotes:\n" + proposal.notes.map { "- \($0)\n" }.joined() }
        text += "\n" + proposal.trailers.map { "\($0.key): \($0.value)\n" }.joined()
        return text
    }
}
