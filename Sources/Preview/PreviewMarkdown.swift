import Drift
import Secrets
import Validation

/// A preview as a pull-request comment: a summary table, then one collapsible section per
/// environment that changed or failed, with its findings and its diff in a `diff` block, within
/// a size budget (GitHub refuses comments over 65,536 characters). What does not fit is left out
/// and the comment says what and how to see it. Decrypted secret values are redacted and Secret
/// objects' values appear only as fingerprints.
public struct PreviewMarkdown: Sendable {
    /// The first line of every preview comment, so a workflow can find and update its own comment.
    public static let marker = "<!-- gitops-preview -->"
    /// GitHub's limit on a comment's length.
    public static let githubLimit = 65_536

    /// The two sides: `main (1a2b3c4)`, `the working tree`.
    public var base: String
    public var head: String
    /// The command that shows everything, named when something is left out.
    public var command: String
    /// The revision compared with, for the command that shows one environment's whole diff (empty:
    /// compared with a cluster or a snapshot).
    public var revision: String
    /// The most characters (counted as UTF-8 bytes, never fewer than GitHub's count).
    public var limit: Int
    /// The least room a section is given before it is left out instead.
    static let smallestShare = 1_200

    /// Findings listed per environment (the rest are counted).
    public var findingsPerEnvironment = 20

    public init(base: String, head: String, revision: String, command: String, limit: Int = PreviewMarkdown.githubLimit) {
        self.base = base
        self.head = head
        self.revision = revision
        self.command = command
        self.limit = limit
    }

    public func render(_ previews: [EnvironmentPreview]) -> String {
        let sectioned = previews.filter(\.failed) + previews.filter { !$0.failed && $0.changed }
        var header = self.header(previews, listUnchanged: true)
        // Room for the note on what is left out: its words and every name it may list.
        let reserve = 600 + command.utf8.count * 2 + sectioned.reduce(0) { $0 + $1.name.utf8.count + 40 }
        if header.utf8.count + reserve > limit { header = self.header(previews, listUnchanged: false) }
        var out = header
        var remaining = limit - header.utf8.count - reserve
        var truncated: [(name: String, shown: Int, total: Int)] = []
        var leftOut: [String] = []
        // Each section gets a fair share of what is left (what one does not use passes to the next),
        // so every changed environment shows the start of its diff before any shows all of it.
        for (position, preview) in sectioned.enumerated() {
            let body = bodyLines(preview)
            let share = max(Self.smallestShare, remaining / (sectioned.count - position))
            let room = min(remaining, share)
            let full = section(preview, lines: body, total: body.count)
            if full.utf8.count <= room {
                out += full
                remaining -= full.utf8.count
                continue
            }
            let opening = section(preview, lines: [], total: body.count)
            guard room - opening.utf8.count >= Self.smallestShare / 2 else {
                leftOut.append(preview.name)
                continue
            }
            var left = room - opening.utf8.count
            var shown: [String] = []
            for line in body {
                let size = line.utf8.count + 1
                guard size <= left else { break }
                shown.append(line)
                left -= size
            }
            let partial = section(preview, lines: shown, total: body.count)
            out += partial
            remaining -= partial.utf8.count
            truncated.append((preview.name, shown.count, body.count))
        }
        out += footer(truncated: truncated, leftOut: leftOut)
        // The budget holds by construction; should an estimate ever be wrong, cut rather than be refused.
        if out.utf8.count > limit {
            var cut = Array(out.utf8.prefix(limit - 200))
            while let last = cut.last, last & 0xC0 == 0x80 { cut.removeLast() }
            if !cut.isEmpty { cut.removeLast() }
            out = String(decoding: cut, as: UTF8.self) + "\n\n(cut at \(limit) characters: run `\(command)` to see everything)\n"
        }
        return out
    }

    // MARK: - Pieces

    private func header(_ previews: [EnvironmentPreview], listUnchanged: Bool) -> String {
        let failed = previews.filter(\.failed).count
        let changed = previews.filter { !$0.failed && $0.changed }.count
        let unchanged = previews.count - failed - changed
        var text = Self.marker + "\n### gitops preview: \(Self.code(base)) → \(Self.code(head))\n\n"
        var counts = ["\(changed) changed", "\(unchanged) unchanged"]
        if failed > 0 { counts.insert("\(failed) failed", at: 0) }
        text += "**\(previews.count) environment\(previews.count == 1 ? "" : "s")**: \(counts.joined(separator: ", ")).\n\n"
        guard !previews.isEmpty else { return text }
        text += "| Environment | Create | Update | Prune | Unchanged | Findings |\n| --- | ---: | ---: | ---: | ---: | --- |\n"
        for preview in previews where listUnchanged || preview.changed {
            let mark = preview.failed || preview.errorCount > 0 ? "❌ " : preview.changed ? "" : "✅ "
            let name = preview.changed ? "**\(Self.escape(preview.name))**" : Self.escape(preview.name)
            let findings = preview.failed ? "does not render" : preview.baseProblem != nil ? "base does not render; " + preview.findingsSummary
                : preview.findingsSummary
            let note = preview.presence == .added ? " (new)" : preview.presence == .removed ? " (removed)" : ""
            text += "| \(mark)\(name)\(note) | " + PreviewText.counts(preview).joined(separator: " | ") + " | \(Self.escape(findings)) |\n"
        }
        if !listUnchanged && unchanged > 0 {
            text += "\n\(unchanged) unchanged environment\(unchanged == 1 ? " is" : "s are") not listed.\n"
        }
        return text + "\n"
    }

