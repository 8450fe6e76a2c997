import Basics
import CGit2

/// Who made a commit, and when.
public struct Signature: Sendable, Hashable {
    public var name: String
    public var email: String
    /// Seconds since 1970; nil means now.
    public var time: Double?
    /// Minutes east of UTC.
    public var offsetMinutes: Int

    public init(name: String, email: String, time: Double? = nil, offsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }
}

/// A commit as history shows it.
public struct CommitInfo: Sendable, Hashable {
    public var id: String
    public var parents: [String]
    public var message: String
    public var author: Signature
    public var committer: Signature
    public var treeID: String
    public var shortID: String { String(id.prefix(7)) }
    public var summary: String { String(message.split(separator: "\n", maxSplits: 1).first ?? "") }
}

extension Repository {
    // MARK: Trees and commits, in memory

    /// A new tree: `base` with `changes` applied (path → new content, or nil to delete), written to
    /// the object database only. The working tree and the index are not touched.
    public func tree(basedOn base: String, changing changes: [String: [UInt8]?]) throws(GitError) -> String {
        try withLock { () throws(GitError) -> String in
            var index: OpaquePointer?
            try check(git_index_new(&index), "git_index_new")
            defer { git_index_free(index) }
            var baseID = try oid(base, "git_tree_lookup")
            var baseTree: OpaquePointer?
            try check(git_tree_lookup(&baseTree, handle, &baseID), "git_tree_lookup")
            defer { git_tree_free(baseTree) }
            try check(git_index_read_tree(index, baseTree), "git_index_read_tree")
            for (path, content) in changes.sorted(by: { $0.key < $1.key }) {
                guard let content else {
                    let result = git_index_remove_bypath(index, path)
                    if result != GIT_ENOTFOUND.rawValue { try check(result, "git_index_remove_bypath") }
                    continue
                }
                var mode: UInt32 = 0o100644
                if let existing = git_index_get_bypath(index, path, 0) { mode = existing.pointee.mode }
                var blob = git_oid()
                try check(content.withUnsafeBytes { bytes in git_blob_create_from_buffer(&blob, handle, bytes.baseAddress, bytes.count) },
                          "git_blob_create_from_buffer")
                let result: Int32 = path.withCString { cPath in
                    var entry = git_index_entry()
                    entry.mode = mode
                    entry.path = cPath
                    entry.id = blob
                    entry.file_size = UInt32(truncatingIfNeeded: content.count)
                    return git_index_add(index, &entry)
                }
                try check(result, "git_index_add")
            }
            var treeID = git_oid()
            try check(git_index_write_tree_to(&treeID, index, handle), "git_index_write_tree_to")
            return hex(&treeID)
        }
    }

    /// Writes a commit object (no ref moves) and returns its id.
    public func commit(tree: String, parents: [String], author: Signature, committer: Signature, message: String) throws(GitError) -> String {
        try withLock { () throws(GitError) -> String in
            var treeID = try oid(tree, "git_tree_lookup")
            var treeObject: OpaquePointer?
            try check(git_tree_lookup(&treeObject, handle, &treeID), "git_tree_lookup")
            defer { git_tree_free(treeObject) }
            var parentObjects: [OpaquePointer?] = []
            defer { for parent in parentObjects { git_commit_free(parent) } }
            for parent in parents {
                var parentID = try oid(parent, "git_commit_lookup")
                var object: OpaquePointer?
                try check(git_commit_lookup(&object, handle, &parentID), "git_commit_lookup")
                parentObjects.append(object)
            }
            let authorSignature = try makeSignature(author)
            defer { git_signature_free(authorSignature) }
            let committerSignature = try makeSignature(committer)
            defer { git_signature_free(committerSignature) }
            var id = git_oid()
            let result = parentObjects.withUnsafeMutableBufferPointer { buffer in
                git_commit_create(&id, handle, nil, authorSignature, committerSignature, "UTF-8", message, treeObject, parents.count, buffer.baseAddress)
            }
            try check(result, "git_commit_create")
            return hex(&id)
        }
    }

    private func makeSignature(_ signature: Signature) throws(GitError) -> UnsafeMutablePointer<git_signature>? {
        var out: UnsafeMutablePointer<git_signature>?
        if let time = signature.time {
            try check(git_signature_new(&out, signature.name, signature.email, git_time_t(time), Int32(signature.offsetMinutes)), "git_signature_new")
        } else {
            try check(git_signature_now(&out, signature.name, signature.email), "git_signature_now")
        }
        return out
    }

