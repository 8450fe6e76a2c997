import Crypto
import Foundation

/// An age X25519 recipient (`age1…`): who a file key is wrapped for.
public struct AgeRecipient: Sendable, Hashable, CustomStringConvertible {
    let publicKey: [UInt8]

    /// Parses `age1…`; nil when it is not an X25519 recipient.
    public init?(_ text: String) {
        guard let (hrp, data) = Bech32.decode(text.trimmingCharacters(in: .whitespaces)), hrp == "age", data.count == 32 else { return nil }
        publicKey = data
    }

    init(publicKey: [UInt8]) { self.publicKey = publicKey }

    public var description: String { Bech32.encode(hrp: "age", data: publicKey) }
}

/// An age X25519 identity (`AGE-SECRET-KEY-1…`): what unwraps file keys. Its description never
/// shows the key.
public struct AgeIdentity: Sendable, CustomStringConvertible {
    /// The X25519 scalar (kept as bytes: the key type is not Sendable).
    private let secret: [UInt8]

    var privateKey: Curve25519.KeyAgreement.PrivateKey {
        // 32 bytes checked at creation: this cannot fail.
        (try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: secret)) ?? Curve25519.KeyAgreement.PrivateKey()
    }

    /// Parses `AGE-SECRET-KEY-1…`; nil when it is not an X25519 identity.
    public init?(_ text: String) {
        guard let (hrp, data) = Bech32.decode(text.trimmingCharacters(in: .whitespaces)), hrp == "age-secret-key-", data.count == 32,
              (try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: data)) != nil else { return nil }
        secret = data
    }

    /// A new random identity.
    public static func generate() -> AgeIdentity { AgeIdentity(privateKey: Curve25519.KeyAgreement.PrivateKey()) }

    init(privateKey: Curve25519.KeyAgreement.PrivateKey) { secret = Array(privateKey.rawRepresentation) }

    public var recipient: AgeRecipient { AgeRecipient(publicKey: Array(privateKey.publicKey.rawRepresentation)) }

    /// The identity as age writes it in a key file (a secret: only for writing that file).
    public var secretText: String { Bech32.encode(hrp: "age-secret-key-", data: Array(privateKey.rawRepresentation)).uppercased() }

    public var description: String { "age identity for \(recipient)" }

    /// Every `AGE-SECRET-KEY-1…` line of an age key file (comments and blank lines skipped).
    public static func parseFile(_ text: String) -> [AgeIdentity] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("AGE-SECRET-KEY-1") ? AgeIdentity(trimmed) : nil
        }
    }
}
