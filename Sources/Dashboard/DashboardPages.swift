import Foundation
import Mustache

/// Renders the dashboard's pages from its state with the Mustache templates.
struct DashboardPages: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        let templates = ["header": DashboardTemplates.header, "footer": DashboardTemplates.footer, "environments": DashboardTemplates.environments,
                         "environment": DashboardTemplates.environment, "object": DashboardTemplates.object, "notFound": DashboardTemplates.notFound,
                         "history": DashboardTemplates.history, "compare": DashboardTemplates.compare, "diff": DashboardTemplates.diff,
                         "branches": DashboardTemplates.branches]
        for (name, text) in templates {
            // The templates are part of the binary: a broken one is a programming error.
            do { try library.register(text, named: name) } catch { fatalError("dashboard template \(name): \(error)") }
        }
        self.library = library
    }

    func render(_ template: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: template) ?? ""
    }

    private func frame(_ state: DashboardState, title: String, api: String) -> [String: Any] {
        let loaded = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: state.snapshot.loadedAt))
        return ["title": title, "revision": state.snapshot.revision, "loaded": loaded, "api": api, "single": state.snapshot.environments.count == 1]
    }

    func environments(_ state: DashboardState, branches: [BranchView]) -> String {
        var context = frame(state, title: "Environments", api: "/api/v1/environments")
        context["hasBranches"] = !branches.isEmpty
        context["branches"] = branches.map(Self.branch)
        context["environments"] = state.snapshot.environments.map { environment -> [String: Any] in
            var row = common(environment)
            row["errors"] = environment.errors > 0 ? Self.count(environment.errors, "error") : nil as String?
            row["warnings"] = environment.warnings > 0 ? Self.count(environment.warnings, "warning") : nil as String?
            row["message"] = environment.renderError ?? environment.cluster?.message ?? environment.clusterError ?? ""
            return row
        }
        return render("environments", context)
    }

    func environment(_ state: DashboardState, _ environment: EnvironmentView, branches: [BranchView]) -> String {
        var context = frame(state, title: environment.name, api: "/api/v1/environments/\(DashboardLoader.segment(environment.name))")
        context["hasBranches"] = !branches.isEmpty
        context["branches"] = branches.map(Self.branch)
        for (key, value) in common(environment) { context[key] = value }
        context["promotesFrom"] = environment.promotesFrom
        context["promotesFromLink"] = environment.promotesFrom.map(DashboardLoader.segment)
        context["promotesTo"] = environment.promotesTo.map { ["name": $0, "link": DashboardLoader.segment($0)] }
        context["clusterSummary"] = environment.cluster.map { "\($0.result) at \($0.revision) (\($0.time)): \($0.message)" }
            ?? environment.clusterError ?? "not read"
        context["renderError"] = environment.renderError
        context["hasFindings"] = !environment.findings.isEmpty
        context["findings"] = environment.findings.map { finding -> [String: Any] in
            ["severity": finding.severity, "severityClass": finding.severity == "error" ? "bad" : "warn", "file": finding.file,
             "line": finding.line, "column": finding.column, "rule": finding.rule, "object": finding.object, "message": finding.message]
        }
        context["releases"] = environment.releases.map { release -> [String: Any] in
            Self.present(["name": release.name, "source": release.source, "rollout": release.rollout,
             "kinds": release.kinds.map { kind -> [String: Any] in
                 ["kind": kind.kind, "objects": kind.objects.map { object -> [String: Any] in
                     var row: [String: Any] = ["name": object.name, "path": object.path, "file": object.file, "line": object.line]
                     if let sync = object.sync { row["sync"] = sync; row["syncClass"] = Self.syncClass(sync) }
                     if let health = object.health { row["health"] = Self.healthWord(health); row["healthClass"] = Self.healthClass(health); row["healthDetail"] = health }
                     return row
                 }]
             }])
        }
        context["hasDrift"] = !environment.drift.isEmpty
        context["driftRead"] = environment.outOfSync != nil
        context["drift"] = environment.drift.map { drift -> [String: Any] in
            Self.present(["title": drift.title, "action": drift.action, "actionClass": drift.action == "out of sync" ? "warn" : "bad", "path": drift.path,
                          "rows": Self.unifiedRows(drift.diff)])
        }
        return render("environment", context)
    }

    func object(_ state: DashboardState, _ view: ObjectView, split: Bool) -> String {
        var context = frame(state, title: "\(view.ref.kind) \(view.ref.name)", api: "/api/v1" + view.ref.path)
        context["environment"] = view.environment
        context["environmentLink"] = DashboardLoader.segment(view.environment)
        context["kind"] = view.ref.kind
        context["name"] = view.ref.name
        context["namespace"] = view.ref.namespace.isEmpty ? "(cluster-scoped)" : view.ref.namespace
        context["release"] = view.release
        context["file"] = view.ref.file
        context["line"] = view.ref.line
        context["yaml"] = view.yaml
        context["live"] = view.live
        context["clusterRead"] = view.sync != nil
        context["sync"] = view.sync
        context["syncClass"] = view.sync.map(Self.syncClass)
        context["health"] = view.health.map { $0.isEmpty ? "Missing" : $0 }
        context["healthClass"] = view.health.map(Self.healthClass)
        context["hasDiff"] = !view.diff.isEmpty
        context["split"] = split
        context["rows"] = split ? Self.splitRows(view.diff) : Self.unifiedRows(view.diff)
        context["self"] = view.ref.path
        return render("object", context)
    }

    func history(_ state: DashboardState, _ commits: [HistoryCommitView]) -> String {
        var context = frame(state, title: "History", api: "/api/v1/history")
        context["commits"] = commits.map { commit -> [String: Any] in
            Self.present(["id": commit.id, "short": commit.short, "summary": commit.summary, "author": commit.author, "time": commit.time,
             "kind": commit.kind, "kindClass": commit.kind == "rollback" ? "bad" : commit.kind == "promotion" ? "info" : "unknown",
             "marked": commit.kind != "change", "detail": commit.detail,
             "environments": commit.environments.map { change -> [String: Any] in
                 Self.present(["environment": change.environment, "link": DashboardLoader.segment(change.environment), "objects": change.objects,
                               "count": change.objects.count == 1 ? "1 object" : "\(change.objects.count) objects", "problem": change.problem])
             }])
        }
        context["hasCommits"] = !commits.isEmpty
        return render("history", context)
    }

    func compareForm(_ state: DashboardState, from: String, to: String) -> String {
        var context = frame(state, title: "Compare", api: "/api/v1/compare")
        context["from"] = from.isEmpty ? "HEAD~1" : from
        context["to"] = to.isEmpty ? "HEAD" : to
        return render("compare", context)
    }

    func compare(_ state: DashboardState, _ comparison: ComparisonView) -> String {
        var context = frame(state, title: "Compare", api: "/api/v1/compare?from=\(Self.query(comparison.from))&to=\(Self.query(comparison.to))")
        context["from"] = comparison.from
        context["to"] = comparison.to
        context["fromLabel"] = comparison.fromLabel ?? comparison.from
        context["toLabel"] = comparison.toLabel ?? comparison.to
        context["error"] = comparison.error
        context["compared"] = comparison.error == nil
        context["environments"] = comparison.environments.map { environment -> [String: Any] in
            ["name": environment.name, "summary": environment.summary, "findings": environment.findings, "problems": environment.problems,
             "changes": environment.changes.map { change -> [String: Any] in
                 ["title": change.title, "action": change.action, "rows": Self.unifiedRows(change.diff)]
             }]
        }
        return render("compare", context)
    }

    func notFound(_ state: DashboardState, _ message: String) -> String {
        var context = frame(state, title: "Not found", api: "/api/v1/environments")
        context["message"] = message
        return render("notFound", context)
    }

    /// What the environments table and an environment's heading share.
    private func common(_ environment: EnvironmentView) -> [String: Any] {
        let (state, stateClass) = Self.state(environment)
        return Self.present(["name": environment.name, "link": DashboardLoader.segment(environment.name), "namespace": environment.namespace,
                "promotesFrom": environment.promotesFrom ?? "", "state": state, "stateClass": stateClass,
                "clusterRevision": environment.cluster?.revision ?? "", "clusterTime": environment.cluster?.time ?? "",
                "objectCount": environment.objectCount,
                "outOfSync": environment.outOfSync.map { $0 == 0 ? "in sync" : "\($0) differ" } ?? "",
                "outOfSyncClass": environment.outOfSync.map { $0 == 0 ? "good" : "warn" } ?? "unknown",
                "unhealthy": environment.unhealthy.map { $0 == 0 ? "healthy" : "\($0) unhealthy" } ?? "",
                "unhealthyClass": environment.unhealthy.map { $0 == 0 ? "good" : "bad" } ?? "unknown",
                "clusterRead": environment.outOfSync != nil,
                "liveError": environment.liveError,
                "hasRollouts": !(environment.cluster?.rollouts.isEmpty ?? true),
                "rollouts": (environment.cluster?.rollouts ?? []).map { rollout -> [String: Any] in
                    ["workload": rollout.workload, "phase": rollout.phase, "phaseClass": Self.phaseClass(rollout.phase), "step": rollout.step,
                     "weight": rollout.weight, "revision": rollout.revision, "message": rollout.message, "analysis": rollout.analysis]
                }])
    }

    /// The badge for an environment: its render first, then its cluster's last sync.
    static func state(_ environment: EnvironmentView) -> (String, String) {
        if environment.renderError != nil { return ("does not render", "bad") }
        if environment.errors > 0 { return ("blocked by findings", "bad") }
        guard let cluster = environment.cluster else { return (environment.clusterError == nil ? "not read" : "cluster unknown", "unknown") }
        switch cluster.result {
        case "Synced": return ("Synced", "good")
        case "Degraded", "Interrupted": return (cluster.result, "warn")
        case "": return ("never synced", "unknown")
        default: return (cluster.result, "bad")
        }
    }

    /// A branch row: its gates as a badge, its findings listed.
    static func branch(_ branch: BranchView) -> [String: Any] {
        ["name": branch.name, "environment": branch.environment, "link": DashboardLoader.segment(branch.environment), "kind": branch.kind,
         "commit": branch.commit, "summary": branch.summary, "time": branch.time, "gates": branch.gates,
         "gatesClass": branch.passed ? (branch.findings.isEmpty ? "good" : "warn") : "bad",
         "findings": branch.findings.map { ["where": "\($0.file):\($0.line):\($0.column)", "message": $0.message, "severity": $0.severity, "rule": $0.rule] }]
    }

    /// A template context without its absent values (a Mustache section over an optional holding
    /// nothing would otherwise print "nil").
    static func present(_ values: [String: Any?]) -> [String: Any] { values.compactMapValues { $0 } }

    /// `1 error`, `2 errors`.
    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    static func syncClass(_ sync: String) -> String { sync == "Synced" ? "good" : sync == "OutOfSync" ? "warn" : "bad" }

    /// `Healthy`, `Progressing`, `Degraded`, `Missing` (the detail goes in a title).
    static func healthWord(_ health: String) -> String { String(health.prefix { $0 != ":" }) }

    static func healthClass(_ health: String) -> String {
        switch healthWord(health) {
        case "Healthy": return "good"
        case "Progressing": return "info"
        case "", "Missing": return "unknown"
        default: return "bad"
        }
    }

    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// A unified diff's lines as rows: `-` (live), `+` (Git), context, and `...` gaps.
    static func unifiedRows(_ lines: [String]) -> [[String: Any]] {
        lines.map { line -> [String: Any] in
            let marker = line.first ?? " "
            let cls = marker == "-" ? "del" : marker == "+" ? "add" : line == "  ..." ? "gap" : "ctx"
            return ["cls": cls, "text": line]
        }
    }

    /// A unified diff side by side: live on the left, Git on the right; runs of removed and
    /// added lines paired row by row.
    static func splitRows(_ lines: [String]) -> [[String: Any]] {
        var rows: [[String: Any]] = []
        var removed: [String] = [], added: [String] = []
        func flush() {
            for index in 0..<max(removed.count, added.count) {
                let left = index < removed.count ? removed[index] : "", right = index < added.count ? added[index] : ""
                rows.append(["left": left, "leftCls": left.isEmpty ? "none" : "del", "right": right, "rightCls": right.isEmpty ? "none" : "add"])
            }
            removed = []
            added = []
        }
        for line in lines {
            let text = String(line.dropFirst(2))
            switch line.first {
            case "-": removed.append(text)
            case "+": added.append(text)
            default:
                flush()
                let cls = line == "  ..." ? "gap" : "ctx"
                rows.append(["left": cls == "gap" ? "…" : text, "leftCls": cls, "right": cls == "gap" ? "…" : text, "rightCls": cls])
            }
        }
        flush()
        return rows
    }

    static func phaseClass(_ phase: String) -> String {
        switch phase {
        case "completed": return "good"
        case "aborted": return "bad"
        case "paused": return "warn"
        default: return "info"
        }
    }
}
