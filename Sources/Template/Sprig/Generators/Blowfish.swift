import Multiprecision

/// Blowfish with the expensive key schedule bcrypt builds on. The initial P-array and S-boxes are
/// the hexadecimal digits of π's fractional part, computed once (Machin's formula in fixed point)
/// rather than spelled out as 1,042 constants.
struct Blowfish {
    private(set) var p: [UInt32]
    private(set) var s: [UInt32]

    /// The cipher before any key: π's digits.
    static let initial: (p: [UInt32], s: [UInt32]) = {
        let words = piFractionWords(count: 18 + 4 * 256)
        return (Array(words[0..<18]), Array(words[18...]))
    }()

    init() {
        (p, s) = Blowfish.initial
    }

    /// The first `count` 32-bit words of π's fractional part: π = 16·atan(1/5) − 4·atan(1/239).
    static func piFractionWords(count: Int) -> [UInt32] {
        let limbs = (count + 1) / 2 + 4  // four guard limbs absorb the truncation of each term
        var pi = arctangentOfInverse(5, fractionLimbs: limbs)
        pi.multiply(by: 16)
        var tail = arctangentOfInverse(239, fractionLimbs: limbs)
        tail.multiply(by: 4)
        pi.subtract(tail)
        var words: [UInt32] = []
        for index in stride(from: limbs - 1, through: 0, by: -1) {
            words.append(UInt32(truncatingIfNeeded: pi.words[index] >> 32))
            words.append(UInt32(truncatingIfNeeded: pi.words[index]))
        }
        return Array(words.prefix(count))
    }

    /// atan(1/x) · 2^(64·fractionLimbs), by its Taylor series.
    private static func arctangentOfInverse(_ x: UInt64, fractionLimbs: Int) -> Limbs {
        var power = Limbs(0, count: fractionLimbs + 1)
        power.words[fractionLimbs] = 1
        power.divide(by: x)
        var sum = power
        var negative = true
        var denominator: UInt64 = 3
        while !power.isZero {
            power.divide(by: x * x)
            var term = power
            term.divide(by: denominator)
            if negative { sum.subtract(term) } else { sum.add(term) }
            negative.toggle()
            denominator += 2
        }
        return sum
    }

    private func f(_ x: UInt32) -> UInt32 {
        ((s[Int(x >> 24)] &+ s[256 + Int(x >> 16 & 0xFF)]) ^ s[512 + Int(x >> 8 & 0xFF)]) &+ s[768 + Int(x & 0xFF)]
    }

    func encrypt(_ left: UInt32, _ right: UInt32) -> (UInt32, UInt32) {
        var l = left, r = right
        for round in stride(from: 0, to: 16, by: 2) {
            l ^= p[round]
            r ^= f(l)
            r ^= p[round + 1]
            l ^= f(r)
        }
        return (r ^ p[17], l ^ p[16])
    }

    /// Encrypts 8 bytes in place (big-endian halves).
    func encrypt(block bytes: inout [UInt8], at offset: Int) {
        func word(_ at: Int) -> UInt32 { (at..<at + 4).reduce(0) { $0 << 8 | UInt32(bytes[$1]) } }
        let (l, r) = encrypt(word(offset), word(offset + 4))
        for (index, value) in [l, r].enumerated() {
            for byte in 0..<4 { bytes[offset + index * 4 + byte] = UInt8(truncatingIfNeeded: value >> UInt32(24 - 8 * byte)) }
        }
    }

    /// The key schedule: P ^= key (cycled), then P and S replaced by successive encryptions of a
    /// block that is XORed with the salt (cycled) first; an empty salt is plain Blowfish's schedule.
    mutating func expand(key: [UInt8], salt: [UInt8] = []) {
        var keyPosition = 0
        for index in 0..<18 { p[index] ^= Self.nextWord(key, &keyPosition) }
        var saltPosition = 0
        var l: UInt32 = 0, r: UInt32 = 0
        func next() -> (UInt32, UInt32) {
            if !salt.isEmpty {
                l ^= Self.nextWord(salt, &saltPosition)
                r ^= Self.nextWord(salt, &saltPosition)
            }
            (l, r) = encrypt(l, r)
            return (l, r)
        }
        for index in stride(from: 0, to: 18, by: 2) {
            let (a, b) = next()
            p[index] = a
            p[index + 1] = b
        }
        for index in stride(from: 0, to: 1024, by: 2) {
            let (a, b) = next()
            s[index] = a
            s[index + 1] = b
        }
    }

    private static func nextWord(_ bytes: [UInt8], _ position: inout Int) -> UInt32 {
        var word: UInt32 = 0
        for _ in 0..<4 {
            word = word << 8 | UInt32(bytes[position])
            position = (position + 1) % bytes.count
        }
        return word
    }
}
