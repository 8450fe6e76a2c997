import Basics
import Foundation
import Template

/// Go's text/template tests: tier A (JSON data, builtins), B (needs the small upstream test
/// functions, provided here), C (must fail with an error), D (needs Go types; not run), plus the
/// parse tests (must parse or fail to parse).
struct TextTemplateSuite: Suite {
    let totalled: Set<String> = ["A", "B", "C", "parse"]

    func run(folder: URL, verbose: Bool) throws -> [Group] {
        let data = try Data(contentsOf: folder.appendingPathComponent("exec_cases.json"))
        guard let cases = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw RunnerError("exec_cases.json is not a list of cases")
        }
        var groups: [String: Group] = ["A": Group(name: "A"), "B": Group(name: "B"), "C": Group(name: "C")]
        for testCase in cases {
            let tier = String((testCase["tier"] as? String ?? "D").prefix(1))
            guard groups[tier] != nil else { continue }
            let name = "\(testCase["name"] as? String ?? "?"): \(testCase["template"] as? String ?? "")"
            groups[tier]!.record(name, Self.run(testCase))
        }
        var parse = Group(name: "parse")
        let parseData = try Data(contentsOf: folder.appendingPathComponent("parse_cases.json"))
        if let parseCases = try JSONSerialization.jsonObject(with: parseData) as? [[String: Any]] {
            for testCase in parseCases {
                let text = testCase["template"] as? String ?? ""
                let expectError = testCase["expect_error"] as? Bool ?? false
                var set = TemplateSet(functions: Self.testFunctions)
                let outcome: Outcome
                do {
                    try set.parse(name: "test", text: text)
                    outcome = expectError ? .fail("expected a parse error") : .pass
                } catch {
                    outcome = expectError ? .pass : .fail("unexpected error: \(error)")
                }
                parse.record("\(testCase["name"] as? String ?? "?"): \(text)", outcome)
            }
        }
        return [groups["A"]!, groups["B"]!, groups["C"]!, parse]
    }

    static func run(_ testCase: [String: Any]) -> Outcome {
        let template = testCase["template"] as? String ?? ""
        let expected = testCase["expected"] as? String ?? ""
        let expectError = testCase["expect_error"] as? Bool ?? false
        var set = TemplateSet(functions: testFunctions)
        let dataValue = (try? JSONSerialization.data(withJSONObject: testCase["data"] ?? NSNull(), options: [.fragmentsAllowed]))
            .flatMap { try? JSONReader.values(String(decoding: $0, as: UTF8.self)).first } ?? .null
        do {
            for (i, preamble) in (testCase["preamble_templates"] as? [String] ?? []).enumerated() {
                try set.parse(name: "preamble\(i)", text: preamble)
            }
            try set.parse(name: "test", text: template)
            let output = try set.execute("test", data: TemplateValue(dataValue))
            if expectError { return .fail("expected an error, got \(output.debugDescription)") }
            return output == expected ? .pass : .fail("expected \(expected.debugDescription), got \(output.debugDescription)")
        } catch {
            return expectError ? .pass : .fail("unexpected error: \(error)")
        }
    }

    /// The small functions Go's exec_test.go defines.
    static let testFunctions: [String: TemplateFunction] = [
        "typeOf": TemplateFunction(arguments: 1) { _, a in .string(a[0].typeName) },
        "oneArg": TemplateFunction(arguments: 1) { _, a in .string("oneArg=" + (try string(a[0]))) },
        "twoArgs": TemplateFunction(arguments: 2) { _, a in .string("twoArgs=" + (try string(a[0])) + (try string(a[1]))) },
        "dddArg": TemplateFunction(atLeast: 1) { _, a in .string(GoFormat.sprintln([a[0], .list(Array(a.dropFirst()))])) },
        "die": TemplateFunction(arguments: 0) { _, _ in throw FunctionError("die") },
        "echo": TemplateFunction(arguments: 1) { _, a in a[0] },
        "zeroArgs": TemplateFunction(arguments: 0) { _, _ in .string("zeroArgs") },
        "returnInt": TemplateFunction(arguments: 0) { _, _ in .int(7) },
        "valueString": TemplateFunction(arguments: 1) { _, a in _ = try string(a[0]); return .string("value is ignored") },
        "mapOfThree": TemplateFunction(arguments: 0) { _, _ in .map(TemplateMap([("three", .int(3))])) },
        "count": TemplateFunction(arguments: 1) { _, a in
            guard case .int(let n) = a[0] else { throw FunctionError("count needs an int") }
            return .list((0..<Int(n)).map { .string(String(UnicodeScalar(UInt8(97 + $0 % 26)))) })
        },
        "makemap": TemplateFunction(atLeast: 0) { _, a in
            var map = TemplateMap()
            var i = 0
            while i + 1 < a.count {
                map[try string(a[i])] = a[i + 1]
                i += 2
            }
            return .map(map)
        },
        "vfunc": TemplateFunction(arguments: 2) { _, _ in .string("vfunc") },
        "stringer": TemplateFunction(arguments: 1) { _, a in .string(GoFormat.value(a[0])) },
        "contains": TemplateFunction(arguments: 2) { _, a in .bool((try string(a[0])).contains(try string(a[1]))) },
    ]

    static func string(_ value: TemplateValue) throws -> String {
        guard case .string(let s) = value else {
            throw FunctionError("wrong type for value; expected string; got \(value.typeName)")
        }
        return s
    }
}
