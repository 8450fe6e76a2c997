import _CryptoExtras
import Crypto
import Foundation

/// Sprig's AES helpers: AES-256-CBC with a random IV prepended and PKCS#7 padding, base64. The IV
/// comes from the template's random stream, so a seeded render encrypts to the same text each time.
enum SprigCrypto {
    static let functions: [String: TemplateFunction] = [
        "encryptAES": TemplateFunction(arguments: 2) { context, a in
            .string(try encrypt(password: try SV.string(a[0]), plaintext: try SV.string(a[1]),
                                iv: context.random.bytes(16)))
        },
        "decryptAES": TemplateFunction(arguments: 2) { _, a in
            .string(try decrypt(password: try SV.string(a[0]), encoded: try SV.string(a[1])))
        },
    ]

    static func key(_ password: String) -> SymmetricKey {
        var bytes = Array(password.utf8.prefix(32))
        bytes += Array(repeating: 0, count: 32 - bytes.count)
        return SymmetricKey(data: bytes)
    }

    static func encrypt(password: String, plaintext: String, iv ivBytes: [UInt8]) throws -> String {
        if plaintext.isEmpty { return "" }
        var content = Array(plaintext.utf8)
        let padding = 16 - content.count % 16
        content += Array(repeating: UInt8(padding), count: padding)
        let iv = try AES._CBC.IV(ivBytes: ivBytes)
        let sealed = try AES._CBC.encrypt(content, using: key(password), iv: iv, noPadding: true)
        return Data(ivBytes + Array(sealed)).base64EncodedString()
    }

    static func decrypt(password: String, encoded: String) throws -> String {
        guard let data = Data(base64Encoded: encoded) else { throw FunctionError("illegal base64 data") }
        let bytes = Array(data)
        guard bytes.count >= 16, (bytes.count - 16) % 16 == 0 else {
            throw FunctionError("ciphertext is not a multiple of the block size")
        }
        let iv = try AES._CBC.IV(ivBytes: Array(bytes[..<16]))
        var plain = Array(try AES._CBC.decrypt(Array(bytes[16...]), using: key(password), iv: iv, noPadding: true))
        if let last = plain.last, last > 0, Int(last) <= plain.count { plain.removeLast(Int(last)) }
        return String(decoding: plain, as: UTF8.self)
    }
}
