import Drift
import Validation

/// The plain-text forms of a preview: the summary table and each environment's diff.
public enum PreviewText {
    /// The lines of one object's change: `~ apps/v1 Deployment ns/name`, then its diff indented.
    public static func lines(of entry: DriftReport.Entry) -> (header: String, diff: [String]) {
        (sign(entry.action) + " " + entry.title, entry.diff.map { "  " + $0 })
    }

    /// `+` create, `-` prune, `~` update.
    public static func sign(_ action: DriftReport.Action) -> String {
        action == .create ? "+" : action == .prune ? "-" : action == .update ? "~" : "="
    }

    /// Counts per environment, aligned: `ENVIRONMENT  CREATE  UPDATE  PRUNE  UNCHANGED  FINDINGS`.
    public static func table(_ previews: [EnvironmentPreview]) -> String {
        let rows = [["ENVIRONMENT", "CREATE", "UPDATE", "PRUNE", "UNCHANGED", "FINDINGS"]] + previews.map { preview in
            [preview.name] + counts(preview) + [preview.failed ? "does not render" : preview.baseProblem != nil ? "base does not render; " + preview.findingsSummary
                                                 : preview.findingsSummary]
        }
        let widths = (0..<6).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 || column == 5 ? cell + pad : pad + cell
            }.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }.joined()
    }

    /// Created, updated, pruned and unchanged counts as cells (`-` where nothing was compared).
    public static func counts(_ preview: EnvironmentPreview) -> [String] {
        guard let report = preview.report else { return ["-", "-", "-", "-"] }
        return [DriftReport.Action.create, .update, .prune, .unchanged].map { String(report.count($0)) }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
