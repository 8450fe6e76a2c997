/// Go literal syntax: quoted strings, character constants and numbers as Go's `strconv` reads them.
enum GoLiteral {
    /// Go's `strconv.Unquote` for a double-quoted string; nil when malformed.
    static func unquote(_ text: String) -> String? {
        var scalars = Array(text.unicodeScalars)
        guard scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" else { return nil }
        scalars = Array(scalars[1..<(scalars.count - 1)])
        var out = String.UnicodeScalarView()
        var bytes: [UInt8] = []  // pending \x / octal bytes, decoded together as UTF-8
        func flush() {
            if !bytes.isEmpty {
                out.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
                bytes.removeAll()
            }
        }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "\"" || c == "\n" { return nil }
            guard c == "\\" else {
                flush()
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < scalars.count else { return nil }
            let e = scalars[i + 1]
            i += 2
            switch e {
            case "a": flush(); out.append("\u{7}")
            case "b": flush(); out.append("\u{8}")
            case "f": flush(); out.append("\u{C}")
            case "n": flush(); out.append("\n")
            case "r": flush(); out.append("\r")
            case "t": flush(); out.append("\t")
            case "v": flush(); out.append("\u{B}")
            case "\\": flush(); out.append("\\")
            case "\"": flush(); out.append("\"")
            case "x":
                guard i + 2 <= scalars.count, let v = UInt8(String(String.UnicodeScalarView(scalars[i..<(i + 2)])), radix: 16) else { return nil }
                bytes.append(v)
                i += 2
            case "0"..."7":
                guard i + 2 <= scalars.count, let v = UInt16(String(String.UnicodeScalarView(scalars[(i - 1)..<(i + 2)])), radix: 8), v < 256 else { return nil }
                bytes.append(UInt8(v))
                i += 2
            case "u", "U":
                let n = e == "u" ? 4 : 8
                guard i + n <= scalars.count, let v = UInt32(String(String.UnicodeScalarView(scalars[i..<(i + n)])), radix: 16),
                      let scalar = Unicode.Scalar(v) else { return nil }
                flush()
                out.append(scalar)
                i += n
            default: return nil
            }
        }
        flush()
        return String(out)
    }

    /// The rune of a character constant like `'a'`, `'\n'`, `'\x41'`.
    static func unquoteChar(_ text: String) -> Unicode.Scalar? {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 3, scalars.first == "'", scalars.last == "'" else { return nil }
        let body = String(String.UnicodeScalarView(scalars[1..<(scalars.count - 1)]))
        if body == "\"" { return "\"" }
        if body == "\\'" { return "'" }
        guard let decoded = unquote("\"" + body + "\""), decoded.unicodeScalars.count == 1 else { return nil }
        return decoded.unicodeScalars.first
    }

    /// Removes `_` digit separators where Go allows them (between digits, or after a base prefix).
    private static func stripUnderscores(_ text: Substring) -> Substring? {
        guard text.contains("_") else { return text }
        var out = ""
        var previous: Character = " "
        let chars = Array(text)
        for (i, c) in chars.enumerated() {
            if c == "_" {
                let next = i + 1 < chars.count ? chars[i + 1] : " "
                guard previous.isHexDigit || previous == "x" || previous == "X" || previous == "o" || previous == "O"
                        || previous == "b" || previous == "B", next.isHexDigit else { return nil }
                previous = c
                continue
            }
            out.append(c)
            previous = c
        }
        return Substring(out)
    }

    /// `strconv.ParseUint(text, 0, 64)`.
    static func parseUnsigned(_ text: String) -> UInt64? {
        guard var digits = stripUnderscores(Substring(text)), !digits.hasPrefix("-"), !digits.hasPrefix("+") else { return nil }
        var radix = 10
        let lower = digits.prefix(2).lowercased()
        if lower == "0x" { radix = 16; digits = digits.dropFirst(2) }
        else if lower == "0o" { radix = 8; digits = digits.dropFirst(2) }
        else if lower == "0b" { radix = 2; digits = digits.dropFirst(2) }
        else if digits.count > 1 && digits.first == "0" { radix = 8; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.first != "+", digits.first != "-" else { return nil }
        return UInt64(digits, radix: radix)
    }

    /// `strconv.ParseInt(text, 0, 64)`.
    static func parseInt(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        guard let magnitude = parseUnsigned(String(body)) else { return nil }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            return magnitude <= UInt64(Int64.max) ? -Int64(magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// `strconv.ParseFloat(text, 64)` for decimal and hexadecimal (`0x1.8p+1`) forms.
    static func parseFloat(_ text: String) -> Double? {
        guard let cleaned = stripUnderscores(Substring(text)) else { return nil }
        var body = cleaned
        var sign = 1.0
        if body.first == "+" || body.first == "-" {
            if body.first == "-" { sign = -1 }
            body = body.dropFirst()
        }
        let lower = body.lowercased()
        if lower == "inf" || lower == "infinity" { return sign * .infinity }
        if lower == "nan" { return .nan }
        if lower.hasPrefix("0x") {
            let rest = Array(lower.dropFirst(2))
            var mantissa = 0.0
            var scale = 0
            var seenPoint = false
            var i = 0
            var digits = 0
            while i < rest.count, rest[i] != "p" {
                if rest[i] == "." {
                    if seenPoint { return nil }
                    seenPoint = true
                } else if let d = rest[i].hexDigitValue {
                    mantissa = mantissa * 16 + Double(d)
                    if seenPoint { scale -= 4 }
                    digits += 1
                } else {
                    return nil
                }
                i += 1
            }
            guard digits > 0, i < rest.count, let exponent = Int(String(rest[(i + 1)...])) else { return nil }
            return sign * mantissa * pow2(scale + exponent)
        }
        guard Self.isDecimalFloat(body) else { return nil }
        return Double(body).map { sign * $0 }
    }

    private static func pow2(_ n: Int) -> Double {
        var result = 1.0
        if n >= 0 { for _ in 0..<n { result *= 2 } } else { for _ in 0..<(-n) { result /= 2 } }
        return result
    }

    private static func isDecimalFloat(_ s: Substring) -> Bool {
        var sawDigit = false
        var i = s.startIndex
        while i < s.endIndex, s[i].isNumber { sawDigit = true; i = s.index(after: i) }
        if i < s.endIndex, s[i] == "." {
            i = s.index(after: i)
            while i < s.endIndex, s[i].isNumber { sawDigit = true; i = s.index(after: i) }
        }
        guard sawDigit else { return false }
        if i < s.endIndex, s[i] == "e" || s[i] == "E" {
            i = s.index(after: i)
            if i < s.endIndex, s[i] == "+" || s[i] == "-" { i = s.index(after: i) }
            var exponentDigits = false
            while i < s.endIndex, s[i].isNumber { exponentDigits = true; i = s.index(after: i) }
            if !exponentDigits { return false }
        }
        return i == s.endIndex
    }

    /// A complex constant `a+bi` or `a-bi`.
    static func parseComplex(_ text: String) -> (Double, Double)? {
        guard text.hasSuffix("i") else { return nil }
        let body = Array(text.dropLast())
        // The split is at the last sign that is not the first character nor part of an exponent.
        var split: Int? = nil
        for i in stride(from: body.count - 1, to: 0, by: -1) where body[i] == "+" || body[i] == "-" {
            let previous = body[i - 1]
            if previous == "e" || previous == "E" || previous == "p" || previous == "P" { continue }
            split = i
            break
        }
        guard let split, let real = parseFloat(String(body[..<split])),
              let imaginary = parseFloat(String(body[split...])) else { return nil }
        return (real, imaginary)
    }
}
