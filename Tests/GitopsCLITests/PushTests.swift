import Foundation
import Testing
import TestSupport

/// `--push` against a bare repository served by `git daemon` on 127.0.0.1: the promotion branch
/// and the merge reach the remote, and a remote that moves during the push (a non-fast-forward
/// rejection) is fetched again and the promotion re-planned on its new tip.
@Suite struct PushTests {
    final class Daemon {
        let root = NSTemporaryDirectory() + "gitops-daemon-" + UUID().uuidString
        var port = 0
        var running: Process?

        init() throws {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            for _ in 0..<20 {
                port = Int.random(in: 20_000...40_000)
                if try start() { return }
            }
            throw CocoaError(.featureUnsupported)
        }

        /// Starts git-daemon on `port`; false when it does not listen there.
        func start() throws -> Bool {
            let process = Process()
            // git-daemon itself, not `git daemon` (whose child would outlive a terminate()).
            process.executableURL = URL(fileURLWithPath: try PushTests.sh("git --exec-path") + "/git-daemon")
            process.arguments = ["--reuseaddr", "--base-path=\(root)", "--export-all", "--enable=receive-pack",
                                 "--listen=127.0.0.1", "--port=\(port)", root]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Listening once a connection is accepted.
            for _ in 0..<50 {
                if Self.accepts(port) { running = process; return true }
                if !process.isRunning { break }
                usleep(100_000)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return false
        }

        /// Stops the daemon and keeps its repositories: the port then refuses connections.
        func pause() {
            if let running { kill(running.processIdentifier, SIGKILL); running.waitUntilExit() }
            running = nil
        }

        /// Starts it again on the same port.
        func resume() throws {
            for _ in 0..<20 where try !start() { usleep(250_000) }
            guard running != nil else { throw CocoaError(.featureUnsupported) }
        }

        static func accepts(_ port: Int) -> Bool {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            return withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        }

        func stop() {
            // SIGKILL: a process started from a test thread may inherit a mask that blocks SIGTERM.
            if let running { kill(running.processIdentifier, SIGKILL); running.waitUntilExit() }
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    static func sh(_ command: String) throws -> String { try TestProcess.output(["sh", "-c", command]) }

    @Test func pushAndReplanWhenTheRemoteMoves() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let copy = try PromotionCommandTests.copy()
        defer { copy.remove() }
        let bare = daemon.root + "/envs.git", work = daemon.root + "/work", other = daemon.root + "/other"
        let url = "git://127.0.0.1:\(daemon.port)/envs.git"
        _ = try Self.sh("""
            git clone -q --bare '\(copy.path)' '\(bare)' &&
            git clone -q '\(url)' '\(work)' && git clone -q '\(url)' '\(other)' &&
            for r in '\(work)' '\(other)'; do git -C "$r" config user.name Pat; git -C "$r" config user.email pat@example.com; done
            """)
        // While gitops pushes its merge, someone else pushes to main first.
        let meanwhile = "cd '\(other)' && echo note > environments/dev/NOTE && git add -A && git commit -qm meanwhile >/dev/null && git push -q origin main || true"
        let run = try GitopsRun(["promote", "staging", "production", "--merge", "--push", "origin", "--repo", work],
                                environment: ["GITOPS_TEST_HOOK_AT": "before-merge-push", "GITOPS_TEST_HOOK": meanwhile])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("into origin/main"), "\(run.stdout)")
        let log = try Self.sh("git -C '\(bare)' log --first-parent --format=%s main")
        #expect(log.hasPrefix("Merge promotion ") && log.contains("meanwhile"), "re-planned on the moved remote: \(log)")
        #expect(try Self.sh("git -C '\(bare)' rev-list --merges --count main") == "1")
        #expect(try Self.sh("git -C '\(bare)' show main:environments/production/blog.yaml").contains("tag: \"1.5.0\""))
        #expect(!(try Self.sh("git -C '\(bare)' branch --list 'promote/*'")).isEmpty, "the branch was pushed")
        #expect(try Self.sh("git -C '\(bare)' fsck --strict --no-dangling 2>&1").isEmpty)
        #expect(try Self.sh("git -C '\(work)' rev-parse main") == Self.sh("git -C '\(copy.path)' rev-parse main"), "the local main is not moved")
    }
}
