import Basics
import JSONSchema
import KubeModel

/// Validates objects against their kinds' schemas and turns violations into findings that point
/// at the line of the field (plain manifests) or the object's source (chart templates).
public struct SchemaCheck: Sendable {
    public var catalog: SchemaCatalog
    /// Reject unknown fields, and make a kind without a schema an error instead of a warning.
    public var strict: Bool
    /// Without `strict`: an unknown kind or removed API version of a built-in group is a warning
    /// and unknown fields of built-in kinds pass (before, the default).
    public var lenient: Bool

    public init(catalog: SchemaCatalog, strict: Bool, lenient: Bool = false) {
        self.catalog = catalog
        self.strict = strict
        self.lenient = lenient
    }

    /// Findings for `objects`; CRDs among them are registered first, so their custom resources
    /// validate against them.
    public func check(_ objects: [Object], environment: String = "") -> [Finding] {
        var findings: [Finding] = []
        for object in objects where object.kind == "CustomResourceDefinition" {
            for problem in catalog.add(crd: object) {
                findings.append(Finding(severity: .error, location: object.provenance.location, rule: "schema.crd",
                                        message: problem, object: object.displayName, environment: environment))
            }
        }
        let validator = SchemaValidator(strict: strict)
        // Kubernetes rejects unknown fields of its own kinds (kubectl's field validation): so do we.
        let builtInValidator = SchemaValidator(strict: strict || !lenient)
        for object in objects {
            let found: (schema: SchemaNode, kubernetes: Bool)?
            do {
                found = try catalog.lookup(object.gvk)
            } catch {
                findings.append(Finding(severity: .error, location: object.provenance.location, rule: "schema.unreadable",
                                        message: "the schema for \(object.gvk) cannot be used: \(error.message)",
                                        object: object.displayName, environment: environment))
                continue
            }
            guard let (schema, kubernetesSchema) = found else {
                if let (rule, message) = catalog.builtIn?.problem(with: object.gvk) {
                    findings.append(Finding(severity: strict || !lenient ? .error : .warning, location: object.provenance.location(of: FieldPath([.key("kind")])),
                                            rule: rule, message: message, object: object.displayName, environment: environment))
                    continue
                }
                findings.append(Finding(severity: strict ? .error : .warning, location: object.provenance.location,
                                        rule: "schema.missing",
                                        message: "no schema for \(object.gvk): add its CustomResourceDefinition to the repository or a schema folder (validation.schemaLocations)",
                                        object: object.displayName, environment: environment))
                continue
            }
            do {
                for violation in try (kubernetesSchema ? builtInValidator : validator).violations(.object(object.content), schema) {
                    // A misspelt field name is fixed where the key was written (a template line), not at its value.
                    let location = if case .unknownField = violation.problem { object.provenance.location(ofKey: violation.path) }
                        else { object.provenance.location(of: violation.path) }
                    findings.append(Finding(severity: .error, location: location,
                                            rule: "schema", message: violation.message, object: object.displayName,
                                            path: violation.path, environment: environment))
                }
            } catch {
                findings.append(Finding(severity: .error, location: object.provenance.location, rule: "schema.unreadable",
                                        message: "the schema for \(object.gvk) cannot be used: \(error.message)",
                                        object: object.displayName, environment: environment))
            }
        }
        return findings
    }
}
