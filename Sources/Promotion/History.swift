import Basics
import ChartSources
import Drift
import Foundation
import Git
import KubeModel
import RepoModel
import Render

/// One commit of a branch that changed what an environment renders from.
public struct HistoryEntry: Sendable {
    public var commit: CommitInfo
    /// For a merge, the commit it merged (the promotion or rollback).
    public var merged: CommitInfo?
    /// `Promoted-From` (`staging@<sha>`), `Promotion-Id`, `Rolled-Back-To`, from the commit or the merged one.
    public var trailers: [String: String]
    /// The objects whose render changed (created, updated, pruned).
    public var objects: [DriftReport.Entry]
    /// Why the objects are not known (the environment did not render at this commit or its parent).
    public var renderError: String?
}

/// The history of an environment: the commits on a branch's first-parent line that changed
/// anything it renders from (its folder, its charts and manifests, values files, policies,
/// gitops.yaml), newest first, each with the objects it changed.
public enum History {
    public static func of(_ environment: String, repository: Repository, revision: String, limit: Int = 20,
                          seedSecret: String? = nil, charts: ChartAccess = ChartAccess(cache: .standard()), offline: Bool = false) throws -> [HistoryEntry] {
        let top = try Snapshot(repository: repository, commit: repository.resolveCommit(revision).id)
        guard let current = top.model.environment(named: environment) else {
            if let broken = top.model.brokenEnvironment(named: environment) {
                throw PromotionError("at \(revision), \(broken.summary); pass --revision with a commit where it loads")
            }
            throw PromotionError("no environment '\(environment)' at \(revision)")
        }
        let watched = top.model.inputs(of: current)
        // What the environment renders from, per commit: the object ids of the watched paths.
        // Each commit's is read once (a first-parent walk asks for each commit and its parent).
        var fingerprints: [String: [String?]] = [:]
        func fingerprint(_ commit: String) throws(GitError) -> [String?] {
            if let known = fingerprints[commit] { return known }
            var ids: [String?] = []
            for path in watched { ids.append(try repository.entryID(commit: commit, path: path)) }
            fingerprints[commit] = ids
            return ids
        }
        let commits = try repository.log(from: revision, firstParent: true, limit: limit) { info throws(GitError) -> Bool in
            let now = try fingerprint(info.id)
            guard let parent = info.parents.first else { return now.contains { $0 != nil } }
            return try now != fingerprint(parent)
        }
        // Renders are shared between commits with the same fingerprint (a parent is often the
        // previous entry's commit, as far as this environment is concerned).
        var renders: [[String?]: [Object]] = [:]
        func render(_ commit: String) throws -> [Object] {
            let key = try fingerprint(commit)
            if let known = renders[key] { return known }
            let snapshot = try Snapshot(repository: repository, commit: commit)
            if let broken = snapshot.model.brokenEnvironment(named: environment) { throw DiagnosticError(broken.problems) }
            let environments = snapshot.model.environment(named: environment).map { [$0] } ?? []
            if !offline && ChartPrefetch.needed(environments, tree: snapshot.tree) {
                let tree = snapshot.tree
                try Blocking.run { try await ChartPrefetch.ensure(environments, tree: tree, access: charts) }
            }
            let objects = try environments.first.map {
                try Renderer(tree: snapshot.tree, renderTime: Date(timeIntervalSince1970: snapshot.tree.commit.time), seedSecret: seedSecret,
                             chartCache: charts.cache).render($0).objects
            } ?? []
            renders[key] = objects
            return objects
        }
        return try commits.map { info in
            let merged = info.parents.count > 1 ? try repository.commitInfo(info.parents[1]) : nil
            var trailers = merged.map { Trailers.parse($0.message) } ?? [:]
            trailers.merge(Trailers.parse(info.message)) { merged, _ in merged }
            do {
                let after = try render(info.id)
                let before = try info.parents.first.map(render) ?? []
                let objects = Drift.compare(desired: after, live: before) { _ in true }.entries.filter { $0.action != .unchanged }
                return HistoryEntry(commit: info, merged: merged, trailers: trailers, objects: objects, renderError: nil)
            } catch let error as DiagnosticError {
                return HistoryEntry(commit: info, merged: merged, trailers: trailers, objects: [], renderError: "it does not render: " + error.firstProblem)
            } catch {
                return HistoryEntry(commit: info, merged: merged, trailers: trailers, objects: [], renderError: "\(error)")
            }
        }
    }
}
