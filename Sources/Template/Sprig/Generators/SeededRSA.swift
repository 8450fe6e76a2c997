import _CryptoExtras
import Multiprecision

/// RSA keys drawn from a template's seeded random stream, so a chart that calls `genCA` renders
/// the same key on every run (swift-crypto's generator cannot be seeded).
enum SeededRSA {
    static let publicExponent: UInt64 = 65537

    /// A private key with a modulus of exactly `bits` bits (a multiple of 128).
    static func privateKey(bits: Int, random: () -> UInt64) throws -> _RSA.Signing.PrivateKey {
        while true {
            let p = Primes.probablePrime(bits: bits / 2, random: random)
            let q = Primes.probablePrime(bits: bits / 2, random: random)
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
}
