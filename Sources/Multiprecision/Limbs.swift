/// Unsigned multi-precision integers as little-endian 64-bit limbs: just the operations that
/// seeded RSA key generation (products, small divisors, Miller–Rabin) and the digits of π behind
/// Blowfish's tables need. Not constant-time; the values it handles are derived from a seed.
public struct Limbs: Equatable, Sendable {
    /// Little-endian limbs; the top limb may be zero.
    public var words: [UInt64]

    public init(words: [UInt64]) { self.words = words }

    public init(_ value: UInt64, count: Int = 1) {
        words = [UInt64](repeating: 0, count: max(1, count))
        words[0] = value
    }

    /// Big-endian bytes (the form DER integers and swift-crypto use), without leading zeros.
    public var bigEndianBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(words.count * 8)
        for word in words.reversed() {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        let first = bytes.firstIndex { $0 != 0 } ?? bytes.count - 1
        return Array(bytes[first...])
    }

    public var isZero: Bool { words.allSatisfy { $0 == 0 } }

    /// The number of significant bits.
    public var bitWidth: Int {
        guard let top = words.lastIndex(where: { $0 != 0 }) else { return 0 }
        return top * 64 + (64 - words[top].leadingZeroBitCount)
    }

    public func bit(_ index: Int) -> Bool {
        let limb = index / 64
        return limb < words.count && words[limb] >> UInt64(index % 64) & 1 == 1
    }

    /// `self mod divisor` for a small divisor.
    public func remainder(dividingBy divisor: UInt64) -> UInt64 {
        var remainder: UInt64 = 0
        for word in words.reversed() { remainder = divisor.dividingFullWidth((high: remainder, low: word)).remainder }
        return remainder
    }

    /// Divides in place by a small divisor, returning the remainder.
    @discardableResult
    public mutating func divide(by divisor: UInt64) -> UInt64 {
        var remainder: UInt64 = 0
        for index in words.indices.reversed() {
            let (quotient, rest) = divisor.dividingFullWidth((high: remainder, low: words[index]))
            words[index] = quotient
            remainder = rest
        }
        return remainder
    }

    /// Multiplies in place by a small factor and adds `addend`; grows when the result needs it.
    public mutating func multiply(by factor: UInt64, adding addend: UInt64 = 0) {
        var carry = addend
        for index in words.indices {
            let (high, low) = words[index].multipliedFullWidth(by: factor)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            words[index] = sum
            carry = high &+ (overflow ? 1 : 0)
        }
        if carry != 0 { words.append(carry) }
    }

    /// Adds `other` in place (same limb count or fewer; a final carry grows the value).
    public mutating func add(_ other: Limbs) {
        if Limbs.combine(&words, other.words, subtracting: false) != 0 { words.append(1) }
    }

    /// Subtracts `other` in place; `other` must not be larger.
    public mutating func subtract(_ other: Limbs) {
        Limbs.combine(&words, other.words, subtracting: true)
    }

    /// a ± b over a's limbs (b may be shorter); returns the final carry or borrow.
    @discardableResult
    public static func combine(_ a: inout [UInt64], _ b: [UInt64], subtracting: Bool) -> UInt64 {
        var carry: UInt64 = 0
        for index in a.indices {
            let operand = index < b.count ? b[index] : 0
            let (x, o1) = subtracting ? a[index].subtractingReportingOverflow(operand) : a[index].addingReportingOverflow(operand)
            let (y, o2) = subtracting ? x.subtractingReportingOverflow(carry) : x.addingReportingOverflow(carry)
            a[index] = y
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        return carry
    }

    /// The full product.
    public static func * (a: Limbs, b: Limbs) -> Limbs {
        var result = [UInt64](repeating: 0, count: a.words.count + b.words.count)
        for i in a.words.indices {
            var carry: UInt64 = 0
            for j in b.words.indices {
                let (high, low) = a.words[i].multipliedFullWidth(by: b.words[j])
                let (s1, o1) = low.addingReportingOverflow(result[i + j])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                result[i + j] = s2
                carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            result[i + b.words.count] = carry
        }
        return Limbs(words: result)
    }

    public static func compare(_ a: Limbs, _ b: Limbs) -> Int {
        for index in (0..<max(a.words.count, b.words.count)).reversed() {
            let x = index < a.words.count ? a.words[index] : 0, y = index < b.words.count ? b.words[index] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }
}