    /// `user.name` and `user.email` from Git's configuration, nil when either is unset.
    public func configuredSignature() -> Signature? {
        try? withLock { () throws(GitError) -> Signature? in
            var signature: UnsafeMutablePointer<git_signature>?
            guard git_signature_default(&signature, handle) == 0, let signature else { return nil }
            defer { git_signature_free(signature) }
            return Signature(name: String(cString: signature.pointee.name), email: String(cString: signature.pointee.email))
        }
    }

    // MARK: References

    /// The commit a ref points at (`refs/heads/main`), nil when it does not exist.
    public func referenceTarget(_ name: String) throws(GitError) -> String? {
        try withLock { () throws(GitError) -> String? in
            var id = git_oid()
            let result = git_reference_name_to_id(&id, handle, name)
            if result == GIT_ENOTFOUND.rawValue { return nil }
            try check(result, "git_reference_name_to_id")
            return hex(&id)
        }
    }

    /// Moves (or creates) ref `name` to `target` only if it is still at `expected` (nil: only if it
    /// does not exist yet): a compare-and-swap under libgit2's lock file, safe against other
    /// processes. Fails with `.referenceMoved` otherwise.
    public func updateReference(_ name: String, to target: String, expected: String?, message: String) throws(GitError) {
        try withLock { () throws(GitError) in
            var targetID = try oid(target, "git_reference_create")
            var reference: OpaquePointer?
            let result: Int32
            if let expected {
                var expectedID = try oid(expected, "git_reference_create_matching")
                result = git_reference_create_matching(&reference, handle, name, &targetID, 1, &expectedID, message)
            } else {
                result = git_reference_create(&reference, handle, name, &targetID, 0, message)
            }
            defer { git_reference_free(reference) }
            if result == GIT_ELOCKED.rawValue {
                throw GitError(code: .referenceLocked,
                               message: "\(name) is locked by another process (\(gitDirectory)/\(name).lock); if no git or gitops process is running, remove that file",
                               call: "git_reference_create")
            }
            if [GIT_EMODIFIED.rawValue, GIT_EEXISTS.rawValue, GIT_ENOTFOUND.rawValue].contains(result) {
                let now = (try? self.unlockedTarget(name)) ?? nil
                throw GitError(code: .referenceMoved,
                               message: "\(name) moved: expected \(expected.map { String($0.prefix(7)) } ?? "no ref"), found \(now.map { String($0.prefix(7)) } ?? "no ref")",
                               call: expected == nil ? "git_reference_create" : "git_reference_create_matching")
            }
            try check(result, "git_reference_create")
        }
    }

