
/// Reads JSON texts into values (integers stay integers).
public struct JSONReader {
    private let bytes: [UInt8]
    private var i = 0
    /// How many arrays and objects hold the value being read.
    private var depth = 0
    /// Deepest nesting accepted, as for YAML: deeper input (from a server, or a chart's
    /// values.schema.json) is malformed, never a stack overflow.
    public static let maximumDepth = 512

    /// Malformed JSON.
    public struct Failure: Error, Sendable {}

    init(_ text: String) { bytes = Array(text.utf8) }

    /// Every JSON text of a sequence of concatenated texts.
    public static func values(_ text: String) throws -> [Value] {
        var reader = JSONReader(text)
        var values: [Value] = []
        reader.skipSpace()
        while reader.i < reader.bytes.count {
            values.append(try reader.value())
            reader.skipSpace()
        }
        return values
    }

    /// One level deeper into an array or object; beyond `maximumDepth` the text is malformed.
    private mutating func descend() throws {
        depth += 1
        guard depth <= Self.maximumDepth else { throw Failure() }
    }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
    }

    private mutating func expect(_ literal: String) throws {
        for byte in literal.utf8 {
            guard i < bytes.count, bytes[i] == byte else { throw Failure() }
            i += 1
        }
    }

    private mutating func value() throws -> Value {
        skipSpace()
        guard i < bytes.count else { throw Failure() }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            try descend()
            defer { depth -= 1 }
            var object = ValueObject()
            skipSpace()
            guard i < bytes.count else { throw Failure() }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(object) }
            while true {
                skipSpace()
                guard case .string(let key) = try value() else { throw Failure() }
                skipSpace()
                try expect(":")
                object[key] = try value()
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect("}")
                return .object(object)
            }
        case UInt8(ascii: "["):
            i += 1
            try descend()
            defer { depth -= 1 }
            var items: [Value] = []
            skipSpace()
            guard i < bytes.count else { throw Failure() }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value())
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect("]")
                return .array(items)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: ":"): throw Failure()
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default:
            let start = i
            while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
            guard i > start else { throw Failure() }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            if let int = Int64(text) { return .int(int) }
            if let double = Double(text) { return .float(double) }
            throw Failure()
        }
    }

    private mutating func string() throws -> String {
        i += 1
        // Most strings have no escapes: one decode of their bytes. Otherwise the bytes between
        // escapes and each escape's UTF-8 are gathered and decoded once.
        var out: [UInt8] = []
        var start = i
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                defer { i += 1 }
                if out.isEmpty { return String(decoding: bytes[start..<i], as: UTF8.self) }
                out.append(contentsOf: bytes[start..<i])
                return String(decoding: out, as: UTF8.self)
            }
            guard byte == UInt8(ascii: "\\") else { i += 1; continue }
            out.append(contentsOf: bytes[start..<i])
            i += 1
            guard i < bytes.count else { throw Failure() }
            let escape = bytes[i]
            i += 1
            var scalar: Unicode.Scalar
            switch escape {
            case UInt8(ascii: "n"): scalar = "\n"
            case UInt8(ascii: "t"): scalar = "\t"
            case UInt8(ascii: "r"): scalar = "\r"
            case UInt8(ascii: "b"): scalar = "\u{8}"
            case UInt8(ascii: "f"): scalar = "\u{C}"
            case UInt8(ascii: "u"):
                var code = try hex4()
                // A high surrogate joins the low one escaped right after it; alone (or before
                // anything else) it reads as U+FFFD and what follows is read normally, as in Go.
                if (0xD800..<0xDC00).contains(code), i + 1 < bytes.count,
                   bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i -= 6
                    }
                }
                scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
            default: scalar = Unicode.Scalar(escape)
            }
            out.append(contentsOf: UTF8.encode(scalar)!)
            start = i
        }
        throw Failure()
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, bytes[i..<(i + 4)].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
              let code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
            throw Failure()
        }
        i += 4
        return code
    }
}
