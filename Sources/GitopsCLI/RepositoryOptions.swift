import ArgumentParser
import Basics
import Foundation
import Git
import RepoModel

/// `--repo` and `--revision`, shared by commands that read the environments repository.
struct RepositoryOptions: ParsableArguments {
    @Option(name: .long, help: "The environments repository (default: the Git repository around the current folder).")
    var repo: String?

    @Option(name: .long, help: "Read this revision's tree straight from Git objects (default: the working tree, uncommitted edits included).")
    var revision: String?

    /// The file tree the command reads.
    func fileTree() throws -> any FileTree {
        let folder = repo ?? FileManager.default.currentDirectoryPath
        guard let repository = try openRepository(folder) else {
            guard revision == nil, repo != nil else {
                throw CommandFailure("'\(folder)' is not inside a Git repository; pass --repo DIR" +
                                     (revision != nil ? " of a Git repository to read a revision" : ""))
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandFailure("--repo '\(folder)' is not a folder")
            }
            return WorkingTree(root: URL(fileURLWithPath: folder).standardizedFileURL.path)
        }
        if let revision { return try repository.tree(at: revision) }
        return try repository.workingTree()
    }

    /// The repository around `folder`, nil when there is none.
    private func openRepository(_ folder: String) throws -> Repository? {
        let result = Result { () throws(GitError) -> Repository in try Repository(discoveringFrom: folder) }
        switch result {
        case .success(let repository): return repository
        case .failure(let error) where error.code == .notARepository: return nil
        case .failure(let error): throw error
        }
    }

    /// The time charts see as `now`: the commit time of a revision, the current time for a working tree.
    func renderTime(of tree: any FileTree) -> Date {
        if let gitTree = tree as? GitTree { return Date(timeIntervalSince1970: gitTree.commit.time) }
        return Date()
    }

    /// The checked repository model of the file tree, each environment loaded on its own (broken
    /// ones are listed in `broken`; problems of gitops.yaml are errors).
    func load() throws -> (any FileTree, EnvironmentRepository) {
        let tree = try fileTree()
        let model = try RepositoryLoader.loadEach(from: tree)
        for deprecation in model.settings.deprecations { Output.error(deprecation) }
        return (tree, model)
    }

    /// The repository and its environment `name`, or an error listing the known ones. Another
    /// environment's broken files are a warning: they do not stop a command about this one.
    func load(environment name: String) throws -> (any FileTree, EnvironmentRepository, Environment) {
        let (tree, model) = try load()
        let environment = try Self.environment(name, in: model, tree: tree)
        Self.warnAboutBroken(model, except: [name])
        return (tree, model, environment)
    }

    /// Environment `name`: its own errors thrown as they are, an unknown name listing the known ones.
    static func environment(_ name: String, in model: EnvironmentRepository, tree: any FileTree) throws -> Environment {
        if let broken = model.brokenEnvironment(named: name) { throw DiagnosticError(broken.problems) }
        guard let environment = model.environment(named: name) else {
            let known = (model.environments.map(\.name) + model.broken.map(\.name)).sorted().joined(separator: ", ")
            throw CommandFailure("no environment '\(name)' in the \(tree.displayName); known environments: \(known.isEmpty ? "none" : known)")
        }
        return environment
    }

    /// One warning per broken environment other than `except`.
    static func warnAboutBroken(_ model: EnvironmentRepository, except: Set<String>) {
        for broken in model.broken where !except.contains(broken.name) {
            Output.error("warning: \(broken.summary); left out (gitops validate \(broken.name) lists every problem)")
        }
    }
}

/// A failure without a source location.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
