import _CryptoExtras
import Crypto
import Foundation
import X509

/// A private key as Sprig's generators hold it, PEM-encoded the way Go's `pemBlockForKey` does:
/// RSA as PKCS#1 (`RSA PRIVATE KEY`), ECDSA as SEC 1 (`EC PRIVATE KEY`), Ed25519 as PKCS#8
/// (`PRIVATE KEY`).
enum SprigPrivateKey {
    case rsa(_RSA.Signing.PrivateKey)
    case p256(P256.Signing.PrivateKey)
    case p384(P384.Signing.PrivateKey)
    case p521(P521.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)

    /// `genPrivateKey`'s key types: RSA 4096 (the default), ECDSA P-256, Ed25519. Seeded streams
    /// give repeatable keys; DSA (deprecated, and without a swift-crypto implementation) is refused.
    static func generate(_ type: String, random: TemplateRandom.Stream) throws -> SprigPrivateKey {
        switch type {
        case "", "rsa": return try rsa(bits: 4096, random: random)
        case "ecdsa":
            guard random.isSeeded else { return .p256(P256.Signing.PrivateKey()) }
            while true {
                if let key = try? P256.Signing.PrivateKey(rawRepresentation: random.bytes(32)) { return .p256(key) }
            }
        case "ed25519":
            guard random.isSeeded else { return .ed25519(Curve25519.Signing.PrivateKey()) }
            return .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: random.bytes(32)))
        case "dsa":
            throw FunctionError("dsa keys are not supported by gitops (DSA is deprecated); use \"ecdsa\", \"ed25519\" or \"rsa\"")
        default:
            throw FunctionError("Unknown type \(type)")
        }
    }

    static func rsa(bits: Int, random: TemplateRandom.Stream) throws -> SprigPrivateKey {
        guard random.isSeeded else { return .rsa(try _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits))) }
        return .rsa(try SeededRSA.privateKey(bits: bits, random: random.next))
    }

    /// Parses a PEM private key as Sprig's `parsePrivateKeyPEM` does, with its error messages.
    init(pem: String) throws {
        guard let block = PEMBlock(first: pem) else { throw FunctionError("no PEM data in input") }
        switch block.type {
        case "PRIVATE KEY":
            if block.bytes.count == 48, block.bytes.starts(with: Self.ed25519PKCS8Prefix),
               let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: block.bytes.suffix(32)) {
                self = .ed25519(key)
            } else if let key = Self.ecdsa(der: block.bytes) {
                self = key
            } else if let key = try? _RSA.Signing.PrivateKey(derRepresentation: block.bytes) {
                self = .rsa(key)
            } else {
                throw FunctionError("decoding PEM as PKCS#8: x509: failed to parse private key")
            }
        case "RSA PRIVATE KEY":
            guard let key = try? _RSA.Signing.PrivateKey(derRepresentation: block.bytes) else {
                throw FunctionError("parsing RSA private key from PEM: x509: failed to parse private key")
            }
            self = .rsa(key)
        case "EC PRIVATE KEY":
            guard let key = Self.ecdsa(der: block.bytes) else {
                throw FunctionError("parsing EC private key from PEM: x509: failed to parse EC private key")
            }
            self = key
        case "DSA PRIVATE KEY":
            throw FunctionError("DSA private keys are not supported by gitops (DSA is deprecated); use an ecdsa, ed25519 or rsa key")
        case let type where type.hasSuffix(" PRIVATE KEY"):
            throw FunctionError("invalid private key type \(type)")
        case let type:
            throw FunctionError("no private key data in PEM block of type \(type)")
        }
    }

    private static func ecdsa(der: [UInt8]) -> SprigPrivateKey? {
        if let key = try? P256.Signing.PrivateKey(derRepresentation: der) { return .p256(key) }
        if let key = try? P384.Signing.PrivateKey(derRepresentation: der) { return .p384(key) }
        if let key = try? P521.Signing.PrivateKey(derRepresentation: der) { return .p521(key) }
        return nil
    }

    static let ed25519PKCS8Prefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70,
                                             0x04, 0x22, 0x04, 0x20]

    /// The key for swift-certificates (signing and its public half).
    var certificateKey: Certificate.PrivateKey {
        switch self {
        case .rsa(let key): return Certificate.PrivateKey(key)
        case .p256(let key): return Certificate.PrivateKey(key)
        case .p384(let key): return Certificate.PrivateKey(key)
        case .p521(let key): return Certificate.PrivateKey(key)
        case .ed25519(let key): return Certificate.PrivateKey(key)
        }
    }

    /// The PEM text Go's `pem.EncodeToMemory(pemBlockForKey(key))` prints.
    var pem: String {
        switch self {
        case .rsa(let key): return PEMBlock(type: "RSA PRIVATE KEY", bytes: Array(key.derRepresentation)).encoded
        case .p256(let key):
            return Self.sec1(scalar: Array(key.rawRepresentation), publicKey: Array(key.publicKey.x963Representation),
                             curve: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07])
        case .p384(let key):
            return Self.sec1(scalar: Array(key.rawRepresentation), publicKey: Array(key.publicKey.x963Representation),
                             curve: [0x2B, 0x81, 0x04, 0x00, 0x22])
        case .p521(let key):
            return Self.sec1(scalar: Array(key.rawRepresentation), publicKey: Array(key.publicKey.x963Representation),
                             curve: [0x2B, 0x81, 0x04, 0x00, 0x23])
        case .ed25519(let key):
            return PEMBlock(type: "PRIVATE KEY", bytes: Self.ed25519PKCS8Prefix + Array(key.rawRepresentation)).encoded
        }
    }

    /// SEC 1 `ECPrivateKey` with the curve's OID and the public key, as Go's `MarshalECPrivateKey` writes it.
    private static func sec1(scalar: [UInt8], publicKey: [UInt8], curve: [UInt8]) -> String {
        let der = DERBytes.sequence(
            DERBytes.tlv(0x02, [0x01])
                + DERBytes.tlv(0x04, scalar)
                + DERBytes.tlv(0xA0, DERBytes.tlv(0x06, curve))
                + DERBytes.tlv(0xA1, DERBytes.tlv(0x03, [0x00] + publicKey)))
        return PEMBlock(type: "EC PRIVATE KEY", bytes: der).encoded
    }
}

