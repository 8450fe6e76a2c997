import Basics

/// A chart's `.helmignore`, read as Helm reads it (its pkg/ignore): one shell glob per line, `#`
/// comments, `!` negating, a trailing `/` for folders only, a leading `/` or any `/` matching the
/// path from the chart's root, otherwise the file's base name; hidden files under `templates/`
/// are always ignored. Ignored files are neither templates, CRDs, `.Files` nor subcharts.
struct HelmIgnore: Sendable {
    struct Rule: Sendable {
        var pattern: String
        var negate: Bool
        var folderOnly: Bool
        /// Matches the path from the chart's root (else the base name).
        var structural: Bool
    }

    var rules: [Rule] = []

    init(_ text: String) {
        // Helm's default: hidden files in templates/.
        rules.append(Rule(pattern: "templates/.?*", negate: false, folderOnly: false, structural: true))
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
        for rule in rules {
            let subject = rule.structural ? path : RepoPath.name(path)
            if rule.negate {
                if rule.folderOnly && !isFolder { return true }
                if !Glob.match(rule.pattern, subject) { return true }
                continue
            }
            if rule.folderOnly && !isFolder { continue }
            if Glob.match(rule.pattern, subject) { return true }
        }
        return false
    }

    /// Whether the file at `path` is ignored, itself or through one of its folders.
    func ignoresFile(_ path: String) -> Bool {
        ignoresFolder(RepoPath.parent(path)) || ignores(path, isFolder: false)
    }

    /// Whether the folder at `path` is ignored, itself or through one of the folders above it.
    func ignoresFolder(_ path: String) -> Bool {
        var folder = ""
        for component in path.split(separator: "/") {
            folder += folder.isEmpty ? String(component) : "/" + component
            if ignores(folder, isFolder: true) { return true }
        }
        return false
    }
}
