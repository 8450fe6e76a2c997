// JSON Schema: any schema (with $ref into itself and into a second file) compiles or fails with an
// error, and validating any instance against it finishes with a list of violations.
import Basics
import Foundation
import JSONSchema

let jsonSchemaHarness = Harness(
    name: "jsonschema",
    checks: "schemas compile (with $ref within and across files) and validate instances, never crash or hang"
) { bytes in
    let input = parts(bytes, 3)
    let files = ["/s/schema.json": Array(input[0].utf8), "/s/other.json": Array(input[2].utf8)]
    let store = SchemaStore(read: { files[$0] })
    guard let id = try? store.file("/s/schema.json"), let root = try? store.root(id) else { return }
    guard let instances = try? JSONReader.values(input[1]) else { return }
    for instance in instances {
        _ = try? SchemaValidator().violations(instance, root)
        _ = try? SchemaValidator(strict: true, formats: true).violations(instance, root)
    }
}
