import Basics

/// Any other kind: a `Ready` condition when it has one (custom resources), else healthy once it exists.
enum ReadyConditionHealth {
    static func check(_ object: ValueObject) -> Health {
        guard let ready = object.condition("Ready") else { return .healthy }
        switch ready.status {
        case "True": return .healthy
        case "False" where ready.reason.hasSuffix("Failed"): return .degraded("\(ready.reason): \(ready.message)")
        default: return .progressing("Ready is \(ready.status): \(ready.reason)")
        }
    }
}
