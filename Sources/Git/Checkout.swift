import CGit2

extension Repository {
    /// Paths among `paths` whose working-tree or index state differs from HEAD (edited, staged,
    /// deleted): an update of the checked-out branch must not overwrite them.
    public func modifiedPaths(_ paths: [String]) throws(GitError) -> [String] {
        try withLock { () throws(GitError) -> [String] in
            var dirty: [String] = []
            for path in paths {
                var flags: UInt32 = 0
                let result = git_status_file(&flags, handle, path)
                if result == GIT_ENOTFOUND.rawValue { continue }
                try check(result, "git_status_file")
                if flags & ~GIT_STATUS_IGNORED.rawValue != 0 { dirty.append(path) }
            }
            return dirty
        }
    }

    /// After the checked-out branch moved from `old` to `new` (outside `git`), brings `paths` in the
    /// index and working tree to `new`'s content, deleting those `new` no longer has; every other
    /// file is left as it is.
    public func checkOut(paths: [String], from old: String, to new: String) throws(GitError) {
        guard !paths.isEmpty else { return }
        try withLock { () throws(GitError) in
            var newID = try oid(new, "git_commit_lookup"), oldID = try oid(old, "git_commit_lookup")
            var newCommit: OpaquePointer?, oldCommit: OpaquePointer?
            try check(git_commit_lookup(&newCommit, handle, &newID), "git_commit_lookup")
            defer { git_commit_free(newCommit) }
            try check(git_commit_lookup(&oldCommit, handle, &oldID), "git_commit_lookup")
            defer { git_commit_free(oldCommit) }
            var oldTree: OpaquePointer?
            try check(git_commit_tree(&oldTree, oldCommit), "git_commit_tree")
            defer { git_tree_free(oldTree) }
            var options = git_checkout_options()
            try check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "git_checkout_options_init")
            options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue
            options.baseline = oldTree
            let result = withStrArray(paths) { array -> Int32 in
                options.paths = array
                return git_checkout_tree(handle, newCommit, &options)
            }
            try check(result, "git_checkout_tree")
        }
    }
}
