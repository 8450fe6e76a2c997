import Basics
import Foundation
import Template

/// TOML for Helm's `toToml`/`fromToml`, as BurntSushi/toml (which Helm uses) writes and reads it.
enum TOML {
    struct Failure: Error, CustomStringConvertible { var description: String }

    // MARK: Encoding

    static func encode(_ value: TemplateValue) throws -> String {
        guard case .map(let map) = value else { throw Failure(description: "toml: top-level values must be Go maps or structs") }
        var out = ""
        try table(map, path: [], into: &out)
        return out
    }

    private static func table(_ map: TemplateMap, path: [String], into out: inout String) throws {
        let entries = map.entries.sorted { $0.key < $1.key }
        let indent = String(repeating: "  ", count: max(0, path.count))
        func isTable(_ v: TemplateValue) -> Bool { if case .map = v { return true }; return false }
        func isTableArray(_ v: TemplateValue) -> Bool {
            if case .list(let items) = v, !items.isEmpty, items.allSatisfy(isTable) { return true }
            return false
        }
        for (key, value) in entries where !value.isNil && !isTable(value) && !isTableArray(value) {
            out += indent + self.key(key) + " = " + (try scalar(value)) + "\n"
        }
        for (key, value) in entries {
            let childPath = path + [key]
            let header = childPath.map(self.key).joined(separator: ".")
            let headerIndent = String(repeating: "  ", count: path.count)
            if case .map(let child) = value {
                if !out.isEmpty { out += "\n" }
                out += headerIndent + "[" + header + "]\n"
                try table(child, path: childPath, into: &out)
            } else if isTableArray(value), case .list(let items) = value {
                for item in items {
                    guard case .map(let child) = item else { continue }
                    if !out.isEmpty { out += "\n" }
                    out += headerIndent + "[[" + header + "]]\n"
                    try table(child, path: childPath, into: &out)
                }
            }
        }
    }

