import Basics

/// The status controllers would write, at once: workloads report every replica ready and
/// up to date for the generation just stored, so health checks can be tested.
enum SimulatedControllers {
    static func status(of object: ValueObject, kind: String, generation: Int64) -> ValueObject {
        var object = object
        let replicas = object["spec"]?["replicas"] ?? .int(1)
        switch kind {
        case "Deployment":
            object["status"] = .object(["observedGeneration": .int(generation), "replicas": replicas, "updatedReplicas": replicas,
                                        "readyReplicas": replicas, "availableReplicas": replicas,
                                        "conditions": .array([
                                            .object(["type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"]),
                                            .object(["type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"]),
                                        ])])
        case "StatefulSet":
            object["status"] = .object(["observedGeneration": .int(generation), "replicas": replicas, "readyReplicas": replicas,
                                        "currentReplicas": replicas, "updatedReplicas": replicas, "availableReplicas": replicas])
        case "ReplicaSet":
            object["status"] = .object(["observedGeneration": .int(generation), "replicas": replicas, "readyReplicas": replicas,
                                        "availableReplicas": replicas, "fullyLabeledReplicas": replicas])
        case "DaemonSet":
            object["status"] = .object(["observedGeneration": .int(generation), "desiredNumberScheduled": 1, "currentNumberScheduled": 1,
                                        "numberReady": 1, "updatedNumberScheduled": 1, "numberAvailable": 1, "numberMisscheduled": 0])
        default:
            break
        }
        return object
    }
}
