import Foundation
import Git
import Testing
import TestSupport
@testable import Sync

/// The job's fetch cache over months: a pack file a change, until a fresh fetch replaces it.
@Suite struct SyncSourceTests {
    static func sh(_ command: String) throws -> String {
        try TestProcess.output(["sh", "-c", command], requireSuccess: true)
    }

    @Test func aRemoteCacheIsFetchedAfreshPastItsPackLimit() throws {
        let folder = NSTemporaryDirectory() + "gitops-source-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let remote = folder + "/remote", cache = folder + "/cache"
        _ = try Self.sh("git init -q -b main '\(remote)' && git -C '\(remote)' config user.email t@example.com && git -C '\(remote)' config user.name T")
        let source = SyncSource.remote(url: "file://" + remote, branch: "main", cache: cache, credentials: RemoteCredentials(useCredentialHelper: false))
        var opened: Repository?
        var packs: [Int] = []
        var last = ""
        for round in 0..<10 {
            _ = try Self.sh("cd '\(remote)' && echo \(round) > f\(round).txt && git add -A && git commit -qm 'round \(round)'")
            let head = try Self.sh("git -C '\(remote)' rev-parse HEAD")
            let (repository, commit) = try source.latest(reusing: opened, maximumPacks: 4)
            #expect(commit == head)
            opened = repository
            last = commit
            packs.append(try FileManager.default.contentsOfDirectory(atPath: cache + "/objects/pack").filter { $0.hasSuffix(".pack") }.count)
        }
        #expect(packs.max()! <= 5 && packs.last! < packs.max()!, "packs after each fetch: \(packs)")
        // The fresh cache holds everything: the newest tree reads, and no stray folder is left.
        #expect(try opened!.tree(at: last).contents(ofPhysicalPath: "f0.txt") == Array("0\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["cache", "remote"])
    }
}
