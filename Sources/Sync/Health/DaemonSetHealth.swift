import Basics

/// `kubectl rollout status daemonset`: observed, scheduled everywhere, updated and available.
enum DaemonSetHealth {
    static func check(_ object: ValueObject) -> Health {
        guard object.observedLatest else { return .progressing("waiting for the rollout to be observed") }
        let desired = object.int("status", "desiredNumberScheduled")
        let updated = object.int("status", "updatedNumberScheduled"), available = object.int("status", "numberAvailable")
        if updated < desired { return .progressing("\(updated) of \(desired) pods updated") }
        if available < desired { return .progressing("\(available) of \(desired) pods available") }
        return .healthy
    }
}
