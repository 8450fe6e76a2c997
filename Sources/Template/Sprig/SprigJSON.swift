import Basics

/// Sprig's JSON functions, printing exactly as Go's encoding/json does.
enum SprigJSON {
    static let functions: [String: TemplateFunction] = [
        "toJson": TemplateFunction(arguments: 1) { _, a in .string((try? GoJSON.encode(a[0], escapeHTML: true)) ?? "") },
            "toPrettyJson": TemplateFunction(arguments: 1) { _, a in
                .string((try? GoJSON.encode(a[0], escapeHTML: true, indent: "  ")) ?? "")
            },
            "toRawJson": TemplateFunction(arguments: 1) { _, a in
                .string((try? GoJSON.encode(a[0], escapeHTML: false)) ?? "")
            },
            "fromJson": TemplateFunction(arguments: 1) { _, a in (try? GoJSON.decode(try SV.string(a[0]))) ?? .null },
            "mustToJson": TemplateFunction(arguments: 1) { _, a in .string(try GoJSON.encode(a[0], escapeHTML: true)) },
            "mustToPrettyJson": TemplateFunction(arguments: 1) { _, a in
                .string(try GoJSON.encode(a[0], escapeHTML: true, indent: "  "))
            },
            "mustToRawJson": TemplateFunction(arguments: 1) { _, a in .string(try GoJSON.encode(a[0], escapeHTML: false)) },
            "mustFromJson": TemplateFunction(arguments: 1) { _, a in try GoJSON.decode(try SV.string(a[0])) },
    ]
}

/// Go's encoding/json for template values.
public enum GoJSON {
    /// `json.Marshal` (or `MarshalIndent` with `indent`): map keys sorted, `<>&` escaped unless
    /// `escapeHTML` is false, floats as Go formats them.
    public static func encode(_ value: TemplateValue, escapeHTML: Bool, indent: String? = nil) throws -> String {
        var out = ""
        try write(value, escapeHTML: escapeHTML, indent: indent, level: 0, into: &out)
        return out
    }

    /// `json.Unmarshal` into `interface{}`: numbers become float64.
    public static func decode(_ text: String) throws -> TemplateValue {
        let values: [Value]
        do { values = try JSONReader.values(text) } catch {
            throw FunctionError("invalid character looking for beginning of value")
        }
        guard values.count == 1 else { throw FunctionError("invalid character after top-level value") }
        return TemplateValue(values[0], integersAsInt: false)
    }

    static func write(_ value: TemplateValue, escapeHTML: Bool, indent: String?, level: Int, into out: inout String) throws {
        // Go's encoder reports cycles; a map or list nested this deep is one (or too deep to print).
        if level > 1000 { throw FunctionError("json: unsupported value: encountered a cycle") }
        func newline(_ level: Int) {
            if let indent { out += "\n" + String(repeating: indent, count: level) }
        }
        switch value {
        case .missing, .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d): out += try number(d)
        case .complex: throw FunctionError("json: unsupported type: complex128")
        case .string(let s): JSONWriter.quote(s, escapeHTML: escapeHTML, into: &out)
        case .bytes(let b): JSONWriter.quote(Data(b).base64EncodedString(), escapeHTML: escapeHTML, into: &out)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                newline(level + 1)
                try write(item, escapeHTML: escapeHTML, indent: indent, level: level + 1, into: &out)
            }
            newline(level)
            out += "]"
        case .map(let map):
            let entries = map.entries.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            if entries.isEmpty { out += "{}"; return }
            out += "{"
            for (i, entry) in entries.enumerated() {
                if i > 0 { out += "," }
                newline(level + 1)
                JSONWriter.quote(entry.key, escapeHTML: escapeHTML, into: &out)
                out += indent == nil ? ":" : ": "
                try write(entry.value, escapeHTML: escapeHTML, indent: indent, level: level + 1, into: &out)
            }
            newline(level)
            out += "}"
        case .object(let object):
            guard let data = object.dataValue else { out += "{}"; return }
            try write(TemplateValue(data), escapeHTML: escapeHTML, indent: indent, level: level, into: &out)
        }
    }

    /// Shortest digits in fixed notation (`strconv.FormatFloat(d, 'f', -1, 64)`).
    public static func fixed(_ d: Double) -> String {
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (digits, point) = GoFloat.shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        let split = digits.index(digits.startIndex, offsetBy: point)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// Go's JSON float format: shortest digits, exponent form below 1e-6 or from 1e21.
    public static func number(_ d: Double) throws -> String {
        guard d.isFinite else { throw FunctionError("json: unsupported value: \(GoFloat.format(d))") }
        guard d != 0, abs(d) < 1e-6 || abs(d) >= 1e21 else { return fixed(d) }
        let (digits, point) = GoFloat.shortestDigits(abs(d))
        var mantissa = String(digits.first!)
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let e = point - 1
        return (d < 0 ? "-" : "") + mantissa + "e" + (e < 0 ? "-" : "+") + String(abs(e))
    }
}

import Foundation
