/// A read-only file tree held in memory (an unpacked archive, for example).
public struct MemoryFileTree: FileTree {
    public let displayName: String
    private let files: [String: [UInt8]]
    private let folders: Set<String>
    /// Each folder's entries, sorted by name, listed once when the tree is made.
    private let children: [String: [FileTreeEntry]]

    /// `files` by normalized relative path; folders are implied by the paths.
    public init(displayName: String, files: [String: [UInt8]]) {
        self.displayName = displayName
        self.files = files
        var folders: Set<String> = [""]
        for path in files.keys {
            var parent = RepoPath.parent(path)
            while !parent.isEmpty, folders.insert(parent).inserted { parent = RepoPath.parent(parent) }
        }
        self.folders = folders
        // A name that is both a file and a folder (`a` and `a/b`) lists as the folder.
        var children: [String: [String: FileKind]] = [:]
        for path in files.keys { children[RepoPath.parent(path), default: [:]][RepoPath.name(path)] = .file }
        for folder in folders where !folder.isEmpty { children[RepoPath.parent(folder), default: [:]][RepoPath.name(folder)] = .directory }
        self.children = children.mapValues { names in
            names.map { FileTreeEntry(name: $0.key, kind: $0.value) }.sorted { $0.name < $1.name }
        }
    }

    public func entryKind(atPhysicalPath path: String) throws -> FileKind? {
        if files[path] != nil { return .file }
        return folders.contains(path) ? .directory : nil
    }

    public func entries(inPhysicalPath path: String) throws -> [FileTreeEntry] { children[path] ?? [] }

    public func contents(ofPhysicalPath path: String) throws -> [UInt8] {
        guard let bytes = files[path] else { throw FileTreeError.notFound(path) }
        return bytes
    }

    public func symlinkTarget(atPhysicalPath path: String) throws -> String { throw FileTreeError.notFound(path) }

    public func objectID(atPhysicalPath path: String) throws -> String? { nil }
}
