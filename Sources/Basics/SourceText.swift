import Foundation

/// A source file's bytes with lazily computed line starts, for turning offsets into lines to print.
public struct SourceText: Sendable {
    public let path: String
    public let bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// The text of 1-based line `line`, without its line break; nil past the end.
    public func line(_ line: Int) -> String? {
        guard line >= 1 else { return nil }
        var current = 1
        var start = 0
        var index = 0
        while current < line {
            guard let newline = bytes[index...].firstIndex(of: 0x0A) else { return nil }
            index = newline + 1
            start = index
            current += 1
        }
        var end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// A diagnostic at `location` with an excerpt of the offending line attached (see `excerpt`).
    public func diagnostic(_ code: String, at location: SourceLocation, _ message: String,
                           severity: Diagnostic.Severity = .error) -> Diagnostic {
        let excerpt = self.excerpt(line: location.line, column: location.column)
        return Diagnostic(code: code, severity: severity, location: location, message: message,
                          sourceLine: excerpt?.text, caretColumn: excerpt?.column)
    }

    /// The most characters of a line an error prints.
    public static let excerptWidth = 120

    /// What an error may print of 1-based line `line`, and where `column` falls in it: nothing for
    /// a file that is not text; the value part masked when the file holds a Kubernetes Secret;
    /// control characters as `?`; a window of `excerptWidth` characters around `column` of a
    /// longer line, cut ends marked `…`.
    public func excerpt(line number: Int, column: Int) -> (text: String, column: Int)? {
        guard !isBinary, let text = line(number) else { return nil }
        var characters = Array((holdsSecret ? Self.maskingValue(text) : text).unicodeScalars.map { scalar -> Character in
            scalar == "\t" || scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80..<0xA0).contains(scalar.value) ? Character(scalar) : "?"
        })
        var caret = column
        guard characters.count > Self.excerptWidth else { return (String(characters), caret) }
        let half = Self.excerptWidth / 2
        let start = max(0, min(column - 1 - half, characters.count - Self.excerptWidth))
        let end = min(characters.count, start + Self.excerptWidth)
        var window = Array(characters[start..<end])
        if start > 0 { window.insert("…", at: 0); caret = caret - start + 1 }
        if end < characters.count { window.append("…") }
        characters = window
        return (String(characters), caret)
    }

    /// Whether the bytes are not text (a NUL, or not UTF-8): no excerpt is printed of them.
    public var isBinary: Bool {
        bytes.contains(0) || String(validating: bytes, as: UTF8.self) == nil
    }

    /// Whether the file holds a Kubernetes Secret (`kind: Secret` at the start of a line, any indentation).
    public var holdsSecret: Bool {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n").contains { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return ["kind: Secret", "kind: \"Secret\"", "kind: 'Secret'", "\"kind\": \"Secret\""].contains { trimmed.hasPrefix($0) }
        }
    }

    /// `  password: hunter2` → `  password: ***`; a line without a key is masked whole after its indentation.
    static func maskingValue(_ line: String) -> String {
        let indentation = line.prefix { $0 == " " || $0 == "\t" || $0 == "-" }
        let rest = line.dropFirst(indentation.count)
        guard !rest.isEmpty else { return line }
        if let colon = rest.firstIndex(of: ":") {
            let value = rest[rest.index(after: colon)...]
            return value.trimmingCharacters(in: .whitespaces).isEmpty ? line : String(indentation) + rest[...colon] + " ***"
        }
        return String(indentation) + "***"
    }
}
