import Basics
import Foundation

/// A file tree whose SOPS-encrypted YAML and JSON files read as their plaintext, decrypted in
/// memory (never written anywhere), in the encrypted file's layout so positions stay true.
/// A file no key opens reads with each encrypted value replaced by a marker (`sops-encrypted`,
/// in base64 so a Secret's `data` stays well-formed) and is recorded in `locked`, so everything
/// else still renders and validates; the sync job refuses such a revision. A tampered file is an
/// error.
public final class DecryptingTree: FileTree, @unchecked Sendable {
    public let base: any FileTree
    public let keys: SecretKeys

    /// A file that could not be decrypted: where, and the recipients it is for.
    public struct Locked: Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var recipients: [String]
        public var description: String { "\(file) (encrypted for \(recipients.isEmpty ? "no age recipient" : recipients.joined(separator: ", ")))" }
    }

    /// The marker an encrypted value reads as without its key: base64 of "sops-encrypted".
    public static let marker = "c29wcy1lbmNyeXB0ZWQ="

    private struct State {
        var decrypted: [String: [UInt8]] = [:]
        var locked: Set<Locked> = []
        var secrets: Set<String> = []
        var files: Set<String> = []
    }

    // Guarded by `lock`.
    private var state = State()
    private let lock = NSLock()

    private func withState<T>(_ body: (inout State) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    public init(_ base: any FileTree, keys: SecretKeys) {
        self.base = base
        self.keys = keys
    }

    /// The files no given key opened, so far.
    public var locked: [Locked] { withState { $0.locked.sorted { $0.file < $1.file } } }

    /// Every SOPS file read so far (decrypted or not).
    public var encryptedFiles: Set<String> { withState { $0.files } }

    /// Every plaintext value decrypted so far (to mask output and check it never leaks).
    public var secrets: Set<String> { withState { $0.secrets } }

    public var displayName: String { base.displayName }
    public func entryKind(atPhysicalPath path: String) throws -> FileKind? { try base.entryKind(atPhysicalPath: path) }
    public func entries(inPhysicalPath path: String) throws -> [FileTreeEntry] { try base.entries(inPhysicalPath: path) }
    public func symlinkTarget(atPhysicalPath path: String) throws -> String { try base.symlinkTarget(atPhysicalPath: path) }
    public func objectID(atPhysicalPath path: String) throws -> String? { try base.objectID(atPhysicalPath: path) }

    public func contents(ofPhysicalPath path: String) throws -> [UInt8] {
        let bytes = try base.contents(ofPhysicalPath: path)
        guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") || path.hasSuffix(".json"), SopsFile.isEncrypted(bytes) else { return bytes }
        if let known = withState({ $0.decrypted[path] }) { return known }
        let plain: [UInt8]
        do {
            let decrypted = try SopsFile.decrypt(bytes, file: path, identities: keys.identities)
            plain = decrypted.text
            withState { $0.secrets.formUnion(decrypted.secrets) }
            Redaction.register(decrypted.secrets)
        } catch {
            guard error.diagnostics.first?.code == "secret.key" else { throw error }
            let metadata = try SopsFile.metadata(bytes, file: path)
            plain = try SopsFile.masked(bytes, file: path)
            let entry = Locked(file: path, recipients: metadata.age.map(\.recipient) + metadata.unsupported)
            withState { _ = $0.locked.insert(entry) }
        }
        withState {
            $0.decrypted[path] = plain
            $0.files.insert(path)
        }
        return plain
    }
}
