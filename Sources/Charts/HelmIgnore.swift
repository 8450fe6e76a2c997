import Basics

/// A chart's `.helmignore`, read as Helm reads it (its pkg/ignore): one shell glob per line, `#`
/// comments, `!` negating, a trailing `/` for folders only, a leading `/` or any `/` matching the
/// path from the chart's root, otherwise the file's base name; hidden files under `templates/`
/// are always ignored. Ignored files are neither templates, CRDs, `.Files` nor subcharts.
struct HelmIgnore: Sendable {
    struct Rule: Sendable {
        var pattern: String {
            didSet { scalars = Array(pattern.unicodeScalars) }
        }
        /// `pattern`, split once for matching.
        var scalars: [Unicode.Scalar] = []
        var negate: Bool
        var folderOnly: Bool
        /// Matches the path from the chart's root (else the base name).
        var structural: Bool
    }

    var rules: [Rule] = []

    init(_ text: String) {
        // Helm's default: hidden files in templates/.
        var hidden = Rule(pattern: "", negate: false, folderOnly: false, structural: true)
        hidden.pattern = "templates/.?*"
        rules.append(hidden)
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line == "!" { continue }
            if line.contains("**") { continue }  // Helm refuses ** and skips the rule
            var rule = Rule(pattern: "", negate: false, folderOnly: false, structural: false)
            if line.hasPrefix("!") { rule.negate = true; line.removeFirst() }
            if line.hasSuffix("/") { rule.folderOnly = true; line.removeLast() }
            if line.hasPrefix("/") { line.removeFirst(); rule.structural = true } else if line.contains("/") { rule.structural = true }
            rule.pattern = line
            rules.append(rule)
        }
    }

    /// Whether `path` (relative to the chart's root) is ignored.
    func ignores(_ path: String, isFolder: Bool) -> Bool {
        if path.isEmpty || path == "." { return false }
        let full = Array(path.unicodeScalars)
        let base = full.lastIndex(of: "/").map { Array(full[full.index(after: $0)...]) } ?? full
        for rule in rules {
            let subject = rule.structural ? full : base
            if rule.negate {
                if rule.folderOnly && !isFolder { return true }
                if !Glob.match(rule.scalars, subject) { return true }
                continue
            }
            if rule.folderOnly && !isFolder { continue }
            if Glob.match(rule.scalars, subject) { return true }
        }
        return false
    }

    /// Whether the file at `path` is ignored, itself or through one of its folders; `folders`
    /// remembers the folders decided (a chart's files share a few folders).
    func ignoresFile(_ path: String, folders: inout [String: Bool]) -> Bool {
        ignoresFolder(RepoPath.parent(path), folders: &folders) || ignores(path, isFolder: false)
    }

    /// Whether the folder at `path` is ignored, itself or through one of the folders above it.
    func ignoresFolder(_ path: String, folders: inout [String: Bool]) -> Bool {
        if path.isEmpty { return false }
        if let known = folders[path] { return known }
        let ignored = ignoresFolder(RepoPath.parent(path), folders: &folders) || ignores(path, isFolder: true)
        folders[path] = ignored
        return ignored
    }
}
