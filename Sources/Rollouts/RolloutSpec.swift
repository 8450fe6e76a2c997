import Basics
import YAML

/// How one workload of a release rolls out (a release's `rollout:` block in environment.yaml).
public struct RolloutSpec: Sendable, Hashable {
    /// One step of a canary.
    public enum Step: Sendable, Hashable {
        /// Send this share (percent) of the traffic to the new version.
        case setWeight(Int)
        /// Wait this many seconds; nil waits until `gitops rollout promote`.
        case pause(Double?)
        /// Run these checks (names from `analysis`) until they pass, fail or are inconclusive.
        case analysis([String])
    }

    /// How traffic is split between the stable and the canary version.
    public enum Traffic: Sendable, Hashable {
        /// By replica counts behind the one Service (no router).
        case replicas
        /// ingress-nginx: a copy of this Ingress with `canary-weight`, to the canary Service.
        case nginx(ingress: String)
        /// Gateway API: this HTTPRoute's backend weights.
        case gatewayAPI(httpRoute: String)
    }

    public enum Strategy: Sendable, Hashable {
        case canary(steps: [Step], traffic: Traffic)
        /// The new version beside the old one behind `previewService`; `activeService` switches once
        /// the checks pass; the old version is kept `scaleDownDelay` seconds for an instant rollback.
        case blueGreen(activeService: String, previewService: String, prePromotionAnalysis: [String], scaleDownDelay: Double)
    }

    /// Where the block is declared.
    public var location: SourceLocation?
    /// The Deployment of the release that rolls out.
    public var workload: String
    /// The Service that selects the workload's pods (the stable one, for a canary).
    public var service: String
    public var strategy: Strategy
    public var analysis: [MetricCheck]
    /// Propose the revert in Git (a rollback branch) when a rollout aborts.
    public var rollbackInGit: Bool

    public init(workload: String, service: String, strategy: Strategy, analysis: [MetricCheck] = [], rollbackInGit: Bool = false) {
        self.workload = workload
        self.service = service
        self.strategy = strategy
        self.analysis = analysis
        self.rollbackInGit = rollbackInGit
    }
}

