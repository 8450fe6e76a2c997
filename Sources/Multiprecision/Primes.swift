/// Probable primes by trial division and Miller–Rabin with random bases, as FIPS 186-5
/// (appendix B.3) describes; the randomness (and so the result) comes from the caller.
public enum Primes {
    /// Odd primes below 2,000, for trial division.
    public static let smallPrimes: [UInt64] = {
        var primes: [UInt64] = []
        var candidate: UInt64 = 3
        while candidate < 2000 {
            if primes.allSatisfy({ candidate % $0 != 0 }) { primes.append(candidate) }
            candidate += 2
        }
        return primes
    }()

    /// A probable prime of exactly `bits` bits with its two top bits set (so the product of two
    /// has exactly twice as many bits).
    public static func probablePrime(bits: Int, random: () -> UInt64) -> Limbs {
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
    public static func isProbablePrime(_ n: Limbs, rounds: Int, random: () -> UInt64) -> Bool {
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
