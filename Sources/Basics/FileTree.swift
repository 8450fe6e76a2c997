/// What a file-tree entry is.
public enum FileKind: String, Sendable, Hashable {
    case file, directory, symlink, submodule
}

/// One entry of a folder listing.
public struct FileTreeEntry: Sendable, Hashable {
    public var name: String
    public var kind: FileKind
    /// The Git object id (hex) of the blob or tree, when the tree comes from Git.
    public var objectID: String?

    public init(name: String, kind: FileKind, objectID: String? = nil) {
        self.name = name
        self.kind = kind
        self.objectID = objectID
    }
}

/// Why a file-tree operation failed.
public enum FileTreeError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(String)
    case notADirectory(String)
    case notAFile(String)
    /// A path that is absolute or climbs out of the repository with `..`.
    case escapesRepository(String)
    /// A symlink (`link`) whose target (`target`) lies outside the repository.
    case symlinkEscapes(link: String, target: String)
    case tooManySymlinks(String)
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case .notFound(let p): return "'\(p)' does not exist"
        case .notADirectory(let p): return "'\(p)' is not a folder"
        case .notAFile(let p): return "'\(p)' is not a file"
        case .escapesRepository(let p): return "'\(p)' points outside the repository"
        case .symlinkEscapes(let link, let target):
            return "symlink '\(link)' points outside the repository (to '\(target)')"
        case .tooManySymlinks(let p): return "too many levels of symlinks resolving '\(p)'"
        case .io(let p, let m): return "cannot read '\(p)': \(m)"
        }
    }
}

/// A read-only tree of files addressed by repository-relative paths: a Git commit's tree
/// or a working tree. Everything above the `Git` layer reads files only through this protocol.
///
/// Implementations provide the primitives on *physical* paths (no symlink followed);
/// the extension methods resolve symlinks inside the tree and refuse ones that leave it.
public protocol FileTree: Sendable {
    /// A short description for messages, e.g. `working tree` or `HEAD (1a2b3c4)`.
    var displayName: String { get }
    /// The kind of the entry at a physical path, without following a final symlink; nil when absent.
    func entryKind(atPhysicalPath path: String) throws -> FileKind?
    /// The entries of the folder at a physical path, sorted by name.
    func entries(inPhysicalPath path: String) throws -> [FileTreeEntry]
    /// The bytes of the file at a physical path.
    func contents(ofPhysicalPath path: String) throws -> [UInt8]
    /// The raw target of the symlink at a physical path.
    func symlinkTarget(atPhysicalPath path: String) throws -> String
    /// The Git object id of the blob or tree at a physical path, when the tree comes from Git.
    func objectID(atPhysicalPath path: String) throws -> String?
}

extension FileTree {
    /// The physical path `path` designates, every symlink on the way followed.
    /// Throws `symlinkEscapes` for a link that leaves the tree and `notFound` for a missing entry.
    public func resolve(_ path: String) throws -> String { try resolveWithKind(path).path }