extension RolloutSpec {
    /// Reads a `rollout:` block; every problem is reported at its line and column.
    public static func parse(_ node: Node, file: String) throws(DiagnosticError) -> RolloutSpec {
        var collector = DiagnosticCollector()
        func error(_ at: Node, _ message: String) {
            collector.error("rollout.spec", at: SourceLocation(file: file, line: at.start.line, column: at.start.column), message)
        }
        let fields = Self.fields(node, known: ["workload", "service", "strategy", "canary", "blueGreen", "analysis", "rollback"], in: "rollout:", error: error)
        var analysis: [MetricCheck] = []
        if let list = fields["analysis"] {
            do { analysis = try MetricCheck.parse(list, file: file) } catch let problems { for d in problems.diagnostics { collector.append(d) } }
        }
        let names = Set(analysis.map(\.name))
        func checkNames(_ node: Node?) -> [String] {
            guard let node else { return [] }
            let listed = (node.items ?? [node]).compactMap { item -> String? in
                guard let name = item.scalar else { error(item, "name the analysis checks to run"); return nil }
                if !names.contains(name) {
                    error(item, "no analysis check '\(name)' in this rollout's analysis:" + (Suggestion.closest(to: name, in: Array(names)).map { "; did you mean '\($0)'?" } ?? ""))
                }
                return name
            }
            return listed
        }
        let workload = fields["workload"]?.scalar ?? ""
        if workload.isEmpty { error(fields["workload"] ?? node, "rollout: needs workload: the name of the release's Deployment that rolls out") }
        let service = fields["service"]?.scalar ?? workload
        var strategy = Strategy.canary(steps: [], traffic: .replicas)
        switch fields["strategy"]?.scalar {
        case "canary":
            let canary = Self.fields(fields["canary"], known: ["steps", "traffic"], in: "canary:", error: error)
            var steps: [Step] = []
            for step in canary["steps"]?.items ?? [] {
                guard let pair = step.pairs?.first, step.pairs?.count == 1, let kind = pair.key.scalar else {
                    error(step, "a canary step is one of setWeight: N, pause: DURATION (or {} to wait for a person), analysis: [CHECK...]"); continue
                }
                switch kind {
                case "setWeight":
                    guard let weight = pair.value.scalar.flatMap(Int.init), (0...100).contains(weight) else { error(pair.value, "setWeight is a percentage from 0 to 100"); continue }
                    steps.append(.setWeight(weight))
                case "pause":
                    if pair.value.pairs?.isEmpty == true || pair.value.isNull { steps.append(.pause(nil)); continue }
                    guard let seconds = pair.value.scalar.flatMap(GoDuration.seconds), seconds >= 0 else { error(pair.value, "pause is a duration such as 60s, or {} to wait for `gitops rollout promote`"); continue }
                    steps.append(.pause(seconds))
                case "analysis":
                    steps.append(.analysis(checkNames(pair.value)))
                default:
                    error(pair.key, "unknown canary step '\(kind)'" + (Suggestion.closest(to: kind, in: ["setWeight", "pause", "analysis"]).map { "; did you mean '\($0)'?" } ?? ""))
                }
            }
            if steps.isEmpty { error(fields["canary"] ?? node, "a canary needs steps:, such as [{setWeight: 10}, {analysis: [error-rate]}, {setWeight: 50}]") }
            var traffic = Traffic.replicas
            if let node = canary["traffic"] {
                if node.scalar == "replicas" {
                    traffic = .replicas
                } else if let nginx = node.pairs?.first(where: { $0.key.scalar == "nginx" })?.value {
                    guard let ingress = nginx.pairs?.first(where: { $0.key.scalar == "ingress" })?.value.scalar else { error(nginx, "nginx: needs ingress: the stable Ingress's name"); break }
                    traffic = .nginx(ingress: ingress)
                } else if let gateway = node.pairs?.first(where: { $0.key.scalar == "gatewayAPI" })?.value {
                    guard let route = gateway.pairs?.first(where: { $0.key.scalar == "httpRoute" })?.value.scalar else { error(gateway, "gatewayAPI: needs httpRoute: the HTTPRoute's name"); break }
                    traffic = .gatewayAPI(httpRoute: route)
                } else {
                    error(node, "traffic is replicas, {nginx: {ingress: NAME}} or {gatewayAPI: {httpRoute: NAME}}")
                }
            }
            strategy = .canary(steps: steps, traffic: traffic)
        case "blueGreen":
            let blueGreen = Self.fields(fields["blueGreen"], known: ["activeService", "previewService", "prePromotionAnalysis", "scaleDownDelay"], in: "blueGreen:", error: error)
            let active = blueGreen["activeService"]?.scalar ?? service
            guard let preview = blueGreen["previewService"]?.scalar, !preview.isEmpty else {
                error(fields["blueGreen"] ?? node, "blueGreen: needs previewService: the Service smoke tests reach the new version through")
                break
            }
            var delay = 600.0
            if let node = blueGreen["scaleDownDelay"] {
                if let seconds = node.scalar.flatMap(GoDuration.seconds), seconds >= 0 { delay = seconds } else { error(node, "scaleDownDelay is a duration such as 10m") }
            }
            strategy = .blueGreen(activeService: active, previewService: preview, prePromotionAnalysis: checkNames(blueGreen["prePromotionAnalysis"]), scaleDownDelay: delay)
        case let other:
            error(fields["strategy"] ?? node, "strategy is canary or blueGreen" + (other.map { ", not '\($0)'" } ?? ""))
        }
        var rollbackInGit = false
        if let rollback = fields["rollback"] {
            let options = Self.fields(rollback, known: ["git"], in: "rollback:", error: error)
            if let git = options["git"] {
                if let flag = git.scalar, flag == "true" || flag == "false" { rollbackInGit = flag == "true" } else { error(git, "rollback.git is true or false") }
            }
        }
        collector.sortByLocation()
        try collector.throwIfErrors()
        var spec = RolloutSpec(workload: workload, service: service, strategy: strategy, analysis: analysis, rollbackInGit: rollbackInGit)
        spec.location = SourceLocation(file: file, line: node.start.line, column: node.start.column)
        return spec
    }

    /// A mapping's fields by name, unknown ones reported (with the closest known name); none for
    /// an absent block.
    static func fields(_ node: Node?, known: [String], in what: String, error: (Node, String) -> Void) -> [String: Node] {
        node?.fields(known: known, in: what, error: error) ?? [:]
    }
}
