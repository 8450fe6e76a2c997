/// `value` in hexadecimal, zero-padded to at least `width` digits: the digits of escapes such as
/// JSON's `\u00e9`, YAML's `\x85` or Go's `U+00E9`.
public func zeroPaddedHex(_ value: some BinaryInteger, width: Int, uppercase: Bool) -> String {
    let digits = String(value, radix: 16, uppercase: uppercase)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
