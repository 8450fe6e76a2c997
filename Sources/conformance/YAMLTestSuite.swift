import Basics
import Foundation
import YAML

/// yaml-test-suite: valid cases must parse (to the expected JSON where the case has one) under
/// the YAML 1.2 core schema; error cases must fail.
struct YAMLTestSuite: Suite {
    let totalled: Set<String> = ["valid", "error"]

    func run(folder: URL, verbose: Bool) throws -> [Group] {
        let data = try Data(contentsOf: folder.appendingPathComponent("yaml_test_suite.json"))
        guard let cases = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw RunnerError("yaml_test_suite.json is not a list of cases")
        }
        var libyamlPasses: Set<String> = []
        let baseline = folder.appendingPathComponent("libyaml-baseline/libyaml-0.2.5-results.json")
        if let data = try? Data(contentsOf: baseline),
           let rows = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] {
            for row in rows where row["libyaml_pass"] as? Bool == true { libyamlPasses.insert(row["id"] as? String ?? "") }
        }
        var valid = Group(name: "valid"), errors = Group(name: "error"), baselineGroup = Group(name: "libyaml-0.2.5-passes")
        let options = ParseOptions(schema: .core, allowDuplicateKeys: false, mergeKeys: false)
        for testCase in cases {
            let id = testCase["id"] as? String ?? "?"
            let yaml = testCase["yaml"] as? String ?? ""
            let isError = testCase["error"] as? Bool ?? false
            let outcome: Outcome
            // Parse to nodes first: valid cases without JSON (complex keys, say) only need to parse.
            let parsed = Result { try YAMLParser.parse(Array(yaml.utf8), file: id, options: options) }
            if isError {
                switch parsed {
                case .failure: outcome = .pass
                case .success(let nodes): outcome = .fail("expected an error, parsed \(nodes.count) documents")
                }
            } else {
                switch parsed {
                case .failure(let error): outcome = .fail("unexpected error: \(error)")
                case .success(let nodes):
                    if let json = testCase["json"] as? String {
                        let expected = try? JSONReader.values(json)
                        let values = Result { try nodes.map { try $0.value(schema: .core, file: id) } }
                        switch values {
                        case .success(let values) where expected.map({ Self.equal(values, $0) }) ?? false:
                            outcome = .pass
                        case .success(let values):
                            outcome = .fail("expected \(expected.map { "\($0)" } ?? "unreadable JSON"), got \(values)")
                        case .failure(let error):
                            outcome = .fail("unexpected error: \(error)")
                        }
                    } else {
                        outcome = .pass
                    }
                }
            }
            let name = "\(id) \(testCase["name"] as? String ?? "")"
            if isError { errors.record(name, outcome) } else { valid.record(name, outcome) }
            if libyamlPasses.contains(id) { baselineGroup.record(name, outcome) }
        }
        return libyamlPasses.isEmpty ? [valid, errors] : [valid, errors, baselineGroup]
    }

    /// JSON equality with numbers compared by value (1 == 1.0).
    static func equal(_ a: [Value], _ b: [Value]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy(equal)
    }

    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case let (.int(x), .float(y)), let (.float(y), .int(x)): return Double(x) == y
        case let (.array(x), .array(y)): return equal(x, y)
        case let (.object(x), .object(y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default: return a == b
        }
    }
}
