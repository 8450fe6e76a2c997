import Basics

/// YAML as go-yaml v2 writes it (what Helm's `toYaml` prints through sigs.k8s.io/yaml):
/// two-space indentation, sequences under a key not indented, strings plain where go-yaml's
/// analysis allows it, single-quoted otherwise, double-quoted when they would read back as
/// another type; plain and quoted scalars folded at column 80; multi-line strings as literal blocks.
public enum GoYAMLEmitter {
    /// `indentSequences` indents lists under a key (yaml.v3's layout, Helm's `toYamlPretty`).
    public static func emit(_ value: Value, indentSequences: Bool = false) -> String {
        var writer = GoYAMLWriter()
        writer.indentSequences = indentSequences
        writer.node(value, indent: 0, context: .document)
        // The last line's break. Lines are written break first, so the text never ends in one,
        // except after a kept block's empty lines (`|+`), which this break still ends, as go-yaml's.
        writer.out += "\n"
        return writer.out
    }

    /// go-yaml's order of map keys (see `GoYAMLWriter.keyPrecedes`), which `toYaml` output follows.
    public static func keyPrecedes(_ a: String, _ b: String) -> Bool { GoYAMLWriter.keyPrecedes(a, b) }
}

struct GoYAMLWriter {
    enum Context { case document, mappingValue, sequenceItem }

    var out = ""
    var column = 0
    var indentSequences = false
    static let bestWidth = 80

    mutating func write(_ s: String) {
        out += s
        // ASCII (nearly everything): count bytes since the last line break.
        var count = 0, sawNewline = false, ascii = true
        for byte in s.utf8 {
            if byte == UInt8(ascii: "\n") { sawNewline = true; count = 0 } else { count += 1 }
            if byte >= 0x80 { ascii = false; break }
        }
        if ascii {
            column = sawNewline ? count : column + count
        } else if let newline = s.lastIndex(of: "\n") {
            column = s[s.index(after: newline)...].count
        } else {
            column += s.count
        }
    }

    mutating func newline(indent: Int) {
        out += "\n" + String(repeating: " ", count: indent)
        column = indent
    }

    mutating func node(_ value: Value, indent: Int, context: Context) {
        switch value {
        case .object(let object) where !object.isEmpty:
            if context == .mappingValue { newline(indent: indent) }
            for (i, (key, item)) in object.enumerated() {
                if i > 0 { newline(indent: indent) }
                scalar(key, indent: indent, isKey: true)
                write(":")
                child(item, indent: indent, isMapping: true)
            }
        case .array(let items) where !items.isEmpty:
            let itemIndent = context == .mappingValue && !indentSequences ? indent - 2 : indent
            if context == .mappingValue { newline(indent: itemIndent) }
            for (i, item) in items.enumerated() {
                if i > 0 { newline(indent: itemIndent) }
                write("- ")
                node(item, indent: itemIndent + 2, context: .sequenceItem)
            }
        default:
            if context == .mappingValue { write(" ") }
            leaf(value, indent: indent)
        }
    }

    mutating func child(_ value: Value, indent: Int, isMapping: Bool) {
        node(value, indent: indent + 2, context: .mappingValue)
    }

    mutating func leaf(_ value: Value, indent: Int) {
        switch value {
        case .null: write("null")
        case .bool(let b): write(b ? "true" : "false")
        case .int(let i): write(String(i))
        case .float(let d):
            if d.isNaN { write(".nan") } else if d.isInfinite { write(d > 0 ? ".inf" : "-.inf") } else { write(GoFloat.format(d)) }
        case .string(let s): scalar(s, indent: indent, isKey: false)
        case .array: write("[]")
        case .object: write("{}")
        }
    }

    // MARK: Scalars

    mutating func scalar(_ s: String, indent: Int, isKey: Bool) {
        let resolvesToString: Bool
        if case .string = Resolver.resolveKubernetes(s) { resolvesToString = !Self.isBase60Float(s) && !Self.isTimestamp(s) } else { resolvesToString = false }
        if !isKey && s.contains("\n") && resolvesToString && Self.analyze(s).literalAllowed {
            literal(s, indent: indent)
            return
        }
        let analysis = Self.analyze(s)
        if resolvesToString && analysis.plainAllowed && !(isKey && s.count > 128) {
            plain(s, indent: indent, allowBreaks: !isKey)
        } else if resolvesToString && analysis.singleQuotedAllowed {
            singleQuoted(s, indent: indent, allowBreaks: !isKey)
        } else {
            doubleQuoted(s, indent: indent, allowBreaks: !isKey)
        }
    }

