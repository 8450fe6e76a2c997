import Basics
import Testing
@testable import YAML

@Suite struct ParserTests {
    @Test func multiDocumentStreamKeepsOrderAndMarks() throws {
        let text = "a: 1\nb:\n  - x\n  - é: z\n---\n# comment\nc: [1, 2]\n"
        let documents = try YAMLParser.parse(text, file: "f.yaml")
        #expect(documents.count == 2)
        let first = documents[0]
        #expect(first.pairs?.map { $0.key.scalar } == ["a", "b"])
        let b = try #require(first["b"])
        #expect(b.start == Mark(line: 3, column: 3, offset: 10))
        let item = try #require(b.items?[1])
        let key = try #require(item.pairs?.first?.key)
        #expect(key.scalar == "é")
        #expect(key.start.line == 4 && key.start.column == 5)
        // Byte offsets count UTF-8 bytes: "é" is two bytes.
        let z = try #require(item["é"])
        #expect(z.start.column == 8)
        #expect(Array(text.utf8)[z.start.offset] == UInt8(ascii: "z"))
        #expect(documents[1]["c"]?.start == Mark(line: 7, column: 4, offset: 41))
        #expect(Array(text.utf8)[41] == UInt8(ascii: "["))
    }

    @Test func aByteOrderMarkIsSkippedAsKubectlDoes() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("kind: ConfigMap\nname: é\n".utf8)
        let document = try #require(try YAMLParser.parse(bytes, file: "f.yaml").first)
        #expect(document["kind"]?.scalar == "ConfigMap")
        let name = try #require(document["name"])
        #expect(name.start.line == 2 && name.start.column == 7 && bytes[name.start.offset] == 0xC3, "byte offsets count the mark")
    }

    @Test func syntaxErrorsSayWhatIsWrongAndPrintBoundedMaskedExcerpts() throws {
        func error(_ bytes: [UInt8]) -> String {
            (#expect(throws: DiagnosticError.self) { try YAMLParser.parse(bytes, file: "f.yaml") })?.description ?? ""
        }
        let tab = error(Array("metadata:\n\tname: a\n".utf8))
        #expect(tab.hasPrefix("f.yaml:2:1: error: a tab character where YAML expects spaces") && tab.contains("indent with spaces only"), "\(tab)")
        // A Secret's file: the location and the problem, the value masked.
        let secret = error(Array("apiVersion: v1\nkind: Secret\nstringData:\n  password: \"hunter2\n".utf8))
        #expect(!secret.contains("hunter2") && secret.contains("f.yaml:"), "\(secret)")
        let secretKey = error(Array("kind: Secret\nstringData:\n  password: hunter2: x\n".utf8))
        #expect(!secretKey.contains("hunter2") && secretKey.contains("  password: ***"), "\(secretKey)")
        // A binary file named .yaml: no bytes echoed.
        let binary = error([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00, 0xFF, 0x10, 0x0A, 0x03])
        #expect(binary == "f.yaml:1:1: error: the file is not YAML text (it holds binary data or is not UTF-8); remove it or give it another extension", "\(binary)")
        // A 40 KB line: a window around the column, not the whole line.
        let long = error(Array(("data: {a: " + String(repeating: "x", count: 40_000) + "]]}\n").utf8))
        let lines = long.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[1].count <= SourceText.excerptWidth + 2 && lines[1].hasPrefix("…"), "\(long.count)")
        let caret = try #require(lines[2].firstIndex(of: "^"))
        #expect(Array(lines[1])[lines[2].distance(from: lines[2].startIndex, to: caret)] == "]", "the caret still points at the problem")
    }

    @Test func documentHeadsAreReadFromEvents() throws {
        let head = try #require(DocumentHead.scan(Array("""
            apiVersion: batch/v1
            kind: Job
            spec: {template: {metadata: {annotations: {helm.sh/hook: nested}}}}
            list: [{kind: Inner}]
            ? [complex, key]
            : kind
            metadata:
              name: j
              annotations:
                helm.sh/hook: pre-install,pre-upgrade
            kind: Job2

            """.utf8)))
        #expect(head.kind == "Job2" && head.hook == "pre-install,pre-upgrade", "the last top-level kind wins; only metadata.annotations counts")
        #expect(DocumentHead.scan(Array("kind: [".utf8)) == nil)
        let empty = try #require(DocumentHead.scan([]))
        #expect(empty.kind == nil && empty.hook == nil)
    }

    @Test func marksAreNotPartOfEquality() throws {
        let a = try YAMLParser.parse("k: v\n", file: "a")
        let b = try YAMLParser.parse("\n\n  k:    v\n", file: "b")
        #expect(a == b)
    }

    @Test func stylesAndTagsKept() throws {
        let node = try YAMLParser.parse("a: 'x'\nb: \"y\"\nc: |\n  z\nd: !custom w\n", file: "f")[0]
        #expect(node["a"]?.content == .scalar("x", .singleQuoted))
        #expect(node["b"]?.content == .scalar("y", .doubleQuoted))
        #expect(node["c"]?.content == .scalar("z\n", .literal))
        #expect(node["d"]?.tag == "!custom")
    }

    @Test func aliasesAndMergeKeys() throws {
        let text = """
        base: &base {a: 1, b: 2}
        other: &other {c: 3, a: 9}
        merged:
          <<: [*base, *other]
          b: 20
        copy: *base

        """
        let value = try YAML.value(text)
        #expect(value["merged"] == .object(["a": .int(1), "b": .int(20), "c": .int(3)]))
        #expect(value["copy"] == .object(["a": .int(1), "b": .int(2)]))
        let merged = try #require(try YAMLParser.parse(text, file: "f")[0]["merged"]?.pairs)
        #expect(merged.map { $0.key.scalar } == ["a", "c", "b"])
    }

    @Test func emptyDocumentsAndStreams() throws {
        #expect(try YAMLParser.parse("", file: "f").isEmpty)
        let documents = try YAMLParser.parse("---\n---\na: 1\n", file: "f")
        #expect(documents.count == 2 && documents[0].isNull)
    }

    @Test func syntaxErrorPointsAtTheProblemWithCaret() {
        let text = "a: 1\nb: [1, 2\nc: 3\n"
        let error = #expect(throws: DiagnosticError.self) { try YAMLParser.parse(text, file: "env.yaml") }
        let diagnostic = try? #require(error?.diagnostics.first)
        #expect(diagnostic?.code == "yaml.syntax")
        #expect(diagnostic?.location?.line == 3)
        #expect(diagnostic?.description.hasPrefix("env.yaml:3:2: error: did not find expected ',' or ']' (while parsing a flow sequence)") == true)
        #expect(diagnostic?.description.hasSuffix("\nc: 3\n ^") == true)
    }

    @Test func tabIndentationError() {
        let error = #expect(throws: DiagnosticError.self) { try YAMLParser.parse("a:\n\tb: 1\n", file: "x.yaml") }
        #expect(error?.description.hasPrefix("x.yaml:2:1: error: a tab character where YAML expects spaces (found character that cannot start any token") == true)
    }

    @Test func duplicateKeysAreErrorsNamingBothPlaces() {
        let error = #expect(throws: DiagnosticError.self) {
            try YAMLParser.parse("metadata:\n  name: a\n  labels: {}\n  name: b\n", file: "m.yaml")
        }
        #expect(error?.diagnostics.first?.code == "yaml.duplicateKey")
        #expect(error?.description.hasPrefix("m.yaml:4:3: error: duplicate key 'name' (first defined at line 2, column 3)") == true)
        // Helm-style values accept them; the last one wins.
        let options = ParseOptions(allowDuplicateKeys: true)
        #expect((try? YAML.value("a: 1\nb: 2\na: 3\n", options: options)) == .object(["b": .int(2), "a": .int(3)]))
    }

    @Test func duplicateKeysInLargeMappings() {
        var text = (0..<100).map { "key\($0): \($0)\n" }.joined()
        #expect((try? YAMLParser.parse(text, file: "big.yaml")) != nil)
        text += "key42: again\n"
        let error = #expect(throws: DiagnosticError.self) { try YAMLParser.parse(text, file: "big.yaml") }
        #expect(error?.description.hasPrefix("big.yaml:101:1: error: duplicate key 'key42' (first defined at line 43, column 1)") == true)
        // Keys that resolve alike are the same key: `true` and `yes` both become "true".
        #expect(throws: DiagnosticError.self) { try YAMLParser.parse("true: 1\nyes: 2\n", file: "f") }
    }

    @Test func unknownAliasAndAliasBombsAreErrors() {
        #expect(throws: DiagnosticError.self) { try YAMLParser.parse("a: *nope\n", file: "f") }
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let items = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            bomb += "a\(level): &a\(level) [\(items)]\n"
        }
        let error = #expect(throws: DiagnosticError.self) { try YAMLParser.parse(bomb, file: "bomb.yaml") }
        #expect(error?.diagnostics.first?.code == "yaml.alias")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let error = #expect(throws: DiagnosticError.self) { try YAMLParser.parse(deep, file: "deep.yaml") }
        #expect(error?.diagnostics.first?.code == "yaml.depth")
    }

    @Test func invalidUTF8IsAnError() {
        #expect(throws: DiagnosticError.self) { try YAMLParser.parse([0x61, 0x3A, 0x20, 0xFF, 0x0A], file: "bin") }
    }
}
