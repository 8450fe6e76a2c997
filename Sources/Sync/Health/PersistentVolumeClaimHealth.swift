import Basics

/// A PersistentVolumeClaim: Bound (Pending is progressing, Lost degraded).
enum PersistentVolumeClaimHealth {
    static func check(_ object: ValueObject) -> Health {
        switch object["status"]?["phase"]?.stringValue {
        case "Bound": return .healthy
        case "Lost": return .degraded("the claim lost its volume")
        default: return .progressing("waiting for the claim to be bound")
        }
    }
}
