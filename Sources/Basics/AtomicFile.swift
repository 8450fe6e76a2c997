import Foundation

/// Files written whole or not at all: a reader (another process, the next run after a crash)
/// sees the old content or the new, never half of it, and a failed write (a full disk, a
/// file-size limit) leaves nothing behind.
public enum AtomicFile {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Writes `bytes` to a temporary file beside `path` (created exclusively), flushes it to disk and
    /// renames it over `path`. The file gets `permissions`, or those of the file it replaces, or
    /// 0644. On any failure the temporary file is removed, `path` is as it was, and the error says
    /// what the system said (`No space left on device`).
    public static func write(_ bytes: [UInt8], to path: String, permissions: mode_t? = nil) throws(Failure) {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = (folder.isEmpty ? "" : folder + "/") + "." + (path as NSString).lastPathComponent
            + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).partial"
        var existing = stat()
        let mode = permissions ?? (stat(path, &existing) == 0 ? existing.st_mode & 0o7777 : 0o644)
        func failure(_ what: String, _ code: Int32) -> Failure {
            Failure(description: "cannot write \(path): \(what): \(String(cString: strerror(code))); nothing was changed")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("cannot create a file in \(folder.isEmpty ? "." : folder)", errno) }
        var written = 0
        var code: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = Foundation.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    code = errno
                    return
                }
                written += result
            }
        }
        if code == 0, fsync(fd) != 0 { code = errno }
        // The mode asked for, whatever the umask took away at creation.
        if code == 0, fchmod(fd, mode) != 0 { code = errno }
        if close(fd) != 0, code == 0 { code = errno }
        if code == 0, rename(temporary, path) != 0 { code = errno }
        if code != 0 {
            unlink(temporary)
            throw failure(written < bytes.count ? "wrote \(written) of \(bytes.count) bytes" : "could not finish", code)
        }
    }
}
