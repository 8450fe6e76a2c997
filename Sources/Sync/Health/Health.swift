import Basics

/// How an object is doing, as kubectl's rollout status judges it.
public enum Health: Sendable, Equatable, CustomStringConvertible {
    case healthy
    /// Still converging; the reason says on what.
    case progressing(String)
    /// Failed (a Job that failed, a rollout past its deadline); or, after a timeout, still not healthy.
    case degraded(String)

    public var isHealthy: Bool { self == .healthy }
    public var isFinal: Bool { if case .progressing = self { return false } else { return true } }

    public var description: String {
        switch self {
        case .healthy: return "Healthy"
        case .progressing(let why): return "Progressing: \(why)"
        case .degraded(let why): return "Degraded: \(why)"
        }
    }

    /// The health of a live object of `kind` (kinds without rules are healthy once they exist;
    /// custom resources are judged by a `Ready` condition when they have one).
    public static func of(_ object: ValueObject, kind: String) -> Health {
        switch kind {
        case "Deployment": return DeploymentHealth.check(object)
        case "StatefulSet": return StatefulSetHealth.check(object)
        case "DaemonSet": return DaemonSetHealth.check(object)
        case "ReplicaSet": return ReplicaSetHealth.check(object)
        case "Job": return JobHealth.check(object)
        case "CronJob": return CronJobHealth.check(object)
        case "Pod": return PodHealth.check(object)
        case "PersistentVolumeClaim": return PersistentVolumeClaimHealth.check(object)
        case "Service": return ServiceHealth.check(object)
        case "Ingress": return IngressHealth.check(object)
        case "HorizontalPodAutoscaler": return HorizontalPodAutoscalerHealth.check(object)
        case "CustomResourceDefinition": return CustomResourceDefinitionHealth.check(object)
        default: return ReadyConditionHealth.check(object)
        }
    }
}

/// Reading `status` fields.
extension ValueObject {
    func int(_ path: String...) -> Int {
        var value: Value? = .object(self)
        for key in path { value = value?[key] }
        switch value {
        case .int(let number)?: return Int(number)
        case .float(let number)?: return Int(number)
        default: return 0
        }
    }

    func condition(_ type: String) -> (status: String, reason: String, message: String)? {
        for item in self["status"]?["conditions"]?.arrayValue ?? [] where item["type"]?.stringValue == type {
            return (item["status"]?.stringValue ?? "", item["reason"]?.stringValue ?? "", item["message"]?.stringValue ?? "")
        }
        return nil
    }

    /// Whether the controller has seen the latest spec.
    var observedLatest: Bool { int("status", "observedGeneration") >= int("metadata", "generation") }
}
