import Basics
import Foundation
import Git

/// Where the sync job reads the environments repository: a local repository, or a remote one
/// fetched into a bare cache with libgit2 (no checkout).
public enum SyncSource: Sendable {
    /// A local repository; `revision` names what to sync (a branch follows its tip).
    case local(path: String, revision: String)
    case remote(url: String, branch: String, cache: String, credentials: RemoteCredentials)

    /// The repository and the commit to sync now (fetching first for a remote). Pass the
    /// repository an earlier call returned to keep using it (the job polls with one open cache).
    public func latest(reusing opened: Repository? = nil) throws -> (repository: Repository, commit: String) {
        switch self {
        case .local(let path, let revision):
            let repository = try opened ?? Repository(discoveringFrom: path)
            return (repository, try repository.resolveCommit(revision).id)
        case .remote(let url, let branch, let cache, let credentials):
            let repository: Repository
            if let opened {
                repository = opened
            } else {
                repository = try Repository.openOrCreateBare(at: cache)
                try repository.setRemote("origin", url: url)
            }
            try repository.fetch(url: url, refspecs: ["+refs/heads/\(branch):refs/remotes/origin/\(branch)"], credentials: credentials)
            guard let commit = try repository.referenceTarget("refs/remotes/origin/\(branch)") else {
                throw SyncError.invalid("\(url) has no branch '\(branch)'")
            }
            return (repository, commit)
        }
    }

    /// The branch a remote source follows (webhooks for other branches are ignored).
    public var branch: String? {
        if case .remote(_, let branch, _, _) = self { return branch }
        return nil
    }

    /// For logs: the URL or path, never credentials.
    public var description: String {
        switch self {
        case .local(let path, let revision): return "\(path) at \(revision)"
        case .remote(let url, let branch, _, _): return "\(Self.redacted(url)) \(branch)"
        }
    }

    /// A URL without any user or password in it.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }
}
