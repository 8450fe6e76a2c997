import Basics
import KubeModel
import RepoModel
import Rollouts
import Validation

/// What a release's `rollout:` names must be in its render: the workload as a Deployment, its
/// Service, and the Ingress or HTTPRoute that splits the traffic.
enum RolloutFindings {
    static func check(_ objects: [Object], of environment: Environment) -> [Finding] {
        var findings: [Finding] = []
        for release in environment.releases {
            guard let spec = release.rollout else { continue }
            let own = objects.filter { $0.provenance.release == release.name }
            let location = spec.location ?? release.location
            func require(_ kind: String, _ name: String, _ why: String) {
                guard !own.contains(where: { $0.kind == kind && $0.name == name }) else { return }
                let found = own.filter { $0.kind == kind }.map(\.name).sorted()
                findings.append(Finding(severity: .error, location: location, rule: "rollout.reference",
                                        message: "release '\(release.name)' renders no \(kind) '\(name)' (\(why))"
                                            + (found.isEmpty ? "" : "; it renders \(found.joined(separator: ", "))"),
                                        object: "", environment: environment.name))
            }
            require("Deployment", spec.workload, "rollout.workload")
            require("Service", spec.service, "rollout.service")
            switch spec.strategy {
            case .canary(_, .nginx(let ingress)): require("Ingress", ingress, "rollout.canary.traffic.nginx.ingress")
            case .canary(_, .gatewayAPI(let route)): require("HTTPRoute", route, "rollout.canary.traffic.gatewayAPI.httpRoute")
            case .canary(_, .replicas): break
            case .blueGreen(let active, let preview, _, _):
                require("Service", active, "rollout.blueGreen.activeService")
                require("Service", preview, "rollout.blueGreen.previewService")
            }
        }
        return findings
    }
}
