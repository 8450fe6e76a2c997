import _CryptoExtras

/// RSA keys drawn from a template's seeded random stream, so a chart that calls `genCA` renders
/// the same key on every run (swift-crypto's generator cannot be seeded). Probable primes by
/// trial division and Miller–Rabin with random bases, as FIPS 186-5 (appendix B.3) describes.
enum SeededRSA {
    static let publicExponent: UInt64 = 65537

    /// Odd primes below 2,000, for trial division.
    static let smallPrimes: [UInt64] = {
        var primes: [UInt64] = []
        var candidate: UInt64 = 3
        while candidate < 2000 {
            if primes.allSatisfy({ candidate % $0 != 0 }) { primes.append(candidate) }
            candidate += 2
        }
        return primes
    }()

    /// A private key with a modulus of exactly `bits` bits (a multiple of 128).
    static func privateKey(bits: Int, random: () -> UInt64) throws -> _RSA.Signing.PrivateKey {
        while true {
            let p = prime(bits: bits / 2, random: random)
            let q = prime(bits: bits / 2, random: random)
            guard p != q else { continue }
            var pMinusOne = p, qMinusOne = q
            pMinusOne.subtract(Limbs(1))
            qMinusOne.subtract(Limbs(1))
            let phi = pMinusOne * qMinusOne
            // e is prime, so gcd(e, φ) = 1 unless e divides φ.
            let phiModE = phi.remainder(dividingBy: publicExponent)
            guard phiModE != 0 else { continue }
            // d = (k·φ + 1) / e with k ≡ -φ⁻¹ (mod e): then d·e ≡ 1 (mod φ) and d < φ.
            let k = publicExponent - inverse(phiModE, modulo: publicExponent)
            var d = phi
            d.multiply(by: k, adding: 1)
            d.divide(by: publicExponent)
            let n = p * q
            return try _RSA.Signing.PrivateKey(
                n: n.bigEndianBytes, e: Limbs(publicExponent).bigEndianBytes, d: d.bigEndianBytes,
                p: p.bigEndianBytes, q: q.bigEndianBytes)
        }
    }

    /// x⁻¹ mod m for a prime m (Fermat: x^(m-2)).
    static func inverse(_ x: UInt64, modulo m: UInt64) -> UInt64 {
        var result: UInt64 = 1, base = x % m, exponent = m - 2
        while exponent > 0 {
            if exponent & 1 == 1 { result = result * base % m }
            base = base * base % m
            exponent >>= 1
        }
        return result
    }

    /// A probable prime of exactly `bits` bits with its two top bits set (so the product of two
    /// has exactly twice as many bits).
    static func prime(bits: Int, random: () -> UInt64) -> Limbs {
        let count = bits / 64
        while true {
            var words = (0..<count).map { _ in random() }
            words[count - 1] |= 0xC000_0000_0000_0000
            words[0] |= 1
            let candidate = Limbs(words: words)
            if smallPrimes.contains(where: { candidate.remainder(dividingBy: $0) == 0 }) { continue }
            if isProbablePrime(candidate, rounds: 8, random: random) { return candidate }
        }
    }

    /// Miller–Rabin with `rounds` random bases in [2, n-2].
    static func isProbablePrime(_ n: Limbs, rounds: Int, random: () -> UInt64) -> Bool {
        var nMinusOne = n
        nMinusOne.subtract(Limbs(1))
        var s = 0
        while !nMinusOne.bit(s) { s += 1 }
        var d = nMinusOne
        for _ in 0..<s { d.divide(by: 2) }
        let field = Montgomery(n)
        let one = field.one
        // n - (R mod n) is -1 in Montgomery form.
        var minusOneLimbs = Limbs(words: field.modulus)
        minusOneLimbs.subtract(Limbs(words: one))
        let minusOne = minusOneLimbs.words
        for _ in 0..<rounds {
            // A base below n - 1: random limbs with the top limb reduced below n's top limb.
            var base = (0..<n.words.count).map { _ in random() }
            base[base.count - 1] %= max(1, n.words[n.words.count - 1])
            if base.dropFirst().allSatisfy({ $0 == 0 }) && base[0] < 2 { base[0] = 2 }
            var x = field.power(field.enter(base), d)
            if x == one || x == minusOne { continue }
            var witness = true
            for _ in 1..<max(s, 1) {
                x = field.multiply(x, x)
                if x == minusOne { witness = false; break }
                if x == one { return false }
            }
            if witness { return false }
        }
        return true
    }
}
