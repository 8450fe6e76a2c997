import Basics
import Foundation

/// Go's `fmt` printing of template values: `Sprint`, `Sprintln`, `Sprintf`.
public enum GoFormat {
    /// `%v` of a value.
    public static func value(_ value: TemplateValue, plus: Bool = false) -> String {
        Self.value(value, plus: plus, depth: 0)
    }

    static func value(_ value: TemplateValue, plus: Bool, depth: Int) -> String {
        // A map containing itself would recurse forever (Go's fmt crashes there); stop instead.
        if depth > 1000 { return "..." }
        switch value {
        case .missing, .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return GoFloat.format(d)
        case .complex(let r, let i): return complex(r, i)
        case .string(let s): return s
        case .bytes(let b): return "[" + b.map(String.init).joined(separator: " ") + "]"
        case .list(let items): return "[" + items.map { Self.value($0, plus: plus, depth: depth + 1) }.joined(separator: " ") + "]"
        case .map(let map):
            return "map[" + map.sorted.map { "\($0.key):\(Self.value($0.value, plus: plus, depth: depth + 1))" }.joined(separator: " ") + "]"
        case .object(let object): return object.printed
        }
    }

    static func complex(_ r: Double, _ i: Double) -> String {
        let imaginary = GoFloat.format(i)
        let sign = imaginary.hasPrefix("-") || imaginary.hasPrefix("+") ? "" : "+"
        return "(" + GoFloat.format(r) + sign + imaginary + "i)"
    }

    /// `fmt.Sprint`: operands printed with `%v`, a space between two operands when neither is a string.
    public static func sprint(_ arguments: [TemplateValue]) -> String {
        var out = ""
        var previousWasString = true
        for (index, argument) in arguments.enumerated() {
            let isString: Bool
            if case .string = argument { isString = true } else { isString = false }
            if index > 0 && !isString && !previousWasString { out += " " }
            out += value(argument)
            previousWasString = isString
        }
        return out
    }

    /// `fmt.Sprintln`: operands separated by spaces, a newline at the end.
    public static func sprintln(_ arguments: [TemplateValue]) -> String {
        arguments.map { value($0) }.joined(separator: " ") + "\n"
    }

