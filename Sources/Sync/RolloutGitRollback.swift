import Basics
import Foundation
import Git
import Promotion
import Rollouts

/// An aborted rollout whose release says `rollback: {git: true}`: the revert proposed in Git as
/// the rollback workflow makes it (a `rollback/<env>/...` branch restoring the environment's files
/// to the last good revision, pushed where the job fetches from), so Git again says what runs once
/// a person merges it. The job never merges it itself.
public enum RolloutGitRollback {
    /// Where the job reads the repository, and how to reach it for a push.
    public struct Target: Sendable {
        public var repository: Repository
        /// The branch the environment follows.
        public var base: String
        public var remote: (name: String, credentials: RemoteCredentials)?

        public init(repository: Repository, base: String, remote: (name: String, credentials: RemoteCredentials)?) {
            self.repository = repository
            self.base = base
            self.remote = remote
        }

        /// The target for a sync source: a remote's cache pushes to its `origin`; a local
        /// repository gets the branch itself. Nil when the source follows no branch.
        public static func of(_ source: SyncSource, repository: Repository) -> Target? {
            switch source {
            case .remote(_, let branch, _, let credentials):
                return Target(repository: repository, base: branch, remote: ("origin", credentials))
            case .local(_, let revision):
                if revision == "HEAD" { return repository.currentBranch().map { Target(repository: repository, base: $0, remote: nil) } }
                guard (try? repository.referenceTarget("refs/heads/" + revision)) != nil else { return nil }
                return Target(repository: repository, base: revision, remote: nil)
            }
        }
    }

    /// The job's commits: `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL` when set.
    static var author: Signature {
        let environment = ProcessInfo.processInfo.environment
        return Signature(name: environment["GIT_AUTHOR_NAME"] ?? "gitops sync job", email: environment["GIT_AUTHOR_EMAIL"] ?? "gitops-sync@localhost")
    }

    /// Proposes the revert of every rollout of `report` that aborted in this sync and asks for it;
    /// what happened, one line each (a failure is said, never thrown: the rollback in the cluster
    /// already happened).
    public static func propose(_ report: SyncReport, rollouts: [(release: String, spec: RolloutSpec)], environment: String,
                               target: Target?) -> [(ok: Bool, message: String)] {
        var results: [(Bool, String)] = []
        for outcome in report.rollouts where outcome.abortedNow {
            guard rollouts.first(where: { $0.spec.workload == outcome.workload })?.spec.rollbackInGit == true else { continue }
            let stable = outcome.record.state.stableRevision
            guard let target else {
                results.append((false, "rollback.git: the sync does not follow a branch, so the revert of \(outcome.workload) is not proposed; run gitops rollback \(environment) --to \(SyncOptions.short(stable))"))
                continue
            }
            do {
                let commit = try target.repository.resolveCommit(stable)
                var workflow = Workflow(repository: target.repository, author: author, committer: author)
                workflow.remote = target.remote
                let source = RollbackSource(environment: environment, to: try Snapshot(repository: target.repository, commit: commit.id), toSummary: commit.summary)
                if let opened = try workflow.open(source, base: target.base) {
                    results.append((true, "rollback.git: proposed the revert of \(outcome.workload) to \(SyncOptions.short(commit.id)) as \(opened.branch)" + (target.remote == nil ? "" : " (pushed)")))
                } else {
                    results.append((true, "rollback.git: \(environment)'s files on \(target.base) already match \(SyncOptions.short(commit.id)); nothing to propose"))
                }
            } catch {
                results.append((false, "rollback.git: proposing the revert of \(outcome.workload) to \(SyncOptions.short(stable)) failed: \(error); run gitops rollback \(environment) --to \(SyncOptions.short(stable))"))
            }
        }
        return results
    }
}
