import Basics

/// Writes values as deterministic block-style YAML (the layout kubectl and Helm print:
/// two-space indentation, sequences under a key not indented further).
///
/// Strings that would read back as anything else are double-quoted; multi-line strings become
/// literal blocks; everything else is plain. For every value `v`,
/// `YAML.value(YAMLEmitter.emit(v)) == v` under both the Kubernetes and the core schema.
public enum YAMLEmitter {
    /// One document's YAML, ending with a newline (no `---`).
    public static func emit(_ value: Value) -> String {
        var writer = Writer()
        switch value {
        case .object(let object) where !object.isEmpty: writer.object(object, indent: 0, inline: false)
        case .array(let items) where !items.isEmpty: writer.array(items, indent: 0, inline: false)
        default: writer.scalarLine(value, indent: 2)
        }
        return writer.output
    }

    /// A string as it would be written as a scalar on one line: plain when that reads back as the
    /// same string, double-quoted otherwise.
    public static func inlineScalar(_ string: String) -> String {
        ScalarFormat.isPlainSafe(string) ? string : ScalarFormat.doubleQuoted(string)
    }

    /// A value's one-line form (`true`, `1.5`, `"yes"`, `{}`), nil for non-empty collections.
    public static func inlineValue(_ value: Value) -> String? {
        ScalarFormat.inline(value)
    }
}

private struct Writer {
    var output = ""

    mutating func spaces(_ n: Int) {
        output.append(String(repeating: " ", count: n))
    }

    mutating func object(_ object: ValueObject, indent: Int, inline: Bool) {
        for (index, (key, value)) in object.enumerated() {
            if !(inline && index == 0) { spaces(indent) }
            let keyText = ScalarFormat.isPlainSafe(key) ? key : ScalarFormat.doubleQuoted(key)
            if keyText.utf8.count > 1000 {
                // libyaml accepts implicit keys of up to 1024 characters; use an explicit key.
                output += "? " + keyText + "\n"
                spaces(indent)
                output += ":"
            } else {
                output += keyText + ":"
            }
            afterKey(value, indent: indent)
        }
    }

    mutating func afterKey(_ value: Value, indent: Int) {
        switch value {
        case .object(let nested) where !nested.isEmpty:
            output += "\n"
            object(nested, indent: indent + 2, inline: false)
        case .array(let items) where !items.isEmpty:
            output += "\n"
            array(items, indent: indent, inline: false)
        default:
            output += " "
            scalarLine(value, indent: indent + 2)
        }
    }

    mutating func array(_ items: [Value], indent: Int, inline: Bool) {
        for (index, item) in items.enumerated() {
            if !(inline && index == 0) { spaces(indent) }
            output += "- "
            switch item {
            case .object(let nested) where !nested.isEmpty: object(nested, indent: indent + 2, inline: true)
            case .array(let nested) where !nested.isEmpty: array(nested, indent: indent + 2, inline: true)
            default: scalarLine(item, indent: indent + 2)
            }
        }
    }

    /// Writes a scalar (or empty collection) and its line break; literal blocks are indented by `indent`.
    mutating func scalarLine(_ value: Value, indent: Int) {
        if case .string(let string) = value, let block = ScalarFormat.literalBlock(string) {
            output += block.header + "\n"
            for line in block.lines {
                if !line.isEmpty { spaces(indent) }
                output += line + "\n"
            }
            return
        }
        output += ScalarFormat.inline(value) ?? "null"
        output += "\n"
    }
}

