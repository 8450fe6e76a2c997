import Basics
import Foundation
import Git
import Testing

@Suite struct RepositoryTests {
    @Test func resolvesRevisionsLikeRevParse() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("a.txt", "one\n")
        let first = try scratch.commit("first")
        try scratch.write("a.txt", "two\n")
        let second = try scratch.commit("second")
        try scratch.write("a.txt", "three\n")
        let third = try scratch.commit("third")
        try scratch.git("tag", "v1", second)
        try scratch.git("tag", "-a", "v2", "-m", "annotated", first)
        try scratch.git("update-ref", "refs/remotes/origin/main", second)

        let repository = try Repository(discoveringFrom: scratch.path)
        let cases: [(String, String)] = [
            ("HEAD", third), ("main", third), ("HEAD~2", first), ("main^", second), ("HEAD^^", first),
            ("v1", second), ("v2", first), ("origin/main", second), (third, third), (String(second.prefix(8)), second),
        ]
        for (revision, expected) in cases {
            #expect(try repository.resolveCommit(revision).id == expected, "\(revision)")
        }
        #expect(try repository.resolveCommit("HEAD").summary == "third")
    }

    /// Found by scripts/soak: every fetch into the sync job's cache adds a pack, and libgit2 kept
    /// every pack it had read open, one more file descriptor per change for as long as the job ran.
    @Test func packFilesOpenAtOnceAreBounded() throws {
        let scratch = try ScratchRepository()
        try scratch.git("config", "gc.auto", "0")  // packs accumulate, as in the job's cache
        var commits: [String] = []
        for round in 0..<(Repository.openPackFileLimit + 16) {
            try scratch.write("f\(round).txt", "round \(round)\n")
            commits.append(try scratch.commit("round \(round)"))
            try scratch.git("repack", "-q")  // one new pack for this round's objects
        }
        let repository = try Repository(discoveringFrom: scratch.path)
        for commit in commits {
            let tree = try repository.tree(at: commit)
            _ = try tree.contents(ofPhysicalPath: "f0.txt")
            _ = try tree.entries(inPhysicalPath: "")
        }
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd))?.hasPrefix(scratch.path) == true
        }
        #expect(open.count <= Repository.openPackFileLimit, "\(open.count) files of the repository open")
    }

    @Test func unknownRevisionsAreNamed() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("a.txt", "x")
        try scratch.commit("c")
        let repository = try Repository(discoveringFrom: scratch.path)
        for revision in ["nope", "HEAD~5", "deadbeef", "main^{tree}"] {
            let error = #expect(throws: GitError.self) { try repository.resolveCommit(revision) }
            #expect(error?.code == .unknownRevision)
            #expect(error?.description.contains("'\(revision)'") == true)
        }
    }

    @Test func opensFromAnySubfolder() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("deep/er/file.txt", "x")
        let repository = try Repository(discoveringFrom: scratch.path + "/deep/er")
        #expect(repository.workdir.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
                == URL(fileURLWithPath: scratch.path).resolvingSymlinksInPath().path)
        #expect(throws: GitError.self) { try Repository(discoveringFrom: "/") }
    }
}