    private static func key(_ key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" }
        return bare ? key : quoted(key)
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u" + zeroPaddedHex(scalar.value, width: 4, uppercase: true)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func scalar(_ value: TemplateValue) throws -> String {
        switch value {
        case .string(let s): return quoted(s)
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d > 0 ? "inf" : "-inf" }
            let text = GoJSON.fixed(d)
            return text.contains(".") || text.contains("e") ? text : text + ".0"
        case .list(let items): return "[" + (try items.filter { !$0.isNil }.map(scalar)).joined(separator: ", ") + "]"
        case .map(let map):
            return "{" + (try map.entries.sorted { $0.key < $1.key }.filter { !$0.value.isNil }
                .map { key($0.key) + " = " + (try scalar($0.value)) }).joined(separator: ", ") + "}"
        default: throw Failure(description: "toml: cannot encode a value of type \(value.typeName)")
        }
    }

    // MARK: Decoding

    static func decode(_ text: String) throws -> TemplateValue {
        var parser = Parser(text)
        return .map(try parser.document())
    }

    private struct Parser {
        let chars: [Character]
        var i = 0
        var line = 1

        init(_ text: String) { chars = Array(text) }

        func fail(_ message: String) -> Failure { Failure(description: "toml: line \(line): \(message)") }

        mutating func skipSpaces() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }

        mutating func skipLine() {
            while i < chars.count, chars[i] != "\n" { i += 1 }
        }

        mutating func skipBlank() {
            while i < chars.count {
                if chars[i] == " " || chars[i] == "\t" || chars[i] == "\r" { i += 1 }
                else if chars[i] == "\n" { i += 1; line += 1 }
                else if chars[i] == "#" { skipLine() }
                else { break }
            }
        }

        mutating func document() throws -> TemplateMap {
            let root = TemplateMap()
            var current = root
            while true {
                skipBlank()
                guard i < chars.count else { return root }
                if chars[i] == "[" {
                    let isArray = i + 1 < chars.count && chars[i + 1] == "["
                    i += isArray ? 2 : 1
                    let path = try keyPath()
                    skipSpaces()
                    guard i < chars.count, chars[i] == "]" else { throw fail("expected ']'") }
                    i += isArray ? 2 : 1
                    current = try open(root, path: path, array: isArray)
                } else {
                    let path = try keyPath()
                    skipSpaces()
                    guard i < chars.count, chars[i] == "=" else {
                        throw fail(i >= chars.count ? "unexpected EOF; expected key separator '='" : "expected key separator '='")
                    }
                    i += 1
                    skipSpaces()
                    let value = try self.value()
                    var target = current
                    for part in path.dropLast() {
                        if case .map(let next)? = target[part] { target = next } else {
                            let next = TemplateMap()
                            target[part] = .map(next)
                            target = next
                        }
                    }
                    target[path.last!] = value
                }
                skipSpaces()
                if i < chars.count, chars[i] == "#" { skipLine() }
                if i < chars.count, chars[i] != "\n", chars[i] != "\r" { throw fail("expected a new line after a value") }
            }
        }

        mutating func open(_ root: TemplateMap, path: [String], array: Bool) throws -> TemplateMap {
            var table = root
            for (index, part) in path.enumerated() {
                let last = index == path.count - 1
                if last && array {
                    let element = TemplateMap()
                    var items: [TemplateValue] = []
                    if case .list(let existing)? = table[part] { items = existing }
                    items.append(.map(element))
                    table[part] = .list(items)
                    return element
                }
                switch table[part] {
                case .map(let next)?: table = next
                case .list(let items)? where !last:
                    guard case .map(let next)? = items.last else { throw fail("key \(part) is not a table") }
                    table = next
                case nil:
                    let next = TemplateMap()
                    table[part] = .map(next)
                    table = next
                default: throw fail("key \(part) is already defined as a value")
                }
            }
            return table
        }

        mutating func keyPath() throws -> [String] {
            var parts: [String] = []
            while true {
                skipSpaces()
                guard i < chars.count else { throw fail("unexpected EOF; expected key separator '='") }
                if chars[i] == "\"" { parts.append(try basicString()) }
                else if chars[i] == "'" { parts.append(try literalString()) }
                else {
                    let start = i
                    while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "-" { i += 1 }
                    guard i > start else { throw fail("expected a key, found \(chars[i])") }
                    parts.append(String(chars[start..<i]))
                }
                skipSpaces()
                if i < chars.count, chars[i] == "." { i += 1; continue }
                if i >= chars.count { throw fail("unexpected EOF; expected key separator '='") }
                return parts
            }
        }

        mutating func basicString() throws -> String {
            if chars[i...].starts(with: "\"\"\"") { return try multiline(quote: "\"", escapes: true) }
            i += 1
            var out = ""
            while i < chars.count, chars[i] != "\"" {
                if chars[i] == "\n" { throw fail("unterminated string") }
                if chars[i] == "\\" { out += try escape() } else { out.append(chars[i]); i += 1 }
            }
            guard i < chars.count else { throw fail("unterminated string") }
            i += 1
            return out
        }

        mutating func literalString() throws -> String {
            if chars[i...].starts(with: "'''") { return try multiline(quote: "'", escapes: false) }
            i += 1
            let start = i
            while i < chars.count, chars[i] != "'" { if chars[i] == "\n" { throw fail("unterminated string") }; i += 1 }
            guard i < chars.count else { throw fail("unterminated string") }
            defer { i += 1 }
            return String(chars[start..<i])
        }

        mutating func multiline(quote: Character, escapes: Bool) throws -> String {
            i += 3
            if i < chars.count, chars[i] == "\n" { i += 1; line += 1 }
            var out = ""
            while i < chars.count {
                if chars[i] == quote, chars[i...].starts(with: [quote, quote, quote]) { i += 3; return out }
                if escapes && chars[i] == "\\" {
                    if i + 1 < chars.count, chars[i + 1] == "\n" || chars[i + 1] == " " || chars[i + 1] == "\r" {
                        i += 1
                        while i < chars.count, chars[i].isWhitespace { if chars[i] == "\n" { line += 1 }; i += 1 }
                        continue
                    }
                    out += try escape()
                    continue
                }
                if chars[i] == "\n" { line += 1 }
                out.append(chars[i])
                i += 1
            }
            throw fail("unterminated multi-line string")
        }

        mutating func escape() throws -> String {
            i += 1
            guard i < chars.count else { throw fail("unterminated escape") }
            let c = chars[i]
            i += 1
            switch c {
            case "n": return "\n"
            case "t": return "\t"
            case "r": return "\r"
            case "b": return "\u{8}"
            case "f": return "\u{C}"
            case "\"": return "\""
            case "\\": return "\\"
            case "u", "U":
                let n = c == "u" ? 4 : 8
                guard i + n <= chars.count, let v = UInt32(String(chars[i..<(i + n)]), radix: 16), let scalar = Unicode.Scalar(v) else {
                    throw fail("invalid unicode escape")
                }
                i += n
                return String(scalar)
            default: throw fail("invalid escape \\\(c)")
            }
        }

        mutating func value() throws -> TemplateValue {
            guard i < chars.count else { throw fail("unexpected EOF; expected a value") }
            switch chars[i] {
            case "\"": return .string(try basicString())
            case "'": return .string(try literalString())
            case "[":
                i += 1
                var items: [TemplateValue] = []
                while true {
                    skipBlank()
                    guard i < chars.count else { throw fail("unterminated array") }
                    if chars[i] == "]" { i += 1; return .list(items) }
                    items.append(try value())
                    skipBlank()
                    if i < chars.count, chars[i] == "," { i += 1 }
                }
            case "{":
                i += 1
                let table = TemplateMap()
                while true {
                    skipSpaces()
                    guard i < chars.count else { throw fail("unterminated inline table") }
                    if chars[i] == "}" { i += 1; return .map(table) }
                    let path = try keyPath()
                    skipSpaces()
                    guard i < chars.count, chars[i] == "=" else { throw fail("expected key separator '='") }
                    i += 1
                    skipSpaces()
                    table[path.joined(separator: ".")] = try value()
                    skipSpaces()
                    if i < chars.count, chars[i] == "," { i += 1 }
                }
            default:
                let start = i
                while i < chars.count, !",]}\n#\r".contains(chars[i]) { i += 1 }
                let word = String(chars[start..<i]).trimmingCharacters(in: .whitespaces)
                switch word {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "inf", "+inf": return .float(.infinity)
                case "-inf": return .float(-.infinity)
                case "nan", "+nan", "-nan": return .float(.nan)
                default:
                    let digits = word.replacingOccurrences(of: "_", with: "")
                    if let int = GoLiteralNumbers.int(digits) { return .int(int) }
                    if let double = Double(digits), digits.contains(where: { ".eE".contains($0) }) { return .float(double) }
                    if word.first?.isNumber == true && (word.contains("-") || word.contains(":")) { return .string(word) }
                    throw fail("invalid value '\(word)'")
                }
            }
        }
    }
}

/// TOML integers: decimal with optional sign, or 0x/0o/0b prefixed.
enum GoLiteralNumbers {
    static func int(_ text: String) -> Int64? {
        if text.hasPrefix("0x") { return Int64(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int64(text.dropFirst(2), radix: 8) }
        if text.hasPrefix("0b") { return Int64(text.dropFirst(2), radix: 2) }
        if text.count > 1, text.hasPrefix("0") { return nil }
        return Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }
}
