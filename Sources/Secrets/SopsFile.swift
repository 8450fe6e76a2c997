import Basics
import Crypto
import Foundation
import YAML

/// SOPS-encrypted YAML and JSON files (the `sops:` metadata block), as the `sops` tool writes and
/// reads them: each value encrypted with AES-256-GCM under the file's data key (its key path as
/// additional data), the data key wrapped for age recipients, a SHA-512 MAC over the values in
/// order (encrypted under the data key with `lastmodified` as additional data).
///
/// Decrypting keeps the file's layout: each encrypted scalar is replaced in place by its plaintext
/// on the same line and the `sops:` block is cut, so positions in the decrypted text are those of
/// the encrypted file. Encrypting does the reverse, so comments and key order survive.
public enum SopsFile {
    /// The `sops:` block.
    public struct Metadata: Sendable {
        public var age: [(recipient: String, enc: String)] = []
        /// Key kinds gitops cannot use (`pgp`, `kms`, `gcp_kms`, `azure_kv`, `hc_vault`) that the file names.
        public var unsupported: [String] = []
        public var lastModified = ""
        public var mac = ""
        public var rules = Rules()
        public var version = ""
    }

    /// Which values are encrypted: SOPS's `unencrypted_suffix` (default `_unencrypted`),
    /// `encrypted_suffix`, `unencrypted_regex`, `encrypted_regex`, and `mac_only_encrypted`.
    public struct Rules: Sendable, Equatable {
        public var unencryptedSuffix: String?
        public var encryptedSuffix: String?
        public var unencryptedRegex: String?
        public var encryptedRegex: String?
        public var macOnlyEncrypted = false

        public init(unencryptedSuffix: String? = nil, encryptedSuffix: String? = nil, unencryptedRegex: String? = nil,
                    encryptedRegex: String? = nil, macOnlyEncrypted: Bool = false) {
            self.unencryptedSuffix = unencryptedSuffix
            self.encryptedSuffix = encryptedSuffix
            self.unencryptedRegex = unencryptedRegex
            self.encryptedRegex = encryptedRegex
            self.macOnlyEncrypted = macOnlyEncrypted
        }

        /// As sops decides it for a value at `path` (its keys, outermost first).
        func encrypts(_ path: [String]) -> Bool {
            var encrypted = true
            let defaultSuffix = unencryptedSuffix == nil && encryptedSuffix == nil && unencryptedRegex == nil && encryptedRegex == nil
            if let suffix = unencryptedSuffix ?? (defaultSuffix ? "_unencrypted" : nil), path.contains(where: { $0.hasSuffix(suffix) }) {
                encrypted = false
            }
            if let suffix = encryptedSuffix { encrypted = path.contains { $0.hasSuffix(suffix) } }
            if let pattern = unencryptedRegex, path.contains(where: { Self.matches(pattern, $0) }) { encrypted = false }
            if let pattern = encryptedRegex { encrypted = path.contains { Self.matches(pattern, $0) } }
            return encrypted
        }

        static func matches(_ pattern: String, _ text: String) -> Bool {
            (try? NSRegularExpression(pattern: pattern)).map { $0.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil } ?? false
        }
    }

    /// The initial bytes SOPS hashes first when only encrypted values are in the MAC.
    static let macOnlyEncryptedInitialization: [UInt8] = [0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b,
                                                         0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69]

    // MARK: Recognising

    /// Whether `bytes` are a SOPS file (a top-level `sops:` mapping with a `mac`), cheaply: files
    /// without the word are not parsed.
    public static func isEncrypted(_ bytes: [UInt8]) -> Bool {
        guard contains(bytes, "sops"), contains(bytes, "ENC[AES256_GCM") || contains(bytes, "mac") else { return false }
        guard let document = try? YAMLParser.parse(bytes, file: "").first else { return false }
        return sopsNode(document) != nil
    }

