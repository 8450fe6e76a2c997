import Basics
import Testing
@testable import JSONSchema

/// One schema keyword at a time: a schema, a value, and the messages expected (none: valid).
struct KeywordCase: CustomStringConvertible, Sendable {
    var schema: String
    var value: String
    var expected: [String]
    var strict = false
    var description: String { "\(schema) ← \(value)" }
}

let keywordCases: [KeywordCase] = [
    .init(schema: #"{"type": "integer"}"#, value: "3", expected: []),
    .init(schema: #"{"type": "integer"}"#, value: "3.0", expected: []),
    .init(schema: #"{"type": "integer"}"#, value: "3.5", expected: ["expected integer, but got number"]),
    .init(schema: #"{"type": ["string", "null"]}"#, value: "null", expected: []),
    .init(schema: #"{"type": ["string", "null"]}"#, value: "true", expected: ["expected string, but got boolean"]),
    .init(schema: #"{"type": "object", "nullable": true}"#, value: "null", expected: []),
    .init(schema: #"{"x-kubernetes-int-or-string": true}"#, value: #""50%""#, expected: []),
    .init(schema: #"{"x-kubernetes-int-or-string": true}"#, value: "[1]", expected: ["expected integer or string, but got array"]),
    .init(schema: #"{"enum": ["Always", "Never"]}"#, value: #""Sometimes""#, expected: [#"must be one of "Always", "Never", not "Sometimes""#]),
    .init(schema: #"{"enum": [1]}"#, value: "1.0", expected: []),
    .init(schema: #"{"const": "v1"}"#, value: #""v2""#, expected: [#"must be "v1", not "v2""#]),
    .init(schema: #"{"pattern": "^[a-z]+$"}"#, value: #""abc""#, expected: []),
    .init(schema: #"{"pattern": "^[a-z]+$"}"#, value: #""aBc""#, expected: [#""aBc" does not match the pattern '^[a-z]+$'"#]),
    .init(schema: #"{"pattern": "b"}"#, value: #""abc""#, expected: []),
    .init(schema: #"{"minLength": 2, "maxLength": 3}"#, value: #""é""#, expected: ["must be at least 2 characters long, not 1"]),
    .init(schema: #"{"maxLength": 3}"#, value: #""abcd""#, expected: ["must be at most 3 characters long, not 4"]),
    .init(schema: #"{"minimum": 1, "maximum": 10}"#, value: "0", expected: ["must be at least 1, not 0"]),
    .init(schema: #"{"exclusiveMinimum": 0}"#, value: "0", expected: ["must be greater than 0, not 0"]),
    .init(schema: #"{"minimum": 0, "exclusiveMinimum": true}"#, value: "0", expected: ["must be greater than 0, not 0"]),
    .init(schema: #"{"exclusiveMaximum": 5}"#, value: "4.5", expected: []),
    .init(schema: #"{"format": "int32"}"#, value: "2147483648", expected: ["2147483648 does not fit in a 32-bit integer (format int32)"]),
    .init(schema: #"{"format": "byte"}"#, value: #""not base64!""#, expected: ["is not base64-encoded data (format byte)"]),
    .init(schema: #"{"format": "date-time"}"#, value: #""2026-11-26T09:30:00.5+01:00""#, expected: []),
    .init(schema: #"{"format": "date-time"}"#, value: #""2026-11-26 09:30""#, expected: [#""2026-11-26 09:30" is not an RFC 3339 date-time such as 2026-11-26T09:30:00Z (format date-time)"#]),
    .init(schema: #"{"format": "hostname-or-whatever"}"#, value: #""x""#, expected: []),
    .init(schema: #"{"required": ["name"], "properties": {"name": {"type": "string"}}}"#, value: "{}", expected: ["missing required field 'name'"]),
    .init(schema: #"{"properties": {"replicas": {"type": "integer"}}}"#, value: #"{"replcias": 2}"#, expected: []),
    .init(schema: #"{"properties": {"replicas": {"type": "integer"}}}"#, value: #"{"replcias": 2}"#,
          expected: ["replcias: unknown field 'replcias'; did you mean 'replicas'?"], strict: true),
    .init(schema: #"{"properties": {"a": {}}, "x-kubernetes-preserve-unknown-fields": true}"#, value: #"{"b": 1}"#, expected: [], strict: true),
    .init(schema: #"{"type": "object"}"#, value: #"{"anything": 1}"#, expected: [], strict: true),
    .init(schema: #"{"properties": {"a": {}}, "additionalProperties": false}"#, value: #"{"b": 1}"#, expected: ["b: unknown field 'b'"]),
    .init(schema: #"{"additionalProperties": {"type": "string"}}"#, value: #"{"b": 1}"#, expected: ["b: expected string, but got integer"]),
    .init(schema: #"{"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": false}"#, value: #"{"x-a": "1", "y": 1}"#,
          expected: ["y: unknown field 'y'"]),
    .init(schema: #"{"minProperties": 1}"#, value: "{}", expected: ["must have at least 1 fields, not 0"]),
    .init(schema: #"{"items": {"type": "integer"}, "minItems": 1, "maxItems": 2}"#, value: #"[1, "a", 3]"#,
          expected: ["must have at most 2 items, not 3", "[1]: expected integer, but got string"]),
    .init(schema: #"{"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}"#, value: #"["a", 1]"#, expected: []),
    .init(schema: #"{"uniqueItems": true}"#, value: "[1, 2, 1.0]", expected: ["items 0 and 2 are equal; the items must be unique"]),
    .init(schema: #"{"x-kubernetes-list-type": "set"}"#, value: #"["a", "a"]"#, expected: ["items 0 and 1 are equal; the items must be unique"]),
    .init(schema: #"{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}"#,
          value: #"[{"name": "a", "v": 1}, {"name": "b"}, {"name": "a", "v": 2}]"#,
          expected: [#"[2]: duplicate entry with name="a" (the same as item 0)"#]),
    .init(schema: #"{"x-kubernetes-embedded-resource": true, "type": "object"}"#, value: #"{"kind": "Pod"}"#,
          expected: ["an embedded resource needs 'apiVersion'"]),
    .init(schema: #"{"allOf": [{"minimum": 1}, {"maximum": 2}]}"#, value: "3", expected: ["must be at most 2, not 3"]),
    .init(schema: #"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"#, value: "true", expected: ["expected string or integer, but got boolean"]),
    .init(schema: #"{"oneOf": [{"type": ["string", "null"]}, {"type": ["integer", "null"]}]}"#, value: "1", expected: []),
    .init(schema: #"{"oneOf": [{"minimum": 0}, {"maximum": 10}]}"#, value: "5",
          expected: ["matches 2 of the schemas where exactly one is allowed (oneOf)"]),
    .init(schema: #"{"not": {"type": "string"}}"#, value: #""a""#, expected: ["must not match the schema given in 'not'"]),
    .init(schema: "false", value: "1", expected: ["no value is allowed here"]),
    .init(schema: "true", value: "1", expected: []),
    .init(schema: ##"{"$defs": {"port": {"type": "integer", "maximum": 65535}}, "properties": {"port": {"$ref": "#/$defs/port"}}}"##,
          value: #"{"port": 70000}"#, expected: ["port: must be at most 65535, not 70000"]),
    .init(schema: ##"{"$defs": {"node": {"properties": {"next": {"$ref": "#/$defs/node"}, "v": {"type": "integer"}}}}, "$ref": "#/$defs/node"}"##,
          value: #"{"next": {"next": {"v": "x"}}}"#, expected: [#"next.next.v: expected integer, but got string"#]),
]

@Suite struct SchemaKeywordTests {
    static func json(_ text: String) throws -> Value {
        let values = try JSONReader.values(text)
        return values[0]
    }

    @Test(arguments: keywordCases)
    func keyword(_ testCase: KeywordCase) throws {
        let store = SchemaStore()
        let schema = try store.root(store.register(try Self.json(testCase.schema), name: "test"))
        let violations = try SchemaValidator(strict: testCase.strict).violations(try Self.json(testCase.value), schema)
        #expect(violations.map(\.description) == testCase.expected)
    }

    @Test func unresolvableReferencesAreSchemaErrors() throws {
        let store = SchemaStore()
        let schema = try store.root(store.register(try Self.json(##"{"$ref": "#/$defs/missing"}"##), name: "test"))
        #expect(throws: SchemaError.self) { try SchemaValidator().violations(.int(1), schema) }
        #expect(throws: SchemaError.self) { try store.root(store.register(try Self.json(#"{"pattern": "("}"#), name: "bad")) }
    }

    @Test func deepValuesStopWithAFinding() throws {
        let store = SchemaStore()
        let schema = try store.root(store.register(try Self.json(##"{"$defs": {"any": {"items": {"$ref": "#/$defs/any"}}}, "$ref": "#/$defs/any"}"##), name: "t"))
        var value = Value.array([])
        for _ in 0..<300 { value = .array([value]) }
        let violations = try SchemaValidator().violations(value, schema)
        #expect(violations.count == 1 && violations[0].message.contains("nested more than"))
    }

    // Found by the jsonschema fuzzer: a schema that refers to itself without descending into the
    // value recursed until the stack overflowed.
    @Test(arguments: [
        ##"{"$ref": "#"}"##,
        ##"{"allOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"anyOf": [{"$ref": "#"}]}}}"##,
        ##"{"not": {"oneOf": [{"$ref": "#"}]}}"##,
    ])
    func referenceLoopsAreSchemaErrors(_ text: String) throws {
        let store = SchemaStore()
        let schema = try store.root(store.register(try Self.json(text), name: "t"))
        let error = #expect(throws: SchemaError.self) { try SchemaValidator().violations(.object(["a": .int(1)]), schema) }
        #expect(error?.description.contains("refers to itself without end") == true)
    }

    @Test func recursionThroughTheValueIsNoLoop() throws {
        let store = SchemaStore()
        let schema = try store.root(store.register(try Self.json(##"{"properties": {"next": {"$ref": "#"}}, "required": ["v"]}"##), name: "t"))
        let violations = try SchemaValidator().violations(.object(["v": .int(1), "next": .object(["next": .object([:])])]), schema)
        #expect(violations.map(\.description) == ["next: missing required field 'v'", "next.next: missing required field 'v'"])
    }

    @Test func exponentialSchemasGiveUp() throws {
        // Each level checks the next twice: 2^40 checks without a budget.
        var defs: [String] = []
        for level in 0..<40 { defs.append(##""d\##(level)": {"allOf": [{"$ref": "#/$defs/d\##(level + 1)"}, {"$ref": "#/$defs/d\##(level + 1)"}]}"##) }
        defs.append(##""d40": {"type": "string"}"##)
        let store = SchemaStore()
        let schema = try store.root(store.register(try Self.json(##"{"$ref": "#/$defs/d0", "$defs": {\##(defs.joined(separator: ", "))}}"##), name: "t"))
        let error = #expect(throws: SchemaError.self) { try SchemaValidator().violations(.int(1), schema) }
        #expect(error?.description.contains("more than 1000000 checks") == true)
    }

    // Found by the jsonschema fuzzer: a count beyond Int's range trapped while compiling.
    @Test func hugeCountsCompile() throws {
        let store = SchemaStore()
        let schema = try store.root(store.register(try Self.json(#"{"maxLength": 1e300, "minItems": -1e300, "maxProperties": 9.3e18}"#), name: "t"))
        #expect(try SchemaValidator().violations(.string("abc"), schema).isEmpty)
    }

    @Test func pointersMustStartWithASlash() throws {
        let store = SchemaStore()
        let schema = try store.root(store.register(try Self.json(##"{"$ref": "#\u000f"}"##), name: "t"))
        #expect(throws: SchemaError.self) { try SchemaValidator().violations(.int(1), schema) }
    }
}
