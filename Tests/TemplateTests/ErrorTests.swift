import Basics
import Testing
@testable import Template

@Suite struct ErrorTests {
    func run(_ text: String, data: TemplateValue = .null, missingKey: TemplateSet.MissingKey = .invalid,
             name: String = "chart/templates/deployment.yaml") -> (String?, TemplateError?) {
        var set = TemplateSet()
        set.missingKey = missingKey
        do {
            try set.parse(name: name, text: text)
            return (try set.execute(name, data: data), nil)
        } catch {
            return (nil, error)
        }
    }

    @Test func executionErrorsNameTemplateLineColumnAndAction() {
        let (_, error) = run("line one\n  x: {{ index .list 5 }}\n", data: TemplateValue(.object(["list": .array([])])))
        #expect(error?.description ==
                "template: chart/templates/deployment.yaml:2:8: executing \"chart/templates/deployment.yaml\" at <index .list 5>: error calling index: index out of range: 5")
    }

    @Test func nilPointerLikeHelm() {
        let values = TemplateValue(.object(["Values": .object([:])]))
        let (_, error) = run("{{ .Values.image.tag }}", data: values, missingKey: .zero)
        #expect(error?.description ==
                "template: chart/templates/deployment.yaml:1:10: executing \"chart/templates/deployment.yaml\" at <.Values.image.tag>: nil pointer evaluating interface {}.tag")
        let (output, _) = run("[{{ .Values.image }}]", data: values, missingKey: .zero)
        #expect(output == "[<no value>]")
        let (_, strict) = run("{{ .Values.image }}", data: values, missingKey: .error)
        #expect(strict?.message == "map has no entry for key \"image\"")
    }

    @Test(arguments: [
        ("{{", "template: t:1: unclosed action"),
        ("{{if}}", "template: t:1: missing value for if"),
        ("{{end}}", "template: t:1: unexpected {{end}}"),
        ("{{if .x}}", "template: t:1: unexpected EOF"),
        // As Go (and so Helm): a missing {{end}} is reported at the last line, where the EOF is.
        ("a: 1\n{{- if .x }}\nb: 2\nc: 3\n", "template: t:5: unexpected EOF"),
        ("{{$x}}", "template: t:1: undefined variable \"$x\""),
        ("{{nofunc 1}}", "template: t:1: function \"nofunc\" not defined"),
        ("a\n{{.x | 3}}", "template: t:2: non executable command in pipeline stage 2"),
        ("{{define \"a\"}}1{{end}}{{define \"a\"}}2{{end}}", "template: t:1: template: multiple definition of template \"a\""),
        ("{{\"unterminated}}", "template: t:1: unterminated quoted string"),
        ("{{1x}}", "template: t:1: bad number syntax: \"1x\""),
        ("{{/* open", "template: t:1: unclosed comment"),
    ])
    func parseErrors(_ text: String, _ expected: String) {
        let (_, error) = run(text, name: "t")
        #expect(error?.description == expected)
        #expect(error?.kind == .parse)
    }

    @Test func runawayRecursionAndRangesStop() {
        var set = TemplateSet()
        set.maxIterations = 1000
        #expect(throws: TemplateError.self) {
            try set.parse(name: "t", text: "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\"}}")
            _ = try set.execute("t", data: .null)
        }
        #expect(throws: TemplateError.self) {
            try set.parse(name: "u", text: "{{range 100000}}x{{end}}")
            _ = try set.execute("u", data: .null)
        }
    }

    @Test func deepParenthesesAreAParseErrorNotACrash() {
        let text = "{{" + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + "}}"
        let (_, error) = run(text, name: "t")
        #expect(error?.message == "max expression depth exceeded")
    }

    /// Random garbage never crashes the lexer, parser or executor.
    @Test func garbageInputs() {
        let alphabet = Array("{}{{}}-. $|():=\"'`/*xif end range else with define template 0x1e5\n\t")
        var random = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                text.append(alphabet[Int.random(in: 0..<alphabet.count, using: &random)])
            }
            var set = TemplateSet()
            set.maxIterations = 10_000
            if (try? set.parse(name: "g", text: text)) != nil {
                _ = try? set.execute("g", data: tableData)
            }
        }
    }
}
