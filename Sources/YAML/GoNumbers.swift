/// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`/`0o`/`0b` prefixes or a leading `0`
/// for octal, otherwise decimal. (Underscores are removed by the caller, as go-yaml does.)
enum GoInt {
    static func parse(_ s: Substring) -> Int64? {
        var body = s
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        guard let magnitude = parseUnsigned(body, allowSign: false) else { return nil }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Go's `strconv.ParseUint(s, 0, 64)` (which accepts no sign).
    static func parseUnsigned(_ s: Substring, allowSign: Bool = false) -> UInt64? {
        var digits = s
        if allowSign, digits.first == "+" { digits = digits.dropFirst() }
        var radix = 10
        let lower = digits.prefix(2).lowercased()
        if lower == "0x" { radix = 16; digits = digits.dropFirst(2) }
        else if lower == "0o" { radix = 8; digits = digits.dropFirst(2) }
        else if lower == "0b" { radix = 2; digits = digits.dropFirst(2) }
        else if digits.count > 1, digits.first == "0" { radix = 8; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.first != "+", digits.first != "-" else { return nil }
        return UInt64(digits, radix: radix)
    }
}

