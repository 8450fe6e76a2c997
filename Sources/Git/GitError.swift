import CGit2

/// A libgit2 failure or a Git-level problem, with libgit2's own message.
public struct GitError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// A libgit2 call returned this error code.
        case libgit2(Int32)
        /// A revision that does not name a commit.
        case unknownRevision
        /// No repository at or above the folder.
        case notARepository
        /// The repository has no working tree (bare).
        case bare
        /// A compare-and-swap ref update found the ref elsewhere than expected (or already there).
        case referenceMoved
        /// A ref's lock file is held (another process is updating it, or one died doing so).
        case referenceLocked
        /// Files in the working tree or index differ from what an update would overwrite.
        case dirtyWorkingTree
    }

    public var code: Code
    public var message: String
    /// The libgit2 function (or operation) that failed.
    public var call: String

    public init(code: Code, message: String, call: String) {
        self.code = code
        self.message = message
        self.call = call
    }

    public var description: String {
        switch code {
        case .libgit2(let value): return "\(call) failed (libgit2 error \(value)): \(message)"
        default: return message
        }
    }
}

/// Initializes libgit2 once per process.
///
/// libgit2 keeps every pack file it has read open for as long as the repository is; a sync job's
/// cache gains a pack with every fetch, so the job would gain a file descriptor a change (found by
/// scripts/soak). At most this many pack files stay open; the least recently used are closed and
/// opened again when needed.
let libgit2Initialized: Bool = {
    let initialized = git_libgit2_init() > 0
    gitops_set_mwindow_file_limit(Repository.openPackFileLimit)
    return initialized
}()

/// The one check every libgit2 return code goes through.
@discardableResult
func check(_ result: Int32, _ call: String) throws(GitError) -> Int32 {
    guard result < 0 else { return result }
    let message: String
    if let last = git_error_last(), let text = last.pointee.message {
        message = String(cString: text)
    } else {
        message = "unknown error"
    }
    throw GitError(code: .libgit2(result), message: message, call: call)
}

/// Hex text of an object id.
func hex(_ oid: UnsafePointer<git_oid>) -> String {
    var buffer = [CChar](repeating: 0, count: 41)
    git_oid_tostr(&buffer, 41, oid)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The object id `text` names (full hex).
func oid(_ text: String, _ call: String) throws(GitError) -> git_oid {
    var id = git_oid()
    try check(git_oid_fromstr(&id, text), call)
    return id
}
