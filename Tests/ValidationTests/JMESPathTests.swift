import Basics
import Testing
@testable import Validation

@Suite struct JMESPathTests {
    static let data: Value = try! JSONReader.values(#"""
        {"items": [{"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, "metadata": {"name": "deny"}},
                   {"spec": {"podSelector": {"matchLabels": {"a": "b"}}, "policyTypes": ["Ingress"], "ingress": [{}]}, "metadata": {"name": "x"}}],
         "a": {"b": [1, 2, 3], "c": "text", "d": null}, "n": 5, "list": [[1, 2], [3]], "name": "web"}
        """#)[0]

    @Test(arguments: [
        ("a.c", #""text""#),
        ("a.b[0]", "1"), ("a.b[-1]", "3"), ("a.b[1:]", "[2,3]"), ("a.b[::-1]", "[3,2,1]"),
        ("items[*].metadata.name", #"["deny","x"]"#),
        ("items[].metadata.name", #"["deny","x"]"#),
        ("list[]", "[1,2,3]"),
        ("items[?spec.podSelector == `{}`].metadata.name", #"["deny"]"#),
        ("items[?contains(spec.policyTypes, 'Egress')] | length(@)", "1"),
        ("items[?spec.podSelector == `{}` && contains(spec.policyTypes, 'Ingress') && !(spec.ingress)] | length(@)", "1"),
        // As in go-jmespath (Kyverno's), `!` binds tighter than `.`: `!spec.ingress` is `(!spec).ingress`.
        ("items[?!spec.ingress] | length(@)", "0"),
        ("a.d || 'fallback'", #""fallback""#),
        ("a.missing.deeper", "null"),
        ("length(a.b)", "3"), ("to_string(n)", #""5""#), ("n > `3`", "true"),
        ("[name, n]", #"["web",5]"#), ("{x: name}", #"{"x":"web"}"#),
        ("starts_with(name, 'w') && ends_with(name, 'b')", "true"),
        ("max(a.b)", "3"), ("join('-', ['a', 'b'])", #""a-b""#),
        ("items[?metadata.name == 'x'].spec.policyTypes[0] | [0]", #""Ingress""#),
    ])
    func expression(_ text: String, _ expected: String) throws {
        let result = try JMESPath(text).evaluate(Self.data)
        #expect(JMESFunctions.compactJSON(result) == expected, "\(text)")
    }

    @Test func substitution() throws {
        let context: Value = .object(["request": .object(["object": Self.data])])
        #expect(try Variables.substitute("{{ request.object.n }}", context: context) == .int(5))
        #expect(try Variables.substitute("n is {{ request.object.n }}, name {{ request.object.name }}", context: context)
                == .string("n is 5, name web"))
        #expect(try Variables.substitute("{{ regex_match('^w', '{{ request.object.name }}') }}", context: context) == .bool(true))
        #expect(throws: Variables.Failure.self) { try Variables.substitute("{{ nope_fn(1) }}", context: context) }
    }

    // Found by the jmespath and kyverno fuzzers: naming a punctuation token in an error recursed
    // until the stack overflowed.
    @Test(arguments: ["a.b)", "{x: name}}", "a[?b ||]", "a.*,", "@@", "a:b", "[?a]]", "a | |"])
    func syntaxErrorsNameTheToken(_ text: String) {
        #expect(throws: (any Error).self) { try JMESPath(text).evaluate(Self.data) }
    }

    /// Deep nesting is an error, never a stack overflow (the jmespath fuzzer's input: 3,000 `[`);
    /// nesting as deep as a real policy's reads.
    @Test func deepNestingIsAnErrorNotACrash() throws {
        for text in [String(repeating: "[", count: 3000), String(repeating: "!", count: 3000) + "a", String(repeating: "(", count: 60) + "a" + String(repeating: ")", count: 60)] {
            #expect(throws: JMESPath.SyntaxError.self) { try JMESPath(text) }
        }
        let ten = String(repeating: "(", count: 10) + "n" + String(repeating: ")", count: 10)
        #expect(try JMESPath(ten).evaluate(Self.data) == .int(5))
    }
}
