import Basics
import Foundation
import YAML

/// `.sops.yaml`, as sops reads it: found from the current folder upwards; the first
/// `creation_rules` entry whose `path_regex` matches the file (relative to the config's folder)
/// or that has none gives the recipients and the encryption rules.
public enum SopsConfig {
    public struct Rule: Sendable {
        public var recipients: [AgeRecipient]
        public var rules: SopsFile.Rules
        public var configFile: String
    }

    /// The `.sops.yaml` from `folder` upwards, if any.
    public static func find(from folder: String) -> String? {
        var current = URL(fileURLWithPath: folder).standardizedFileURL
        for _ in 0..<100 {
            for name in [".sops.yaml", ".sops.yml"] {
                let candidate = current.appendingPathComponent(name).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { break }
            current = parent
        }
        return nil
    }

    /// The code of the error for a file no creation rule matches.
    public static let noMatchingRule = "secret.noRule"

    /// The creation rule for `file` in `config`; nil when the config has no creation rules.
    public static func rule(for file: String, config: String) throws(DiagnosticError) -> Rule? {
        guard let data = FileManager.default.contents(atPath: config) else { return nil }
        let document = try YAML.values(Array(data), file: config).first ?? .null
        guard let rules = document["creation_rules"]?.arrayValue else { return nil }
        let folder = URL(fileURLWithPath: config).deletingLastPathComponent().standardizedFileURL.path
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        let relative = absolute.hasPrefix(folder + "/") ? String(absolute.dropFirst(folder.count + 1)) : absolute
        for (index, entry) in rules.enumerated() {
            if let pattern = entry["path_regex"]?.stringValue, !pattern.isEmpty {
                guard let regex = try? NSRegularExpression(pattern: pattern) else {
                    throw DiagnosticError(code: "secret.config", at: SourceLocation(file: config, line: 1, column: 1),
                                          "creation rule \(index + 1): path_regex '\(pattern)' is not a regular expression")
                }
                guard regex.firstMatch(in: relative, range: NSRange(relative.startIndex..., in: relative)) != nil else { continue }
            }
            var recipients: [AgeRecipient] = []
            let ageField: [String]
            switch entry["age"] {
            case .string(let text)?: ageField = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            case .array(let items)?: ageField = items.compactMap(\.stringValue)
            default: ageField = []
            }
            for text in ageField {
                guard let recipient = AgeRecipient(text) else {
                    throw DiagnosticError(code: "secret.config", at: SourceLocation(file: config, line: 1, column: 1),
                                          "creation rule \(index + 1): '\(text)' is not an age recipient (age1...)")
                }
                recipients.append(recipient)
            }
            let unsupported = ["pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri", "key_groups", "hckms"].filter { entry[$0] != nil }
            if recipients.isEmpty && !unsupported.isEmpty {
                throw DiagnosticError(code: "secret.config", at: SourceLocation(file: config, line: 1, column: 1),
                                      "creation rule \(index + 1) names only \(unsupported.joined(separator: ", ")), which gitops does not support; add age recipients to it, or encrypt with sops")
            }
            let rules = SopsFile.Rules(unencryptedSuffix: entry["unencrypted_suffix"]?.stringValue, encryptedSuffix: entry["encrypted_suffix"]?.stringValue,
                                       unencryptedRegex: entry["unencrypted_regex"]?.stringValue, encryptedRegex: entry["encrypted_regex"]?.stringValue,
                                       macOnlyEncrypted: entry["mac_only_encrypted"] == .bool(true))
            return Rule(recipients: recipients, rules: rules, configFile: config)
        }
        throw DiagnosticError(code: Self.noMatchingRule, at: SourceLocation(file: config, line: 1, column: 1),
                              "no creation rule of \(config) matches \(relative); add one, or pass --age")
    }
}
