import ArgumentParser
import Basics
import Foundation
import Git
import Kustomize

struct KustomizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kustomize",
        abstract: "Work with kustomizations directly.",
        subcommands: [KustomizeBuildCommand.self])
}

struct KustomizeBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a kustomization and print what `kubectl kustomize` prints for it.")

    @Argument(help: "The folder holding kustomization.yaml.")
    var folder: String = "."

    @Option(name: .long, help: "Read this revision of the Git repository around the folder (default: the files on disk).")
    var revision: String?

    func run() throws {
        let absolute = URL(fileURLWithPath: folder).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure("'\(folder)' is not a folder")
        }
        // Bases may sit anywhere above the folder: read the whole repository around it (or, outside
        // Git, the whole file system) and build the folder's path in it.
        let (tree, path): (any FileTree, String)
        if revision == nil {
            // The files on disk need no Git: the working tree is the folder holding `.git` (found
            // without starting libgit2, which costs a short build most of its time).
            let root = Self.enclosingWorkTree(of: absolute) ?? "/"
            tree = WorkingTree(root: root)
            path = absolute == root ? "" : String(absolute.dropFirst(root == "/" ? 1 : root.count + 1))
            Output.write(KustomizeOutput.yaml(try KustomizeBuilder(tree: tree, seedSecret: RandomSeed.secret).build(path)))
            return
        }
        let repository = try? Repository(discoveringFrom: absolute)
        if let repository, let workdir = repository.workdir.map({ URL(fileURLWithPath: $0).standardizedFileURL.path }),
           absolute == workdir || absolute.hasPrefix(workdir + "/") {
            tree = try revision.map { try repository.tree(at: $0) } ?? repository.workingTree()
            path = absolute == workdir ? "" : String(absolute.dropFirst(workdir.count + 1))
        } else {
            guard revision == nil else { throw CommandFailure("--revision needs '\(folder)' to be inside a Git repository") }
            tree = WorkingTree(root: "/")
            path = String(absolute.dropFirst())
        }
        // A revision's charts (helmCharts) see its commit time as `now`, so it builds the same bytes forever.
        let renderTime = (tree as? GitTree).map { Date(timeIntervalSince1970: $0.commit.time) } ?? Date()
        Output.write(KustomizeOutput.yaml(try KustomizeBuilder(tree: tree, renderTime: renderTime, seedSecret: RandomSeed.secret).build(path)))
    }

    /// The nearest folder at or above `folder` that holds `.git` (a folder or a worktree's file).
    static func enclosingWorkTree(of folder: String) -> String? {
        var current = folder
        while true {
            if FileManager.default.fileExists(atPath: current + (current == "/" ? "" : "/") + ".git") { return current }
            guard current != "/", let slash = current.lastIndex(of: "/") else { return nil }
            current = slash == current.startIndex ? "/" : String(current[..<slash])
        }
    }
}
