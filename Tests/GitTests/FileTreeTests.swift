import Basics
import Foundation
import Git
import Testing

@Suite struct FileTreeTests {
    /// The same questions asked of a commit's tree and of the working tree.
    @Test func gitTreeAndWorkingTreeAgree() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("environments/dev/environment.yaml", "kind: Environment\n")
        try scratch.write("environments/dev/manifests/b.yaml", "b\n")
        try scratch.write("environments/dev/manifests/a.yml", "a\n")
        try scratch.write("environments/dev/manifests/sub/c.yaml", "c\n")
        try scratch.write("environments/dev/manifests/readme.md", "no\n")
        try scratch.symlink("environments/dev/link.yaml", to: "manifests/a.yml")
        try scratch.symlink("environments/dev/linkdir", to: "manifests/sub")
        try scratch.commit("c")
        let repository = try Repository(discoveringFrom: scratch.path)
        let trees: [any FileTree] = [try repository.tree(at: "HEAD"), try repository.workingTree()]
        for tree in trees {
            #expect(try tree.list("environments").map(\.name) == ["dev"])
            #expect(try tree.list("environments/dev").map(\.kind) == [.file, .symlink, .symlink, .directory])
            #expect(try tree.read("environments/dev/link.yaml") == Array("a\n".utf8))
            #expect(try tree.read("environments/dev/linkdir/c.yaml") == Array("c\n".utf8))
            #expect(try tree.exists("environments/dev/manifests/sub"))
            #expect(try !tree.exists("environments/prod"))
            #expect(try tree.kind(of: "environments/dev/linkdir") == .directory)
            let files = try tree.files(under: "environments/dev/manifests") { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            #expect(files == ["environments/dev/manifests/a.yml", "environments/dev/manifests/b.yaml",
                              "environments/dev/manifests/sub/c.yaml"])
            #expect(throws: FileTreeError.notFound("environments/x.yaml")) { try tree.read("environments/x.yaml") }
            #expect(throws: FileTreeError.escapesRepository("../outside")) { try tree.read("../outside") }
        }
    }

    @Test func symlinkCyclesEndAndSharedFoldersAreListedEachTime() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("m/shared/x.yaml", "x\n")
        try scratch.symlink("m/a", to: "shared")
        try scratch.symlink("m/shared/loop", to: "..")
        try scratch.commit("c")
        let repository = try Repository(discoveringFrom: scratch.path)
        for tree in [try repository.tree(at: "HEAD"), try repository.workingTree()] as [any FileTree] {
            #expect(try tree.files(under: "m") == ["m/a/x.yaml", "m/shared/x.yaml"])
        }
    }

    @Test func objectIDsMatchGit() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("dir/file.txt", "hello\n")
        try scratch.commit("c")
        let tree = try Repository(discoveringFrom: scratch.path).tree(at: "HEAD")
        #expect(try tree.objectID(of: "dir/file.txt") == scratch.git("rev-parse", "HEAD:dir/file.txt"))
        #expect(try tree.objectID(of: "dir") == scratch.git("rev-parse", "HEAD:dir"))
        #expect(try tree.objectID(of: "") == scratch.git("rev-parse", "HEAD^{tree}"))
        #expect(try tree.list("dir").first?.objectID == scratch.git("rev-parse", "HEAD:dir/file.txt"))
        #expect(try repositoryWorkingTree(scratch).objectID(of: "dir/file.txt") == nil)
    }

    private func repositoryWorkingTree(_ scratch: ScratchRepository) throws -> WorkingTree {
        try Repository(discoveringFrom: scratch.path).workingTree()
    }

    @Test func readsEachRevisionAndSeesWorkingTreeEditsOnlyWithoutRevision() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("values.yaml", "tag: 1\n")
        try scratch.commit("one")
        try scratch.write("values.yaml", "tag: 2\n")
        try scratch.commit("two")
        try scratch.write("values.yaml", "tag: 3 # uncommitted\n")
        let repository = try Repository(discoveringFrom: scratch.path)
        #expect(try repository.tree(at: "HEAD~1").read("values.yaml") == Array("tag: 1\n".utf8))
        #expect(try repository.tree(at: "HEAD").read("values.yaml") == Array("tag: 2\n".utf8))
        #expect(try repository.workingTree().read("values.yaml") == Array("tag: 3 # uncommitted\n".utf8))
    }

    @Test func symlinksLeavingTheRepositoryAreRefused() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("env/a.yaml", "a\n")
        try scratch.symlink("env/passwd.yaml", to: "../../../../../../../etc/passwd")
        try scratch.symlink("env/abs.yaml", to: "/etc/passwd")
        try scratch.symlink("env/loop", to: "loop")
        try scratch.commit("c")
        let repository = try Repository(discoveringFrom: scratch.path)
        for tree in [try repository.tree(at: "HEAD"), try repository.workingTree()] as [any FileTree] {
            #expect(throws: FileTreeError.symlinkEscapes(link: "env/passwd.yaml", target: "../../../../../../../etc/passwd")) {
                try tree.read("env/passwd.yaml")
            }
            #expect(throws: FileTreeError.self) { try tree.read("env/abs.yaml") }
            #expect(throws: FileTreeError.tooManySymlinks("env/loop")) { try tree.read("env/loop") }
        }
    }
}