/// The few DER encodings the key formats need.
enum DERBytes {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var length: [UInt8]
        if content.count < 0x80 {
            length = [UInt8(content.count)]
        } else {
            var count = content.count
            length = []
            while count > 0 { length.insert(UInt8(count & 0xFF), at: 0); count >>= 8 }
            length.insert(0x80 | UInt8(length.count), at: 0)
        }
        return [tag] + length + content
    }

    static func sequence(_ content: [UInt8]) -> [UInt8] { tlv(0x30, content) }
}

/// One PEM block, encoded as Go's `encoding/pem` does (64-column base64 lines).
struct PEMBlock {
    var type: String
    var bytes: [UInt8]

    init(type: String, bytes: [UInt8]) {
        self.type = type
        self.bytes = bytes
    }

    /// The first block in `text`, nil when there is none (or its base64 is broken).
    init?(first text: String) {
        guard let begin = text.range(of: "-----BEGIN "),
              let typeEnd = text.range(of: "-----", range: begin.upperBound..<text.endIndex) else { return nil }
        let type = String(text[begin.upperBound..<typeEnd.lowerBound])
        guard let end = text.range(of: "-----END \(type)-----", range: typeEnd.upperBound..<text.endIndex) else { return nil }
        let body = text[typeEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(body)) else { return nil }
        self.type = type
        bytes = Array(data)
    }

    var encoded: String {
        let base64 = Data(bytes).base64EncodedString()
        var out = "-----BEGIN \(type)-----\n"
        var index = base64.startIndex
        while index < base64.endIndex {
            let next = base64.index(index, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            out += base64[index..<next] + "\n"
            index = next
        }
        return out + "-----END \(type)-----\n"
    }
}