    /// Whether `word` occurs in `bytes` (every YAML file read goes through here: no allocation).
    static func contains(_ bytes: [UInt8], _ word: String) -> Bool {
        let needle = Array(word.utf8)
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var index = 0
        search: while index + needle.count <= bytes.count {
            if bytes[index] == first {
                for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                    index += 1
                    continue search
                }
                return true
            }
            index += 1
        }
        return false
    }

    static func sopsNode(_ document: Node) -> (key: Node, value: Node)? {
        guard let pair = document.pairs?.last(where: { $0.key.scalar == "sops" }), pair.value.pairs != nil,
              pair.value["mac"] != nil || pair.value["lastmodified"] != nil else { return nil }
        return (pair.key, pair.value)
    }

    public static func metadata(_ bytes: [UInt8], file: String) throws(DiagnosticError) -> Metadata {
        guard let document = try YAMLParser.parse(bytes, file: file).first, let (_, node) = sopsNode(document) else {
            throw DiagnosticError(code: "secret.format", at: SourceLocation(file: file, line: 1, column: 1), "\(file) is not a SOPS file (no sops: block)")
        }
        return metadata(node)
    }

    static func metadata(_ node: Node) -> Metadata {
        var metadata = Metadata()
        for pair in node.pairs ?? [] {
            let key = pair.key.scalar ?? ""
            let text = pair.value.scalar
            switch key {
            case "age":
                for item in pair.value.items ?? [] {
                    if let recipient = item["recipient"]?.scalar, let enc = item["enc"]?.scalar { metadata.age.append((recipient, enc)) }
                }
            case "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms":
                if let items = pair.value.items, !items.isEmpty { metadata.unsupported.append(key) }
            case "lastmodified": metadata.lastModified = text ?? ""
            case "mac": metadata.mac = text ?? ""
            case "unencrypted_suffix": metadata.rules.unencryptedSuffix = text
            case "encrypted_suffix": metadata.rules.encryptedSuffix = text
            case "unencrypted_regex": metadata.rules.unencryptedRegex = text
            case "encrypted_regex": metadata.rules.encryptedRegex = text
            case "mac_only_encrypted": metadata.rules.macOnlyEncrypted = text == "true"
            case "version": metadata.version = text ?? ""
            default: break
            }
        }
        // A file that names a suffix or regex explicitly has no default suffix.
        if metadata.rules.unencryptedSuffix == nil && metadata.rules.encryptedSuffix == nil
            && metadata.rules.unencryptedRegex == nil && metadata.rules.encryptedRegex == nil {
            metadata.rules.unencryptedSuffix = "_unencrypted"
        }
        return metadata
    }

    // MARK: The data key

    /// The data key, unwrapped by the first identity that opens one of the file's age stanzas.
    public static func dataKey(_ metadata: Metadata, identities: [AgeIdentity], file: String) throws(DiagnosticError) -> [UInt8] {
        let at = SourceLocation(file: file, line: 1, column: 1)
        for entry in metadata.age {
            guard identities.contains(where: { $0.recipient.description == entry.recipient }) || metadata.age.count == 1 else { continue }
            if let key = try? AgeFile.decrypt(Array(entry.enc.utf8), identities: identities), key.count == 32 { return key }
        }
        var needs = metadata.age.map(\.recipient)
        needs += metadata.unsupported.map { "\($0) (not supported by gitops: add an age recipient with `gitops secret rotate --age`, or decrypt with sops)" }
        throw DiagnosticError(code: "secret.key", at: at,
                              "cannot decrypt \(file): no age key given opens it; it is for \(needs.isEmpty ? "no recipient" : needs.joined(separator: ", ")). Give the key with SOPS_AGE_KEY_FILE, SOPS_AGE_KEY or ~/.config/sops/age/keys.txt")
    }

    // MARK: Decrypting

    /// A decrypted file: its text in the encrypted file's layout, and what was encrypted.
    public struct Decrypted: Sendable {
        public var text: [UInt8]
        /// The plaintext of every encrypted value (for masking and checks: never print it).
        public var secrets: [String]
        /// Per path and plaintext, the IV it had: re-encrypting an unchanged value gives the same text.
        var stash: [String: [UInt8]]
        var dataKey: [UInt8]
        var metadata: Metadata

        /// The age recipients the file was encrypted for.
        public var metadataRecipients: [String] { metadata.age.map(\.recipient) }
        /// Its encryption rules, to encrypt it again the same way.
        public var rules: Rules { metadata.rules }
    }

    /// Decrypts `bytes` (a SOPS YAML or JSON file) with `identities`, checking the MAC.
    public static func decrypt(_ bytes: [UInt8], file: String, identities: [AgeIdentity]) throws(DiagnosticError) -> Decrypted {
        let documents = try YAMLParser.parse(bytes, file: file)
        guard documents.count == 1, let document = documents.first, let (sopsKey, sopsValue) = sopsNode(document) else {
            throw DiagnosticError(code: "secret.format", at: SourceLocation(file: file, line: 1, column: 1),
                                  documents.count > 1 ? "\(file): SOPS files with several documents are not supported; keep one document per encrypted file"
                                                      : "\(file) is not a SOPS file (no sops: block with a mac)")
        }
        let metadata = metadata(sopsValue)
        let key = try dataKey(metadata, identities: identities, file: file)
        var hash = SHA512()
        if metadata.rules.macOnlyEncrypted { hash.update(data: macOnlyEncryptedInitialization) }
        var edits: [(range: Range<Int>, text: String)] = []
        var secrets: [String] = []
        var stash: [String: [UInt8]] = [:]
        var failure: DiagnosticError?
        walk(document, skipping: sopsKey, file: file) { node, path in
            guard failure == nil, case .scalar(let text, let style) = node.content else { return }
            let encrypted = metadata.rules.encrypts(path)
            let pathText = path.joined(separator: ":") + ":"
            var plain: SopsCipher.Plain?
            if encrypted && !(text.isEmpty && style != .plain) {
                guard let value = SopsCipher.parse(text) else {
                    if text.isEmpty { return }
                    failure = DiagnosticError(code: "secret.format", at: node.location(file),
                                              "'\(path.joined(separator: "."))' should be encrypted but is not an ENC[AES256_GCM,...] value; the file was edited by hand or is damaged: encrypt it again")
                    return
                }
                do {
                    plain = try SopsCipher.decrypt(value, key: key, path: pathText)
                } catch {
                    failure = DiagnosticError(code: "secret.tampered", at: node.location(file),
                                              "'\(path.joined(separator: "."))' does not decrypt (its ciphertext or key path was changed); nothing from this file is used")
                    return
                }
                guard let plain else { return }
                if plain.type == "str" || plain.type == "bytes" { secrets.append(plain.text) }
                stash[pathText + "\u{0}" + plain.text] = value.iv
                edits.append((range(of: node, style: style, in: bytes), render(plain)))
            } else {
                plain = typed(text, style: style, tag: node.tag)
            }
            if let plain, !metadata.rules.macOnlyEncrypted || encrypted { hash.update(data: macBytes(plain)) }
        }
        if let failure { throw failure }
        // The MAC: over every value, under the data key with lastmodified as additional data.
        let computed = hash.finalize().map { String(format: "%02X", $0) }.joined()
        guard let stored = SopsCipher.parse(metadata.mac), let mac = try? SopsCipher.decrypt(stored, key: key, path: metadata.lastModified),
              mac.text == computed else {
            throw DiagnosticError(code: "secret.tampered", at: sopsValue["mac"]?.location(file) ?? SourceLocation(file: file, line: 1, column: 1),
                                  "the MAC does not match its values (a value, a key or the sops block was changed or removed); nothing from this file is used")
        }
        // The sops block goes, from its key's line to the end of its value.
        let blockStart = lineStart(bytes, sopsKey.start.offset)
        edits.append((blockStart..<max(sopsValue.end.offset, sopsKey.end.offset), ""))
        return Decrypted(text: apply(edits, to: bytes), secrets: secrets, stash: stash, dataKey: key, metadata: metadata)
    }

    /// A SOPS file without its key: every encrypted value replaced by `DecryptingTree.marker`
    /// (numbers by 0, booleans by false), the `sops:` block cut. Nothing is decrypted or checked.
    public static func masked(_ bytes: [UInt8], file: String) throws(DiagnosticError) -> [UInt8] {
        guard let document = try YAMLParser.parse(bytes, file: file).first, let (sopsKey, sopsValue) = sopsNode(document) else { return bytes }
        var edits: [(range: Range<Int>, text: String)] = []
        walk(document, skipping: sopsKey, file: file) { node, _ in
            guard case .scalar(let text, let style) = node.content, let value = SopsCipher.parse(text) else { return }
            let marker: String
            switch value.type {
            case "int", "float": marker = "0"
            case "bool": marker = "false"
            default: marker = DecryptingTree.marker
            }
            edits.append((range(of: node, style: style, in: bytes), marker))
        }
        edits.append((lineStart(bytes, sopsKey.start.offset)..<max(sopsValue.end.offset, sopsKey.end.offset), ""))
        return apply(edits, to: bytes)
    }

    /// Visits every scalar value under `node` with its key path, in document order, the `sops`
    /// pair skipped; sequence items share their parent's path, as in sops.
    static func walk(_ node: Node, skipping: Node?, file: String, path: [String] = [], _ visit: (Node, [String]) -> Void) {
        switch node.content {
        case .scalar(let text, let style):
            // Nulls are neither encrypted nor in the MAC (sops skips nil values).
            let null = style == .plain && node.tag == nil && ["", "~", "null", "Null", "NULL"].contains(text)
            if !null { visit(node, path) }
        case .sequence(let items):
            for item in items { walk(item, skipping: skipping, file: file, path: path, visit) }
        case .mapping(let pairs):
            for pair in pairs {
                if let skipping, pair.key.start.offset == skipping.start.offset { continue }
                walk(pair.value, skipping: skipping, file: file, path: path + [pair.key.scalar ?? ""], visit)
            }
        }
    }

    // MARK: Encrypting

    /// Encrypts a plaintext YAML or JSON file for `recipients`: every value the rules select,
    /// replaced in place; the `sops:` block appended. `reuse` keeps the data key and unchanged
    /// values' IVs of an earlier decryption (sops does the same on edit).
    public static func encrypt(_ bytes: [UInt8], file: String, recipients: [AgeRecipient], rules: Rules,
                               reuse: Decrypted? = nil, now: Date = Date()) throws(DiagnosticError) -> [UInt8] {
        let documents = try YAMLParser.parse(bytes, file: file)
        guard documents.count == 1, let document = documents.first, document.pairs != nil else {
            throw DiagnosticError(code: "secret.format", at: SourceLocation(file: file, line: 1, column: 1),
                                  "\(file): only a file of one YAML or JSON mapping can be encrypted")
        }
        if sopsNode(document) != nil {
            throw DiagnosticError(code: "secret.format", at: SourceLocation(file: file, line: 1, column: 1), "\(file) is encrypted already")
        }
        guard !recipients.isEmpty else {
            throw DiagnosticError(code: "secret.key", at: SourceLocation(file: file, line: 1, column: 1),
                                  "no recipient for \(file): pass --age age1... or add a creation rule to .sops.yaml")
        }
        var key = reuse?.dataKey ?? [UInt8](repeating: 0, count: 32)
        if reuse == nil { AgeFile.fill(&key) }
        var hash = SHA512()
        if rules.macOnlyEncrypted { hash.update(data: macOnlyEncryptedInitialization) }
        var edits: [(range: Range<Int>, text: String)] = []
        var failure: DiagnosticError?
        walk(document, skipping: nil, file: file) { node, path in
            guard failure == nil, case .scalar(let text, let style) = node.content else { return }
            let plain = typed(text, style: style, tag: node.tag)
            let encrypted = rules.encrypts(path)
            if !rules.macOnlyEncrypted || encrypted { hash.update(data: macBytes(plain)) }
            guard encrypted, !plain.text.isEmpty else { return }
            let pathText = path.joined(separator: ":") + ":"
            do {
                let value = try SopsCipher.encrypt(plain, key: key, path: pathText, iv: reuse?.stash[pathText + "\u{0}" + plain.text])
                edits.append((range(of: node, style: style, in: bytes), style == .plain && !isInFlow(bytes, node.start.offset) ? value : "\"\(value)\""))
            } catch {
                failure = DiagnosticError(code: "secret.encrypt", at: node.location(file), "cannot encrypt '\(path.joined(separator: "."))': \(error)")
            }
        }
        if let failure { throw failure }
        let lastModified = timestamp(now)
        let mac: String
        var wrapped: [(AgeRecipient, String)] = []
        do {
            mac = try SopsCipher.encrypt(SopsCipher.Plain(text: hash.finalize().map { String(format: "%02X", $0) }.joined(), type: "str"),
                                         key: key, path: lastModified)
            for recipient in recipients {
                wrapped.append((recipient, String(decoding: try AgeFile.encrypt(key, to: [recipient], armor: true), as: UTF8.self)))
            }
        } catch {
            throw DiagnosticError(code: "secret.encrypt", at: SourceLocation(file: file, line: 1, column: 1), "\(file): cannot encrypt: \(error)")
        }
        var block = "sops:\n    age:\n"
        for (recipient, enc) in wrapped {
            block += "        - recipient: \(recipient)\n          enc: |\n"
            for line in enc.split(separator: "\n") { block += "            \(line)\n" }
        }
        block += "    lastmodified: \"\(lastModified)\"\n    mac: \(mac)\n"
        if let value = rules.unencryptedSuffix, !(value == "_unencrypted" && rules.encryptedRegex != nil) { block += "    unencrypted_suffix: \(YAMLEmitter.inlineScalar(value))\n" }
        if let value = rules.encryptedSuffix { block += "    encrypted_suffix: \(YAMLEmitter.inlineScalar(value))\n" }
        if let value = rules.unencryptedRegex { block += "    unencrypted_regex: \(YAMLEmitter.inlineScalar(value))\n" }
        if let value = rules.encryptedRegex { block += "    encrypted_regex: \(YAMLEmitter.inlineScalar(value))\n" }
        if rules.macOnlyEncrypted { block += "    mac_only_encrypted: true\n" }
        block += "    version: 3.11.0\n"
        var out = apply(edits, to: bytes)
        if let last = out.last, last != 10 { out.append(10) }
        if isJSON(bytes) {
            throw DiagnosticError(code: "secret.format", at: SourceLocation(file: file, line: 1, column: 1),
                                  "\(file): gitops encrypts YAML files; convert the JSON file to YAML first (sops reads both)")
        }
        return out + Array(block.utf8)
    }

    /// sops' timestamp: RFC 3339, UTC, seconds.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return formatter.string(from: date)
    }

    // MARK: Values

    /// A scalar as sops (go-yaml v3) types it: null, bool, int, float, else a string.
    static func typed(_ text: String, style: ScalarStyle, tag: String?) -> SopsCipher.Plain {
        if style != .plain || tag == "tag:yaml.org,2002:str" { return SopsCipher.Plain(text: text, type: "str") }
        switch text {
        case "true", "True", "TRUE": return SopsCipher.Plain(text: "True", type: "bool")
        case "false", "False", "FALSE": return SopsCipher.Plain(text: "False", type: "bool")
        default: break
        }
        if let int = parseInt(text) { return SopsCipher.Plain(text: String(int), type: "int") }
        if let float = parseFloat(text) { return SopsCipher.Plain(text: formatFloat(float), type: "float") }
        return SopsCipher.Plain(text: text, type: "str")
    }

    static func parseInt(_ text: String) -> Int? {
        var body = Substring(text)
        var sign = 1
        if body.first == "-" || body.first == "+" { sign = body.first == "-" ? -1 : 1; body = body.dropFirst() }
        guard !body.isEmpty else { return nil }
        if body.hasPrefix("0x") { return Int(body.dropFirst(2), radix: 16).map { $0 * sign } }
        if body.hasPrefix("0o") { return Int(body.dropFirst(2), radix: 8).map { $0 * sign } }
        guard body.allSatisfy(\.isASCII), body.allSatisfy(\.isNumber) else { return nil }
        return Int(body).map { $0 * sign }
    }

    static func parseFloat(_ text: String) -> Double? {
        switch text.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: break
        }
        guard text.range(of: #"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil else { return nil }
        return Double(text)
    }

    /// Go's `strconv.FormatFloat(f, 'f', -1, 64)`.
    static func formatFloat(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        // Swift's description is the shortest round-tripping form; Go writes it without an exponent.
        var text = "\(value)"
        if text.contains("e"), let plain = Decimal(string: text)?.description { text = plain }
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    /// What sops hashes for a value (`ToBytes`).
    static func macBytes(_ plain: SopsCipher.Plain) -> [UInt8] { Array(plain.text.utf8) }

    /// A decrypted value as a YAML scalar on one line.
    static func render(_ plain: SopsCipher.Plain) -> String {
        switch plain.type {
        case "int", "float", "bool": return plain.type == "bool" ? plain.text.lowercased() : plain.text
        default: return plain.text.isEmpty ? "\"\"" : YAMLEmitter.inlineScalar(plain.text).contains("\n") ? quoted(plain.text) : YAMLEmitter.inlineScalar(plain.text)
        }
    }

    static func quoted(_ text: String) -> String {
        var out = ""
        JSONWriter.quote(text, into: &out)
        return out
    }

    // MARK: Text

    static func apply(_ edits: [(range: Range<Int>, text: String)], to bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            out.replaceSubrange(edit.range, with: Array(edit.text.utf8))
        }
        return out
    }

    /// A scalar's bytes; a block scalar's range stops before the line break that ends it.
    static func range(of node: Node, style: ScalarStyle, in bytes: [UInt8]) -> Range<Int> {
        var end = node.end.offset
        if style == .literal || style == .folded {
            while end > node.start.offset, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
        }
        return node.start.offset..<end
    }

    static func lineStart(_ bytes: [UInt8], _ offset: Int) -> Int {
        var index = min(offset, bytes.count)
        while index > 0 && bytes[index - 1] != 10 { index -= 1 }
        return index
    }

    /// Whether the scalar at `offset` sits inside a flow collection (`{...}`, `[...]`) on its line.
    static func isInFlow(_ bytes: [UInt8], _ offset: Int) -> Bool {
        let line = bytes[lineStart(bytes, offset)..<offset]
        return line.contains(UInt8(ascii: "{")) || line.contains(UInt8(ascii: "["))
    }

    static func isJSON(_ bytes: [UInt8]) -> Bool { bytes.first(where: { $0 != 32 && $0 != 10 && $0 != 9 && $0 != 13 }) == UInt8(ascii: "{") }
}
