import Basics
import Foundation
import Template

/// Sprig's own tests, re-packaged: the cases verified with JSON data must render as expected
/// (or fail where they expect an error).
struct SprigSuite: Suite {
    let totalled: Set<String> = ["verified"]

    func run(folder: URL, verbose: Bool) throws -> [Group] {
        let data = try Data(contentsOf: folder.appendingPathComponent("sprig_cases.json"))
        guard let cases = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw RunnerError("sprig_cases.json is not a list of cases")
        }
        var verified = Group(name: "verified")
        for testCase in cases where testCase["verified_with_json_vars"] as? Bool == true {
            let template = testCase["template"] as? String ?? ""
            let expected = testCase["expected"] as? String
            let expectError = testCase["expect_error"] as? Bool ?? false
            let vars = (try? JSONSerialization.data(withJSONObject: testCase["vars"] ?? NSNull(), options: [.fragmentsAllowed]))
                .flatMap { try? JSONReader.values(String(decoding: $0, as: UTF8.self)).first } ?? .null
            var set = TemplateSet(functions: Sprig.functions)
            let outcome: Outcome
            do {
                try set.parse(name: "test", text: template)
                let output = try set.execute("test", data: TemplateValue(vars))
                if expectError {
                    outcome = .fail("expected an error, got \(output.debugDescription)")
                } else {
                    outcome = output == expected ? .pass : .fail("expected \((expected ?? "").debugDescription), got \(output.debugDescription)")
                }
            } catch {
                outcome = expectError ? .pass : .fail("unexpected error: \(error)")
            }
            verified.record("\(testCase["test"] as? String ?? "?"): \(template)", outcome)
        }
        return [verified]
    }
}