    /// go-yaml's order of map keys (`keyList.Less`): letters by code point, a non-letter before a
    /// letter, runs of digits by their numeric value (`a9` before `a10`), then the shorter first.
    static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        let ar = Array(a.unicodeScalars), br = Array(b.unicodeScalars)
        func isLetter(_ c: Unicode.Scalar) -> Bool {
            switch c.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
            default: return false
            }
        }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c.properties.generalCategory == .decimalNumber }
        var i = 0
        while i < ar.count && i < br.count {
            if ar[i] == br[i] { i += 1; continue }
            let al = isLetter(ar[i]), bl = isLetter(br[i])
            if al && bl { return ar[i].value < br[i].value }
            if al || bl { return bl }
            var an: Int64 = 0, bn: Int64 = 0
            if ar[i] == "0" || br[i] == "0" {
                var j = i - 1
                while j >= 0 && isDigit(ar[j]) {
                    if ar[j] != "0" { an = 1; bn = 1; break }
                    j -= 1
                }
            }
            var ai = i, bi = i
            while ai < ar.count && isDigit(ar[ai]) { an = an &* 10 &+ Int64(ar[ai].value) &- 48; ai += 1 }
            while bi < br.count && isDigit(br[bi]) { bn = bn &* 10 &+ Int64(br[bi].value) &- 48; bi += 1 }
            if an != bn { return an < bn }
            if ai != bi { return ai < bi }
            return ar[i].value < br[i].value
        }
        return ar.count < br.count
    }

    /// go-yaml v2's parseTimestamp: a string a YAML 1.1 reader takes as a timestamp (`2024-04-01`,
    /// `2024-4-1T10:20:30Z`, `2024-04-01 10:20:30.5`) is quoted.
    static func isTimestamp(_ s: String) -> Bool {
        let b = Array(s.utf8)
        func digits(_ i: inout Int, _ range: ClosedRange<Int>) -> Int? {
            var n = 0, count = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39, count < range.upperBound { n = n * 10 + Int(b[i] - 0x30); i += 1; count += 1 }
            return range.contains(count) ? n : nil
        }
        func expect(_ i: inout Int, _ c: UInt8) -> Bool { if i < b.count, b[i] == c { i += 1; return true }; return false }
        var i = 0
        guard let year = digits(&i, 4...4), expect(&i, 0x2D), let month = digits(&i, 1...2), expect(&i, 0x2D),
              let day = digits(&i, 1...2), (1...12).contains(month) else { return false }
        let days = [31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return false }
        if i == b.count { return true }
        let separator = b[i]
        guard separator == 0x54 || separator == 0x74 || separator == 0x20 else { return false }  // T, t, space
        i += 1
        guard let hour = digits(&i, 1...2), expect(&i, 0x3A), let minute = digits(&i, 1...2), expect(&i, 0x3A),
              let second = digits(&i, 1...2), hour < 24, minute < 60, second < 60 else { return false }
        if i < b.count, b[i] == 0x2E {
            i += 1
            guard digits(&i, 1...9) != nil else { return false }
        }
        if separator == 0x20 { return i == b.count }
        // Z07:00: Z, or ±hh:mm.
        if expect(&i, 0x5A) { return i == b.count }
        guard i < b.count, b[i] == 0x2B || b[i] == 0x2D else { return false }
        i += 1
        guard digits(&i, 2...2) != nil, expect(&i, 0x3A), digits(&i, 2...2) != nil else { return false }
        return i == b.count
    }

    /// go-yaml's isBase60Float: `1:20` and the like are quoted.
    static func isBase60Float(_ s: String) -> Bool {
        guard let first = s.first, "+-0123456789".contains(first), s.contains(":") else { return false }
        let pattern = s.drop { $0 == "+" || $0 == "-" }
        let parts = pattern.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].allSatisfy({ $0.isNumber || $0 == "_" }), !parts[0].isEmpty else { return false }
        for part in parts.dropFirst().dropLast() where !(part.count <= 2 && part.allSatisfy(\.isNumber) && !part.isEmpty) { return false }
        let last = parts.last!
        let digits = last.split(separator: ".", maxSplits: 1)
        guard let head = digits.first, head.count <= 2, head.allSatisfy(\.isNumber), !head.isEmpty else { return false }
        return digits.count == 1 || digits[1].allSatisfy { $0.isNumber || $0 == "_" }
    }

    struct Analysis {
        var plainAllowed: Bool
        var singleQuotedAllowed: Bool
        var literalAllowed: Bool
    }

    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return c.value != 0xFEFF
        default: return false
        }
    }

    /// libyaml's yaml_emitter_analyze_scalar, for block context.
    static func analyze(_ s: String) -> Analysis {
        let chars = Array(s.unicodeScalars)
        if chars.isEmpty { return Analysis(plainAllowed: false, singleQuotedAllowed: true, literalAllowed: false) }
        var blockIndicators = false, specialCharacters = false, lineBreaks = false
        var leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false
        var breakSpace = false, spaceBreak = false, previousSpace = false, previousBreak = false
        if s.hasPrefix("---") || s.hasPrefix("...") { blockIndicators = true }
        var precededByWhitespace = true
        for (i, c) in chars.enumerated() {
            let next: Unicode.Scalar? = i + 1 < chars.count ? chars[i + 1] : nil
            let followedByWhitespace = next == nil || next == " " || next == "\t" || next == "\n" || next == "\r"
            if i == 0 {
                switch c {
                case "#", ",", "[", "]", "{", "}", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`": blockIndicators = true
                case "?", ":": if followedByWhitespace { blockIndicators = true }
                case "-": if followedByWhitespace { blockIndicators = true }
                default: break
                }
            } else {
                switch c {
                case ":": if followedByWhitespace { blockIndicators = true }
                case "#": if precededByWhitespace { blockIndicators = true }
                default: break
                }
            }
            if !isPrintable(c) { specialCharacters = true }
            if c == "\n" { lineBreaks = true }
            if c == " " {
                if i == 0 { leadingSpace = true }
                if i == chars.count - 1 { trailingSpace = true }
                if previousBreak { breakSpace = true }
                previousSpace = true
                previousBreak = false
            } else if c == "\n" || c == "\r" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}" {
                lineBreaks = true
                if i == 0 { leadingBreak = true }
                if i == chars.count - 1 { trailingBreak = true }
                if previousSpace { spaceBreak = true }
                previousSpace = false
                previousBreak = true
            } else {
                previousSpace = false
                previousBreak = false
            }
            precededByWhitespace = c == " " || c == "\t" || c == "\n" || c == "\r"
        }
        var plain = true, single = true, literal = true
        if leadingSpace || leadingBreak || trailingSpace || trailingBreak { plain = false }
        if trailingSpace { literal = false }
        if breakSpace { plain = false; single = false }
        if spaceBreak || specialCharacters { plain = false; single = false; literal = false }
        if lineBreaks { plain = false }
        if blockIndicators { plain = false }
        return Analysis(plainAllowed: plain, singleQuotedAllowed: single, literalAllowed: literal)
    }

    /// Writes text, replacing a single space by a line break (at `indent`) once past column 80.
    /// `escape` returns nil for a character written as it is.
    mutating func folded(_ chars: [Unicode.Scalar], indent: Int, allowBreaks: Bool, escape: (Unicode.Scalar) -> String?) {
        var spaces = false
        for (i, c) in chars.enumerated() {
            if c == " " {
                let nextIsSpace = i + 1 < chars.count && chars[i + 1] == " "
                if allowBreaks && !spaces && column > Self.bestWidth && !nextIsSpace && i != 0 && i != chars.count - 1 {
                    newline(indent: indent)
                } else {
                    write(" ")
                }
                spaces = true
            } else {
                if let escaped = escape(c) {
                    write(escaped)
                } else {
                    out.unicodeScalars.append(c)
                    column = c == "\n" ? 0 : column + 1
                }
                spaces = false
            }
        }
    }

    mutating func plain(_ s: String, indent: Int, allowBreaks: Bool) {
        folded(Array(s.unicodeScalars), indent: indent, allowBreaks: allowBreaks) { _ in nil }
    }

    mutating func singleQuoted(_ s: String, indent: Int, allowBreaks: Bool) {
        write("'")
        folded(Array(s.unicodeScalars), indent: indent, allowBreaks: allowBreaks) { $0 == "'" ? "''" : nil }
        write("'")
    }

    mutating func doubleQuoted(_ s: String, indent: Int, allowBreaks: Bool) {
        write("\"")
        folded(Array(s.unicodeScalars), indent: indent, allowBreaks: allowBreaks) { c -> String? in
            switch c {
            case "\"": return "\\\""
            case "\\": return "\\\\"
            case "\0": return "\\0"
            case "\u{7}": return "\\a"
            case "\u{8}": return "\\b"
            case "\t": return "\\t"
            case "\n": return "\\n"
            case "\u{B}": return "\\v"
            case "\u{C}": return "\\f"
            case "\r": return "\\r"
            case "\u{1B}": return "\\e"
            case "\u{85}": return "\\N"
            case "\u{A0}": return "\\_"
            case "\u{2028}": return "\\L"
            case "\u{2029}": return "\\P"
            default:
                if Self.isPrintable(c) { return nil }
                if c.value <= 0xFF { return "\\x" + zeroPaddedHex(c.value, width: 2, uppercase: true) }
                if c.value <= 0xFFFF { return "\\u" + zeroPaddedHex(c.value, width: 4, uppercase: true) }
                return "\\U" + zeroPaddedHex(c.value, width: 8, uppercase: true)
            }
        }
        write("\"")
    }

    /// A literal block: `|`, `|-` or `|+`, with an indentation indicator when the text starts with a space.
    mutating func literal(_ s: String, indent: Int) {
        // A block at the document's root is indented as go-yaml's emitter does (its best indent, 2).
        let indent = max(indent, 2)
        var header = "|"
        if s.unicodeScalars.first == " " || s.unicodeScalars.first == "\n" { header += "2" }
        if !s.hasSuffix("\n") {
            header += "-"
        } else if s.hasSuffix("\n\n") || s == "\n" {
            header += "+"
        }
        write(header)
        let body = s.hasSuffix("\n") ? String(s.dropLast()) : s
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                out += "\n"
                column = 0
            } else {
                newline(indent: indent)
                write(String(line))
            }
        }
    }
}
