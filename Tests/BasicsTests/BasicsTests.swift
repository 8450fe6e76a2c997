import Basics
import Testing

@Suite struct BasicsTests {
    @Test(arguments: [
        ("a/b/../c", "a/c"), ("./a//b/", "a/b"), ("", ""), (".", ""), ("a/..", ""),
        // Already normal (returned as is) and the near misses that are not.
        ("a/.b/..c/.../c..", "a/.b/..c/.../c.."), ("a/./b", "a/b"), ("a/b/.", "a/b"), ("a/b/..", "a"), ("a/", "a"),
        (".hidden", ".hidden"), ("..x/y", "..x/y"),
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

    @Test func memoryTreesListFoldersAsDiskTreesDo() throws {
        let tree = MemoryFileTree(displayName: "archive", files: ["c/templates/b.yaml": [1], "c/templates/a.yaml": [2],
                                                                  "c/Chart.yaml": [3], "c/charts/sub/Chart.yaml": [4]])
        #expect(try tree.list("c").map(\.name) == ["Chart.yaml", "charts", "templates"])
        #expect(try tree.list("c").map(\.kind) == [.file, .directory, .directory])
        #expect(try tree.list("").map(\.name) == ["c"])
        #expect(try tree.files(under: "c") == ["c/Chart.yaml", "c/charts/sub/Chart.yaml", "c/templates/a.yaml", "c/templates/b.yaml"])
        // Folders not descended into are left out; what is listed reads by its physical path.
        let listed = try tree.listFiles(under: "c", descend: { $0 != "c/charts" })
        #expect(listed.map(\.path) == ["c/Chart.yaml", "c/templates/a.yaml", "c/templates/b.yaml"])
        #expect(try listed.map { try tree.read($0) } == [[3], [2], [1]])
    }

    @Test func jsonStringsDecodeEscapesBetweenPlainRuns() throws {
        let text = #"["plain", "tab\tand \"quotes\"", "\u00e9t\u00e9 \ud83d\ude00 end", "", "caf\#u{e9}\n"]"#
        #expect(try JSONReader.values(text) == [.array(["plain", "tab\tand \"quotes\"", "\u{e9}t\u{e9} \u{1F600} end", "", "caf\u{e9}\n"])])
    }

    /// Nesting up to the limit reads (on a test task's small stack, in a debug build); deeper is
    /// malformed, never a stack overflow (a server's answer or a chart's schema is not trusted).
    @Test func deepNestingIsMalformedNotACrash() async throws {
        let depth = JSONReader.maximumDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let read = try await Task.detached { try JSONReader.values(deepest) }.value
        #expect(read.count == 1)
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(try JSONReader.values(objects).count == 1)
        #expect(throws: JSONReader.Failure.self) { try JSONReader.values("[" + deepest + "]") }
        #expect(throws: JSONReader.Failure.self) { try JSONReader.values(String(repeating: "[", count: 200_000)) }
    }

    // Found by the jsonschema fuzzer: a high surrogate followed by another escape overflowed.
    // Go's encoding/json reads a lone surrogate as U+FFFD and the escape after it normally.
    @Test func loneSurrogatesReadAsReplacementCharacters() throws {
        let text = #"["\ud800\u0041", "\ud800\n", "\ud800x", "\udc00", "\ud800\ud800\ude00"]"#
        #expect(try JSONReader.values(text) == [.array(["\u{FFFD}A", "\u{FFFD}\n", "\u{FFFD}x", "\u{FFFD}", "\u{FFFD}\u{10200}"])])
        #expect(throws: (any Error).self) { try JSONReader.values(#"["\u+123"]"#) }
        #expect(throws: (any Error).self) { try JSONReader.values(#"["\ud800\u12"]"#) }
    }

    @Test func largeStackMapKeepsOrderAndNests() {
        let squares = LargeStackThreads.map(100) { $0 * $0 }
        #expect(squares == (0..<100).map { $0 * $0 })
        // Nested calls (a chart's parse inside a render that is itself one of many) finish.
        let sums = LargeStackThreads.map(20) { outer in LargeStackThreads.map(20) { $0 + outer }.reduce(0, +) }
        #expect(sums == (0..<20).map { outer in (0..<20).reduce(0) { $0 + $1 + outer } })
    }
}
