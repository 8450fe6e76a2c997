import Basics
import Testing
@testable import YAML

/// Plain scalars as Kubernetes (sigs.k8s.io/yaml, YAML 1.1) reads them.
let kubernetesTable: [(String, Value)] = [
    ("true", .bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)),
    ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)),
    ("yes", .bool(true)), ("Yes", .bool(true)), ("YES", .bool(true)),
    ("no", .bool(false)), ("No", .bool(false)), ("NO", .bool(false)),
    ("on", .bool(true)), ("On", .bool(true)), ("ON", .bool(true)),
    ("off", .bool(false)), ("Off", .bool(false)), ("OFF", .bool(false)),
    ("y", .bool(true)), ("Y", .bool(true)), ("n", .bool(false)), ("N", .bool(false)),
    ("yEs", .string("yEs")), ("tRUE", .string("tRUE")), ("nO", .string("nO")),
    ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("", .null), ("nULL", .string("nULL")),
    ("0", .int(0)), ("42", .int(42)), ("-17", .int(-17)), ("+5", .int(5)),
    ("0x1F", .int(31)), ("0X1f", .int(31)), ("-0x10", .int(-16)),
    ("0o17", .int(15)), ("017", .int(15)), ("0777", .int(511)), ("0b101", .int(5)),
    ("1_000", .int(1000)), ("1_000_000", .int(1_000_000)), ("0x_FF", .int(255)),
    ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
    ("08", .float(8)), ("09.5", .float(9.5)),
    ("1.5", .float(1.5)), ("-0.25", .float(-0.25)), ("1e3", .float(1000)), ("1E-2", .float(0.01)),
    ("6.02e+23", .float(6.02e23)), (".5", .float(0.5)), ("+.5", .float(0.5)), ("1.", .float(1)),
    ("1_0.5", .float(10.5)),
    (".inf", .float(.infinity)), (".Inf", .float(.infinity)), ("+.INF", .float(.infinity)),
    ("-.inf", .float(-.infinity)), (".nan", .float(.nan)), (".NaN", .float(.nan)),
    ("1.4.2", .string("1.4.2")), ("v1", .string("v1")), ("0x", .string("0x")), ("-", .string("-")),
    ("1e", .string("1e")), ("e3", .string("e3")), ("inf", .string("inf")), ("nan", .string("nan")),
    ("2001-12-14", .string("2001-12-14")), ("12:30", .string("12:30")), ("_1", .string("_1")),
    ("hello world", .string("hello world")), ("0.0.0.0", .string("0.0.0.0")),
]

/// The YAML 1.2 core schema (what yaml-test-suite expects).
let coreTable: [(String, Value)] = [
    ("true", .bool(true)), ("yes", .string("yes")), ("on", .string("on")), ("y", .string("y")),
    ("null", .null), ("~", .null), ("", .null), ("42", .int(42)), ("-42", .int(-42)), ("+42", .int(42)),
    ("0o17", .int(15)), ("0x1F", .int(31)), ("017", .int(17)), ("1_000", .string("1_000")),
    ("1.5", .float(1.5)), (".inf", .float(.infinity)), ("-.Inf", .float(-.infinity)), (".nan", .float(.nan)),
    ("0b101", .string("0b101")), ("1e3", .float(1000)),
]

@Suite struct ResolutionTests {
    @Test(arguments: kubernetesTable.indices)
    func kubernetesPlain(_ index: Int) throws {
        let (text, expected) = kubernetesTable[index]
        #expect(Resolver.resolvePlain(text, schema: .kubernetes) == expected, "plain '\(text)'")
        // The same text in a document, as a mapping value ("-" alone would start a list there).
        guard text != "-" else { return }
        let parsed = try YAML.value("k: \(text)\n")
        #expect(parsed["k"] == expected, "document value '\(text)'")
    }

    @Test(arguments: coreTable.indices)
    func corePlain(_ index: Int) {
        let (text, expected) = coreTable[index]
        #expect(Resolver.resolvePlain(text, schema: .core) == expected, "core '\(text)'")
    }

    @Test(arguments: ["true", "yes", "1", "0777", "null", "~", "1.5", ".inf", ""])
    func quotedScalarsAreStrings(_ text: String) throws {
        #expect(try YAML.value("a: '\(text)'\nb: \"\(text)\"\n") == .object(["a": .string(text), "b": .string(text)]))
    }

    @Test func blockScalarsAreStrings() throws {
        #expect(try YAML.value("a: |\n  true\nb: >-\n  123\n") == .object(["a": .string("true\n"), "b": .string("123")]))
    }

    @Test func explicitTags() throws {
        let value = try YAML.value("a: !!str 123\nb: !!int \"7\"\nc: !!float 1\nd: !!bool yes\ne: ! true\n")
        #expect(value == .object(["a": .string("123"), "b": .int(7), "c": .float(1), "d": .bool(true),
                                  "e": .string("true")]))
        #expect(throws: DiagnosticError.self) { try YAML.value("a: !!int abc\n") }
    }

    @Test func nonStringKeysBecomeStrings() throws {
        #expect(try YAML.value("1: a\ntrue: b\n~: c\n1.5: d\n")
                == .object(["1": .string("a"), "true": .string("b"), "null": .string("c"), "1.5": .string("d")]))
    }

    @Test func goFloatFormatting() {
        let cases: [(Double, String)] = [(1, "1"), (1_000_000, "1e+06"), (123456, "123456"), (1234567, "1.234567e+06"),
                                         (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5, "1.5"), (-2.25, "-2.25"),
                                         (1e21, "1e+21"), (0.1, "0.1")]
        for (value, expected) in cases { #expect(GoFloat.format(value) == expected, "\(value)") }
    }
}
