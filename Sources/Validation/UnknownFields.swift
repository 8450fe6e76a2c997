import Basics
import JSONSchema
import KubeModel

/// The fields of an object that its kind's schema does not declare, as the API server's strict
/// field validation finds them (`fieldValidation=Strict`): for kube-test-server, which answers
/// kubectl's validating requests with them.
public enum UnknownFields {
    /// Paths (`spec.template.spec.containers[0].imagePullPolice`) of the undeclared fields of
    /// `object`. A custom resource is checked against `definition`, its CustomResourceDefinition,
    /// when given; a kind without a schema has none.
    public static func of(_ object: ValueObject, definition: ValueObject?, catalog: SchemaCatalog) -> [String] {
        if let definition {
            catalog.add(crd: Object(content: definition, provenance: Provenance(release: "", file: "", documentIndex: 0, line: 1)))
        }
        let gvk = GroupVersionKind(apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? "")
        guard let schema = try? catalog.schema(for: gvk),
              let violations = try? SchemaValidator(strict: true, formats: false).violations(.object(object), schema) else { return [] }
        return violations.compactMap { violation in
            guard case .unknownField = violation.problem else { return nil }
            return violation.path.description
        }
    }
}
