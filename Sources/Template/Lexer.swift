import Basics

/// Tokens of Go's template language.
enum TokenKind: Equatable {
    case error, bool, char, charConstant, complex, assign, declare, eof, field, identifier
    case leftDelim, leftParen, number, pipe, rawString, rightDelim, rightParen, space, string, text, variable
    // Keywords.
    case block, breakKeyword, continueKeyword, dot, define, elseKeyword, end, ifKeyword, nilKeyword, range
    case template, with
}

struct Token {
    var kind: TokenKind
    var text: String
    /// Byte offset in the template source.
    var pos: Int

    var description: String {
        switch kind {
        case .eof: return "EOF"
        case .error: return text
        case .block, .breakKeyword, .continueKeyword, .define, .elseKeyword, .end, .ifKeyword, .range,
             .template, .with, .nilKeyword, .dot:
            return "<\(text)>"
        default:
            return text.count > 10 ? "\"\(text.prefix(10))\"..." : "\"\(text)\""
        }
    }
}

/// Splits a template into tokens the way Go's text/template lexer does (`{{`/`}}` delimiters,
/// `{{- ` and ` -}}` trim markers, `{{/* */}}` comments). Lexing stops at the first error token.
struct Lexer {
    private let input: [UInt8]
    private var pos = 0
    private var start = 0
    private var parenDepth = 0
    private var insideAction = false
    private(set) var tokens: [Token] = []

    private static let keywords: [String: TokenKind] = [
        "block": .block, "break": .breakKeyword, "continue": .continueKeyword, "define": .define,
        "else": .elseKeyword, "end": .end, "if": .ifKeyword, "range": .range, "nil": .nilKeyword,
        "template": .template, "with": .with,
    ]

    init(_ text: String) { input = Array(text.utf8) }

    static func tokenize(_ text: String) -> [Token] {
        var lexer = Lexer(text)
        lexer.run()
        return lexer.tokens
    }

    private func peek(_ offset: Int = 0) -> UInt8? { pos + offset < input.count ? input[pos + offset] : nil }

    private func hasPrefix(_ s: StaticString, at index: Int) -> Bool {
        let count = s.utf8CodeUnitCount
        guard index + count <= input.count else { return false }
        return s.withUTF8Buffer { prefix in
            for offset in 0..<count where input[index + offset] != prefix[offset] { return false }
            return true
        }
    }

