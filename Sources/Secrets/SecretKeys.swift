import Foundation

/// The age identities gitops decrypts with, found as sops finds them: `SOPS_AGE_KEY` (the key
/// text), `SOPS_AGE_KEY_FILE`, else `$XDG_CONFIG_HOME/sops/age/keys.txt` (default
/// `~/.config/sops/age/keys.txt`); plus files given explicitly (`--age-key-file`, the sync job's
/// mounted Secret).
public struct SecretKeys: Sendable {
    public var identities: [AgeIdentity]
    /// Where they came from, for messages (never the keys themselves).
    public var sources: [String]

    public init(identities: [AgeIdentity] = [], sources: [String] = []) {
        self.identities = identities
        self.sources = sources
    }

    public static func standard(files: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment) -> SecretKeys {
        var keys = SecretKeys()
        for file in files { keys.load(file) }
        if let text = environment["SOPS_AGE_KEY"], !text.isEmpty {
            let found = AgeIdentity.parseFile(text)
            keys.identities += found
            if !found.isEmpty { keys.sources.append("SOPS_AGE_KEY") }
        }
        if let file = environment["SOPS_AGE_KEY_FILE"], !file.isEmpty {
            keys.load(file)
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
            keys.load(config + "/sops/age/keys.txt")
        }
        return keys
    }

    mutating func load(_ file: String) {
        guard let data = FileManager.default.contents(atPath: file) else { return }
        let found = AgeIdentity.parseFile(String(decoding: data, as: UTF8.self))
        identities += found
        if !found.isEmpty { sources.append(file) }
    }
}
