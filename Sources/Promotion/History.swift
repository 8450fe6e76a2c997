import Basics
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
                          seedSecret: String? = nil) throws -> [HistoryEntry] {
        let top = try Snapshot(repository: repository, commit: repository.resolveCommit(revision).id)
        guard let current = top.model.environment(named: environment) else {
            throw PromotionError("no environment '\(environment)' at \(revision)")
        }
        var paths = Set([current.folder, current.file, "gitops.yaml"] + top.model.settings.policyPaths + top.model.settings.crdPaths)
        for release in current.releases {
            switch release.source {
            case .chart(let chart, let files, _, _): paths.insert(chart); paths.formUnion(files)
            case .manifests(let folder): paths.insert(folder)
            }
        }
        let watched = paths.sorted()
        let commits = try repository.log(from: revision, firstParent: true, limit: limit) { info throws(GitError) -> Bool in
            for path in watched {
                let now = try repository.entryID(commit: info.id, path: path)
                let before = try info.parents.first.map { parent throws(GitError) in try repository.entryID(commit: parent, path: path) } ?? nil
                if now != before { return true }
            }
            return false
        }
        return try commits.map { info in
            let merged = info.parents.count > 1 ? try repository.commitInfo(info.parents[1]) : nil
            var trailers = merged.map { Trailers.parse($0.message) } ?? [:]
            trailers.merge(Trailers.parse(info.message)) { merged, _ in merged }
            do {
                let objects = try changedObjects(environment, repository: repository, commit: info, seedSecret: seedSecret)
                return HistoryEntry(commit: info, merged: merged, trailers: trailers, objects: objects, renderError: nil)
            } catch {
                return HistoryEntry(commit: info, merged: merged, trailers: trailers, objects: [], renderError: "\(error)")
            }
        }
    }

    /// The environment's render at the commit against its first parent.
    static func changedObjects(_ environment: String, repository: Repository, commit: CommitInfo, seedSecret: String?) throws -> [DriftReport.Entry] {
        func render(_ id: String) throws -> [Object] {
            let snapshot = try Snapshot(repository: repository, commit: id)
            guard let env = snapshot.model.environment(named: environment) else { return [] }
            return try Renderer(tree: snapshot.tree, renderTime: Date(timeIntervalSince1970: snapshot.tree.commit.time), seedSecret: seedSecret)
                .render(env).objects
        }
        let after = try render(commit.id)
        let before = try commit.parents.first.map(render) ?? []
        return Drift.compare(desired: after, live: before) { _ in true }.entries.filter { $0.action != .unchanged }
    }
}
