import Basics
import Testing
@testable import Template

/// Data shared by the table: what a Helm chart's values look like after JSON decoding.
let tableData: TemplateValue = TemplateValue(.object([
    "name": .string("blog"),
    "replicas": .int(3),
    "ratio": .float(0.25),
    "big": .float(1_000_000),
    "enabled": .bool(true),
    "empty": .string(""),
    "none": .null,
    "list": .array([.string("a"), .string("b"), .string("c")]),
    "nums": .array([.int(3), .int(1), .int(2)]),
    "map": .object(["z": .int(26), "a": .int(1), "m": .int(13)]),
    "nested": .object(["inner": .object(["leaf": .string("deep")])]),
    "emptyList": .array([]),
    "emptyMap": .object([:]),
]))

struct ExecCase: Sendable, CustomStringConvertible {
    var template: String
    var expected: String?  // nil: an error is expected
    var description: String { template }
}

let execTable: [ExecCase] = [
    // Text, trimming, comments.
    .init(template: "plain text", expected: "plain text"),
    .init(template: "a  {{- \"b\" -}}  c", expected: "abc"),
    .init(template: "a\n  {{- /* gone */ -}}\n  b", expected: "ab"),
    .init(template: "{{/* comment */}}x", expected: "x"),
    .init(template: "{{-3}}", expected: "-3"),
    // Fields, chains, variables.
    .init(template: "{{.name}}-{{.nested.inner.leaf}}", expected: "blog-deep"),
    .init(template: "{{.missing}}", expected: "<no value>"),
    .init(template: "{{.none}}", expected: "<no value>"),
    .init(template: "{{.none.x}}", expected: nil),
    .init(template: "{{.missing.x}}", expected: "<no value>"),
    .init(template: "{{.name.x}}", expected: nil),
    .init(template: "{{$x := .name}}{{$x}}{{$x = \"v\"}}{{$x}}", expected: "blogv"),
    .init(template: "{{$.name}}{{with .nested}}{{$.name}}{{.inner.leaf}}{{end}}", expected: "blogblogdeep"),
    .init(template: "{{(index .list 1)}}{{(dict).x}}", expected: "b<no value>"),
    // Conditionals.
    .init(template: "{{if .enabled}}on{{else}}off{{end}}", expected: "on"),
    .init(template: "{{if .empty}}1{{else if .none}}2{{else if .replicas}}3{{else}}4{{end}}", expected: "3"),
    .init(template: "{{if .emptyList}}x{{else}}empty{{end}}{{if .emptyMap}}x{{else}}empty{{end}}", expected: "emptyempty"),
    .init(template: "{{with .nested.inner}}{{.leaf}}{{end}}", expected: "deep"),
    .init(template: "{{with .none}}x{{else with .name}}{{.}}{{else}}z{{end}}", expected: "blog"),
    .init(template: "{{if 0.0}}t{{else}}f{{end}}{{if 1.5}}t{{end}}", expected: "ft"),
    // Range.
    .init(template: "{{range .list}}[{{.}}]{{end}}", expected: "[a][b][c]"),
    .init(template: "{{range $i, $v := .list}}{{$i}}={{$v}} {{end}}", expected: "0=a 1=b 2=c "),
    .init(template: "{{range $k, $v := .map}}{{$k}}:{{$v}},{{end}}", expected: "a:1,m:13,z:26,"),
    .init(template: "{{range .emptyList}}x{{else}}none{{end}}", expected: "none"),
    .init(template: "{{range 3}}{{.}}{{end}}", expected: "012"),
    .init(template: "{{range .list}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", expected: "a"),
    .init(template: "{{range .list}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}", expected: "ac"),
    .init(template: "{{range .name}}{{end}}", expected: nil),
    .init(template: "{{break}}", expected: nil),
    // Templates.
    .init(template: "{{define \"t\"}}<{{.}}>{{end}}{{template \"t\" .name}}", expected: "<blog>"),
    .init(template: "{{block \"b\" .replicas}}[{{.}}]{{end}}", expected: "[3]"),
    .init(template: "{{template \"nope\"}}", expected: nil),
    .init(template: "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}", expected: nil),
    // Builtins.
    .init(template: "{{and 1 0 \"x\"}} {{or 0 \"\" \"y\"}} {{and 1 2}} {{or 0 0}}", expected: "0 y 2 0"),
    .init(template: "{{or .name (fail)}}", expected: "blog"),
    .init(template: "{{not .enabled}} {{not .empty}}", expected: "false true"),
    .init(template: "{{len .list}} {{len .map}} {{len .name}}", expected: "3 3 4"),
    .init(template: "{{len .replicas}}", expected: nil),
    .init(template: "{{index .list 2}} {{index .map \"m\"}} {{index .nested \"inner\" \"leaf\"}}", expected: "c 13 deep"),
    .init(template: "{{index .list 3}}", expected: nil),
    .init(template: "{{index .map 1}}", expected: nil),
    .init(template: "{{slice .list 1}} {{slice .name 1 3}} {{slice .list 0 1}}", expected: "[b c] lo [a]"),
    .init(template: "{{slice .list 2 1}}", expected: nil),
    .init(template: "{{print 1 2 \"a\" \"b\" 3}}|{{println 1 \"x\"}}", expected: "1 2ab3|1 x\n"),
    .init(template: "{{.big}} {{.ratio}} {{.replicas}} {{1e6}} {{print 123456789.0}}", expected: "1e+06 0.25 3 1e+06 1.23456789e+08"),
    .init(template: "{{.list}} {{.map}} {{.emptyMap}}", expected: "[a b c] map[a:1 m:13 z:26] map[]"),
    .init(template: "{{html \"<a href='x'>&</a>\"}}", expected: "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"),
    .init(template: "{{js \"it's <b>\"}}", expected: "it\\'s \\u003Cb\\u003E"),
    .init(template: "{{urlquery \"a b&c/d\"}}", expected: "a+b%26c%2Fd"),
    // Comparisons.
    .init(template: "{{eq 1 2 3 1}} {{eq \"a\" \"b\"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1.5 2.5}}",
          expected: "true false true true true true false"),
    .init(template: "{{eq .replicas 3}} {{eq .ratio 0.25}}", expected: "true true"),
    .init(template: "{{eq .big 1000000}}", expected: nil),
    .init(template: "{{lt .list 1}}", expected: nil),
    .init(template: "{{eq .none nil}} {{eq .missing 0}}", expected: "true false"),
    // Pipelines.
    .init(template: "{{\"x\" | printf \"%s-%s\" \"y\"}}", expected: "y-x"),
    .init(template: "{{.name | len | printf \"%03d\"}}", expected: "004"),
    .init(template: "{{3 | .name}}", expected: nil),
    .init(template: "{{nil}}", expected: nil),
    // Numbers.
    .init(template: "{{print 0x1F 0o17 0b101 1_000 'a' 1.5e3 0x1p-2}}", expected: "31 15 5 1000 97 1500 0.25"),
    .init(template: "{{printf \"%T %T %T %T\" 1 1.0 \"s\" 'x'}}", expected: "int float64 string int"),
]

@Suite struct ExecTests {
    static let functions: [String: TemplateFunction] = [
        "fail": TemplateFunction(arguments: 0) { _, _ in throw FunctionError("must not be called") },
        "dict": TemplateFunction(atLeast: 0) { _, _ in .map(TemplateMap()) },
    ]

    @Test(arguments: execTable)
    func table(_ testCase: ExecCase) {
        var set = TemplateSet(functions: Self.functions)
        do {
            try set.parse(name: "t.yaml", text: testCase.template)
            let output = try set.execute("t.yaml", data: tableData)
            #expect(testCase.expected == output, "\(testCase.template)")
        } catch {
            #expect(testCase.expected == nil, "\(testCase.template): unexpected \(error)")
        }
    }
}
