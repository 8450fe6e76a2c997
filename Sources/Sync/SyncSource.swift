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
    ///
    /// A remote's cache gains a pack file (and, once read, an open file) with every fetch; past
    /// `maximumPacks` it is fetched afresh into a new cache that replaces it (git's own `gc --auto`
    /// repacks at 50 packs), so a job running for months holds a few packs open, not thousands.
    /// An environments repository is small: a fresh fetch every 20 changes costs little.
    public func latest(reusing opened: Repository? = nil, maximumPacks: Int = 20) throws -> (repository: Repository, commit: String) {
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
            let packs = (try? FileManager.default.contentsOfDirectory(atPath: cache + "/objects/pack"))?.filter { $0.hasSuffix(".pack") }.count ?? 0
            if packs > maximumPacks, let fresh = try? Self.refetch(url: url, branch: branch, cache: cache, credentials: credentials) {
                return fresh
            }
            return (repository, commit)
        }
    }

    /// Fetches the branch into a new cache beside `cache` and puts it in its place; the old cache
    /// stays until the new one is complete, so a failure leaves it as it was.
    static func refetch(url: String, branch: String, cache: String, credentials: RemoteCredentials) throws -> (repository: Repository, commit: String) {
        let fresh = cache + ".fresh-\(getpid())", old = cache + ".old-\(getpid())"
        try? FileManager.default.removeItem(atPath: fresh)
        do {
            let repository = try Repository.openOrCreateBare(at: fresh)
            try repository.setRemote("origin", url: url)
            try repository.fetch(url: url, refspecs: ["+refs/heads/\(branch):refs/remotes/origin/\(branch)"], credentials: credentials)
        } catch {
            try? FileManager.default.removeItem(atPath: fresh)
            throw error
        }
        try? FileManager.default.removeItem(atPath: old)
        guard rename(cache, old) == 0 else { try? FileManager.default.removeItem(atPath: fresh); throw SyncError.invalid("cannot replace the cache \(cache)") }
        guard rename(fresh, cache) == 0 else { _ = rename(old, cache); throw SyncError.invalid("cannot replace the cache \(cache)") }
        try? FileManager.default.removeItem(atPath: old)
        let repository = try Repository.openOrCreateBare(at: cache)
        guard let commit = try repository.referenceTarget("refs/remotes/origin/\(branch)") else {
            throw SyncError.invalid("\(url) has no branch '\(branch)'")
        }
        return (repository, commit)
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
