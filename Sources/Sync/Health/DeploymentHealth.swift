import Basics

/// `kubectl rollout status deployment`: the new spec observed, every replica updated and available.
enum DeploymentHealth {
    static func check(_ object: ValueObject) -> Health {
        if object["spec"]?["paused"] == .bool(true) { return .healthy }
        guard object.observedLatest else { return .progressing("waiting for the rollout to be observed") }
        if let progressing = object.condition("Progressing"), progressing.reason == "ProgressDeadlineExceeded" {
            return .degraded("rollout exceeded its progress deadline")
        }
        let wanted = object["spec"]?["replicas"] == nil ? 1 : object.int("spec", "replicas")
        let updated = object.int("status", "updatedReplicas"), total = object.int("status", "replicas")
        let available = object.int("status", "availableReplicas")
        if updated < wanted { return .progressing("\(updated) of \(wanted) replicas updated") }
        if total > updated { return .progressing("\(total - updated) old replicas pending termination") }
        if available < updated { return .progressing("\(available) of \(updated) updated replicas available") }
        return .healthy
    }
}
