import Basics
import CGit2
import Synchronization

/// A Git repository opened with libgit2. Objects read from it keep it alive; calls into libgit2
/// for one repository are serialized.
public final class Repository: @unchecked Sendable {
    let handle: OpaquePointer
    let lock = Mutex<Void>(())

    /// The most pack files libgit2 keeps open at once, in the whole process.
    public static let openPackFileLimit = 64

    /// The working-tree folder (absolute, no trailing slash); nil for a bare repository.
    public let workdir: String?
    /// The `.git` folder (absolute, no trailing slash).
    public let gitDirectory: String

    /// Opens the repository containing `path` (the folder itself or any of its parents).
    public init(discoveringFrom path: String) throws(GitError) {
        _ = libgit2Initialized
        var repo: OpaquePointer?
        let result = git_repository_open_ext(&repo, path, 0, nil)
        do throws(GitError) {
            try check(result, "git_repository_open_ext")
        } catch where result == GIT_ENOTFOUND.rawValue {
            throw GitError(code: .notARepository, message: "'\(path)' is not inside a Git repository",
                           call: error.call)
        }
        handle = repo!
        workdir = git_repository_workdir(handle).map { Self.trimSlash(String(cString: $0)) }
        gitDirectory = Self.trimSlash(String(cString: git_repository_path(handle)))
    }

    deinit { git_repository_free(handle) }

    private static func trimSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Runs `body` with libgit2 access to this repository serialized.
    func withLock<T>(_ body: () throws(GitError) -> T) throws(GitError) -> T {
        try lock.withLock { _ throws(GitError) in try body() }
    }

    /// The commit `revision` names, resolved the way `git rev-parse` does: branches, tags,
    /// remote branches, full or short ids, `HEAD~2`, `main^`, `v1.0^{commit}`.
    public func resolveCommit(_ revision: String) throws(GitError) -> Commit {
        try withLock { () throws(GitError) -> Commit in
            var object: OpaquePointer?
            let result = git_revparse_single(&object, handle, revision)
            do throws(GitError) {
                try check(result, "git_revparse_single")
            } catch where [GIT_ENOTFOUND.rawValue, GIT_EINVALIDSPEC.rawValue, GIT_EAMBIGUOUS.rawValue].contains(result) {
                let why = result == GIT_EAMBIGUOUS.rawValue ? "is ambiguous" : "does not name a commit"
                throw GitError(code: .unknownRevision,
                               message: "unknown revision '\(revision)': it \(why) in \(gitDirectory) (\(error.message))",
                               call: error.call)
            }
            defer { git_object_free(object) }
            var peeled: OpaquePointer?
            let peel = git_object_peel(&peeled, object, GIT_OBJECT_COMMIT)
            do throws(GitError) {
                try check(peel, "git_object_peel")
            } catch {
                throw GitError(code: .unknownRevision,
                               message: "unknown revision '\(revision)': it names an object that is not a commit (\(error.message))",
                               call: error.call)
            }
            defer { git_object_free(peeled) }
            let commit = peeled!
            let id = hex(git_commit_id(commit))
            let summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
            let tree = hex(git_commit_tree_id(commit))
            let time = Double(git_commit_time(commit))
            return Commit(id: id, treeID: tree, summary: summary, revision: revision, time: time)
        }
    }

    /// The file tree of the commit `revision` names, read straight from Git objects.
    public func tree(at revision: String) throws(GitError) -> GitTree {
        let commit = try resolveCommit(revision)
        return try GitTree(repository: self, commit: commit)
    }

    /// A tree not (yet) committed, read as a file tree; `label` names it in messages and `time` is
    /// what charts see as `now`.
    public func tree(id treeID: String, label: String, time: Double) throws(GitError) -> GitTree {
        try GitTree(repository: self, commit: Commit(id: treeID, treeID: treeID, summary: "", revision: label, time: time))
    }

    /// The working tree (uncommitted edits included).
    public func workingTree() throws(GitError) -> WorkingTree {
        guard let workdir else {
            throw GitError(code: .bare, message: "\(gitDirectory) is a bare repository; pass a revision",
                           call: "git_repository_workdir")
        }
        return WorkingTree(root: workdir)
    }
}

/// A resolved commit.
public struct Commit: Sendable, Hashable {
    /// Full hex object id.
    public var id: String
    /// Hex object id of its root tree.
    public var treeID: String
    /// The first line of its message.
    public var summary: String
    /// The revision text it was resolved from.
    public var revision: String
    /// Commit time, seconds since 1970.
    public var time: Double

    /// The abbreviated id (7 characters), as `git log --oneline` prints it.
    public var shortID: String { String(id.prefix(7)) }
}
