import ArgumentParser
import Basics
import Foundation
import Secrets

/// `gitops secret`: SOPS files with age keys, compatible both ways with `sops` and `age`.
struct SecretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret",
        abstract: "Encrypt, decrypt, edit and rotate SOPS-encrypted files (age keys).",
        discussion: """
            Files are SOPS files, read and written as `sops` does; keys are age keys (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE,
            else ~/.config/sops/age/keys.txt). Recipients and rules come from --age and the encryption flags, else from the
            first creation rule of .sops.yaml (from the current folder upwards) that matches the file. encrypt, edit and
            rotate rewrite the file in place, atomically; decrypt prints the plaintext (it is what you asked for).
            """,
        subcommands: [SecretEncryptCommand.self, SecretDecryptCommand.self, SecretEditCommand.self, SecretRotateCommand.self, SecretKeygenCommand.self])
}

/// How values are chosen for encryption, as sops' flags say it.
struct SecretRuleOptions: ParsableArguments {
    @Option(name: .long, help: "An age recipient (age1...); repeatable. Default: the matching .sops.yaml creation rule.")
    var age: [String] = []

    @Option(name: .customLong("encrypted-regex"), help: "Encrypt only values under keys matching this regex (e.g. '^(data|stringData)$' for Secrets).")
    var encryptedRegex: String?

    @Option(name: .customLong("unencrypted-regex"), help: "Leave values under keys matching this regex in plaintext.")
    var unencryptedRegex: String?

    @Option(name: .customLong("encrypted-suffix"), help: "Encrypt only values under keys ending with this suffix.")
    var encryptedSuffix: String?

    @Option(name: .customLong("unencrypted-suffix"), help: "Leave values under keys ending with this suffix in plaintext (default _unencrypted).")
    var unencryptedSuffix: String?

    @Flag(name: .customLong("mac-only-encrypted"), help: "Compute the MAC over encrypted values only.")
    var macOnlyEncrypted = false

    var givesRules: Bool { encryptedRegex != nil || unencryptedRegex != nil || encryptedSuffix != nil || unencryptedSuffix != nil || macOnlyEncrypted }

    /// Recipients and rules for `file`: the flags, else the .sops.yaml creation rule.
    func resolve(for file: String) throws -> (recipients: [AgeRecipient], rules: SopsFile.Rules) {
        var recipients: [AgeRecipient] = []
        for text in age {
            guard let recipient = AgeRecipient(text) else { throw CommandFailure("--age '\(text)' is not an age recipient (age1...)") }
            recipients.append(recipient)
        }
        var rules = SopsFile.Rules(unencryptedSuffix: unencryptedSuffix, encryptedSuffix: encryptedSuffix, unencryptedRegex: unencryptedRegex,
                                   encryptedRegex: encryptedRegex, macOnlyEncrypted: macOnlyEncrypted)
        if recipients.isEmpty || !givesRules, let config = SopsConfig.find(from: FileManager.default.currentDirectoryPath) {
            var rule: SopsConfig.Rule?
            switch Result(catching: { () throws(DiagnosticError) in try SopsConfig.rule(for: file, config: config) }) {
            case .success(let found): rule = found
            case .failure(let error):
                // --age names the recipients: a .sops.yaml written for other files does not matter.
                guard !recipients.isEmpty, error.diagnostics.allSatisfy({ $0.code == SopsConfig.noMatchingRule }) else { throw error }
            }
            if let rule {
                if recipients.isEmpty { recipients = rule.recipients }
                if !givesRules { rules = rule.rules }
            }
        }
        if rules == SopsFile.Rules() { rules.unencryptedSuffix = "_unencrypted" }
        guard !recipients.isEmpty else {
            throw CommandFailure("no recipient for \(file): pass --age age1..., or add a creation rule with age recipients to .sops.yaml")
        }
        return (recipients, rules)
    }
}

/// Reads, decrypts, writes.
enum SecretFiles {
    static func read(_ file: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
        return Array(data)
    }

    static func decrypt(_ file: String) throws -> SopsFile.Decrypted {
        let bytes = try read(file)
        guard SopsFile.isEncrypted(bytes) else { throw CommandFailure("\(file) is not SOPS-encrypted (no sops: block with a mac)") }
        return try SopsFile.decrypt(bytes, file: file, identities: SecretKeys.standard().identities)
    }

    static func recipients(of decrypted: SopsFile.Decrypted, file: String) throws -> [AgeRecipient] {
        let recipients = decrypted.metadataRecipients.compactMap(AgeRecipient.init)
        guard !recipients.isEmpty else { throw CommandFailure("\(file) has no age recipient to encrypt for; pass --age") }
        return recipients
    }
}

