/// Modular arithmetic for one odd modulus in Montgomery form (R = 2^(64·k)), enough for the
/// modular exponentiations of a Miller–Rabin test.
public struct Montgomery: Sendable {
    public let modulus: [UInt64]
    /// -modulus⁻¹ mod 2^64.
    private let inverse: UInt64
    /// R² mod modulus, to enter Montgomery form.
    private let rSquared: [UInt64]
    /// 1 in Montgomery form (R mod modulus).
    public let one: [UInt64]

    public init(_ modulus: Limbs) {
        let n = modulus.words
        self.modulus = n
        var inverse: UInt64 = 1
        for _ in 0..<6 { inverse = inverse &* (2 &- n[0] &* inverse) }
        self.inverse = 0 &- inverse
        // R mod n and R² mod n by doubling 1 modulo n.
        var value = [UInt64](repeating: 0, count: n.count)
        value[0] = 1
        var one: [UInt64] = []
        for step in 1...(2 * 64 * n.count) {
            Montgomery.doubleModulo(&value, n)
            if step == 64 * n.count { one = value }
        }
        self.one = one
        rSquared = value
    }

    private static func doubleModulo(_ value: inout [UInt64], _ n: [UInt64]) {
        var carry: UInt64 = 0
        for index in value.indices {
            let next = value[index] >> 63
            value[index] = value[index] << 1 | carry
            carry = next
        }
        if carry != 0 || !isLess(value, n) { Limbs.combine(&value, n, subtracting: true) }
    }

    private static func isLess(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        for index in a.indices.reversed() where a[index] != b[index] { return a[index] < b[index] }
        return false
    }

    /// a·b·R⁻¹ mod modulus.
    public func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        let k = modulus.count
        var result = [UInt64](repeating: 0, count: k)
        var scratch = [UInt64](repeating: 0, count: k + 2)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                modulus.withUnsafeBufferPointer { n in
                    result.withUnsafeMutableBufferPointer { r in
                        scratch.withUnsafeMutableBufferPointer { t in
                            Self.multiply(a.baseAddress!, b.baseAddress!, into: r.baseAddress!, scratch: t.baseAddress!,
                                          modulus: n.baseAddress!, count: k, inverse: inverse)
                        }
                    }
                }
            }
        }
        return result
    }

    /// result = a·b·R⁻¹ mod n by coarsely integrated operand scanning; `result` may be `a` or `b`;
    /// `t` holds k + 2 limbs.
    private static func multiply(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, into result: UnsafeMutablePointer<UInt64>,
                                 scratch t: UnsafeMutablePointer<UInt64>, modulus n: UnsafePointer<UInt64>, count k: Int,
                                 inverse: UInt64) {
        t.update(repeating: 0, count: k + 2)
        for i in 0..<k {
            // t += a·b[i]
            var carry: UInt64 = 0
            let bi = UInt128(b[i])
            for j in 0..<k {
                let product = UInt128(a[j]) &* bi &+ UInt128(t[j]) &+ UInt128(carry)
                t[j] = UInt64(truncatingIfNeeded: product)
                carry = UInt64(truncatingIfNeeded: product >> 64)
            }
            let top = UInt128(t[k]) &+ UInt128(carry)
            t[k] = UInt64(truncatingIfNeeded: top)
            t[k + 1] = UInt64(truncatingIfNeeded: top >> 64)
            // t = (t + m·n) / 2^64, with m chosen so the low limb cancels
            let m = UInt128(t[0] &* inverse)
            carry = UInt64(truncatingIfNeeded: (m &* UInt128(n[0]) &+ UInt128(t[0])) >> 64)
            for j in 1..<k {
                let product = m &* UInt128(n[j]) &+ UInt128(t[j]) &+ UInt128(carry)
                t[j - 1] = UInt64(truncatingIfNeeded: product)
                carry = UInt64(truncatingIfNeeded: product >> 64)
            }
            let sum = UInt128(t[k]) &+ UInt128(carry)
            t[k - 1] = UInt64(truncatingIfNeeded: sum)
            t[k] = t[k + 1] &+ UInt64(truncatingIfNeeded: sum >> 64)
        }
        // The result is below 2n: subtract n once when it is not below n.
        var atLeastModulus = t[k] != 0
        if !atLeastModulus {
            atLeastModulus = true
            for index in stride(from: k - 1, through: 0, by: -1) where t[index] != n[index] {
                atLeastModulus = t[index] > n[index]
                break
            }
        }
        var borrow: UInt64 = 0
        for index in 0..<k {
            if atLeastModulus {
                let (x, o1) = t[index].subtractingReportingOverflow(n[index])
                let (y, o2) = x.subtractingReportingOverflow(borrow)
                result[index] = y
                borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
            } else {
                result[index] = t[index]
            }
        }
    }

    /// `value` (< modulus) in Montgomery form.
    public func enter(_ value: [UInt64]) -> [UInt64] { multiply(value, rSquared) }

    /// base^exponent with base in Montgomery form; the result is in Montgomery form. Fixed 4-bit
    /// windows, all in one set of buffers.
    public func power(_ base: [UInt64], _ exponent: Limbs) -> [UInt64] {
        let k = modulus.count
        var table = [UInt64](repeating: 0, count: 16 * k)
        var result = one
        var scratch = [UInt64](repeating: 0, count: k + 2)
        let bits = exponent.bitWidth
        let inverse = self.inverse
        modulus.withUnsafeBufferPointer { n in
            table.withUnsafeMutableBufferPointer { table in
                result.withUnsafeMutableBufferPointer { r in
                    scratch.withUnsafeMutableBufferPointer { t in
                        let table = table.baseAddress!, r = r.baseAddress!, t = t.baseAddress!, n = n.baseAddress!
                        one.withUnsafeBufferPointer { table.update(from: $0.baseAddress!, count: k) }
                        base.withUnsafeBufferPointer { (table + k).update(from: $0.baseAddress!, count: k) }
                        for entry in 2..<16 {
                            Self.multiply(table + (entry - 1) * k, table + k, into: table + entry * k, scratch: t,
                                          modulus: n, count: k, inverse: inverse)
                        }
                        var position = (bits + 3) / 4 * 4
                        while position > 0 {
                            position -= 4
                            for _ in 0..<4 { Self.multiply(r, r, into: r, scratch: t, modulus: n, count: k, inverse: inverse) }
                            var window = 0
                            for bit in 0..<4 where exponent.bit(position + bit) { window |= 1 << bit }
                            if window != 0 {
                                Self.multiply(r, table + window * k, into: r, scratch: t, modulus: n, count: k, inverse: inverse)
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
