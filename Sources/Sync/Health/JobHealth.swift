import Basics

/// A Job: complete, or failed (its `Failed` condition).
enum JobHealth {
    static func check(_ object: ValueObject) -> Health {
        if let failed = object.condition("Failed"), failed.status == "True" {
            return .degraded("the job failed: \(failed.reason) \(failed.message)".trimmingCharacters(in: .whitespaces))
        }
        if let complete = object.condition("Complete"), complete.status == "True" { return .healthy }
        return .progressing("\(object.int("status", "succeeded")) of \(max(object.int("spec", "completions"), 1)) completions")
    }
}
