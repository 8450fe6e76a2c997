import Basics
import JSONSchema
import KubeModel

/// Validates objects against their kinds' schemas and turns violations into findings that point
/// at the line of the field (plain manifests) or the object's source (chart templates).
public struct SchemaCheck: Sendable {
    public var catalog: SchemaCatalog
    /// Reject unknown fields, and make a kind without a schema an error instead of a warning.
    public var strict: Bool

    public init(catalog: SchemaCatalog, strict: Bool) {
        self.catalog = catalog
        self.strict = strict
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
        for object in objects {
            let schema: SchemaNode?
            do {
                schema = try catalog.schema(for: object.gvk)
            } catch {
                findings.append(Finding(severity: .error, location: object.provenance.location, rule: "schema.unreadable",
                                        message: "the schema for \(object.gvk) cannot be used: \(error.message)",
                                        object: object.displayName, environment: environment))
                continue
            }
            guard let schema else {
                findings.append(Finding(severity: strict ? .error : .warning, location: object.provenance.location,
                                        rule: "schema.missing",
                                        message: "no schema for \(object.gvk): add its CustomResourceDefinition to the repository or a schema folder (validation.schemaLocations)",
                                        object: object.displayName, environment: environment))
                continue
            }
            do {
                for violation in try validator.violations(.object(object.content), schema) {
                    findings.append(Finding(severity: .error, location: object.provenance.location(of: violation.path),
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
