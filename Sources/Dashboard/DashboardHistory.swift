import Basics
import ChartSources
import Foundation
import Gates
import Git
import Preview
import Promotion
import Render
import RepoModel
import Secrets

/// One commit of the history page: what it changed in each environment.
public struct HistoryCommitView: Sendable, Codable {
    public var id: String
    public var short: String
    public var summary: String
    public var author: String
    /// ISO 8601.
    public var time: String
    /// `promotion`, `rollback` or `change`.
    public var kind: String
    /// `staging@abc1234` for a promotion; the revision rolled back to for a rollback.
    public var detail: String?
    public var environments: [HistoryChangeView]
}

/// What one commit changed in one environment.
public struct HistoryChangeView: Sendable, Codable {
    public var environment: String
    /// `apps/v1 Deployment blog-production/blog (update)`, ...
    public var objects: [String]
    /// Why the objects are not known (it did not render then).
    public var problem: String?
}

/// An open promotion, rollback or set branch and what its gates say.
public struct BranchView: Sendable, Codable {
    /// `promote/production/1a2b3c4d`, `origin/rollback/staging/...`.
    public var name: String
    /// The environment it changes.
    public var environment: String
    /// `promotion`, `rollback` or `set`.
    public var kind: String
    public var commit: String
    public var summary: String
    public var time: String
    /// `passes`, `2 errors, 1 warning`, or why it could not be checked.
    public var gates: String
    public var passed: Bool
    /// The first findings (at most 10).
    public var findings: [FindingView]
}

/// Two revisions compared, every environment: the pull-request preview.
public struct ComparisonView: Sendable, Codable {
    /// The revisions as asked for.
    public var from: String
    public var to: String
    /// What they resolved to (`HEAD~1 (1a2b3c4)`).
    public var fromLabel: String?
    public var toLabel: String?
    /// Why the comparison could not be made (an unknown revision).
    public var error: String?
    public var environments: [ComparedEnvironmentView]
}

public struct ComparedEnvironmentView: Sendable, Codable {
    public var name: String
    /// `2 to create, 1 to update, 0 to prune, 37 unchanged`, or why there is no comparison.
    public var summary: String
    /// `none`, `2 errors`, ...
    public var findings: String
    public var problems: [String]
    public var changes: [DriftView]
}

