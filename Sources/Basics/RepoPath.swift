/// Helpers for repository-relative paths: `/`-separated, no leading `/`, no `.` or `..`;
/// the empty string is the repository root.
public enum RepoPath {
    /// Normalizes `path` (resolving `.` and `..`); nil when it is absolute or climbs above the root.
    public static func normalize(_ path: String) -> String? {
        if path.hasPrefix("/") { return nil }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if parts.isEmpty { return nil }
                parts.removeLast()
            default: parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }

    /// `base/relative`, normalized; nil when the result escapes the root.
    public static func join(_ base: String, _ relative: String) -> String? {
        if relative.hasPrefix("/") { return nil }
        return normalize(base.isEmpty ? relative : base + "/" + relative)
    }

    /// The folder holding `path` (`""` for a top-level entry).
    public static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// The last component of `path`.
    public static func name(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
