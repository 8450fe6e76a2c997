import Drift
import Validation

/// One environment of a preview: what changes between the base revision's render and the head's,
/// and what the head's checks find.
public struct EnvironmentPreview: Sendable {
    /// Whether the environment exists on both sides.
    public enum Presence: String, Sendable {
        /// On both sides.
        case both
        /// Only at the head: everything it renders is created.
        case added
        /// Only at the base: everything it rendered is pruned.
        case removed
    }

    public var name: String
    public var presence: Presence
    /// The comparison; nil when the head or the base did not render.
    public var report: DriftReport?
    /// The head's problems when it does not load or render (each `file:line:col: error: ...`).
    public var problems: [String]
    /// Why the base did not render (the head's render is then not compared with anything).
    public var baseProblem: String?
    /// Schema and policy findings of the head's render, and its load or render problems; nil when
    /// the checks did not run.
    public var findings: [Finding]?

    public init(name: String, presence: Presence, report: DriftReport? = nil, problems: [String] = [], baseProblem: String? = nil,
                findings: [Finding]? = nil) {
        self.name = name
        self.presence = presence
        self.report = report
        self.problems = problems
        self.baseProblem = baseProblem
        self.findings = findings
    }

    /// The head does not load or render.
    public var failed: Bool { !problems.isEmpty }

    /// Something changes, or cannot be known to stay the same.
    public var changed: Bool { failed || baseProblem != nil || report?.hasDifferences == true }

    public var errorCount: Int { findings?.filter { $0.severity == .error }.count ?? 0 }
    public var warningCount: Int { findings?.filter { $0.severity == .warning }.count ?? 0 }

    /// `none`, `2 errors, 1 warning`, `not checked`.
    public var findingsSummary: String {
        guard findings != nil else { return "not checked" }
        let errors = errorCount, warnings = warningCount
        if errors == 0 && warnings == 0 { return "none" }
        var parts: [String] = []
        if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s")") }
        if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
        return parts.joined(separator: ", ")
    }

    /// `2 to create, 1 to update, 0 to prune, 37 unchanged`, or why there is no comparison.
    public var changeSummary: String {
        if failed { return "does not render" }
        if let baseProblem { return "not compared: the base does not render (\(baseProblem))" }
        guard let report else { return "not compared" }
        let suffix = presence == .added ? " (new environment)" : presence == .removed ? " (environment removed)" : ""
        return report.summary + suffix
    }
}
