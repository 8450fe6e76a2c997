import Foundation

/// A Kubernetes resource quantity (`500m`, `2Gi`, `1e3`), exact.
public struct Quantity: Sendable, Hashable {
    public var value: Decimal

    public init?(_ text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return nil }
        var index = s.startIndex
        if s[index] == "+" || s[index] == "-" { index = s.index(after: index) }
        var sawDigit = false, sawDot = false
        while index < s.endIndex {
            let c = s[index]
            if c.isASCII && c.isNumber { sawDigit = true } else if c == ".", !sawDot { sawDot = true } else { break }
            index = s.index(after: index)
        }
        guard sawDigit, let number = Decimal(string: String(s[..<index]), locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        let suffix = String(s[index...])
        let binary: [String: Int] = ["Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60]
        let decimal: [String: Int] = ["n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]
        if let power = binary[suffix] {
            value = number * Decimal(sign: .plus, exponent: 0, significand: Decimal(1 << power))
        } else if let exponent = decimal[suffix] {
            value = number * Decimal(sign: .plus, exponent: exponent, significand: 1)
        } else if suffix.first == "e" || suffix.first == "E", let exponent = Int(suffix.dropFirst()) {
            value = number * Decimal(sign: .plus, exponent: exponent, significand: 1)
        } else {
            return nil
        }
    }
}
