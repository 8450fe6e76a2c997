import Crypto
import _CryptoExtras
import Foundation

/// The age v1 file format (age-encryption.org/v1): a header of recipient stanzas each wrapping the
/// 16-byte file key (X25519, or scrypt for a passphrase), the header's HMAC, then the payload in
/// 64 KiB ChaCha20-Poly1305 chunks (the STREAM construction). Armored files are PEM-like text
/// (`-----BEGIN AGE ENCRYPTED FILE-----`), as sops stores its wrapped data keys.
public enum AgeFile {
    static let intro = "age-encryption.org/v1"
    static let chunkSize = 64 * 1024

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case malformed(String)
        case noIdentityMatches([String])
        case tampered(String)

        public var description: String {
            switch self {
            case .malformed(let why): "not an age file: \(why)"
            case .noIdentityMatches(let recipients): "no key given opens it (it is for \(recipients.isEmpty ? "no X25519 recipient" : recipients.joined(separator: ", ")))"
            case .tampered(let why): "the age file was altered: \(why)"
            }
        }
    }

    struct Stanza {
        var type: String
        var arguments: [String]
        var body: [UInt8]
    }

    // MARK: Encrypting

    /// `plaintext` encrypted for `recipients` (binary, or armored text).
    public static func encrypt(_ plaintext: [UInt8], to recipients: [AgeRecipient], armor: Bool = false) throws -> [UInt8] {
        var fileKey = [UInt8](repeating: 0, count: 16)
        fill(&fileKey)
        var header = intro + "\n"
        for recipient in recipients {
            let ephemeral = Curve25519.KeyAgreement.PrivateKey()
            let share = Array(ephemeral.publicKey.rawRepresentation)
            let shared = try ephemeral.sharedSecretFromKeyAgreement(with: Curve25519.KeyAgreement.PublicKey(rawRepresentation: recipient.publicKey))
            let wrapKey = shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: share + recipient.publicKey,
                                                          sharedInfo: Array("age-encryption.org/v1/X25519".utf8), outputByteCount: 32)
            let body = try seal(fileKey, key: wrapKey)
            header += "-> X25519 \(base64(share))\n" + wrapped(base64(body)) + "\n"
        }
        header += "---"
        let mac = HMAC<SHA256>.authenticationCode(for: Array(header.utf8), using: hkdf(fileKey, salt: [], info: "header"))
        header += " " + base64(Array(mac)) + "\n"
        var nonce = [UInt8](repeating: 0, count: 16)
        fill(&nonce)
        let payloadKey = hkdf(fileKey, salt: nonce, info: "payload")
        var out = Array(header.utf8) + nonce
        var counter: UInt64 = 0
        var offset = 0
        repeat {
            let end = min(offset + chunkSize, plaintext.count)
            let last = end == plaintext.count
            out += try seal(Array(plaintext[offset..<end]), key: payloadKey, nonce: streamNonce(counter, last: last))
            counter += 1
            offset = end
        } while offset < plaintext.count
        return armor ? Array(armored(out).utf8) : out
    }

    // MARK: Decrypting

    /// The plaintext of an age file (binary or armored) for one of `identities`.
    public static func decrypt(_ file: [UInt8], identities: [AgeIdentity], passphrase: String? = nil) throws -> [UInt8] {
        let bytes = try dearmored(file)
        let (stanzas, headerEnd, mac, payloadStart) = try parseHeader(bytes)
        var fileKey: [UInt8]?
        for stanza in stanzas where fileKey == nil {
            switch stanza.type {
            case "X25519":
                guard stanza.arguments.count == 1, let share = unbase64(stanza.arguments[0]), share.count == 32, stanza.body.count == 32 else {
                    throw Failure.malformed("a bad X25519 stanza")
                }
                for identity in identities {
                    guard let publicShare = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: share),
                          let shared = try? identity.privateKey.sharedSecretFromKeyAgreement(with: publicShare) else { continue }
                    if shared.withUnsafeBytes({ $0.allSatisfy { $0 == 0 } }) { continue }
                    let recipient = Array(identity.privateKey.publicKey.rawRepresentation)
                    let wrapKey = shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: share + recipient,
                                                                  sharedInfo: Array("age-encryption.org/v1/X25519".utf8), outputByteCount: 32)
                    if let key = try? open(stanza.body, key: wrapKey), key.count == 16 { fileKey = key; break }
                }
            case "scrypt":
                guard let passphrase else { continue }
                guard stanzas.count == 1 else { throw Failure.malformed("an scrypt stanza must be the only one") }
                guard stanza.arguments.count == 2, let salt = unbase64(stanza.arguments[0]), salt.count == 16,
                      let logN = Int(stanza.arguments[1]), logN > 0, logN <= 22 else { throw Failure.malformed("a bad scrypt stanza") }
                let key = try KDF.Scrypt.deriveKey(from: Array(passphrase.utf8), salt: Array("age-encryption.org/v1/scrypt".utf8) + salt,
                                                   outputByteCount: 32, rounds: 1 << logN, blockSize: 8, parallelism: 1)
                fileKey = try? open(stanza.body, key: key)
            default:
                continue
            }
        }
        guard let fileKey else {
            throw Failure.noIdentityMatches(stanzas.filter { $0.type == "X25519" }.isEmpty ? stanzas.map(\.type) : [])
        }
        let expected = HMAC<SHA256>.authenticationCode(for: Array(bytes[..<headerEnd]), using: hkdf(fileKey, salt: [], info: "header"))
        guard Array(expected) == mac else { throw Failure.tampered("the header's MAC does not match") }
        guard bytes.count >= payloadStart + 16 else { throw Failure.malformed("no payload nonce") }
        let nonce = Array(bytes[payloadStart..<(payloadStart + 16)])
        let payloadKey = hkdf(fileKey, salt: nonce, info: "payload")
        var out: [UInt8] = []
        var offset = payloadStart + 16
        var counter: UInt64 = 0
        let sealedChunk = chunkSize + 16
        while true {
            let end = min(offset + sealedChunk, bytes.count)
            let last = end == bytes.count
            guard let chunk = try? open(Array(bytes[offset..<end]), key: payloadKey, nonce: streamNonce(counter, last: last)) else {
                throw Failure.tampered("payload chunk \(counter) does not authenticate")
            }
            if !last && chunk.isEmpty { throw Failure.malformed("an empty chunk before the last") }
            out += chunk
            if last { break }
            counter += 1
            offset = end
        }
        return out
    }

    /// The recipients' descriptions of a file's stanzas (for messages: whom it is for).
    public static func stanzaTypes(_ file: [UInt8]) -> [String] {
        guard let bytes = try? dearmored(file), let header = try? parseHeader(bytes) else { return [] }
        return header.stanzas.map { $0.type }
    }

    static func parseHeader(_ bytes: [UInt8]) throws -> (stanzas: [Stanza], headerEnd: Int, mac: [UInt8], payloadStart: Int) {
        var position = 0
        func line() throws -> String {
            guard let newline = bytes[position...].firstIndex(of: 10) else { throw Failure.malformed("a header line without its end") }
            let text = String(decoding: bytes[position..<newline], as: UTF8.self)
            position = newline + 1
            return text
        }
        guard try line() == intro else { throw Failure.malformed("the first line is not \(intro)") }
        var stanzas: [Stanza] = []
        while true {
            let lineStart = position
            let text = try line()
            if text.hasPrefix("---") {
                let parts = text.split(separator: " ")
                guard parts.count == 2, parts[0] == "---", let mac = unbase64(String(parts[1])), mac.count == 32 else {
                    throw Failure.malformed("a bad MAC line")
                }
                return (stanzas, lineStart + 3, mac, position)
            }
            guard text.hasPrefix("-> ") else { throw Failure.malformed("a header line that starts neither a stanza nor the MAC") }
            let fields = text.dropFirst(3).split(separator: " ").map(String.init)
            guard let type = fields.first else { throw Failure.malformed("a stanza without a type") }
            var body = ""
            while true {
                let bodyLine = try line()
                guard bodyLine.count <= 64 else { throw Failure.malformed("a stanza body line longer than 64 columns") }
                body += bodyLine
                if bodyLine.count < 64 { break }
            }
            guard let decoded = unbase64(body) else { throw Failure.malformed("a stanza body that is not base64") }
            stanzas.append(Stanza(type: type, arguments: Array(fields.dropFirst()), body: decoded))
        }
    }

    // MARK: Armor

    static let armorBegin = "-----BEGIN AGE ENCRYPTED FILE-----"
    static let armorEnd = "-----END AGE ENCRYPTED FILE-----"

    static func armored(_ bytes: [UInt8]) -> String {
        let text = Data(bytes).base64EncodedString()
        var lines = [armorBegin]
        var index = text.startIndex
        while index < text.endIndex {
            let end = text.index(index, offsetBy: 64, limitedBy: text.endIndex) ?? text.endIndex
            lines.append(String(text[index..<end]))
            index = end
        }
        lines.append(armorEnd)
        return lines.joined(separator: "\n") + "\n"
    }

    static func dearmored(_ bytes: [UInt8]) throws -> [UInt8] {
        let text = String(decoding: bytes.prefix(64), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix(armorBegin) else { return bytes }
        let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: armorBegin), let end = lines.firstIndex(of: armorEnd), begin < end,
              let decoded = Data(base64Encoded: lines[(begin + 1)..<end].joined()) else {
            throw Failure.malformed("bad armor")
        }
        return Array(decoded)
    }

    // MARK: Primitives

    static func hkdf(_ key: [UInt8], salt: [UInt8], info: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: key), salt: salt, info: Array(info.utf8), outputByteCount: 32)
    }

    static func streamNonce(_ counter: UInt64, last: Bool) -> [UInt8] {
        [0, 0, 0] + (0..<8).map { UInt8(truncatingIfNeeded: counter >> (8 * (7 - $0))) } + [last ? 1 : 0]
    }

    static func seal(_ plaintext: [UInt8], key: SymmetricKey, nonce: [UInt8] = [UInt8](repeating: 0, count: 12)) throws -> [UInt8] {
        let box = try ChaChaPoly.seal(plaintext, using: key, nonce: ChaChaPoly.Nonce(data: nonce))
        return Array(box.ciphertext) + Array(box.tag)
    }

    static func open(_ sealed: [UInt8], key: SymmetricKey, nonce: [UInt8] = [UInt8](repeating: 0, count: 12)) throws -> [UInt8] {
        guard sealed.count >= 16 else { throw Failure.malformed("a sealed box shorter than its tag") }
        let box = try ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: sealed.dropLast(16), tag: sealed.suffix(16))
        return Array(try ChaChaPoly.open(box, using: key))
    }

    /// Base64 without padding, as age writes it.
    static func base64(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Unpadded base64 (padding refused, as age refuses it).
    static func unbase64(_ text: String) -> [UInt8]? {
        guard !text.contains("=") else { return nil }
        let padded = text + String(repeating: "=", count: (4 - text.count % 4) % 4)
        return Data(base64Encoded: padded).map(Array.init)
    }

    static func wrapped(_ text: String) -> String {
        var lines: [String] = []
        var index = text.startIndex
        repeat {
            let end = text.index(index, offsetBy: 64, limitedBy: text.endIndex) ?? text.endIndex
            lines.append(String(text[index..<end]))
            index = end
        } while index < text.endIndex
        if lines.last?.count == 64 { lines.append("") }
        return lines.joined(separator: "\n")
    }

    static func fill(_ bytes: inout [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
    }
}