    /// `resolve`, with the kind of what the path designates (the root is a folder).
    private func resolveWithKind(_ path: String) throws -> (path: String, kind: FileKind) {
        guard let normalized = RepoPath.normalize(path) else { throw FileTreeError.escapesRepository(path) }
        var pending = normalized.split(separator: "/").map(String.init)
        var resolved = ""
        var resolvedKind = FileKind.directory
        var hops = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            let candidate = resolved.isEmpty ? part : resolved + "/" + part
            guard let kind = try entryKind(atPhysicalPath: candidate) else { throw FileTreeError.notFound(normalized) }
            guard kind == .symlink else {
                resolved = candidate
                resolvedKind = kind
                continue
            }
            hops += 1
            if hops > 40 { throw FileTreeError.tooManySymlinks(normalized) }
            let target = try symlinkTarget(atPhysicalPath: candidate)
            guard let joined = RepoPath.join(resolved, target) else {
                throw FileTreeError.symlinkEscapes(link: candidate, target: target)
            }
            pending = joined.split(separator: "/").map(String.init) + pending
            resolved = ""
            resolvedKind = .directory
        }
        return (resolved, resolvedKind)
    }

    /// The kind of what `path` designates after following symlinks; nil when it does not exist.
    /// Throws when a symlink on the way leaves the tree.
    public func kind(of path: String) throws -> FileKind? {
        do {
            return try entryKind(atPhysicalPath: try resolve(path))
        } catch FileTreeError.notFound {
            return nil
        } catch FileTreeError.notADirectory {
            return nil
        }
    }

    /// Whether `path` exists (following symlinks that stay inside the tree).
    public func exists(_ path: String) throws -> Bool { try kind(of: path) != nil }

    /// The bytes of the file `path` designates.
    public func read(_ path: String) throws -> [UInt8] {
        let (physical, kind) = try resolveWithKind(path)
        guard kind == .file else { throw FileTreeError.notAFile(path) }
        return try contents(ofPhysicalPath: physical)
    }

    /// The entries of the folder `path` designates.
    public func list(_ path: String) throws -> [FileTreeEntry] {
        let (physical, kind) = try resolveWithKind(path)
        guard kind == .directory else {
            throw FileTreeError.notADirectory(path)
        }
        return try entries(inPhysicalPath: physical)
    }

    /// The object id of what `path` designates, when the tree comes from Git.
    public func objectID(of path: String) throws -> String? {
        try objectID(atPhysicalPath: try resolve(path))
    }

    /// Every file below `folder` (recursively, following symlinks that stay inside the tree),
    /// as paths under `folder` as written, in sorted path order. `include` filters by file name.
    public func files(under folder: String, include: (String) -> Bool = { _ in true }) throws -> [String] {
        try listFiles(under: folder, include: include).map(\.path)
    }

    /// `files(under:)`, each with the physical path it was found at (read it with `read(_:)`
    /// without resolving its folders again); `descend` says, for each folder below `folder` (its
    /// path as written), whether to look inside.
    public func listFiles(under folder: String, include: (String) -> Bool = { _ in true },
                          descend: (String) -> Bool = { _ in true }) throws -> [ListedFile] {
        guard let base = RepoPath.normalize(folder) else { throw FileTreeError.escapesRepository(folder) }
        var result: [ListedFile] = []
        try collect(base, into: &result, ancestors: [], include: include, descend: descend)
        return result.sorted { $0.path < $1.path }
    }

    /// The bytes of a file listed by `listFiles`.
    public func read(_ file: ListedFile) throws -> [UInt8] { try contents(ofPhysicalPath: file.physicalPath) }

    /// `ancestors` are the physical folders above `folder`: a folder among them is a symlink cycle.
    private func collect(_ folder: String, into result: inout [ListedFile], ancestors: Set<String>,
                         include: (String) -> Bool, descend: (String) -> Bool) throws {
        let (physical, kind) = try resolveWithKind(folder)
        guard kind == .directory else { throw FileTreeError.notADirectory(folder) }
        guard !ancestors.contains(physical) else { return }
        var ancestors = ancestors
        ancestors.insert(physical)
        for entry in try entries(inPhysicalPath: physical) {
            let path = folder.isEmpty ? entry.name : folder + "/" + entry.name
            var kind = entry.kind
            var entryPhysical = physical.isEmpty ? entry.name : physical + "/" + entry.name
            if kind == .symlink {
                (entryPhysical, kind) = try resolveWithKind(path)
            }
            switch kind {
            case .directory: if descend(path) { try collect(path, into: &result, ancestors: ancestors, include: include, descend: descend) }
            case .file: if include(entry.name) { result.append(ListedFile(path: path, physicalPath: entryPhysical)) }
            case .symlink, .submodule: continue
            }
        }
    }
}

/// A file found by `FileTree.listFiles`: its path as asked for, and where it physically is.
public struct ListedFile: Sendable, Hashable {
    public var path: String
    public var physicalPath: String
}