enum ScalarFormat {
    static func inline(_ value: Value) -> String? {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d):
            if d.isNaN { return ".nan" }
            if d.isInfinite { return d > 0 ? ".inf" : "-.inf" }
            return "\(d)"
        case .string(let s): return isPlainSafe(s) ? s : doubleQuoted(s)
        case .array(let items): return items.isEmpty ? "[]" : nil
        case .object(let object): return object.isEmpty ? "{}" : nil
        }
    }

    /// Whether `s` can be written unquoted on one line and read back as the same string.
    static func isPlainSafe(_ s: String) -> Bool {
        let utf8 = s.utf8
        guard let first = utf8.first, let last = utf8.last else { return false }
        if case .string = Resolver.resolveKubernetes(s) {} else { return false }
        if case .string = Resolver.resolveCore(s) {} else { return false }
        // What go-yaml v2 (kubectl, Helm's toYaml) quotes too: a YAML 1.1 reader takes these as a
        // timestamp, a base-60 number or the value key, not a string.
        if GoYAMLWriter.isTimestamp(s) || GoYAMLWriter.isBase60Float(s) || s == "=" { return false }
        switch first {
        case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"),
             UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""),
             UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: " "), UInt8(ascii: "\t"):
            return false
        case UInt8(ascii: "-"):
            if utf8.count == 1 || s.hasPrefix("- ") || s.hasPrefix("---") { return false }
        case UInt8(ascii: "."):
            if s.hasPrefix("...") { return false }
        default: break
        }
        if last == UInt8(ascii: " ") || last == UInt8(ascii: ":") || s == "<<" { return false }
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte < 0x20 || byte == 0x7F { return false }
            if byte == UInt8(ascii: " ") && previous == UInt8(ascii: ":") { return false }
            if byte == UInt8(ascii: "#") && previous == UInt8(ascii: " ") { return false }
            previous = byte
        }
        if utf8.contains(where: { $0 >= 0x80 }) {
            for scalar in s.unicodeScalars where needsEscape(scalar) { return false }
        }
        return true
    }

    /// Characters libyaml does not accept literally, or reads as line breaks.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: return false
        case 0x20...0x7E: return false
        case 0x85, 0x2028, 0x2029, 0xFEFF: return true
        case 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return false
        default: return true
        }
    }

    static func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            default:
                if needsEscape(scalar) {
                    switch scalar.value {
                    case 0x85: out += "\\N"
                    case 0x2028: out += "\\L"
                    case 0x2029: out += "\\P"
                    case 0..<0x100: out += "\\x" + zeroPaddedHex(scalar.value, width: 2, uppercase: true)
                    case 0..<0x10000: out += "\\u" + zeroPaddedHex(scalar.value, width: 4, uppercase: true)
                    default: out += "\\U" + zeroPaddedHex(scalar.value, width: 8, uppercase: true)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A literal block (`|`, `|-`, `|+`, with an indentation indicator when needed) for a
    /// multi-line string, or nil when the string is better double-quoted.
    static func literalBlock(_ s: String) -> (header: String, lines: [Substring])? {
        guard s.utf8.contains(UInt8(ascii: "\n")) else { return nil }
        for scalar in s.unicodeScalars where scalar != "\n" && (scalar == "\r" || needsEscape(scalar)) { return nil }
        var body = Substring(s)
        var trailing = 0
        while body.last == "\n" {
            body.removeLast()
            trailing += 1
        }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        // The first line with a non-space character decides libyaml's indentation.
        guard let firstContent = lines.firstIndex(where: { $0.contains { $0 != " " } }) else { return nil }
        // Trailing spaces on the last line or tabs leading it are kept by literal blocks, but a
        // whitespace-only line before the first content line, or content starting with a blank,
        // needs an explicit indentation indicator.
        // By scalar: a space followed by a combining mark is one Character, but still a leading space.
        let needsIndicator = lines[firstContent].unicodeScalars.first == " " || lines[firstContent].unicodeScalars.first == "\t"
            || lines[..<firstContent].contains { !$0.isEmpty }
        let chomp = trailing == 0 ? "-" : trailing == 1 ? "" : "+"
        var all = lines
        if trailing > 1 { all += Array(repeating: "", count: trailing - 1) }
        return ("|" + (needsIndicator ? "2" : "") + chomp, all)
    }
}
