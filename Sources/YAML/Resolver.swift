import Basics

/// Resolves scalars to values under a `ScalarSchema`.
public enum Resolver {
    static let yamlTag = "tag:yaml.org,2002:"

    /// The value of a scalar written `text` in `style` with optional explicit `tag`.
    /// Quoted and block scalars are strings; explicit core tags (`!!str`, `!!int`, ...) are honoured;
    /// nil when an explicit tag does not fit the text (`!!int abc`).
    public static func resolve(_ text: String, style: ScalarStyle, tag: String?,
                               schema: ScalarSchema) -> Value? {
        if let tag, tag != "!" {
            switch tag {
            case yamlTag + "str", yamlTag + "binary", yamlTag + "timestamp": return .string(text)
            case yamlTag + "null": return .null
            case yamlTag + "bool":
                if case .bool(let b) = resolvePlain(text, schema: schema) { return .bool(b) }
                return nil
            case yamlTag + "int":
                if case .int(let i) = resolvePlain(text, schema: schema) { return .int(i) }
                return nil
            case yamlTag + "float":
                switch resolvePlain(text, schema: schema) {
                case .float(let d): return .float(d)
                case .int(let i): return .float(Double(i))
                default: return nil
                }
            default:
                break  // custom tags resolve like untagged scalars
            }
        } else if tag == "!" {
            return .string(text)
        }
        guard style == .plain else { return .string(text) }
        return resolvePlain(text, schema: schema)
    }

    /// What a plain (unquoted, untagged) scalar means.
    public static func resolvePlain(_ text: String, schema: ScalarSchema) -> Value {
        switch schema {
        case .kubernetes: return resolveKubernetes(text)
        case .core: return resolveCore(text)
        }
    }

    /// The string a scalar key becomes in JSON (`true`, `1`, `null`, ...); nil for collection keys.
    public static func keyString(_ node: Node, schema: ScalarSchema) -> String? {
        guard case .scalar(let text, let style) = node.content else { return nil }
        guard style == .plain || node.tag != nil else { return text }
        // Fast path: most keys are words that cannot resolve to anything but themselves.
        if node.tag == nil, let first = text.utf8.first, text.utf8.count > 5,
           (first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z")) || (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")) {
            return text
        }
        switch resolve(text, style: style, tag: node.tag, schema: schema) ?? .string(text) {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return GoFloat.format(d)
        case .string(let s): return s
        case .array, .object: return text
        }
    }

    // MARK: Kubernetes: YAML 1.1 as go-yaml v2 resolves it

    /// The null and boolean words of YAML 1.1, indexed by length.
    private static let wordsByLength: [[(String, Value)]] = [
        [],
        [("~", .null), ("y", .bool(true)), ("Y", .bool(true)), ("n", .bool(false)), ("N", .bool(false))],
        [("no", .bool(false)), ("No", .bool(false)), ("NO", .bool(false)),
         ("on", .bool(true)), ("On", .bool(true)), ("ON", .bool(true))],
        [("yes", .bool(true)), ("Yes", .bool(true)), ("YES", .bool(true)),
         ("off", .bool(false)), ("Off", .bool(false)), ("OFF", .bool(false))],
        [("null", .null), ("Null", .null), ("NULL", .null),
         ("true", .bool(true)), ("True", .bool(true)), ("TRUE", .bool(true))],
        [("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false))],
    ]

    static func resolveKubernetes(_ text: String) -> Value {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "y"), UInt8(ascii: "Y"),
             UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
             UInt8(ascii: "o"), UInt8(ascii: "O"):
            // Compare only against the YAML 1.1 words of the same length.
            let length = text.utf8.count
            guard length <= 5 else { return .string(text) }
            for (word, value) in wordsByLength[length] where word == text { return value }
            return .string(text)
        case UInt8(ascii: "."):
            switch text {
            case ".inf", ".Inf", ".INF": return .float(.infinity)
            case ".nan", ".NaN", ".NAN": return .float(.nan)
            default:
                if isYAMLStyleFloat(text.utf8), let d = Double(text) { return .float(d) }
                return .string(text)
            }
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            switch text {
            case "+.inf", "+.Inf", "+.INF": return .float(.infinity)
            case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
            default: break
            }
            let plain = text.contains("_") ? text.replacingUnderscores() : text
            if let i = GoInt.parse(Substring(plain)) { return .int(i) }
            if let u = GoInt.parseUnsigned(Substring(plain)) { return .float(Double(u)) }
            if isYAMLStyleFloat(plain.utf8), let d = Double(plain) { return .float(d) }
            return .string(text)
        default:
            return .string(text)
        }
    }

    /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
    static func isYAMLStyleFloat<C: Collection>(_ s: C) -> Bool where C.Element == UInt8 {
        var i = s.startIndex
        func digit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        if i < s.endIndex, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i = s.index(after: i) }
        var mantissaDigits = 0
        while i < s.endIndex, digit(s[i]) { mantissaDigits += 1; i = s.index(after: i) }
        if i < s.endIndex, s[i] == UInt8(ascii: ".") {
            i = s.index(after: i)
            var fraction = 0
            while i < s.endIndex, digit(s[i]) { fraction += 1; i = s.index(after: i) }
            if mantissaDigits == 0 && fraction == 0 { return false }
        } else if mantissaDigits == 0 {
            return false
        }
        if i < s.endIndex, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i = s.index(after: i)
            if i < s.endIndex, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i = s.index(after: i) }
            var exponent = 0
            while i < s.endIndex, digit(s[i]) { exponent += 1; i = s.index(after: i) }
            if exponent == 0 { return false }
        }
        return i == s.endIndex
    }

    // MARK: YAML 1.2 core schema

    static func resolveCore(_ text: String) -> Value {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        let utf8 = text.utf8
        guard let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".") || (first >= 48 && first <= 57) else { return .string(text) }
        if text.hasPrefix("0o"), text.count > 2, let i = Int64(text.dropFirst(2), radix: 8) { return .int(i) }
        if text.hasPrefix("0x"), text.count > 2, let i = Int64(text.dropFirst(2), radix: 16) { return .int(i) }
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        if !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            if let i = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) { return .int(i) }
            return .float(Double(text) ?? 0)
        }
        if isYAMLStyleFloat(utf8), let d = Double(text) { return .float(d) }
        return .string(text)
    }
}

extension String {
    func replacingUnderscores() -> String {
        String(String.UnicodeScalarView(unicodeScalars.filter { $0 != "_" }))
    }
}
