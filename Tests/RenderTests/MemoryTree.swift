import Basics

/// An in-memory file tree for tests: files and symlinks by repository-relative path.
struct MemoryTree: FileTree {
    var files: [String: String]
    var symlinks: [String: String] = [:]

    var displayName: String { "test tree" }

    private var folders: Set<String> {
        var result: Set<String> = [""]
        for path in Array(files.keys) + Array(symlinks.keys) {
            var parent = RepoPath.parent(path)
            while !parent.isEmpty {
                result.insert(parent)
                parent = RepoPath.parent(parent)
            }
        }
        return result
    }

    func entryKind(atPhysicalPath path: String) throws -> FileKind? {
        if files[path] != nil { return .file }
        if symlinks[path] != nil { return .symlink }
        return folders.contains(path) ? .directory : nil
    }

    func entries(inPhysicalPath path: String) throws -> [FileTreeEntry] {
        var names: [String: FileKind] = [:]
        for candidate in Array(files.keys) + Array(symlinks.keys) + Array(folders) where !candidate.isEmpty {
            guard RepoPath.parent(candidate) == path else { continue }
            names[RepoPath.name(candidate)] = try entryKind(atPhysicalPath: candidate)
        }
        return names.map { FileTreeEntry(name: $0.key, kind: $0.value) }.sorted { $0.name < $1.name }
    }

    func contents(ofPhysicalPath path: String) throws -> [UInt8] {
        guard let text = files[path] else { throw FileTreeError.notFound(path) }
        return Array(text.utf8)
    }

    func symlinkTarget(atPhysicalPath path: String) throws -> String {
        guard let target = symlinks[path] else { throw FileTreeError.notFound(path) }
        return target
    }

    func objectID(atPhysicalPath path: String) throws -> String? { nil }
}

/// A minimal valid environment.yaml for environment `name` with the given releases text.
func environmentFile(_ name: String, namespace: String = "ns", releases: String) -> String {
    """
    apiVersion: gitops/v1alpha1
    kind: Environment
    metadata:
      name: \(name)
    spec:
      namespace: \(namespace)
      releases:
    \(releases)
    """
}
