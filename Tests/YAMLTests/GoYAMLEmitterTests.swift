import Basics
import Testing
@testable import YAML

/// Expected texts were produced by Helm's own `toYaml` (helm-python-sdk) for the same values.
@Suite struct GoYAMLEmitterTests {
    @Test func matchesHelmToYaml() throws {
        let values: Value = .object([
            "big": .int(1_000_000),
            "labels": .object(["a": .string("one two"), "b": .string("2")]),
            "list": .array([.string("a"), .string("- b"), .string("true"), .string(""), .string("a: b"), .int(3)]),
            "long": .string("this is a long string with many words that should go past the eighty column limit of go yaml v2 emitter ok"),
            "port": .int(8080),
            "ratio": .float(1.5),
            "true": .bool(true),
        ])
        #expect(GoYAMLEmitter.emit(values) == """
        big: 1000000
        labels:
          a: one two
          b: "2"
        list:
        - a
        - '- b'
        - "true"
        - ""
        - 'a: b'
        - 3
        long: this is a long string with many words that should go past the eighty column
          limit of go yaml v2 emitter ok
        port: 8080
        ratio: 1.5
        "true": true

        """)
    }

    /// Keys that read as booleans (`y`, `n`) are quoted, as go-yaml v2 does.
    @Test func nestedCollectionsAndBlocks() {
        let value: Value = .object([
            "a": .array([.object(["x": .int(1), "y": .array([.string("p"), .string("q")])]), .array([.int(1), .int(2)])]),
            "empty": .object([:]),
            "none": .array([]),
            "script": .string("line1\nline2\n"),
            "n": .null,
            "yes": .string("yes"),
        ])
        #expect(GoYAMLEmitter.emit(value) == """
        a:
        - x: 1
          "y":
          - p
          - q
        - - 1
          - 2
        empty: {}
        none: []
        script: |
          line1
          line2
        "n": null
        "yes": "yes"

        """)
    }

    /// Literal blocks as Helm's toYaml writes them (its output, taken from Helm's SDK, plus the
    /// final break it trims): a first line starting with a space, even one followed by a combining
    /// mark (one Character in Swift, two scalars), gets the indentation indicator, as go-yaml
    /// decides it byte by byte; a kept block (`|+`) at the end keeps every break.
    @Test func literalBlocksAsHelmWritesThem() throws {
        let cases: [(String, String)] = [
            ("x\n\n\n", "|+\n  x\n\n\n"),
            ("  x\n\n", "|2+\n    x\n\n"),
            (" \u{06E0}\u{04A0}\n\n\n\n\n", "|2+\n   \u{06E0}\u{04A0}\n\n\n\n\n"),
            ("\n\u{0301}x\ny\n", "|2\n\n  \u{0301}x\n  y\n"),
            (" \u{0301}a\nb", "|2-\n   \u{0301}a\n  b\n"),
            ("\n", "|2+\n\n"),
            ("a\n\n", "|+\n  a\n\n"),
        ]
        for (value, expected) in cases {
            let emitted = GoYAMLEmitter.emit(.string(value))
            #expect(emitted == expected, "\(emitted.debugDescription)")
            #expect(try YAML.value(emitted) == .string(value), "\(emitted)")
            let inMapping = GoYAMLEmitter.emit(.object(["k": .string(value)]))
            #expect(inMapping == "k: " + expected, "\(inMapping.debugDescription)")
            #expect(try YAML.value(inMapping) == .object(["k": .string(value)]), "\(inMapping)")
            let followed = GoYAMLEmitter.emit(.object(["k": .string(value), "z": .int(1)]))
            #expect(try YAML.value(followed) == .object(["k": .string(value), "z": .int(1)]), "\(followed)")
        }
    }
}
