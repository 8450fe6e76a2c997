import Basics
import Foundation
import KubeModel
import Testing
import JSONSchema
@testable import Validation

/// gitops' verdicts against Python jsonschema's on the same kubernetes-validate schemas, for the
/// generated corpus in Corpus/schema-corpus.json (scripts/schema-differential --write makes it).
/// Needs the schemas linked (scripts/link-schemas, which scripts/test runs).
@Suite struct SchemaDifferentialTests {
    static var schemaHome: String {
        SchemaCatalog.linkedHome
    }

    @Test(arguments: [false, true])
    func verdictsAgreeWithJSONSchema(strict: Bool) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus/schema-corpus.json")
        let corpus = try JSONReader.values(String(decoding: try Data(contentsOf: url), as: UTF8.self))[0]
        let version = corpus["kubernetesVersion"]?.stringValue
        guard let folder = SchemaCatalog.versionFolder(in: Self.schemaHome, kubernetesVersion: version, strict: strict) else {
            Issue.record("Kubernetes schemas are not linked at \(Self.schemaHome): run scripts/link-schemas")
            return
        }
        let catalog = SchemaCatalog(folders: [folder])
        var disagreements: [String] = []
        let cases = corpus["cases"]?.arrayValue ?? []
        #expect(cases.count >= 500)
        for testCase in cases {
            guard case .object(let object)? = testCase["object"] else { continue }
            let gvk = GroupVersionKind(apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? "")
            let schema = try #require(try catalog.schema(for: gvk), "no schema for \(gvk)")
            // Python's jsonschema does not check `format` by default; the keyword tests cover it.
            let violations = try SchemaValidator(strict: strict, formats: false).violations(.object(object), schema)
            let expected = testCase[strict ? "validStrict" : "valid"] == .bool(true)
            if violations.isEmpty != expected {
                disagreements.append("#\(testCase["index"].map { SchemaProblem.show($0) } ?? "?") \(testCase["mutation"]?.stringValue ?? ""): "
                    + "jsonschema says \(expected ? "valid" : "invalid"), gitops \(violations.isEmpty ? "valid" : "invalid: \(violations)")")
            }
        }
        let report = disagreements.prefix(20).joined(separator: "\n")
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(cases.count) verdicts differ:\n\(report)")
    }
}
