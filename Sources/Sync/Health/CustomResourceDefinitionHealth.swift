import Basics

/// A CustomResourceDefinition: established (its kind is served), names accepted.
enum CustomResourceDefinitionHealth {
    static func check(_ object: ValueObject) -> Health {
        if let names = object.condition("NamesAccepted"), names.status == "False" { return .degraded("names not accepted: \(names.message)") }
        if let established = object.condition("Established"), established.status == "True" { return .healthy }
        return .progressing("waiting to be established")
    }
}
