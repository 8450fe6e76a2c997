import Basics
import Foundation
import Validation

/// kyverno/policies' `kyverno test` files (shared/conformance/kyverno-policies): each result row
/// (policy, rule, resource, expected result) is a case, grouped by the tier `index.json` gives the
/// test; a test that cannot be read fails all its rows.
struct KyvernoSuite: Suite {
    var totalled: Set<String> { ["A-pattern-only", "B-classic-validate", "C-other"] }
    static let missingFiles = "not runnable: resource files missing from the package"

    func run(folder: URL, verbose: Bool) throws -> [Group] {
        let index = try JSONReader.values(String(decoding: try Data(contentsOf: folder.appendingPathComponent("index.json")), as: UTF8.self))[0]
        var groups: [String: Group] = [:]
        for test in index.arrayValue ?? [] {
            let tier = test["tier"]?.stringValue ?? "C-other"
            var group = groups[tier] ?? Group(name: tier)
            defer { groups[tier] = group }
            guard let file = test["test_file"]?.stringValue else { continue }
            let path = folder.appendingPathComponent("policies").appendingPathComponent(file).path
            do {
                let result = try PolicyTest.run(file: path) { path in
                    guard let data = FileManager.default.contents(atPath: (path as NSString).standardizingPath) else {
                        throw RunnerError("no file \(path)")
                    }
                    return Array(data)
                }
                for row in result.rows {
                    let name = "\(file): \(row.policy)/\(row.rule) \(row.kind) \(row.resource)"
                    group.record(name, row.passed ? .pass : .fail("expected \(row.expected), got \(row.actual) \(row.message)"))
                }
            } catch let error as RunnerError {
                // Tests whose resource files the shared package does not carry (.chainsaw-test/)
                // cannot run; they are counted apart, per tier.
                var missing = groups[tier + " " + Self.missingFiles] ?? Group(name: tier + " " + Self.missingFiles)
                for (index, _) in (test["results"]?.arrayValue ?? []).enumerated() {
                    missing.record("\(file) row \(index)", .fail(error.description))
                }
                groups[tier + " " + Self.missingFiles] = missing
            } catch {
                for (index, _) in (test["results"]?.arrayValue ?? []).enumerated() {
                    group.record("\(file) row \(index)", .fail("\(error)"))
                }
            }
        }
        return groups.keys.sorted().compactMap { groups[$0] }
    }
}
