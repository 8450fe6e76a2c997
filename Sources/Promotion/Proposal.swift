import Basics
import Foundation
import Git
import RepoModel

/// A change proposed as a commit on a branch, the way a pull request proposes it: a promotion, a
/// rollback, or values set by `gitops set`. Made again on whatever base the branch must sit on, so a moved base re-plans it.
public struct Proposal: Sendable {
    /// `promotion`, `rollback` or `change`, for messages.
    public var kind: String
    /// The environment it changes.
    public var target: String
    /// The same change always has the same id (branches are reused by it).
    public var id: String
    public var title: String
    /// Lines describing each change, for the commit body and the terminal.
    public var lines: [String]
    public var trailers: [(key: String, value: String)]
    /// Repository path → new content (nil deletes the file).
    public var edits: [String: [UInt8]?]
    /// What was left alone and why.
    public var notes: [String]

    public var isEmpty: Bool { edits.isEmpty }
}

/// The repository at one commit, read straight from Git objects.
public struct Snapshot: Sendable {
    public var commit: String
    public var tree: GitTree
    public var model: EnvironmentRepository

    public init(repository: Repository, commit: String) throws {
        self.commit = commit
        tree = try repository.tree(at: commit)
        model = try RepositoryLoader.loadEach(from: tree)
    }
}

/// Makes a proposal on a given base.
public protocol ProposalSource: Sendable {
    /// The proposal on `base`; empty when there is nothing to change.
    func propose(on base: Snapshot) throws -> Proposal
    /// Throws `PromotionConflict` when `base` changed a value this proposal changes, since
    /// `planned` (the base it was first made on).
    func checkConflicts(planned: Snapshot, current: Snapshot) throws
    /// The branch name when none is given.
    func defaultBranch(for proposal: Proposal) -> String
}

/// Promotes the values at `promote:` paths of `source` (read at `sourceCommit`) into `target`.
public struct PromotionSource: ProposalSource {
    public var source: String
    public var target: String
    public var sourceSnapshot: Snapshot
    public var releases: [String]?
    /// Promote although the target does not promote from the source (`--force`); recorded in the
    /// commit as a `Promotion-Forced` trailer.
    public var force: Bool

    public init(source: String, target: String, sourceSnapshot: Snapshot, releases: [String]? = nil, force: Bool = false) {
        self.source = source
        self.target = target
        self.sourceSnapshot = sourceSnapshot
        self.releases = releases
        self.force = force
    }

    public func plan(on base: Snapshot) throws -> PromotionPlan {
        try PromotionPlanner.plan(source: source, target: target, sourceCommit: sourceSnapshot.commit,
                                  sourceTree: sourceSnapshot.tree, sourceModel: sourceSnapshot.model,
                                  targetTree: base.tree, targetModel: base.model, releases: releases, force: force)
    }

    /// Why the promotion is out of order on `base` (nil when it is not): said in a forced commit.
    func forcedReason(on base: Snapshot) -> String? {
        guard force, let target = base.model.environment(named: target) else { return nil }
        return PromotionPlanner.orderProblem(source: source, target: target, settings: base.model.settings)
    }

    public func propose(on base: Snapshot) throws -> Proposal {
        let plan = try plan(on: base)
        let forced = forcedReason(on: base)
        var lines = plan.changes.map { "\($0.summary) (\($0.file))" }
        if let forced { lines.append("forced out of the promotion order (--force): \(forced)") }
        return Proposal(kind: "promotion", target: target, id: plan.id, title: plan.title,
                        lines: lines,
                        trailers: [("Promoted-From", "\(source)@\(sourceSnapshot.commit)"), ("Environment", target)]
                            + (releases.map { [("Releases", $0.joined(separator: ", "))] } ?? [])
                            + (forced.map { [("Promotion-Forced", $0)] } ?? []) + [("Promotion-Id", plan.id)],
                        edits: plan.edits.mapValues { Optional($0) }, notes: plan.notes)
    }

    public func checkConflicts(planned: Snapshot, current: Snapshot) throws {
        let before = try plan(on: planned)
        let now = try plan(on: current)
        for change in before.changes {
            let current = now.changes.first { $0.release == change.release && $0.path == change.path }
            // Unchanged since planning (the same `from`), or already at the promoted value: no conflict.
            guard let current, current.from != change.from else { continue }
            throw PromotionConflict(change: change, current: current.from)
        }
    }

    /// `promote/<target>/from-<source>-<sha>`, and the release names when only some are promoted:
    /// promotions from different sources or of different releases never share a branch.
    public func defaultBranch(for proposal: Proposal) -> String {
        var name = "promote/\(target)/from-\(source)-\(sourceSnapshot.commit.prefix(7))"
        if let releases, !releases.isEmpty { name += "-" + releases.sorted().joined(separator: "-") }
        return name
    }
}

/// Parses `Key: value` trailers from the end of a commit message.
public enum Trailers {
    public static func parse(_ message: String) -> [String: String] {
        var trailers: [String: String] = [:]
        let paragraphs = message.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n\n")
        guard let last = paragraphs.last else { return [:] }
        for line in last.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { return [:] }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, !key.contains(" ") else { return [:] }
            trailers[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return trailers
    }
}

extension Workflow {
    /// The proposal source that made a branch, from its tip's trailers (for `gitops merge BRANCH`).
    public func source(ofBranch branch: String) throws -> ProposalSource {
        guard let tip = try repository.referenceTarget("refs/heads/" + branch) else {
            throw PromotionError("no branch '\(branch)'")
        }
        let info = try repository.commitInfo(tip)
        let trailers = Trailers.parse(info.message)
        guard let environment = trailers["Environment"] else {
            throw PromotionError("\(branch) (\(info.shortID)) is not a gitops promotion or rollback: its commit has no Environment trailer")
        }
        if let from = trailers["Promoted-From"], let at = from.firstIndex(of: "@") {
            let releases = trailers["Releases"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            return PromotionSource(source: String(from[..<at]), target: environment,
                                   sourceSnapshot: try Snapshot(repository: repository, commit: String(from[from.index(after: at)...])),
                                   releases: releases, force: trailers["Promotion-Forced"] != nil)
        }
        if let to = trailers["Rolled-Back-To"] {
            return RollbackSource(environment: environment, to: try Snapshot(repository: repository, commit: to),
                                  toSummary: try repository.commitInfo(to).summary)
        }
        if let values = trailers["Set-Values"], let release = trailers["Release"] {
            return SetSource(environment: environment, release: release, assignments: try SetSource.assignments(fromTrailer: values),
                             reason: trailers["Set-Reason"])
        }
        throw PromotionError("\(branch) (\(info.shortID)) has none of the Promoted-From, Rolled-Back-To or Set-Values trailers")
    }
}
