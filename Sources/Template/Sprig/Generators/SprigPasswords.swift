import _CryptoExtras
import Crypto
import Foundation

/// bcrypt as Go's `golang.org/x/crypto/bcrypt` computes it (version `2a`).
enum Bcrypt {
    static let defaultCost = 10
    static let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `$2a$<cost>$<22 salt characters><31 hash characters>` for a 16-byte salt.
    static func hash(_ password: [UInt8], salt: [UInt8], cost: Int = defaultCost) throws -> String {
        guard password.count <= 72 else { throw FunctionError("bcrypt: password length exceeds 72 bytes") }
        let key = password + [0]
        var cipher = Blowfish()
        cipher.expand(key: key, salt: salt)
        for _ in 0..<(1 << cost) {
            cipher.expand(key: key)
            cipher.expand(key: salt)
        }
        var text = Array("OrpheanBeholderScryDoubt".utf8)
        for offset in stride(from: 0, to: 24, by: 8) {
            for _ in 0..<64 { cipher.encrypt(block: &text, at: offset) }
        }
        let costText = cost < 10 ? "0\(cost)" : "\(cost)"
        return "$2a$\(costText)$" + encode(salt) + encode(Array(text.prefix(23)))
    }

    /// Base64 in bcrypt's alphabet, without padding.
    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << UInt32(16 - 8 * $1.offset) }
            for position in 0...chunk.count { out.append(alphabet[Int(value >> UInt32(18 - 6 * position) & 0x3F)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Master Password (v3) as Sprig's `derivePassword` implements it.
enum MasterPassword {
    static let templates: [String: [String]] = [
        "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long": ["CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
                 "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
                 "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
                 "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
                 "CvccCvcvCvccno"],
        "medium": ["CvcnoCvc", "CvcCvcno"],
        "short": ["Cvcn"],
        "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
        "pin": ["nnnn"],
    ]
    static let characters: [Character: [UInt8]] = [
        "V": "AEIOU", "C": "BCDFGHJKLMNPQRSTVWXYZ", "v": "aeiou", "c": "bcdfghjklmnpqrstvwxyz",
        "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ", "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        "n": "0123456789", "o": "@&%?,=[]_:-+*$#!'^~;()/.",
        "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    ].mapValues { Array($0.utf8) }
    static let scope = Array("com.lyndir.masterpassword".utf8)

    static func derive(counter: UInt32, type: String, password: String, user: String, site: String) throws -> String {
        guard let choices = templates[type] else { return "cannot find password template \(type)" }
        let salt = scope + bigEndian(UInt32(truncatingIfNeeded: user.utf8.count)) + Array(user.utf8)
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: 64,
                                          rounds: 32768, blockSize: 8, parallelism: 2, maxMemory: 128 * 1024 * 1024)
        let message = scope + bigEndian(UInt32(truncatingIfNeeded: site.utf8.count)) + Array(site.utf8) + bigEndian(counter)
        let seed = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        let template = Array(choices[Int(seed[0]) % choices.count])
        var out: [UInt8] = []
        for (index, class_) in template.enumerated() {
            let alphabet = characters[class_]!
            out.append(alphabet[Int(seed[index + 1]) % alphabet.count])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

/// `bcrypt`, `htpasswd`, `derivePassword`, and `getHostByName` (empty, as Helm returns it unless
/// DNS lookups are enabled: a render never touches the network). bcrypt's salt comes from the
/// template's random stream, so a seeded render hashes to the same text each time.
enum SprigPasswords {
    static let functions: [String: TemplateFunction] = {
        @Sendable func bcrypt(_ context: CallContext, _ password: String) -> String {
            do {
                return try Bcrypt.hash(Array(password.utf8), salt: context.random.bytes(16))
            } catch {
                return "failed to encrypt string with bcrypt: \(error)"
            }
        }
        return [
            "bcrypt": TemplateFunction(arguments: 1) { context, a in .string(bcrypt(context, try SV.string(a[0]))) },
            "htpasswd": TemplateFunction(arguments: 2) { context, a in
                let user = try SV.string(a[0])
                if user.contains(":") { return .string("invalid username: \(user)") }
                return .string("\(user):\(bcrypt(context, try SV.string(a[1])))")
            },
            "derivePassword": TemplateFunction(arguments: 5) { _, a in
                let counter = try SV.int(a[0])
                return .string(try MasterPassword.derive(
                    counter: UInt32(truncatingIfNeeded: counter), type: try SV.string(a[1]), password: try SV.string(a[2]),
                    user: try SV.string(a[3]), site: try SV.string(a[4])))
            },
            "getHostByName": TemplateFunction(arguments: 1) { _, a in
                _ = try SV.string(a[0])
                return .string("")
            },
        ]
    }()
}
