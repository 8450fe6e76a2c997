#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files of a folder on disk (a Git working tree, uncommitted edits included).
/// `.git` at the root is hidden.
public struct WorkingTree: FileTree {
    /// The absolute path of the root folder.
    public let root: String

    public init(root: String) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
    }

    public var displayName: String { "working tree" }

    private func absolute(_ path: String) -> String { path.isEmpty ? root : root + "/" + path }

    public func entryKind(atPhysicalPath path: String) throws -> FileKind? {
        if path == ".git" || path.hasPrefix(".git/") { return nil }
        var info = stat()
        guard lstat(absolute(path), &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw FileTreeError.io(path: path, message: String(cString: strerror(errno)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .file
        }
    }

    public func entries(inPhysicalPath path: String) throws -> [FileTreeEntry] {
        guard let dir = opendir(absolute(path)) else {
            throw FileTreeError.io(path: path, message: String(cString: strerror(errno)))
        }
        defer { closedir(dir) }
        var result: [FileTreeEntry] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." || (path.isEmpty && name == ".git") { continue }
            // The kind readdir reports saves a stat per entry; file systems that do not report it
            // (DT_UNKNOWN) are asked.
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): result.append(FileTreeEntry(name: name, kind: .directory))
            case Int32(DT_LNK): result.append(FileTreeEntry(name: name, kind: .symlink))
            case Int32(DT_UNKNOWN):
                if let kind = try entryKind(atPhysicalPath: path.isEmpty ? name : path + "/" + name) {
                    result.append(FileTreeEntry(name: name, kind: kind))
                }
            default: result.append(FileTreeEntry(name: name, kind: .file))
            }
        }
        return result.sorted { $0.name < $1.name }
    }

    public func contents(ofPhysicalPath path: String) throws -> [UInt8] {
        // A physical path has no symlink; one put in its place since is not followed.
        let fd = open(absolute(path), O_RDONLY | O_NOFOLLOW)
        guard fd >= 0 else { throw FileTreeError.io(path: path, message: String(cString: strerror(errno))) }
        defer { close(fd) }
        // The size the file has now, read into one buffer of that size (charts are hundreds of
        // small files: a large zeroed chunk per file cost more than reading them); whatever it
        // grew by meanwhile is read after it.
        var info = stat()
        let expected = fstat(fd, &info) == 0 ? max(Int(info.st_size), 0) : 0
        var failure: Int32 = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, count in
            count = 0
            while count < expected {
                let n = Glibc.read(fd, buffer.baseAddress! + count, expected - count)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { return }
                count += n
            }
        }
        if failure != 0 { throw FileTreeError.io(path: path, message: String(cString: strerror(failure))) }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileTreeError.io(path: path, message: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    public func symlinkTarget(atPhysicalPath path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink(absolute(path), &buffer, 4096)
        guard n >= 0 else { throw FileTreeError.io(path: path, message: String(cString: strerror(errno))) }
        let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // An absolute target inside the root is fine; express it relative to the root.
        if target.hasPrefix("/") {
            if target == root { return rootRelative(from: path, to: "") }
            if target.hasPrefix(root + "/") { return rootRelative(from: path, to: String(target.dropFirst(root.count + 1))) }
        }
        return target
    }

    /// A relative link text that leads from the folder of `link` to the root-relative `target`.
    private func rootRelative(from link: String, to target: String) -> String {
        let depth = RepoPath.parent(link).split(separator: "/").count
        let up = Array(repeating: "..", count: depth).joined(separator: "/")
        if up.isEmpty { return target.isEmpty ? "." : target }
        return target.isEmpty ? up : up + "/" + target
    }

    public func objectID(atPhysicalPath path: String) throws -> String? { nil }
}
