import Basics

/// The status controllers would write, at once: workloads report every replica ready and
/// up to date for the generation just stored, so health checks can be tested. A Deployment whose
/// pod template is annotated `kube-test-server/crashloop: "true"` reports none ready and its
/// progress deadline exceeded, as one whose pods crash-loop (a bad version, for rollout tests).
enum SimulatedControllers {
    static let crashLoopAnnotation = "kube-test-server/crashloop"

    static func status(of object: ValueObject, kind: String, generation: Int64) -> ValueObject {
        var object = object
        let replicas = object["spec"]?["replicas"] ?? .int(1)
        switch kind {
        case "Deployment" where object["spec"]?["template"]?["metadata"]?["annotations"]?[crashLoopAnnotation]?.stringValue == "true":
            // Pods that never become ready: the controller gives up at the progress deadline.
            object["status"] = .object(["observedGeneration": .int(generation), "replicas": replicas, "updatedReplicas": replicas,
                                        "readyReplicas": 0, "availableReplicas": 0, "unavailableReplicas": replicas,
                                        "conditions": .array([
                                            .object(["type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"]),
                                            .object(["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                                                     "message": "pods of this template crash-loop (kube-test-server/crashloop)"]),
                                        ])])
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
        case "Job":
            // A Job annotated kube-test-server/fail: "true" fails; others complete at once.
            if object["metadata"]?["annotations"]?["kube-test-server/fail"]?.stringValue == "true" {
                object["status"] = .object(["failed": 1, "conditions": .array([.object(["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"])])])
            } else {
                object["status"] = .object(["succeeded": 1, "conditions": .array([.object(["type": "Complete", "status": "True"])])])
            }
        case "PersistentVolumeClaim":
            object["status"] = .object(["phase": "Bound"])
        case "Pod":
            object["status"] = .object(["phase": "Running", "conditions": .array([.object(["type": "Ready", "status": "True"])])])
        case "Ingress":
            object["status"] = .object(["loadBalancer": .object(["ingress": .array([.object(["ip": "10.0.0.10"])])])])
        case "Service" where object["spec"]?["type"]?.stringValue == "LoadBalancer":
            object["status"] = .object(["loadBalancer": .object(["ingress": .array([.object(["ip": "10.0.0.11"])])])])
        case "CustomResourceDefinition":
            object["status"] = .object(["conditions": .array([.object(["type": "Established", "status": "True"]),
                                                              .object(["type": "NamesAccepted", "status": "True"])])])
        default:
            break
        }
        return object
    }
}