/// The repository's history and comparisons for the dashboard, read from Git objects and kept by
/// commit (a commit never changes, so neither does what it rendered).
public actor DashboardHistory {
    /// The repository and the revision whose history is shown (a branch, `HEAD`, the commit the
    /// sync job fetched last); nil: nothing to show yet.
    let source: @Sendable () -> (Repository, String)?
    let seedSecret: String?
    let chartCache: ChartCache
    let limit: Int
    private var commitsCache: [String: [HistoryCommitView]] = [:]
    private var comparisons: [String: ComparisonView] = [:]
    /// Gate results by branch tip.
    private var gateResults: [String: BranchView] = [:]

    public init(repository: Repository, revision: String = "HEAD", seedSecret: String?, chartCache: ChartCache, limit: Int = 30) {
        self.init(source: { (repository, revision) }, seedSecret: seedSecret, chartCache: chartCache, limit: limit)
    }

    public init(source: @escaping @Sendable () -> (Repository, String)?, seedSecret: String?, chartCache: ChartCache, limit: Int = 30) {
        self.source = source
        self.seedSecret = seedSecret
        self.chartCache = chartCache
        self.limit = limit
    }

    /// The last commits that changed any of `environments`, newest first, each with the objects
    /// it changed per environment; promotions and rollbacks marked by their trailers.
    public func commits(environments: [String]) -> [HistoryCommitView] {
        guard let (repository, revision) = source(), let head = try? repository.resolveCommit(revision).id else { return [] }
        let key = head + "\n" + environments.joined(separator: ",")
        if let known = commitsCache[key] { return known }
        var byCommit: [String: HistoryCommitView] = [:]
        // Newest first, as the branch's first-parent line has them (commit times can be equal).
        var rank: [String: Int] = [:]
        for (index, info) in ((try? repository.log(from: head, firstParent: true, limit: 1000)) ?? []).enumerated() { rank[info.id] = index }
        let charts = ChartAccess(cache: chartCache)
        for environment in environments {
            // Charts already fetched only: a page never waits on a chart repository.
            guard let entries = try? History.of(environment, repository: repository, revision: head, limit: limit, seedSecret: seedSecret,
                                                charts: charts, offline: true) else { continue }
            for entry in entries {
                let change = HistoryChangeView(environment: environment,
                                               objects: entry.objects.map { "\($0.title) (\($0.action.rawValue))" },
                                               problem: entry.renderError.map(Redaction.redact))
                if byCommit[entry.commit.id] == nil { byCommit[entry.commit.id] = Self.view(entry) }
                byCommit[entry.commit.id]?.environments.append(change)
            }
        }
        let views = byCommit.values.sorted { (rank[$0.id] ?? Int.max, $0.id) < (rank[$1.id] ?? Int.max, $1.id) }.prefix(limit).map { $0 }
        commitsCache = [key: views]
        return views
    }

    static func view(_ entry: HistoryEntry) -> HistoryCommitView {
        let kind: String, detail: String?
        if let from = entry.trailers["Promoted-From"] {
            kind = "promotion"
            // `staging@<sha>` with the commit shortened.
            detail = from.firstIndex(of: "@").map { String(from[...$0]) + from[from.index(after: $0)...].prefix(7) } ?? from
        } else if let to = entry.trailers["Rolled-Back-To"] {
            kind = "rollback"
            detail = String(to.prefix(12))
        } else {
            kind = "change"
            detail = nil
        }
        let time = entry.commit.committer.time.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: $0)) } ?? ""
        return HistoryCommitView(id: entry.commit.id, short: entry.commit.shortID, summary: entry.commit.summary, author: entry.commit.author.name,
                                 time: time, kind: kind, detail: detail, environments: [])
    }

    /// The promotion, rollback and set branches (local and remote-tracking) not yet merged into
    /// the revision shown, newest first, each with its target's gates run on its tip.
    public func branches() -> [BranchView] {
        guard let (repository, revision) = source(), let head = try? repository.resolveCommit(revision).id else { return [] }
        var views: [BranchView] = []
        var seen = Set<String>()
        for remote in [false, true] {
            for prefix in ["promote/", "rollback/", "set/"] {
                for name in (try? repository.branches(prefix: prefix, remote: remote)) ?? [] {
                    let reference = (remote ? "refs/remotes/" : "refs/heads/") + name
                    guard let tip = try? repository.referenceTarget(reference), !seen.contains(tip),
                          (try? repository.isAncestor(tip, of: head)) == false else { continue }
                    seen.insert(tip)
                    if var known = gateResults[tip] {
                        known.name = name
                        views.append(known)
                    } else if let view = branch(name, tip: tip, repository: repository) {
                        gateResults[tip] = view
                        views.append(view)
                    }
                }
            }
        }
        return views.sorted { ($0.time, $0.name) > ($1.time, $1.name) }
    }

    /// One branch: its trailers say what it changes; the gates of `gitops merge` run on its tip.
    func branch(_ name: String, tip: String, repository: Repository) -> BranchView? {
        guard let info = try? repository.commitInfo(tip) else { return nil }
        let trailers = Trailers.parse(info.message)
        guard let environment = trailers["Environment"] else { return nil }
        let kind = trailers["Promoted-From"] != nil ? "promotion" : trailers["Rolled-Back-To"] != nil ? "rollback" : "set"
        let time = info.committer.time.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: $0)) } ?? ""
        var view = BranchView(name: name, environment: environment, kind: kind, commit: info.shortID, summary: info.summary, time: time,
                              gates: "", passed: false, findings: [])
        do {
            let snapshot = try Snapshot(repository: repository, commit: tip)
            let report = try EnvironmentChecker(tree: snapshot.tree, model: snapshot.model, renderTime: Date(timeIntervalSince1970: snapshot.tree.commit.time),
                                                seedSecret: seedSecret, chartCache: chartCache).check([environment])
            let errors = report.errors.count, warnings = report.findings.count - errors
            view.passed = errors == 0
            view.gates = errors == 0 && warnings == 0 ? "passes"
                : [errors > 0 ? DashboardPages.count(errors, "error") : nil, warnings > 0 ? DashboardPages.count(warnings, "warning") : nil]
                    .compactMap { $0 }.joined(separator: ", ")
            view.findings = report.findings.prefix(10).map(DashboardLoader.finding)
        } catch {
            view.gates = Redaction.redact("not checked: \(error)")
        }
        return view
    }

    /// Every environment's render at `to` compared with `from`, with `to`'s findings.
    public func compare(from: String, to: String) -> ComparisonView {
        var view = ComparisonView(from: from, to: to, environments: [])
        guard let (repository, _) = source() else {
            view.error = "no repository read yet"
            return view
        }
        let base: GitTree, head: GitTree
        do {
            base = try repository.tree(at: from)
            head = try repository.tree(at: to)
        } catch {
            view.error = "\(error)"
            return view
        }
        let key = base.commit.id + ".." + head.commit.id
        if let known = comparisons[key] { return known }
        view.fromLabel = base.displayName
        view.toLabel = head.displayName
        let baseModel: EnvironmentRepository, headModel: EnvironmentRepository
        do {
            baseModel = try RepositoryLoader.loadEach(from: base)
            headModel = try RepositoryLoader.loadEach(from: head)
        } catch {
            view.error = Redaction.redact("the repository does not load: \(error.firstProblem)")
            return view
        }
        func side(_ tree: GitTree, _ model: EnvironmentRepository, positions: Bool) -> PreviewSide {
            PreviewSide(label: tree.displayName, model: model,
                        renderer: Renderer(tree: tree, renderTime: Date(timeIntervalSince1970: tree.commit.time), seedSecret: seedSecret,
                                           chartCache: chartCache, fieldPositions: positions))
        }
        let headSide = side(head, headModel, positions: true), baseSide = side(base, baseModel, positions: false)
        let checker = try? EnvironmentChecker(tree: head, model: headModel, renderTime: Date(timeIntervalSince1970: head.commit.time),
                                              seedSecret: seedSecret, chartCache: chartCache)
        let previews = PreviewBuilder.build(PreviewBuilder.allNames(headSide, baseSide), head: headSide, base: baseSide, checker: checker)
        view.environments = previews.map { preview in
            ComparedEnvironmentView(name: preview.name, summary: Redaction.redact(preview.changeSummary), findings: preview.findingsSummary,
                                    problems: preview.problems.map(Redaction.redact),
                                    changes: (preview.report?.entries ?? []).filter { $0.action != .unchanged }.map { entry in
                                        DriftView(title: entry.title, action: entry.action.rawValue, path: nil, diff: entry.diff.map(Redaction.redact))
                                    })
        }
        // Kept for the last few pairs only: anyone who can read the pages can ask for any pair.
        if comparisons.count >= 16 { comparisons.removeAll() }
        comparisons[key] = view
        return view
    }
}
