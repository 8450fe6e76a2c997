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

    /// A diagnostic at `location` with the offending line attached.
    public func diagnostic(_ code: String, at location: SourceLocation, _ message: String,
                           severity: Diagnostic.Severity = .error) -> Diagnostic {
        Diagnostic(code: code, severity: severity, location: location, message: message,
                   sourceLine: line(location.line))
    }
}