    /// A section's content lines: findings first, then the diff block's lines.
    private func bodyLines(_ preview: EnvironmentPreview) -> [String] {
        var lines: [String] = []
        if preview.failed {
            lines += preview.problems.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
            return lines.map(Redaction.redact)
        }
        if let baseProblem = preview.baseProblem { lines.append("The base does not render, so there is nothing to compare with: " + baseProblem) }
        for entry in preview.report?.entries ?? [] where entry.action != .unchanged {
            lines.append("@@ \(PreviewText.sign(entry.action)) \(entry.title) @@")
            lines += entry.diff
        }
        return lines.map(Redaction.redact)
    }

    /// One environment's collapsible section showing `lines` of its `total` body lines.
    private func section(_ preview: EnvironmentPreview, lines: [String], total: Int) -> String {
        let title = preview.failed ? "❌ <b>\(Self.escape(preview.name))</b>: does not render"
            : "<b>\(Self.escape(preview.name))</b>: \(Self.escape(preview.changeSummary))"
                + (preview.findings.map { $0.isEmpty ? "" : " · " + preview.findingsSummary } ?? "")
        var text = "<details\(preview.failed ? " open" : "")><summary>\(title)</summary>\n\n"
        if !preview.failed, let findings = preview.findings, !findings.isEmpty {
            for finding in findings.prefix(findingsPerEnvironment) { text += "- " + Self.item(finding) + "\n" }
            if findings.count > findingsPerEnvironment {
                text += "- … and \(findings.count - findingsPerEnvironment) more (`gitops validate \(preview.name)` lists them all)\n"
            }
            text += "\n"
        }
        let fence = String(repeating: "`", count: max(3, (lines.map(Self.longestBacktickRun).max() ?? 0) + 1))
        text += fence + (preview.failed ? "text" : "diff") + "\n"
        for line in lines { text += line + "\n" }
        text += fence + "\n"
        if lines.count < total {
            text += "\n… \(total - lines.count) more line\(total - lines.count == 1 ? "" : "s") left out (the comment's size limit): run \(Self.code("gitops diff \(preview.name)" + (revision.isEmpty ? "" : " --against \(revision)"))) to see it all.\n"
        }
        return text + "\n</details>\n\n"
    }

    private func footer(truncated: [(name: String, shown: Int, total: Int)], leftOut: [String]) -> String {
        guard !truncated.isEmpty || !leftOut.isEmpty else { return "" }
        var parts: [String] = []
        if !truncated.isEmpty {
            parts.append("part of the diff of " + truncated.map { "\(Self.escape($0.name)) (\($0.shown) of \($0.total) lines shown)" }.joined(separator: ", "))
        }
        if !leftOut.isEmpty {
            parts.append("the section\(leftOut.count == 1 ? "" : "s") of " + leftOut.map(Self.escape).joined(separator: ", "))
        }
        return "> **Left out** to stay within \(limit) characters: \(parts.joined(separator: "; ")). "
            + "Run \(Self.code(command)) to see everything.\n"
    }

    // MARK: - Escaping

    /// A finding as one list item: severity, place, rule and message.
    private static func item(_ finding: Finding) -> String {
        let place = "\(finding.location.file):\(finding.location.line):\(finding.location.column)"
        let subject = finding.path.elements.isEmpty ? finding.object : "\(finding.object), \(finding.path)"
        return "**\(finding.severity.rawValue)** \(code(place)) [\(escape(finding.rule))] \(escape(Redaction.redact(finding.message)))"
            + (subject.isEmpty ? "" : " (\(escape(subject)))")
    }

    /// Text safe in a table cell, a list item or HTML: no markup, no cell breaks.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "|": out += "&#124;"
            case "`": out += "&#96;"
            case "*", "_", "[", "]", "\\", "#", "~": out += "\\" + String(character)
            case "\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    /// Inline code that `text` cannot break out of.
    public static func code(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\n", with: " ")
        let fence = String(repeating: "`", count: longestBacktickRun(clean) + 1)
        let pad = clean.hasPrefix("`") || clean.hasSuffix("`") ? " " : ""
        return fence + pad + clean + pad + fence
    }

    public static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0, run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }
}
