import Basics
import Crypto
import Foundation

/// Chart archives stored by their sha256 (`<root>/sha256/<hex>.tgz`), written atomically (a
/// temporary file renamed into place, so processes sharing the cache never see half a file) and
/// verified on every read.
public struct ChartCache: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// `--cache-dir`, else `$XDG_CACHE_HOME/gitops/charts`, else `~/.cache/gitops/charts`.
    public static func standard(_ override: String? = nil) -> ChartCache {
        if let override { return ChartCache(root: override) }
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return ChartCache(root: xdg + "/gitops/charts") }
        return ChartCache(root: NSHomeDirectory() + "/.cache/gitops/charts")
    }

    public static func digest(of bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    func path(_ digest: String) -> String { root + "/sha256/" + digest + ".tgz" }

    /// The archive with this digest, nil when absent; a file whose bytes do not hash to its name is
    /// an error (never rendered).
    public func read(_ digest: String) throws(ChartSourceError) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path(digest)) else { return nil }
        let bytes = Array(data)
        guard Self.digest(of: bytes) == digest else {
            throw ChartSourceError("the cached chart \(path(digest)) does not match its digest (the cache is damaged): delete the file and fetch again")
        }
        return bytes
    }

    /// Stores `bytes` under their digest and returns it.
    @discardableResult
    public func write(_ bytes: [UInt8]) throws(ChartSourceError) -> String {
        let digest = Self.digest(of: bytes)
        let final = path(digest)
        if FileManager.default.fileExists(atPath: final) { return digest }
        try place(bytes, at: final)
        return digest
    }

    /// Writes `bytes` to a temporary file beside `final` and renames it into place: rename(2) is
    /// atomic, so a reader sees the whole file or none, whatever other processes do at once.
    private func place(_ bytes: [UInt8], at final: String) throws(ChartSourceError) {
        let folder = String(final[..<(final.lastIndex(of: "/") ?? final.endIndex)])
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ChartSourceError("cannot write to the chart cache \(folder): \(error)")
        }
        do throws(AtomicFile.Failure) {
            try AtomicFile.write(bytes, to: final)
        } catch {
            throw ChartSourceError("the chart cache: \(error)")
        }
    }

    // MARK: References

    /// The digest a repository's index gave for `name` at `version` when it was fetched: how a
    /// Chart.lock written by Helm (versions only) finds its archives offline.
    public func reference(repository: String, name: String, version: String) -> String? {
        guard let data = FileManager.default.contents(atPath: referencePath(repository: repository, name: name, version: version)) else { return nil }
        let digest = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return digest.count == 64 ? digest : nil
    }

    public func writeReference(repository: String, name: String, version: String, digest: String) throws(ChartSourceError) {
        try place(Array((digest + "\n").utf8), at: referencePath(repository: repository, name: name, version: version))
    }

    func referencePath(repository: String, name: String, version: String) -> String {
        let trimmed = repository.hasSuffix("/") ? String(repository.dropLast()) : repository
        return root + "/refs/" + Self.digest(of: Array((trimmed + "\n" + name + "\n" + version).utf8))
    }
}
