/// Helpers for repository-relative paths: `/`-separated, no leading `/`, no `.` or `..`;
/// the empty string is the repository root.
public enum RepoPath {
    /// Normalizes `path` (resolving `.` and `..`); nil when it is absolute or climbs above the root.
    public static func normalize(_ path: String) -> String? {
        if path.hasPrefix("/") { return nil }
        if isNormal(path) { return path }
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

    /// Whether `path` is normalized already: no empty, `.` or `..` component (checked on its bytes;
    /// most paths a tree reads are).
    static func isNormal(_ path: String) -> Bool {
        var componentStart = true
        var dots = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                if componentStart || dots > 0 { return false }
                componentStart = true
                continue
            }
            if byte == UInt8(ascii: "."), componentStart || dots > 0 {
                componentStart = false
                dots += 1
                if dots > 2 { dots = 0 }
                continue
            }
            componentStart = false
            dots = 0
        }
        return !(path.utf8.last == UInt8(ascii: "/")) && dots == 0
    }

    /// `base/relative`, normalized; nil when the result escapes the root.
    public static func join(_ base: String, _ relative: String) -> String? {
        if relative.hasPrefix("/") { return nil }
        return normalize(base.isEmpty ? relative : base + "/" + relative)
    }

    /// The folder holding `path` (`""` for a top-level entry).
    public static func parent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(path[..<slash])
    }

    /// The last component of `path`.
    public static func name(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.index(after: slash)...])
    }
}