    /// `fmt.Sprintf`.
    public static func sprintf(_ format: String, _ arguments: [TemplateValue]) -> String {
        var out = ""
        let chars = Array(format.unicodeScalars)
        var i = 0
        var argIndex = 0
        while i < chars.count {
            let c = chars[i]
            if c != "%" {
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            i += 1
            var spec = Spec()
            // Flags.
            flags: while i < chars.count {
                switch chars[i] {
                case "+": spec.plus = true
                case "-": spec.minus = true
                case "#": spec.sharp = true
                case " ": spec.space = true
                case "0": spec.zero = true
                default: break flags
                }
                i += 1
            }
            // Width.
            if i < chars.count, chars[i] == "*" {
                i += 1
                if argIndex < arguments.count, case .int(let w) = arguments[argIndex] {
                    spec.width = Int(abs(w))
                    if w < 0 { spec.minus = true }
                } else {
                    out += "%!(BADWIDTH)"
                }
                argIndex += 1
            } else {
                var width = 0
                var has = false
                while i < chars.count, let d = chars[i].properties.numericType != nil ? Int(String(chars[i])) : nil {
                    width = width * 10 + d
                    has = true
                    i += 1
                }
                if has { spec.width = width }
            }
            // Precision.
            if i < chars.count, chars[i] == "." {
                i += 1
                if i < chars.count, chars[i] == "*" {
                    i += 1
                    if argIndex < arguments.count, case .int(let p) = arguments[argIndex], p >= 0 {
                        spec.precision = Int(p)
                    } else {
                        out += "%!(BADPREC)"
                    }
                    argIndex += 1
                } else {
                    var precision = 0
                    while i < chars.count, let d = chars[i].properties.numericType != nil ? Int(String(chars[i])) : nil {
                        precision = precision * 10 + d
                        i += 1
                    }
                    spec.precision = precision
                }
            }
            guard i < chars.count else {
                out += "%!(NOVERB)"
                break
            }
            let verb = chars[i]
            i += 1
            if verb == "%" {
                out += "%"
                continue
            }
            guard argIndex < arguments.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            let argument = arguments[argIndex]
            argIndex += 1
            out += formatOne(argument, verb: verb, spec: spec)
        }
        if argIndex < arguments.count {
            let extra = arguments[argIndex...].map { "\($0.typeName)=\(value($0))" }.joined(separator: ", ")
            out += "%!(EXTRA " + extra + ")"
        }
        return out
    }

    struct Spec {
        var plus = false, minus = false, sharp = false, space = false, zero = false
        var width: Int?
        var precision: Int?
    }

    static func bad(_ verb: Unicode.Scalar, _ argument: TemplateValue) -> String {
        if argument.isNil { return "%!\(verb)(<nil>)" }
        return "%!\(verb)(\(argument.typeName)=\(value(argument)))"
    }

    static func formatOne(_ argument: TemplateValue, verb: Unicode.Scalar, spec: Spec) -> String {
        if verb == "T" { return pad(argument.typeName, spec, numeric: false) }
        if verb == "v" {
            if spec.sharp, case .string(let s) = argument { return pad(quote(s), spec, numeric: false) }
            switch argument {
            case .int, .float: return formatOne(argument, verb: verb == "v" && argument.isFloat ? "g" : "d", spec: spec)
            default: return pad(value(argument, plus: spec.plus), spec, numeric: false)
            }
        }
        switch argument {
        case .list(let items) where "dsxXoOqbeEfFgGc".unicodeScalars.contains(verb):
            return "[" + items.map { formatOne($0, verb: verb, spec: spec) }.joined(separator: " ") + "]"
        case .bool(let b):
            return verb == "t" ? pad(b ? "true" : "false", spec, numeric: false) : bad(verb, argument)
        case .int(let n):
            return formatInt(n, verb: verb, spec: spec) ?? bad(verb, argument)
        case .float(let d):
            return formatFloat(d, verb: verb, spec: spec) ?? bad(verb, argument)
        case .complex(let r, let im):
            guard "eEfFgG".unicodeScalars.contains(verb),
                  let real = formatFloat(r, verb: verb, spec: Spec(precision: spec.precision)),
                  let imaginary = formatFloat(im, verb: verb, spec: Spec(plus: true, precision: spec.precision)) else {
                return bad(verb, argument)
            }
            return pad("(" + real + imaginary + "i)", spec, numeric: false)
        case .string(let s):
            return formatString(Array(s.utf8), s, verb: verb, spec: spec) ?? bad(verb, argument)
        case .bytes(let b):
            return formatString(b, String(decoding: b, as: UTF8.self), verb: verb, spec: spec) ?? bad(verb, argument)
        default:
            if verb == "s" || verb == "q" || verb == "d" { return bad(verb, argument) }
            return bad(verb, argument)
        }
    }

    static func formatString(_ bytes: [UInt8], _ s: String, verb: Unicode.Scalar, spec: Spec) -> String? {
        switch verb {
        case "s":
            var text = s
            if let p = spec.precision { text = String(text.unicodeScalars.prefix(p).map(Character.init)) }
            return pad(text, spec, numeric: false)
        case "q":
            if spec.sharp, canBackquote(s) { return pad("`" + s + "`", spec, numeric: false) }
            return pad(quote(s), spec, numeric: false)
        case "x", "X":
            let digits = bytes.map { hexByte($0, upper: verb == "X") }
            let separator = spec.space ? " " : ""
            let prefix = spec.sharp ? (verb == "X" ? "0X" : "0x") : ""
            return pad(digits.map { prefix + $0 }.joined(separator: separator), spec, numeric: false)
        default: return nil
        }
    }

    static func hexByte(_ b: UInt8, upper: Bool) -> String {
        let digits = upper ? Array("0123456789ABCDEF") : Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    static func formatInt(_ n: Int64, verb: Unicode.Scalar, spec: Spec) -> String? {
        let negative = n < 0
        let magnitude = n.magnitude
        var digits: String
        var prefix = ""
        switch verb {
        case "d": digits = String(magnitude)
        case "b": digits = String(magnitude, radix: 2); if spec.sharp { prefix = "0b" }
        case "o": digits = String(magnitude, radix: 8); if spec.sharp { prefix = "0" }
        case "O": digits = String(magnitude, radix: 8); prefix = "0o"
        case "x": digits = String(magnitude, radix: 16); if spec.sharp { prefix = "0x" }
        case "X": digits = String(magnitude, radix: 16, uppercase: true); if spec.sharp { prefix = "0X" }
        case "c":
            return pad(Unicode.Scalar(UInt32(truncatingIfNeeded: n)).map { String($0) } ?? "\u{FFFD}", spec, numeric: false)
        case "q":
            let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: n)) ?? "\u{FFFD}"
            return pad(quoteRune(scalar), spec, numeric: false)
        case "U":
            var text = "U+" + zeroPaddedHex(magnitude, width: 4, uppercase: true)
            if spec.sharp, let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: n)) { text += " '\(scalar)'" }
            return pad(text, spec, numeric: false)
        case "e", "E", "f", "F", "g", "G", "t", "s": return nil
        default: return nil
        }
        if let precision = spec.precision {
            while digits.count < precision { digits = "0" + digits }
            if precision == 0 && n == 0 { digits = "" }
        }
        let sign = negative ? "-" : spec.plus ? "+" : spec.space ? " " : ""
        return padNumber(sign: sign, prefix: prefix, digits: digits, spec: spec, allowZero: spec.precision == nil)
    }

    static func formatFloat(_ d: Double, verb: Unicode.Scalar, spec: Spec) -> String? {
        var body: String
        if d.isNaN {
            body = "NaN"
        } else if d.isInfinite {
            body = d > 0 ? "+Inf" : "-Inf"
        } else {
            switch verb {
            case "e", "E", "f", "F":
                let p = spec.precision ?? 6
                let c = verb == "F" ? "f" : String(verb)
                body = String(format: "%.\(p)\(c)", d)
            case "g", "G":
                if let p = spec.precision {
                    body = String(format: spec.sharp ? "%#.\(p)g" : "%.\(p)g", d)
                    if verb == "G" { body = body.uppercased() }
                } else {
                    body = GoFloat.format(d)
                    if verb == "G" { body = body.uppercased() }
                }
            case "v": body = GoFloat.format(d)
            default: return nil
            }
        }
        var sign = ""
        if body.hasPrefix("-") {
            sign = "-"
            body.removeFirst()
        } else if body.hasPrefix("+") {
            body.removeFirst()
            sign = spec.plus ? "+" : ""
        } else if spec.plus {
            sign = "+"
        } else if spec.space {
            sign = " "
        }
        if d.isInfinite && !spec.plus && d > 0 { sign = spec.space ? " " : "" }
        if d.isNaN { sign = spec.plus ? "+" : spec.space ? " " : "" }
        return padNumber(sign: sign, prefix: "", digits: body, spec: spec, allowZero: d.isFinite)
    }

    static func padNumber(sign: String, prefix: String, digits: String, spec: Spec, allowZero: Bool) -> String {
        let text = sign + prefix + digits
        guard let width = spec.width, text.count < width else { return text }
        if spec.minus { return text + String(repeating: " ", count: width - text.count) }
        if spec.zero && allowZero { return sign + prefix + String(repeating: "0", count: width - text.count) + digits }
        return String(repeating: " ", count: width - text.count) + text
    }

    static func pad(_ text: String, _ spec: Spec, numeric: Bool) -> String {
        guard let width = spec.width else { return text }
        let length = text.unicodeScalars.count
        guard length < width else { return text }
        let fill = String(repeating: spec.zero && !spec.minus ? "0" : " ", count: width - length)
        return spec.minus ? text + String(repeating: " ", count: width - length) : fill + text
    }

    /// Go's `strconv.Quote`.
    public static func quote(_ s: String) -> String {
        // Fast path: printable ASCII without quotes or backslashes needs no escaping.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        for scalar in s.unicodeScalars { out += escape(scalar, quote: "\"") }
        return out + "\""
    }

    static func quoteRune(_ scalar: Unicode.Scalar) -> String {
        "'" + escape(scalar, quote: "'") + "'"
    }

    static func escape(_ scalar: Unicode.Scalar, quote: Unicode.Scalar) -> String {
        if scalar.value >= 0x20 && scalar.value < 0x7F && scalar != quote && scalar != "\\" { return String(scalar) }
        switch scalar {
        case quote: return "\\" + String(quote)
        case "\\": return "\\\\"
        case "\u{7}": return "\\a"
        case "\u{8}": return "\\b"
        case "\u{C}": return "\\f"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "\u{B}": return "\\v"
        default:
            if isPrintable(scalar) { return String(scalar) }
            let v = scalar.value
            if v < 0x80 { return "\\x" + hexByte(UInt8(v), upper: false) }
            if v < 0x10000 { return "\\u" + zeroPaddedHex(v, width: 4, uppercase: false) }
            return "\\U" + zeroPaddedHex(v, width: 8, uppercase: false)
        }
    }

    /// Roughly Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and ASCII space.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// Go's `strconv.CanBackquote`.
    static func canBackquote(_ s: String) -> Bool {
        for scalar in s.unicodeScalars {
            if scalar == "`" || scalar == "\u{FEFF}" { return false }
            if scalar.value < 0x20 && scalar != "\t" { return false }
            if scalar.value == 0x7F { return false }
        }
        return true
    }
}

extension TemplateValue {
    var isFloat: Bool {
        if case .float = self { return true }
        return false
    }
}
