import Crypto

/// Digests and checksums for Sprig's hash functions (swift-crypto for SHA).
enum Hashes {
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func sha1(_ bytes: [UInt8]) -> [UInt8] { Array(Insecure.SHA1.hash(data: bytes)) }
    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }
    static func sha512(_ bytes: [UInt8]) -> [UInt8] { Array(SHA512.hash(data: bytes)) }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return (b << 16) | a
    }
}

/// RFC 4648 base32 with padding (Go's `base32.StdEncoding`).
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let chunk = Array(bytes[i..<min(i + 5, bytes.count)]) + Array(repeating: 0, count: max(0, i + 5 - bytes.count))
            var bits: UInt64 = 0
            for b in chunk { bits = bits << 8 | UInt64(b) }
            let count = min(5, bytes.count - i)
            let chars = [2, 4, 5, 7, 8][count - 1]
            for j in 0..<8 {
                out.append(j < chars ? alphabet[Int((bits >> UInt64(35 - j * 5)) & 31)] : UInt8(ascii: "="))
            }
            i += 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ s: String) -> [UInt8]? {
        var bits: UInt64 = 0
        var count = 0
        var out: [UInt8] = []
        let text = Array(s.utf8)
        guard text.count % 8 == 0 else { return nil }
        for c in text where c != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: c) else { return nil }
            bits = bits << 5 | UInt64(value)
            count += 5
            if count >= 8 {
                count -= 8
                out.append(UInt8((bits >> UInt64(count)) & 0xFF))
            }
        }
        return out
    }

    static func firstBadBase64(_ s: String) -> Int {
        let valid = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".utf8)
        return Array(s.utf8).firstIndex { !valid.contains($0) } ?? s.utf8.count
    }
}
