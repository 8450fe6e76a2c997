/// Deterministic JSON text of values: keys in their stored order, two-space indentation.
public enum JSONWriter {
    /// Pretty-printed JSON. Non-finite floats (which JSON cannot hold) are written as strings.
    public static func write(_ value: Value, indent: Int = 0) -> String {
        var out = ""
        write(value, indent: indent, into: &out)
        return out
    }

    private static func write(_ value: Value, indent: Int, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d):
            if d.isNaN { out += "\"NaN\"" } else if d.isInfinite { out += d > 0 ? "\"+Inf\"" : "\"-Inf\"" }
            else if d == d.rounded(), abs(d) < 1e15 { out += String(Int64(d)) } else { out += "\(d)" }
        case .string(let s): quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                write(item, indent: indent + 2, into: &out)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let object):
            if object.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, item)) in object.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                quote(key, into: &out)
                out += ": "
                write(item, indent: indent + 2, into: &out)
                out += i + 1 < object.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    /// A JSON string literal as Go's `encoding/json` writes it: U+2028 and U+2029 escaped,
    /// backspace and form feed as `\\b` and `\\f` (Go 1.22+), and `<`, `>`, `&` too when
    /// `escapeHTML` (Go's default for `json.Marshal`).
    public static func quote(_ s: String, escapeHTML: Bool = false, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "<" where escapeHTML: out += "\\u003c"
            case ">" where escapeHTML: out += "\\u003e"
            case "&" where escapeHTML: out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + zeroPaddedHex(scalar.value, width: 4, uppercase: false)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Compact JSON text (no spaces), keys in their stored order.
    public static func compact(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return GoFloat.format(d)
        case .string(let s):
            var out = ""
            quote(s, into: &out)
            return out
        case .array(let items): return "[" + items.map(compact).joined(separator: ",") + "]"
        case .object(let object):
            return "{" + object.map { key, item -> String in
                var quoted = ""
                quote(key, into: &quoted)
                return quoted + ":" + compact(item)
            }.joined(separator: ",") + "}"
        }
    }
}