struct SecretEncryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "encrypt", abstract: "Encrypt a YAML file in place (as sops encrypt -i).")

    @Argument(help: "The plaintext YAML file.")
    var file: String

    @OptionGroup var rules: SecretRuleOptions

    func run() throws {
        let bytes = try SecretFiles.read(file)
        if SopsFile.isEncrypted(bytes) { throw CommandFailure("\(file) is encrypted already; use `gitops secret edit` or `rotate`") }
        let (recipients, rules) = try rules.resolve(for: file)
        let sealed = try SopsFile.encrypt(bytes, file: file, recipients: recipients, rules: rules)
        try AtomicFile.write(sealed, to: file)
        Output.error("encrypted \(file) for \(recipients.map(\.description).joined(separator: ", "))")
    }
}

struct SecretDecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decrypt", abstract: "Print a SOPS file's plaintext (as sops decrypt).")

    @Argument(help: "The SOPS-encrypted file.")
    var file: String

    func run() throws {
        let decrypted = try SecretFiles.decrypt(file)
        // The plaintext is what was asked for: not redacted.
        FileHandle.standardOutput.write(Data(decrypted.text))
    }
}

struct SecretEditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit", abstract: "Edit a SOPS file's plaintext in $EDITOR and encrypt it again.",
        discussion: """
            The plaintext goes to a file readable only by you in a private temporary folder, which is removed whatever
            happens. Unchanged values keep their ciphertext and the data key is kept, as sops does; nothing is written
            when nothing changed.
            """)

    @Argument(help: "The SOPS-encrypted file.")
    var file: String

    func run() throws {
        let decrypted = try SecretFiles.decrypt(file)
        let folder = NSTemporaryDirectory() + "gitops-edit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plain = folder + "/" + URL(fileURLWithPath: file).lastPathComponent
        try AtomicFile.write(decrypted.text, to: plain, permissions: 0o600)
        let editor = ProcessInfo.processInfo.environment["EDITOR"].flatMap { $0.isEmpty ? nil : $0 } ?? "vi"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", editor + " \"$1\"", "editor", plain]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CommandFailure("the editor (\(editor)) failed; \(file) is unchanged") }
        let edited = try SecretFiles.read(plain)
        if edited == decrypted.text {
            Output.error("\(file) unchanged")
            return
        }
        let sealed = try SopsFile.encrypt(edited, file: file, recipients: try SecretFiles.recipients(of: decrypted, file: file),
                                          rules: decrypted.rules, reuse: decrypted)
        try AtomicFile.write(sealed, to: file)
        Output.error("encrypted \(file) again")
    }
}

struct SecretRotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Encrypt a SOPS file again under a new data key, for its recipients (plus --age, minus --remove-age).")

    @Argument(help: "The SOPS-encrypted file.")
    var file: String

    @Option(name: .long, help: "Add an age recipient; repeatable.")
    var age: [String] = []

    @Option(name: .customLong("remove-age"), help: "Remove an age recipient; repeatable.")
    var removeAge: [String] = []

    func run() throws {
        let decrypted = try SecretFiles.decrypt(file)
        var recipients = decrypted.metadataRecipients.compactMap(AgeRecipient.init)
        for text in age {
            guard let recipient = AgeRecipient(text) else { throw CommandFailure("--age '\(text)' is not an age recipient (age1...)") }
            if !recipients.contains(recipient) { recipients.append(recipient) }
        }
        recipients.removeAll { removeAge.contains($0.description) }
        guard !recipients.isEmpty else { throw CommandFailure("no recipient would be left for \(file)") }
        let sealed = try SopsFile.encrypt(decrypted.text, file: file, recipients: recipients, rules: decrypted.rules)
        try AtomicFile.write(sealed, to: file)
        Output.error("rotated the data key of \(file); encrypted for \(recipients.map(\.description).joined(separator: ", "))")
    }
}

struct SecretKeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keygen", abstract: "Write a new age key file (as age-keygen -o) and print its recipient.")

    @Option(name: [.short, .long], help: "The key file to write (it must not exist).")
    var output: String

    func run() throws {
        guard !FileManager.default.fileExists(atPath: output) else { throw CommandFailure("\(output) exists; choose a new file") }
        let identity = AgeIdentity.generate()
        let text = "# created: \(ISO8601DateFormatter().string(from: Date()))\n# public key: \(identity.recipient)\n\(identity.secretText)\n"
        try AtomicFile.write(Array(text.utf8), to: output, permissions: 0o600)
        Output.write("\(identity.recipient)\n")
    }
}
