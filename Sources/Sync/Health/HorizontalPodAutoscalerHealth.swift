import Basics

/// A HorizontalPodAutoscaler: degraded when it cannot scale (`ScalingActive` or `AbleToScale` false).
enum HorizontalPodAutoscalerHealth {
    static func check(_ object: ValueObject) -> Health {
        for type in ["AbleToScale", "ScalingActive"] {
            if let condition = object.condition(type), condition.status == "False" {
                return .degraded("\(type): \(condition.reason) \(condition.message)".trimmingCharacters(in: .whitespaces))
            }
        }
        return .healthy
    }
}
