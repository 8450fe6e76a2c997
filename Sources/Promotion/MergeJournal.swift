import Basics
import Foundation
import Git

/// A note in `.git/gitops-merge-<pid>.json` while a merge moves the checked-out branch and then
/// its files: if the process dies in between, the next run finishes bringing the files along (or
/// drops the note when the branch never moved), so the working tree never silently disagrees with
/// the branch it is on. Notes of processes still running are left to them.
struct MergeJournal {
    var base: String
    var from: String
    var to: String
    var paths: [String]

    static func file(_ repository: Repository, pid: Int32 = getpid()) -> String { repository.gitDirectory + "/gitops-merge-\(pid).json" }

    func write(_ repository: Repository) throws {
        let value: Value = .object(["base": .string(base), "from": .string(from), "to": .string(to), "paths": .array(paths.map { .string($0) })])
        do throws(AtomicFile.Failure) {
            try AtomicFile.write(Array(JSONWriter.write(value).utf8), to: Self.file(repository))
        } catch {
            throw PromotionError(error.description)
        }
    }

    static func remove(_ repository: Repository) { try? FileManager.default.removeItem(atPath: file(repository)) }

    /// Finishes the checkouts of merges whose processes died, if any. Files a person edited since
    /// are left alone and named.
    static func recover(_ repository: Repository) throws -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: repository.gitDirectory)) ?? []
        var done: [String] = []
        for name in names where name.hasPrefix("gitops-merge-") && name.hasSuffix(".json") {
            guard let pid = Int32(name.dropFirst("gitops-merge-".count).dropLast(".json".count)), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }  // still running
            if let message = try finish(repository, file: repository.gitDirectory + "/" + name) { done.append(message) }
        }
        return done.isEmpty ? nil : done.joined(separator: "; ")
    }

    private static func finish(_ repository: Repository, file: String) throws -> String? {
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard let data = FileManager.default.contents(atPath: file),
              let value = try? JSONReader.values(String(decoding: data, as: UTF8.self)).first,
              let base = value["base"]?.stringValue, let from = value["from"]?.stringValue, let to = value["to"]?.stringValue else {
            return nil
        }
        let paths = (value["paths"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard try repository.referenceTarget("refs/heads/" + base) == to, repository.currentBranch() == base, let workdir = repository.workdir else {
            return nil  // the merge never moved the branch (or it moved on since): nothing to finish
        }
        // Only files still as they were before the merge are brought along.
        let old = try repository.tree(at: from)
        var untouched: [String] = [], edited: [String] = []
        for path in paths {
            let current = FileManager.default.contents(atPath: workdir + "/" + path).map(Array.init)
            let before = try? old.read(path)
            if current == before { untouched.append(path) } else { edited.append(path) }
        }
        try repository.checkOut(paths: untouched, from: from, to: to)
        return "finished an interrupted merge into \(base): updated \(untouched.joined(separator: ", "))"
            + (edited.isEmpty ? "" : "; left \(edited.joined(separator: ", ")) as edited")
    }
}

/// Test hook: `GITOPS_TEST_CRASH_AT=<point>` kills the process at that point of a promotion, so
/// tests can check that the repository stays consistent and a rerun finishes the job.
/// `GITOPS_TEST_HOOK_AT=<point>` with `GITOPS_TEST_HOOK=<shell command>` runs the command there
/// (to move a remote in the middle of a push, for instance).
enum CrashPoint {
    static func reach(_ name: String) {
        let environment = ProcessInfo.processInfo.environment
        if environment["GITOPS_TEST_CRASH_AT"] == name { kill(getpid(), SIGKILL) }
        if environment["GITOPS_TEST_HOOK_AT"] == name, let command = environment["GITOPS_TEST_HOOK"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            try? process.run()
            process.waitUntilExit()
        }
    }
}
