import Basics
import YAML

/// Checks paths written in the repository's files: they must stay inside the repository
/// (symlinks included) and exist as the expected kind.
enum PathCheck {
    /// The repository-relative folder `path` (relative to `base`), or nil after reporting why not.
    static func folder(_ path: String, relativeTo base: String, at node: Node, what: String,
                       tree: any FileTree, checker: NodeChecker) -> String? {
        check(path, relativeTo: base, at: node, what: what, expect: .directory, tree: tree, checker: checker)
    }

    /// The repository-relative file `path` (relative to `base`), or nil after reporting why not.
    static func file(_ path: String, relativeTo base: String, at node: Node, what: String,
                     tree: any FileTree, checker: NodeChecker) -> String? {
        check(path, relativeTo: base, at: node, what: what, expect: .file, tree: tree, checker: checker)
    }

    private static func check(_ path: String, relativeTo base: String, at node: Node, what: String, expect: FileKind,
                              tree: any FileTree, checker: NodeChecker) -> String? {
        let relation = base.isEmpty ? "the repository root" : "'\(base)'"
        guard let joined = RepoPath.join(base, path) else {
            checker.error("model.pathEscapes", node,
                          "\(what) '\(path)' points outside the repository; use a path relative to \(relation) that stays inside it")
            return nil
        }
        do {
            guard let kind = try tree.kind(of: joined) else {
                checker.error("model.pathMissing", node,
                              "\(what) '\(path)' does not exist (looked for '\(joined)' in the \(tree.displayName); paths are relative to \(relation))")
                return nil
            }
            guard kind == expect else {
                checker.error("model.pathKind", node,
                              "\(what) '\(path)' is a \(kind.rawValue), not a \(expect == .directory ? "folder" : "file")")
                return nil
            }
            return joined
        } catch FileTreeError.symlinkEscapes(let link, let target) {
            checker.error("model.symlinkEscapes", node,
                          "\(what) '\(path)' goes through symlink '\(link)', which points outside the repository (to '\(target)'); replace the link with the files themselves")
        } catch {
            checker.error("model.path", node, "\(what) '\(path)': \(error)")
        }
        return nil
    }
}
