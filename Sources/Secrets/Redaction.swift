import Foundation

/// Every plaintext decrypted in this process, so that output, logs and errors can be scrubbed of
/// them: a value that reaches a message by any path prints as `<secret>`. Only values that look
/// like secrets are kept — six characters or more mixing letter cases, digits or symbols, or
/// twenty or more of any kind — so that a user name such as `blog` does not blank every name it
/// is part of. (Secret objects themselves are printed as digests; this is the second line.)
public enum Redaction {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var values: [String] = []
    nonisolated(unsafe) private static var disabled = false

    /// Records decrypted values.
    public static func register<S: Sequence>(_ secrets: S) where S.Element == String {
        let kept = secrets.filter(looksSecret)
        guard !kept.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        // Their base64 forms too: a Secret's data holds them encoded. Longest first, so a value is
        // replaced before any value it contains.
        let encoded = kept.map { Data($0.utf8).base64EncodedString() }.filter { $0.count >= 8 }
        values = Array(Set(values + kept + encoded)).sorted { $0.count > $1.count }
    }

    static func looksSecret(_ value: String) -> Bool {
        if value.count >= 20 { return true }
        guard value.count >= 6 else { return false }
        let classes = [value.contains(where: \.isLowercase), value.contains(where: \.isUppercase), value.contains(where: \.isNumber),
                       value.contains { !$0.isLetter && !$0.isNumber }]
        return classes.filter { $0 }.count >= 2
    }

    /// `--show-secrets`: the user asked to see them.
    public static func disable() {
        lock.lock()
        disabled = true
        lock.unlock()
    }

    /// `text` with every registered value replaced by `<secret>`.
    public static func redact(_ text: String) -> String {
        lock.lock()
        let current = disabled ? [] : values
        lock.unlock()
        guard !current.isEmpty else { return text }
        var out = text
        for value in current where out.contains(value) { out = out.replacingOccurrences(of: value, with: "<secret>") }
        return out
    }
}
