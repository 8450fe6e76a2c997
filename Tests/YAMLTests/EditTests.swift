import Basics
import Testing
@testable import YAML

@Suite struct EditTests {
    let source = """
    # Values for production.
    image:
      repository: ghcr.io/me/blog   # the registry
      tag: 1.4.2

    replicaCount: 3
    quoted: "keep"
    single: 'it''s'
    resources: {limits: {cpu: 500m}}
    list:
      - a
      - b
    """ + "\n"

    @Test func replacesOnlyTheScalar() throws {
        let edited = try YAMLEdit.setScalar(in: source, file: "v.yaml", path: ValuePath(parsing: "image.tag")!,
                                            to: .string("1.5.0"))
        #expect(edited == source.replacing("tag: 1.4.2", with: "tag: 1.5.0"))
    }

    @Test func quotesWhenTheNewTextWouldReadAsSomethingElse() throws {
        var edited = try YAMLEdit.setScalar(in: source, file: "v.yaml", path: ValuePath(parsing: "image.tag")!,
                                            to: .string("1.5"))
        #expect(edited.contains("  tag: \"1.5\"\n"))
        edited = try YAMLEdit.setScalar(in: source, file: "v.yaml", path: ValuePath(parsing: "replicaCount")!, to: .int(5))
        #expect(edited == source.replacing("replicaCount: 3", with: "replicaCount: 5"))
        #expect(try YAML.value(edited)["replicaCount"] == .int(5))
    }

    // Found by the yaml-edit fuzzer: an empty value (`key :` or `key:`) was replaced by text
    // glued to the colon, which reads back as part of the key.
    @Test(arguments: ["tag :\nnext: 1\n", "tag:\nnext: 1\n", "tag: \nnext: 1\n", "{tag: , next: 1}\n", "- tag:\n"])
    func fillsEmptyValues(_ text: String) throws {
        let path = ValuePath(parsing: text.hasPrefix("-") ? "[0].tag" : "tag")!
        let edited = try YAMLEdit.setScalar(in: text, file: "v.yaml", path: path, to: .float(1.5))
        #expect(path.lookup(in: try YAML.value(edited)) == .float(1.5), "\(edited)")
    }

    // Found by the yaml-edit fuzzer: a key that resolves to another string (`n` is false in
    // YAML 1.1, as go-yaml reads it) was not found, and a duplicate key was appended.
    @Test func keysMatchAsTheValueModelReadsThem() throws {
        let text = "n: 5Gi\nother: 1\n"
        let edited = try YAMLEdit.setScalar(in: text, file: "v.yaml", path: ValuePath([.key("false")]), to: .string("6Gi"))
        #expect(edited == "n: 6Gi\nother: 1\n")
    }

