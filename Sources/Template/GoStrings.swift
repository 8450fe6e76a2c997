/// Go's strings functions that Helm's output depends on, on Unicode scalars (Foundation's
/// trimming walks UTF-16 and was most of a render that trims large strings).
public enum GoStrings {
    /// Go's unicode.IsSpace.
    public static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// Go's strings.TrimSpace, touching only the ends of `text`.
    public static func trimSpace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    /// Whether `text` is only whitespace (TrimSpace would leave nothing).
    public static func isBlank(_ text: String) -> Bool { text.unicodeScalars.allSatisfy(isSpace) }
}
