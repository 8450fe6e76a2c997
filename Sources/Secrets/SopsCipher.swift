import Crypto
import Foundation

/// One SOPS value: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`, AES-256-GCM with a 32-byte IV and
/// the value's key path (`a:b:`) as additional data.
struct SopsCipher {
    struct Encrypted {
        var data: [UInt8]
        var iv: [UInt8]
        var tag: [UInt8]
        var type: String
    }

    /// A decrypted value with its SOPS type (`str`, `int`, `float`, `bool`, `bytes`, `comment`).
    struct Plain: Hashable {
        var text: String
        var type: String
    }

    static func parse(_ value: String) -> Encrypted? {
        guard value.hasPrefix("ENC[AES256_GCM,"), value.hasSuffix("]") else { return nil }
        var fields: [String: String] = [:]
        for part in value.dropFirst("ENC[AES256_GCM,".count).dropLast().split(separator: ",") {
            guard let colon = part.firstIndex(of: ":") else { return nil }
            fields[String(part[..<colon])] = String(part[part.index(after: colon)...])
        }
        guard let data = fields["data"].flatMap({ Data(base64Encoded: $0) }), let iv = fields["iv"].flatMap({ Data(base64Encoded: $0) }),
              let tag = fields["tag"].flatMap({ Data(base64Encoded: $0) }), let type = fields["type"] else { return nil }
        return Encrypted(data: Array(data), iv: Array(iv), tag: Array(tag), type: type)
    }

    static func decrypt(_ value: Encrypted, key: [UInt8], path: String) throws -> Plain {
        let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: value.iv), ciphertext: value.data, tag: value.tag)
        let plain = try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: Array(path.utf8))
        return Plain(text: String(decoding: plain, as: UTF8.self), type: value.type)
    }

    static func encrypt(_ plain: Plain, key: [UInt8], path: String, iv: [UInt8]? = nil) throws -> String {
        var nonce = iv ?? [UInt8](repeating: 0, count: 32)
        if iv == nil { AgeFile.fill(&nonce) }
        let box = try AES.GCM.seal(Array(plain.text.utf8), using: SymmetricKey(data: key), nonce: AES.GCM.Nonce(data: nonce),
                                   authenticating: Array(path.utf8))
        return "ENC[AES256_GCM,data:\(Data(box.ciphertext).base64EncodedString()),iv:\(Data(nonce).base64EncodedString()),tag:\(Data(box.tag).base64EncodedString()),type:\(plain.type)]"
    }
}