    static func isSpace(_ b: UInt8?) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }

    static func isAlphaNumeric(_ b: UInt8?) -> Bool {
        guard let b else { return false }
        return b == UInt8(ascii: "_") || (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b >= 0x80
    }

    private mutating func emit(_ kind: TokenKind) {
        tokens.append(Token(kind: kind, text: String(decoding: input[start..<pos], as: UTF8.self), pos: start))
        start = pos
    }

    private mutating func error(_ message: String) {
        tokens.append(Token(kind: .error, text: message, pos: start))
    }

    private mutating func run() {
        while lexText() {}
    }

    /// Scans text up to the next `{{`; returns false when done (EOF or error).
    private mutating func lexText() -> Bool {
        // The next "{{", found byte by byte (the text between actions is most of a template).
        var index = pos
        let end = input.count - 1
        while index < end && !(input[index] == 0x7B && input[index + 1] == 0x7B) { index += 1 }
        if index >= end { index = input.count }
        guard index < input.count else {
            pos = input.count
            if pos > start { emit(.text) }
            tokens.append(Token(kind: .eof, text: "", pos: pos))
            return false
        }
        // A left trim marker "{{- " removes the whitespace before it.
        let trims = index + 3 < input.count && input[index + 2] == UInt8(ascii: "-")
            && Self.isSpace(input[index + 3])
        var textEnd = index
        if trims {
            while textEnd > start && Self.isSpace(input[textEnd - 1]) { textEnd -= 1 }
        }
        if textEnd > start {
            pos = textEnd
            emit(.text)
        }
        pos = index
        start = index
        return lexLeftDelim(trims: trims)
    }

    private mutating func lexLeftDelim(trims: Bool) -> Bool {
        pos += 2
        let afterMarker = trims ? 2 : 0
        if hasPrefix("/*", at: pos + afterMarker) {
            pos += afterMarker
            start = pos
            return lexComment()
        }
        emit(.leftDelim)
        pos += afterMarker
        start = pos
        parenDepth = 0
        return lexInsideAction()
    }

    private mutating func lexComment() -> Bool {
        pos += 2
        var index = pos
        while index + 1 < input.count && !(input[index] == UInt8(ascii: "*") && input[index + 1] == UInt8(ascii: "/")) {
            index += 1
        }
        guard index + 1 < input.count else {
            error("unclosed comment")
            return false
        }
        pos = index + 2
        let (isDelim, trimSpace) = atRightDelim()
        guard isDelim else {
            error("comment ends before closing delimiter")
            return false
        }
        if trimSpace { pos += 2 }
        pos += 2
        if trimSpace { while Self.isSpace(peek()) { pos += 1 } }
        start = pos
        return true
    }

    /// Whether the input is at `}}`, and whether it is preceded by a trim marker (` -}}`).
    private func atRightDelim() -> (Bool, Bool) {
        if Self.isSpace(peek()), peek(1) == UInt8(ascii: "-"), hasPrefix("}}", at: pos + 2) { return (true, true) }
        if hasPrefix("}}", at: pos) { return (true, false) }
        return (false, false)
    }

    private func atTerminator() -> Bool {
        guard let b = peek() else { return true }
        if Self.isSpace(b) { return true }
        switch b {
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "|"), UInt8(ascii: ":"), UInt8(ascii: ")"),
             UInt8(ascii: "("):
            return true
        default:
            return hasPrefix("}}", at: pos)
        }
    }

    private mutating func lexInsideAction() -> Bool {
        while true {
            let (isDelim, trimSpace) = atRightDelim()
            if isDelim {
                if trimSpace {
                    pos += 2
                    start = pos
                }
                guard parenDepth == 0 else {
                    error("unclosed left paren")
                    return false
                }
                pos += 2
                emit(.rightDelim)
                if trimSpace {
                    while Self.isSpace(peek()) { pos += 1 }
                    start = pos
                }
                return true
            }
            guard let b = peek() else {
                error("unclosed action")
                return false
            }
            switch b {
            case _ where Self.isSpace(b):
                // A run of spaces, stopping before a trim-marked right delimiter.
                while Self.isSpace(peek()) {
                    if peek(1) == UInt8(ascii: "-"), hasPrefix("}}", at: pos + 2) { break }
                    pos += 1
                }
                if pos > start { emit(.space) }
                if pos == start, Self.isSpace(peek()) { continue }
            case UInt8(ascii: "="):
                pos += 1
                emit(.assign)
            case UInt8(ascii: ":"):
                pos += 1
                guard peek() == UInt8(ascii: "=") else {
                    error("expected :=")
                    return false
                }
                pos += 1
                emit(.declare)
            case UInt8(ascii: "|"):
                pos += 1
                emit(.pipe)
            case UInt8(ascii: "\""):
                guard lexQuote() else { return false }
            case UInt8(ascii: "`"):
                pos += 1
                while let c = peek(), c != UInt8(ascii: "`") { pos += 1 }
                guard peek() != nil else {
                    error("unterminated raw quoted string")
                    return false
                }
                pos += 1
                emit(.rawString)
            case UInt8(ascii: "$"):
                pos += 1
                lexFieldOrVariable(.variable)
                if tokens.last?.kind == .error { return false }
            case UInt8(ascii: "'"):
                guard lexChar() else { return false }
            case UInt8(ascii: "."):
                if let next = peek(1), next >= 48 && next <= 57 {
                    guard lexNumber() else { return false }
                } else {
                    pos += 1
                    lexFieldOrVariable(.field)
                    if tokens.last?.kind == .error { return false }
                }
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard lexNumber() else { return false }
            case _ where Self.isAlphaNumeric(b):
                guard lexIdentifier() else { return false }
            case UInt8(ascii: "("):
                pos += 1
                emit(.leftParen)
                parenDepth += 1
            case UInt8(ascii: ")"):
                pos += 1
                emit(.rightParen)
                parenDepth -= 1
                if parenDepth < 0 {
                    error("unexpected right paren")
                    return false
                }
            case 0x21...0x7E:
                pos += 1
                emit(.char)
            default:
                let scalar = String(decoding: input[pos..<min(pos + 4, input.count)], as: UTF8.self).unicodeScalars.first
                error("unrecognized character in action: \(scalar.map(Self.describe) ?? "?")")
                return false
            }
        }
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        "U+" + zeroPaddedHex(scalar.value, width: 4, uppercase: true) + " '\(scalar)'"
    }

    private mutating func lexIdentifier() -> Bool {
        while Self.isAlphaNumeric(peek()) { pos += 1 }
        guard atTerminator() else {
            error("bad character \(Self.describe(Unicode.Scalar(peek()!)))")
            return false
        }
        let word = String(decoding: input[start..<pos], as: UTF8.self)
        if let keyword = Self.keywords[word] {
            emit(keyword)
        } else if word == "true" || word == "false" {
            emit(.bool)
        } else {
            emit(.identifier)
        }
        return true
    }

    /// After the `.` or `$`: a field/variable name, or a lone dot / `$`.
    private mutating func lexFieldOrVariable(_ kind: TokenKind) {
        if atTerminator() {
            emit(kind == .variable ? .variable : .dot)
            return
        }
        while Self.isAlphaNumeric(peek()) { pos += 1 }
        guard atTerminator() else {
            error("bad character \(Self.describe(Unicode.Scalar(peek()!)))")
            return
        }
        emit(kind)
    }

    private mutating func lexQuote() -> Bool {
        pos += 1
        while true {
            guard let c = peek(), c != UInt8(ascii: "\n") else {
                error("unterminated quoted string")
                return false
            }
            pos += 1
            if c == UInt8(ascii: "\\") {
                guard let next = peek(), next != UInt8(ascii: "\n") else {
                    error("unterminated quoted string")
                    return false
                }
                pos += 1
            } else if c == UInt8(ascii: "\"") {
                break
            }
        }
        emit(.string)
        return true
    }

    private mutating func lexChar() -> Bool {
        pos += 1
        while true {
            guard let c = peek(), c != UInt8(ascii: "\n") else {
                error("unterminated character constant")
                return false
            }
            pos += 1
            if c == UInt8(ascii: "\\") {
                guard peek() != nil else {
                    error("unterminated character constant")
                    return false
                }
                pos += 1
            } else if c == UInt8(ascii: "'") {
                break
            }
        }
        emit(.charConstant)
        return true
    }

    private mutating func accept(_ set: String) -> Bool {
        if let b = peek(), set.utf8.contains(b) {
            pos += 1
            return true
        }
        return false
    }

    private mutating func acceptRun(_ set: String) {
        while let b = peek(), set.utf8.contains(b) { pos += 1 }
    }

    private mutating func scanNumber() -> Bool {
        _ = accept("+-")
        var digits = "0123456789_"
        if accept("0") {
            if accept("xX") { digits = "0123456789abcdefABCDEF_" }
            else if accept("oO") { digits = "01234567_" }
            else if accept("bB") { digits = "01_" }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if digits.count == 11 && accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if digits.count == 23 && accept("pP") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        _ = accept("i")
        if Self.isAlphaNumeric(peek()) {
            pos += 1
            return false
        }
        return true
    }

    private mutating func lexNumber() -> Bool {
        guard scanNumber() else {
            error("bad number syntax: \"\(String(decoding: input[start..<pos], as: UTF8.self))\"")
            return false
        }
        if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            guard scanNumber(), input[pos - 1] == UInt8(ascii: "i") else {
                error("bad number syntax: \"\(String(decoding: input[start..<pos], as: UTF8.self))\"")
                return false
            }
            emit(.complex)
        } else {
            emit(.number)
        }
        return true
    }
}
