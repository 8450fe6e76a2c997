import Foundation
import Mustache

/// Renders the dashboard's pages from its state with the Mustache templates.
struct DashboardPages: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        let templates = ["header": DashboardTemplates.header, "footer": DashboardTemplates.footer, "environments": DashboardTemplates.environments,
                         "environment": DashboardTemplates.environment, "object": DashboardTemplates.object, "notFound": DashboardTemplates.notFound]
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
        return ["title": title, "revision": state.snapshot.revision, "loaded": loaded, "api": api]
    }

    func environments(_ state: DashboardState) -> String {
        var context = frame(state, title: "Environments", api: "/api/v1/environments")
        context["environments"] = state.snapshot.environments.map { environment -> [String: Any] in
            var row = common(environment)
            row["errors"] = environment.errors > 0 ? String(environment.errors) : nil as String?
            row["warnings"] = environment.warnings > 0 ? String(environment.warnings) : nil as String?
            row["message"] = environment.renderError ?? environment.cluster?.message ?? environment.clusterError ?? ""
            return row
        }
        return render("environments", context)
    }

    func environment(_ state: DashboardState, _ environment: EnvironmentView) -> String {
        var context = frame(state, title: environment.name, api: "/api/v1/environments/\(DashboardLoader.segment(environment.name))")
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
            ["name": release.name, "source": release.source, "rollout": release.rollout as Any,
             "kinds": release.kinds.map { kind -> [String: Any] in
                 ["kind": kind.kind, "objects": kind.objects.map { ["name": $0.name, "path": $0.path, "file": $0.file, "line": $0.line] as [String: Any] }]
             }]
        }
        return render("environment", context)
    }

    func object(_ state: DashboardState, _ view: ObjectView) -> String {
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
        return render("object", context)
    }

    func notFound(_ state: DashboardState, _ message: String) -> String {
        var context = frame(state, title: "Not found", api: "/api/v1/environments")
        context["message"] = message
        return render("notFound", context)
    }

    /// What the environments table and an environment's heading share.
    private func common(_ environment: EnvironmentView) -> [String: Any] {
        let (state, stateClass) = Self.state(environment)
        return ["name": environment.name, "link": DashboardLoader.segment(environment.name), "namespace": environment.namespace,
                "promotesFrom": environment.promotesFrom ?? "", "state": state, "stateClass": stateClass,
                "clusterRevision": environment.cluster?.revision ?? "", "clusterTime": environment.cluster?.time ?? "",
                "objectCount": environment.objectCount, "hasRollouts": !(environment.cluster?.rollouts.isEmpty ?? true),
                "rollouts": (environment.cluster?.rollouts ?? []).map { rollout -> [String: Any] in
                    ["workload": rollout.workload, "phase": rollout.phase, "phaseClass": Self.phaseClass(rollout.phase), "step": rollout.step,
                     "weight": rollout.weight, "revision": rollout.revision, "message": rollout.message, "analysis": rollout.analysis]
                }]
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

    static func phaseClass(_ phase: String) -> String {
        switch phase {
        case "completed": return "good"
        case "aborted": return "bad"
        case "paused": return "warn"
        default: return "info"
        }
    }
}
