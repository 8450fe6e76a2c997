/// Modular arithmetic for one odd modulus in Montgomery form (R = 2^(64·k)), enough for the
/// modular exponentiations of a Miller–Rabin test.
struct Montgomery {
    let modulus: [UInt64]
    /// -modulus⁻¹ mod 2^64.
    private let inverse: UInt64
    /// R² mod modulus, to enter Montgomery form.
    private let rSquared: [UInt64]
    /// 1 in Montgomery form (R mod modulus).
    let one: [UInt64]

    init(_ modulus: Limbs) {
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

    /// a·b·R⁻¹ mod modulus (coarsely integrated operand scanning).
    func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        let k = modulus.count
        var t = [UInt64](repeating: 0, count: k + 2)
        for i in 0..<k {
            var carry: UInt64 = 0
            for j in 0..<k {
                let (high, low) = a[j].multipliedFullWidth(by: b[i])
                let (s1, o1) = low.addingReportingOverflow(t[j])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                t[j] = s2
                carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            let (top, topOverflow) = t[k].addingReportingOverflow(carry)
            t[k] = top
            t[k + 1] = topOverflow ? 1 : 0

            let m = t[0] &* inverse
            var (high, low) = m.multipliedFullWidth(by: modulus[0])
            carry = high &+ (low.addingReportingOverflow(t[0]).overflow ? 1 : 0)
            for j in 1..<k {
                (high, low) = m.multipliedFullWidth(by: modulus[j])
                let (s1, o1) = low.addingReportingOverflow(t[j])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                t[j - 1] = s2
                carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            let (s, o) = t[k].addingReportingOverflow(carry)
            t[k - 1] = s
            t[k] = t[k + 1] &+ (o ? 1 : 0)
        }
        var result = Array(t[0..<k])
        if t[k] != 0 || !Montgomery.isLess(result, modulus) { Limbs.combine(&result, modulus, subtracting: true) }
        return result
    }

    /// `value` (< modulus) in Montgomery form.
    func enter(_ value: [UInt64]) -> [UInt64] { multiply(value, rSquared) }

    /// base^exponent with base in Montgomery form; the result is in Montgomery form.
    func power(_ base: [UInt64], _ exponent: Limbs) -> [UInt64] {
        // Fixed 4-bit windows.
        var table = [one, base]
        for _ in 2..<16 { table.append(multiply(table[table.count - 1], base)) }
        var result = one
        let bits = exponent.bitWidth
        var position = (bits + 3) / 4 * 4
        while position > 0 {
            position -= 4
            for _ in 0..<4 { result = multiply(result, result) }
            var window = 0
            for bit in 0..<4 where exponent.bit(position + bit) { window |= 1 << bit }
            if window != 0 { result = multiply(result, table[window]) }
        }
        return result
    }
}
