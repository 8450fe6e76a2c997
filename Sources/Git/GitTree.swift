import Basics
import CGit2

/// A commit's tree, read straight from Git objects: no checkout, no temporary files.
public final class GitTree: FileTree, @unchecked Sendable {
    public let repository: Repository
    public let commit: Commit
    private let root: OpaquePointer
    /// Subtrees looked up so far, by directory path (under the repository lock). libgit2 does not
    /// cache trees larger than 4 KiB, so without this every file of a folder of a thousand files
    /// would inflate and parse that folder's tree again.
    private var subtrees: [String: OpaquePointer] = [:]

    init(repository: Repository, commit: Commit) throws(GitError) {
        self.repository = repository
        self.commit = commit
        root = try repository.withLock { () throws(GitError) -> OpaquePointer in
            var oid = git_oid()
            try check(git_oid_fromstr(&oid, commit.treeID), "git_oid_fromstr")
            var tree: OpaquePointer?
            try check(git_tree_lookup(&tree, repository.handle, &oid), "git_tree_lookup")
            return tree!
        }
    }

    deinit {
        for tree in subtrees.values { git_tree_free(tree) }
        git_tree_free(root)
    }

    /// The tree of directory `path` ("" is the root); nil when there is no such directory. Call
    /// under the repository lock.
    private func subtree(_ path: String) throws(GitError) -> OpaquePointer? {
        if path.isEmpty { return root }
        if let cached = subtrees[path] { return cached }
        let (parentPath, name) = (RepoPath.parent(path), RepoPath.name(path))
        guard let parent = try subtree(parentPath), let entry = git_tree_entry_byname(parent, name),
              git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE else { return nil }
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, repository.handle, git_tree_entry_id(entry)), "git_tree_lookup")
        subtrees[path] = tree!
        return tree!
    }


    public var displayName: String { "\(commit.revision) (\(commit.shortID))" }

    /// Runs `body` with the tree entry at `path` (nil when absent), under the repository lock.
    private func withEntry<T>(_ path: String, _ body: (OpaquePointer?) throws -> T) throws -> T {
        try repository.lock.withLock { _ in
            let (directory, name) = (RepoPath.parent(path), RepoPath.name(path))
            guard let tree = try subtree(directory) else { return try body(nil) }
            return try body(git_tree_entry_byname(tree, name))
        }
    }

    private static func kind(_ entry: OpaquePointer) -> FileKind {
        switch git_tree_entry_filemode(entry) {
        case GIT_FILEMODE_TREE: return .directory
        case GIT_FILEMODE_LINK: return .symlink
        case GIT_FILEMODE_COMMIT: return .submodule
        default: return .file
        }
    }

    public func entryKind(atPhysicalPath path: String) throws -> FileKind? {
        if path.isEmpty { return .directory }
        return try withEntry(path) { entry in entry.map(Self.kind) }
    }

    public func entries(inPhysicalPath path: String) throws -> [FileTreeEntry] {
        try repository.lock.withLock { _ in
            guard let tree = try subtree(path) else {
                let (directory, name) = (RepoPath.parent(path), RepoPath.name(path))
                if let parent = try subtree(directory), git_tree_entry_byname(parent, name) != nil { throw FileTreeError.notADirectory(path) }
                throw FileTreeError.notFound(path)
            }
            var result: [FileTreeEntry] = []
            let count = git_tree_entrycount(tree)
            result.reserveCapacity(count)
            for index in 0..<count {
                guard let entry = git_tree_entry_byindex(tree, index) else { continue }
                result.append(FileTreeEntry(name: String(cString: git_tree_entry_name(entry)), kind: Self.kind(entry),
                                            objectID: hex(git_tree_entry_id(entry))))
            }
            return result.sorted { $0.name < $1.name }
        }
    }

    /// The blob bytes of an entry (a file's contents or a symlink's target).
    private func blob(_ path: String) throws -> [UInt8] {
        try withEntry(path) { entry in
            guard let entry else { throw FileTreeError.notFound(path) }
            guard Self.kind(entry) != .directory else { throw FileTreeError.notAFile(path) }
            var blob: OpaquePointer?
            try check(git_blob_lookup(&blob, repository.handle, git_tree_entry_id(entry)), "git_blob_lookup")
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
            return Array(UnsafeRawBufferPointer(start: raw, count: size))
        }
    }

    public func contents(ofPhysicalPath path: String) throws -> [UInt8] { try blob(path) }

    public func symlinkTarget(atPhysicalPath path: String) throws -> String {
        String(decoding: try blob(path), as: UTF8.self)
    }

    public func objectID(atPhysicalPath path: String) throws -> String? {
        if path.isEmpty { return commit.treeID }
        return try withEntry(path) { entry in entry.map { hex(git_tree_entry_id($0)) } }
    }
}
