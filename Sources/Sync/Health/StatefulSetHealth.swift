import Basics

/// `kubectl rollout status statefulset`: observed, every replica ready and on the update revision.
enum StatefulSetHealth {
    static func check(_ object: ValueObject) -> Health {
        guard object.observedLatest else { return .progressing("waiting for the rollout to be observed") }
        let wanted = object["spec"]?["replicas"] == nil ? 1 : object.int("spec", "replicas")
        let ready = object.int("status", "readyReplicas")
        if ready < wanted { return .progressing("\(ready) of \(wanted) replicas ready") }
        if object["spec"]?["updateStrategy"]?["type"]?.stringValue != "OnDelete" {
            let updated = object.int("status", "updatedReplicas")
            if updated < wanted { return .progressing("\(updated) of \(wanted) replicas updated") }
        }
        return .healthy
    }
}
