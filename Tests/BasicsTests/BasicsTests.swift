import Basics
import Testing

@Suite struct BasicsTests {
    @Test(arguments: [
        ("a/b/../c", "a/c"), ("./a//b/", "a/b"), ("", ""), (".", ""), ("a/..", ""),
    ])
    func normalizesPaths(_ input: String, _ expected: String) {
        #expect(RepoPath.normalize(input) == expected)
    }

    @Test func refusesPathsLeavingTheRoot() {
        #expect(RepoPath.normalize("../x") == nil)
        #expect(RepoPath.normalize("a/../../x") == nil)
        #expect(RepoPath.normalize("/etc/passwd") == nil)
        #expect(RepoPath.join("environments/dev", "../prod/x.yaml") == "environments/prod/x.yaml")
        #expect(RepoPath.join("environments/dev", "/abs") == nil)
    }

    @Test func diagnosticsPrintTheLineWithACaretKeepingTabs() {
        let source = SourceText(path: "f.yaml", text: "first\n\tkey: value\r\nthird")
        #expect(source.line(2) == "\tkey: value")
        #expect(source.line(3) == "third")
        #expect(source.line(4) == nil)
        let diagnostic = source.diagnostic("x", at: SourceLocation(file: "f.yaml", line: 2, column: 7), "bad value")
        #expect(diagnostic.description == "f.yaml:2:7: error: bad value\n\tkey: value\n\t     ^")
    }

    @Test func collectorSortsByLocation() {
        var collector = DiagnosticCollector()
        collector.error("b", at: SourceLocation(file: "b.yaml", line: 1, column: 1), "later file")
        collector.error("a2", at: SourceLocation(file: "a.yaml", line: 9, column: 1), "later line")
        collector.error("a1", at: SourceLocation(file: "a.yaml", line: 2, column: 5), "first")
        collector.sortByLocation()
        #expect(collector.diagnostics.map(\.code) == ["a1", "a2", "b"])
        #expect(throws: DiagnosticError.self) { try collector.throwIfErrors() }
    }

    @Test func objectsCompareUnorderedButKeepTheirOrder() {
        let a: ValueObject = ["x": .int(1), "y": .string("s")]
        let b: ValueObject = ["y": .string("s"), "x": .int(1)]
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(Array(a.keys) == ["x", "y"] && Array(b.keys) == ["y", "x"])
        var c = a
        c.insert("w", .null, at: 1)
        #expect(Array(c.keys) == ["x", "w", "y"])
        c["x"] = nil
        #expect(Array(c.keys) == ["w", "y"])
        #expect(Value.float(.nan) == Value.float(.nan))
        #expect(Value.int(1) != Value.float(1))
    }

    @Test func jsonIsDeterministicAndEscaped() {
        let value: Value = .object(["b": .array([.int(1), .float(2.5), .null, .bool(true)]), "a": .string("q\"\n\u{1}é"),
                                    "e": .object([:]), "f": .array([])])
        #expect(JSONWriter.write(value) == """
        {
          "b": [
            1,
            2.5,
            null,
            true
          ],
          "a": "q\\"\\n\\u0001é",
          "e": {},
          "f": []
        }
        """)
    }
}
