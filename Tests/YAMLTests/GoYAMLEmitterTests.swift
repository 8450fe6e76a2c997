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
}
