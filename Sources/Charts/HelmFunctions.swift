import Basics
import Foundation
import Template
import YAML

/// Helm's template functions on top of Sprig (whose `env` and `expandenv` Helm removes).
public enum HelmFunctions {
    /// Marks messages of `required` and `fail`, which Helm prints as `execution error at (...)`.
    static let userErrorMarker = "\u{1}helm-user-error\u{1}"

    /// Every Sprig and Helm function. Clock and random functions read the set's `now` and
    /// `randomSource`.
    public static let all: [String: TemplateFunction] = {
        var functions = Sprig.functions
        functions["env"] = nil
        functions["expandenv"] = nil
        functions.merge(helm) { _, new in new }
        functions.merge(HelmDurations.functions) { _, new in new }
        return functions
    }()

    private static let helm: [String: TemplateFunction] = [
            "include": TemplateFunction(arguments: 2) { context, a in
                .string(try context.execute(template: try string(a[0]), data: a[1]))
            },
            // As Helm: the text is parsed as a template named "gotpl" in a copy of the set (so an
            // `include` in it finds the chart's helpers, never the text itself), and its errors say so.
            "tpl": TemplateFunction(arguments: 2) { context, a in
                let source = try string(a[0])
                let text: String
                do {
                    text = try context.parseAndExecute(name: "gotpl", text: source, data: a[1])
                } catch let error as TemplateError where error.kind == .parse {
                    throw FunctionError("cannot parse template \(GoFormat.quote(source)): \(error)")
                } catch let error as TemplateError {
                    throw FunctionError("error during tpl function execution for \(GoFormat.quote(source)): \(error)")
                }
                return .string(SprigStrings.replaceAll(text, "<no value>", ""))
            },
            "required": TemplateFunction(arguments: 2) { _, a in
                let message = try string(a[0])
                if a[1].isNil { throw FunctionError(userErrorMarker + message) }
                if case .string("") = a[1] { throw FunctionError(userErrorMarker + message) }
                return a[1]
            },
            "fail": TemplateFunction(arguments: 1) { _, a in throw FunctionError(userErrorMarker + (try string(a[0]))) },
            "toYaml": TemplateFunction(arguments: 1) { _, a in .string(toYAML(a[0])) },
            "mustToYaml": TemplateFunction(arguments: 1) { _, a in
                _ = try GoJSON.encode(a[0], escapeHTML: false)  // reports cycles and unsupported values
                return .string(toYAML(a[0]))
            },
            "toYamlPretty": TemplateFunction(arguments: 1) { _, a in .string(toYAML(a[0], indentSequences: true)) },
            "fromYaml": TemplateFunction(arguments: 1) { _, a in fromYAML(try string(a[0]), array: false) },
            "fromYamlArray": TemplateFunction(arguments: 1) { _, a in fromYAML(try string(a[0]), array: true) },
            "toJson": TemplateFunction(arguments: 1) { _, a in .string((try? GoJSON.encode(a[0], escapeHTML: true)) ?? "") },
            "fromJson": TemplateFunction(arguments: 1) { _, a in
                do {
                    let value = try GoJSON.decode(try string(a[0]))
                    if case .map = value { return value }
                    let type = value.isNil ? "null" : (value.typeName == "[]interface {}" ? "array" : value.typeName == "string" ? "string" : "number")
                    return .map(TemplateMap([("Error", .string("json: cannot unmarshal \(type) into Go value of type map[string]interface {}"))]))
                } catch {
                    return .map(TemplateMap([("Error", .string("\(error)"))]))
                }
            },
            "fromJsonArray": TemplateFunction(arguments: 1) { _, a in
                do {
                    let value = try GoJSON.decode(try string(a[0]))
                    if case .list = value { return value }
                    return .list([.string("json: cannot unmarshal object into Go value of type []interface {}")])
                } catch {
                    return .list([.string("\(error)")])
                }
            },
            "toToml": TemplateFunction(arguments: 1) { _, a in .string((try? TOML.encode(a[0])) ?? "") },
            "mustToToml": TemplateFunction(arguments: 1) { _, a in .string(try TOML.encode(a[0])) },
            "fromToml": TemplateFunction(arguments: 1) { _, a in
                do { return try TOML.decode(try string(a[0])) } catch {
                    return .map(TemplateMap([("Error", .string("\(error)"))]))
                }
            },
            "lookup": TemplateFunction(arguments: 4) { _, _ in .map(TemplateMap()) },
    ]

    static func string(_ v: TemplateValue) throws -> String {
        guard case .string(let s) = v else {
            if v.isNil { throw FunctionError("invalid value; expected string") }
            throw FunctionError("wrong type for value; expected string; got \(v.typeName)")
        }
        return s
    }

    /// Helm's toYaml: sigs.k8s.io/yaml (JSON first, then go-yaml v2), trailing newline removed.
    public static func toYAML(_ value: TemplateValue, indentSequences: Bool = false) -> String {
        guard let data = try? jsonShaped(value) else { return "" }
        var text = GoYAMLEmitter.emit(data, indentSequences: indentSequences)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// The value Helm's `toYaml` prints: what go-yaml reads back from Go's JSON encoding of
    /// `value` (numbers re-resolved from their JSON text, map keys in go-yaml's order, bytes as base64,
    /// host objects as their data), built directly instead of writing and parsing the JSON.
    static func jsonShaped(_ value: TemplateValue, level: Int = 0) throws -> Value {
        if level > 1000 { throw FunctionError("json: unsupported value: encountered a cycle") }
        switch value {
        case .missing, .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return Resolver.resolvePlain(try GoJSON.number(d), schema: .kubernetes)
        case .complex: throw FunctionError("json: unsupported type: complex128")
        case .string(let s): return .string(s)
        case .bytes(let b): return .string(Data(b).base64EncodedString())
        case .list(let items): return .array(try items.map { try jsonShaped($0, level: level + 1) })
        case .map(let map):
            var object = ValueObject()
            // go-yaml marshals the map it read back from the JSON in its own key order.
            for (key, item) in map.entries.sorted(by: { GoYAMLEmitter.keyPrecedes($0.key, $1.key) }) {
                object.appendUnchecked(key, try jsonShaped(item, level: level + 1))
            }
            return .object(object)
        case .object(let object):
            guard let data = object.dataValue else { return .object(ValueObject()) }
            return try jsonShaped(TemplateValue(data), level: level)
        }
    }

    static func fromYAML(_ text: String, array: Bool) -> TemplateValue {
        do {
            let value = try YAML.value(text, file: "fromYaml", options: ParseOptions(allowDuplicateKeys: true))
            switch (value, array) {
            case (.object, false), (.array, true), (.null, _):
                return TemplateValue(HelmValues.asFloats(value == .null ? (array ? .array([]) : .object([:])) : value))
            default:
                let message = array ? "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}"
                    : "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
                return array ? .list([.string(message)]) : .map(TemplateMap([("Error", .string(message))]))
            }
        } catch {
            return array ? .list([.string("\(error)")]) : .map(TemplateMap([("Error", .string("\(error)"))]))
        }
    }
}
