import CGit2

extension Repository {
    /// The paths whose content differs between the commit `revision` names and `other` (another
    /// revision), or the working tree with the index (untracked files included) when `other` is nil.
    /// Renames count as a deletion and an addition: both paths are listed. Sorted, no duplicates.
    public func changedPaths(since revision: String, to other: String? = nil) throws(GitError) -> [String] {
        let base = try resolveCommit(revision)
        let target = try other.map { revision throws(GitError) in try resolveCommit(revision) }
        return try withLock { () throws(GitError) -> [String] in
            var baseID = try oid(base.treeID, "git_tree_lookup")
            var baseTree: OpaquePointer?
            try check(git_tree_lookup(&baseTree, handle, &baseID), "git_tree_lookup")
            defer { git_tree_free(baseTree) }
            var options = git_diff_options()
            try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "git_diff_options_init")
            options.flags |= GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
            var diff: OpaquePointer?
            if let target {
                var targetID = try oid(target.treeID, "git_tree_lookup")
                var targetTree: OpaquePointer?
                try check(git_tree_lookup(&targetTree, handle, &targetID), "git_tree_lookup")
                defer { git_tree_free(targetTree) }
                try check(git_diff_tree_to_tree(&diff, handle, baseTree, targetTree, &options), "git_diff_tree_to_tree")
            } else {
                guard workdir != nil else {
                    throw GitError(code: .bare, message: "\(gitDirectory) is a bare repository; pass a revision to compare with", call: "git_diff_tree_to_workdir_with_index")
                }
                try check(git_diff_tree_to_workdir_with_index(&diff, handle, baseTree, &options), "git_diff_tree_to_workdir_with_index")
            }
            defer { git_diff_free(diff) }
            var paths = Set<String>()
            for index in 0..<git_diff_num_deltas(diff) {
                guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
                if let path = delta.old_file.path { paths.insert(String(cString: path)) }
                if let path = delta.new_file.path { paths.insert(String(cString: path)) }
            }
            return paths.sorted()
        }
    }
}