    // Found by the yaml-edit fuzzer: the value of an explicit key (`? key` with no `:` line) was
    // written after the `?`, into the key.
    @Test func explicitKeysAreRefused() throws {
        #expect(throws: DiagnosticError.self) {
            try YAMLEdit.setScalar(in: "a: 1\n?\n", file: "v.yaml", path: ValuePath([.key("null")]), to: .string(""))
        }
        #expect(throws: DiagnosticError.self) {
            try YAMLEdit.setScalar(in: "? b\n: 2\n", file: "v.yaml", path: ValuePath([.key("b")]), to: .int(3))
        }
        #expect(throws: DiagnosticError.self) {
            try YAMLEdit.setScalar(in: "?\n", file: "v.yaml", path: ValuePath([.key("added")]), to: .string("!tag"))
        }
    }

    // Found by the yaml-edit fuzzer: a document that is an explicit null kept its `~` before the
    // inserted keys.
    @Test func anExplicitNullDocumentBecomesTheMapping() throws {
        #expect(try YAMLEdit.setScalar(in: "~", file: "v.yaml", path: ValuePath([.key("a"), .key("b")]), to: .int(1)) == "a:\n  b: 1\n")
        #expect(try YAMLEdit.setScalar(in: "# c\nnull\n", file: "v.yaml", path: ValuePath([.key("a")]), to: .int(1)) == "# c\na: 1\n")
        // An empty first document among others gets its keys where it stands.
        let edited = try YAMLEdit.setScalar(in: "--- \n--- []\n", file: "v.yaml", path: ValuePath([.key("a")]), to: .int(1))
        #expect(try YAML.values(Array(edited.utf8), file: "v.yaml") == [.object(["a": .int(1)]), .array([])], "\(edited)")
        let ended = try YAMLEdit.setScalar(in: "---\n...\n", file: "v.yaml", path: ValuePath([.key("a")]), to: .int(1))
        #expect(try YAML.values(Array(ended.utf8), file: "v.yaml") == [.object(["a": .int(1)])], "\(ended)")
    }

    // Found by the yaml-edit fuzzer: a key added after a block scalar at the end of a file without
    // a final newline gave the scalar a newline it did not have.
    @Test func aBlockScalarAtTheEndOfAFileKeepsItsValue() throws {
        #expect(throws: DiagnosticError.self) {
            try YAMLEdit.setScalar(in: "a: 1\ne: |\n  text", file: "v.yaml", path: ValuePath([.key("added")]), to: .int(1))
        }
        let edited = try YAMLEdit.setScalar(in: "a: 1\ne: |\n  text\n", file: "v.yaml", path: ValuePath([.key("added")]), to: .int(1))
        #expect(edited == "a: 1\ne: |\n  text\nadded: 1\n")
    }

    // Found by the yaml-edit fuzzer: a block scalar on the line after its key, at the key's
    // indentation, was replaced by a plain scalar there, which is no longer the key's value.
    @Test func aBlockScalarBelowItsKeyIsReplacedOnTheKeysLine() throws {
        let edited = try YAMLEdit.setScalar(in: "a:   \n|\n  text\nb: 2\n", file: "v.yaml", path: ValuePath([.key("a")]), to: .int(42))
        #expect(try YAML.value(edited) == .object(["a": .int(42), "b": .int(2)]), "\(edited)")
    }

    // Found by the yaml-edit fuzzer: replacing an anchored scalar dropped its anchor, and the
    // aliases to it no longer parsed.
    @Test func anchorsStayAndTagsAreRefused() throws {
        let edited = try YAMLEdit.setScalar(in: "a: &b old\nc: *b\n", file: "v.yaml", path: ValuePath([.key("a")]), to: .string("new"))
        #expect(edited == "a: &b new\nc: *b\n")
        // An anchor name ends where libyaml ends it: `&b:x` is the anchor b on the scalar ":x".
        let glued = try YAMLEdit.setScalar(in: "a: &b:x y\n", file: "v.yaml", path: ValuePath([.key("a")]), to: .string("z"))
        #expect(glued == "a: &b z\n", "\(glued)")
        #expect(throws: DiagnosticError.self) {
            try YAMLEdit.setScalar(in: "a: !!str 1\n", file: "v.yaml", path: ValuePath([.key("a")]), to: .int(2))
        }
    }

    // Found by the yaml-edit fuzzer: an anchored flow mapping (`&b {a: 1}`) was taken for a block one.
    @Test func anchoredFlowMappingsAreNotInsertedInto() {
        #expect(throws: DiagnosticError.self) {
            try YAMLEdit.setScalar(in: "base: &b {a: 1}\n", file: "v.yaml", path: ValuePath([.key("base"), .key("added")]), to: .int(1))
        }
        #expect(throws: DiagnosticError.self) {
            try YAMLEdit.setScalar(in: "- [\"ki\":c]\n", file: "v.yaml", path: ValuePath([.index(0), .index(0), .key("added")]), to: .int(1))
        }
    }

    // Found by the yaml-edit fuzzer: a flow mapping's key without ':' has a null value with no
    // place in the text; the new value was glued to the key.
    @Test func keysWithoutAColonAreRefused() {
        #expect(throws: DiagnosticError.self) {
            try YAMLEdit.setScalar(in: "- [1, {b}]\n", file: "v.yaml", path: ValuePath([.index(0), .index(1), .key("b")]), to: .int(2))
        }
    }

    // Found by the yaml-edit fuzzer: a quoted scalar touching its comment, replaced by a plain one,
    // took the comment in.
    @Test func aCommentTouchingAQuotedValueStaysAComment() throws {
        let edited = try YAMLEdit.setScalar(in: "kind: 'Secret'# note: here\nnext: 1\n", file: "v.yaml", path: ValuePath([.key("kind")]), to: .float(1.5))
        #expect(edited == "kind: 1.5 # note: here\nnext: 1\n")
    }

    @Test func keepsQuotingStyle() throws {
        var edited = try YAMLEdit.setScalar(in: source, file: "v", path: ValuePath(parsing: "quoted")!, to: .string("new"))
        #expect(edited == source.replacing("quoted: \"keep\"", with: "quoted: \"new\""))
        edited = try YAMLEdit.setScalar(in: source, file: "v", path: ValuePath(parsing: "single")!, to: .string("o'k"))
        #expect(edited == source.replacing("single: 'it''s'", with: "single: 'o''k'"))
        edited = try YAMLEdit.setScalar(in: source, file: "v", path: ValuePath(parsing: "resources.limits.cpu")!,
                                        to: .string("1"))
        #expect(edited == source.replacing("{cpu: 500m}", with: "{cpu: \"1\"}"))
        edited = try YAMLEdit.setScalar(in: source, file: "v", path: ValuePath(parsing: "list[1]")!, to: .string("c"))
        #expect(edited == source.replacing("  - b", with: "  - c"))
    }

    @Test func insertsAMissingKeyAtTheMappingsIndentation() throws {
        let edited = try YAMLEdit.setScalar(in: source, file: "v", path: ValuePath(parsing: "image.digest")!,
                                            to: .string("sha256:abc"))
        #expect(edited == source.replacing("  tag: 1.4.2\n", with: "  tag: 1.4.2\n  digest: sha256:abc\n"))
        let nested = try YAMLEdit.setScalar(in: "a: 1\n", file: "v", path: ValuePath(parsing: "b.c")!, to: .bool(true))
        #expect(nested == "a: 1\nb:\n  c: true\n")
        let empty = try YAMLEdit.setScalar(in: "# nothing yet\n", file: "v", path: ValuePath(parsing: "image.tag")!,
                                           to: .string("2"))
        #expect(empty == "# nothing yet\nimage:\n  tag: \"2\"\n")
    }

    @Test func refusesCollectionsAndPointsAtThem() {
        let error = #expect(throws: DiagnosticError.self) {
            try YAMLEdit.setScalar(in: source, file: "v.yaml", path: ValuePath(parsing: "image")!, to: .string("x"))
        }
        #expect(error?.description.hasPrefix("v.yaml:3:3: error: 'image' is a mapping") == true)
    }

    @Test func valuePaths() {
        #expect(ValuePath(parsing: "a.b[2].c")?.components == [.key("a"), .key("b"), .index(2), .key("c")])
        #expect(ValuePath(parsing: "labels.\"app.kubernetes.io/name\"")?.components
                == [.key("labels"), .key("app.kubernetes.io/name")])
        #expect(ValuePath(parsing: "a..b") == nil)
        #expect(ValuePath(parsing: "") == nil)
        #expect(ValuePath(parsing: "a.") == nil)
    }
}