    private func unlockedTarget(_ name: String) throws(GitError) -> String? {
        var id = git_oid()
        let result = git_reference_name_to_id(&id, handle, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_reference_name_to_id")
        return hex(&id)
    }

    /// The branch HEAD points at (`main`), nil when HEAD is detached or unborn.
    public func currentBranch() -> String? {
        try? withLock { () throws(GitError) -> String? in
            var head: OpaquePointer?
            guard git_reference_lookup(&head, handle, "HEAD") == 0 else { return nil }
            defer { git_reference_free(head) }
            guard git_reference_type(head) == GIT_REFERENCE_SYMBOLIC, let target = git_reference_symbolic_target(head) else { return nil }
            let name = String(cString: target)
            return name.hasPrefix("refs/heads/") ? String(name.dropFirst("refs/heads/".count)) : nil
        }
    }

    /// Local branch names starting with `prefix`; with `remote`, remote-tracking ones instead
    /// (`origin/promote/...`, matched without the remote's name).
    public func branches(prefix: String = "", remote: Bool = false) throws(GitError) -> [String] {
        try withLock { () throws(GitError) -> [String] in
            var iterator: OpaquePointer?
            try check(git_branch_iterator_new(&iterator, handle, remote ? GIT_BRANCH_REMOTE : GIT_BRANCH_LOCAL), "git_branch_iterator_new")
            defer { git_branch_iterator_free(iterator) }
            var names: [String] = []
            var reference: OpaquePointer?
            var type = remote ? GIT_BRANCH_REMOTE : GIT_BRANCH_LOCAL
            while git_branch_next(&reference, &type, iterator) == 0 {
                var name: UnsafePointer<CChar>?
                if git_branch_name(&name, reference) == 0, let name {
                    let text = String(cString: name)
                    let local = remote ? String(text.drop { $0 != "/" }.dropFirst()) : text
                    if local.hasPrefix(prefix) { names.append(text) }
                }
                git_reference_free(reference)
            }
            return names.sorted()
        }
    }

    // MARK: Reading commits

    /// One commit's parents, message, author and committer.
    public func commitInfo(_ revision: String) throws(GitError) -> CommitInfo {
        let id = try resolveCommit(revision).id
        return try withLock { () throws(GitError) -> CommitInfo in try unlockedInfo(id) }
    }

    private func unlockedInfo(_ id: String) throws(GitError) -> CommitInfo {
        var commitID = try oid(id, "git_commit_lookup")
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &commitID), "git_commit_lookup")
        defer { git_commit_free(commit) }
        var parents: [String] = []
        for index in 0..<git_commit_parentcount(commit) { parents.append(hex(git_commit_parent_id(commit, index))) }
        func signature(_ pointer: UnsafePointer<git_signature>?) -> Signature {
            guard let pointer else { return Signature(name: "", email: "") }
            return Signature(name: String(cString: pointer.pointee.name), email: String(cString: pointer.pointee.email),
                             time: Double(pointer.pointee.when.time), offsetMinutes: Int(pointer.pointee.when.offset))
        }
        return CommitInfo(id: id, parents: parents, message: git_commit_message(commit).map { String(cString: $0) } ?? "",
                          author: signature(git_commit_author(commit)), committer: signature(git_commit_committer(commit)),
                          treeID: hex(git_commit_tree_id(commit)))
    }

    /// Commits reachable from `revision`, newest first (by commit time, parents after children);
    /// `firstParent` follows only first parents, as `git log --first-parent` (a branch's own history).
    public func log(from revision: String, firstParent: Bool = false, limit: Int? = nil,
                    where keep: (CommitInfo) throws(GitError) -> Bool = { _ in true }) throws(GitError) -> [CommitInfo] {
        let start = try resolveCommit(revision).id
        // The walk is lazy: commits are read one at a time, so a limit stops it early.
        let walk = try withLock { () throws(GitError) -> OpaquePointer? in
            var walk: OpaquePointer?
            try check(git_revwalk_new(&walk, handle), "git_revwalk_new")
            if firstParent {
                git_revwalk_simplify_first_parent(walk)
            } else {
                git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
            }
            var startID = try oid(start, "git_revwalk_push")
            try check(git_revwalk_push(walk, &startID), "git_revwalk_push")
            return walk
        }
        defer { _ = try? withLock { () throws(GitError) in git_revwalk_free(walk) } }
        var out: [CommitInfo] = []
        while true {
            let next = try withLock { () throws(GitError) -> CommitInfo? in
                var id = git_oid()
                guard git_revwalk_next(&id, walk) == 0 else { return nil }
                return try unlockedInfo(hex(&id))
            }
            guard let info = next else { break }
            if try keep(info) {
                out.append(info)
                if let limit, out.count >= limit { break }
            }
        }
        return out
    }

    /// The object id of the file or folder at `path` in commit `commit`'s tree (nil: absent).
    public func entryID(commit: String, path: String) throws(GitError) -> String? {
        try withLock { () throws(GitError) -> String? in
            var commitID = try oid(commit, "git_commit_lookup")
            var object: OpaquePointer?
            try check(git_commit_lookup(&object, handle, &commitID), "git_commit_lookup")
            defer { git_commit_free(object) }
            var tree: OpaquePointer?
            try check(git_commit_tree(&tree, object), "git_commit_tree")
            defer { git_tree_free(tree) }
            if path.isEmpty { return hex(git_tree_id(tree)) }
            var entry: OpaquePointer?
            let result = git_tree_entry_bypath(&entry, tree, path)
            if result == GIT_ENOTFOUND.rawValue { return nil }
            try check(result, "git_tree_entry_bypath")
            defer { git_tree_entry_free(entry) }
            return hex(git_tree_entry_id(entry))
        }
    }

    /// Whether `ancestor` is reachable from `descendant` (or the same commit).
    public func isAncestor(_ ancestor: String, of descendant: String) throws(GitError) -> Bool {
        if ancestor == descendant { return true }
        return try withLock { () throws(GitError) -> Bool in
            var a = try oid(ancestor, "git_graph_descendant_of"), d = try oid(descendant, "git_graph_descendant_of")
            let result = git_graph_descendant_of(handle, &d, &a)
            try check(result, "git_graph_descendant_of")
            return result == 1
        }
    }
}
