import Basics

/// A Pod: Ready, or Succeeded; Failed is degraded.
enum PodHealth {
    static func check(_ object: ValueObject) -> Health {
        switch object["status"]?["phase"]?.stringValue {
        case "Succeeded": return .healthy
        case "Failed": return .degraded("the pod failed")
        default:
            if let ready = object.condition("Ready"), ready.status == "True" { return .healthy }
            return .progressing("the pod is not ready")
        }
    }
}
