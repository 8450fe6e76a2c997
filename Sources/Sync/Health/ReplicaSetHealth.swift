import Basics

/// A ReplicaSet: observed, every replica ready.
enum ReplicaSetHealth {
    static func check(_ object: ValueObject) -> Health {
        guard object.observedLatest else { return .progressing("waiting to be observed") }
        let wanted = object["spec"]?["replicas"] == nil ? 1 : object.int("spec", "replicas")
        let ready = object.int("status", "readyReplicas")
        return ready < wanted ? .progressing("\(ready) of \(wanted) replicas ready") : .healthy
    }
}
