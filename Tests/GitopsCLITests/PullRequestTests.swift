import Foundation
import Notifications
import Testing
import TestSupport

/// `--open-pr` against scripts/forge-double, a test double of the GitHub and GitLab REST calls
/// gitops makes (written from their public API references; not the real services).
@Suite struct PullRequestTests {
    final class ForgeDouble {
        let process = Process()
        let port: Int
        var url: String { "http://127.0.0.1:\(port)" }

        init(token: String, project: String, users: [String]) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", GitopsProcessTests.repositoryRoot + "/scripts/forge-double", "--token", token, "--project", project,
                                 "--users", users.joined(separator: ",")]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line += chunk
            }
            guard let port = Int(String(decoding: line, as: UTF8.self).split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") else {
                process.terminate()
                throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "forge-double did not start"])
            }
            self.port = port
        }

        func state() throws -> [String: Any] {
            let text = try TestProcess.output(["python3", "-c", "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())",
                                               url + "/__state"])
            return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        }

        func stop() {
            // SIGKILL: the test process ignores SIGTERM, and its children inherit that.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A copy of this repository whose `origin` is a bare repository beside it.
    static func pushableCopy() throws -> ClusterDiffTests.Copy {
        let copy = try PromotionCommandTests.copy()
        let bare = copy.path + "-origin.git"
        try TestProcess.output(["git", "clone", "-q", "--bare", copy.path, bare])
        try copy.run("git", "remote", "add", "origin", bare)
        return copy
    }

    @Test func aPromotionOpensOnePullRequestOnGitHubAndUpdatesItWhenRunAgain() throws {
        let token = "ghp-test-token-d41d8cd98f00"
        let forge = try ForgeDouble(token: token, project: "owner/envs", users: ["alice"])
        defer { forge.stop() }
        let copy = try Self.pushableCopy()
        defer { copy.remove(); try? FileManager.default.removeItem(atPath: copy.path + "-origin.git") }
        let arguments = ["promote", "staging", "production", "--push", "origin", "--open-pr", "--forge", "github", "--forge-url", forge.url,
                         "--forge-project", "owner/envs", "--label", "promotion", "--label", "production", "--reviewer", "alice",
                         "--reviewer", "example/sre", "--repo", copy.path]
        let opened = try GitopsRun(arguments, environment: ["GITOPS_GITHUB_TOKEN": token])
        #expect(opened.status == 0, "\(opened.stdout)\(opened.stderr)")
        #expect(opened.stdout.contains("opened pull request #1: \(forge.url)/owner/envs/pull/1\n"), "\(opened.stdout)")
        let branch = String(opened.stdout.dropFirst("wrote ".count).prefix { $0 != ":" })
        var pulls = try #require(try forge.state()["github"] as? [[String: Any]])
        #expect(pulls.count == 1)
        let pull = pulls[0]
        #expect(pull["title"] as? String == "promote staging → production: blog image.tag 1.4.2 → 1.5.0")
        #expect((pull["head"] as? [String: Any])?["ref"] as? String == branch && (pull["base"] as? [String: Any])?["ref"] as? String == "main")
        let body = pull["body"] as? String ?? ""
        #expect(body.contains("- blog image.tag 1.4.2 → 1.5.0 (environments/production/blog.yaml)") && body.contains("Promotion-Id: ")
                && body.contains("<!-- gitops:promotion-id="), "\(body)")
        #expect((pull["labels"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["promotion", "production"])
        #expect((pull["requested_reviewers"] as? [[String: Any]])?.compactMap { $0["login"] as? String } == ["alice"])
        #expect((pull["requested_teams"] as? [[String: Any]])?.compactMap { $0["slug"] as? String } == ["sre"])
        #expect(try TestProcess.output(["git", "-C", copy.path + "-origin.git", "branch", "--list", branch]).contains(branch), "the branch is pushed")

        let again = try GitopsRun(arguments, environment: ["GITOPS_GITHUB_TOKEN": token])
        #expect(again.status == 0 && again.stdout.contains("updated pull request #1: "), "\(again.stdout)\(again.stderr)")
        pulls = try #require(try forge.state()["github"] as? [[String: Any]])
        #expect(pulls.count == 1, "never a second pull request for the same change")

        let refused = try GitopsRun(arguments, environment: ["GITOPS_GITHUB_TOKEN": "wrong-token"])
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("the branch \(branch) is pushed, but the pull request was not opened: GitHub answered 401 to GET \(forge.url)/repos/owner/envs/pulls: Bad credentials (the token is missing, wrong or expired: GITOPS_GITHUB_TOKEN)"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("wrong-token") && !refused.stdout.contains("wrong-token"))

        let unknownReviewer = try GitopsRun(arguments.map { $0 == "alice" ? "mallory" : $0 }, environment: ["GITOPS_GITHUB_TOKEN": token])
        #expect(unknownReviewer.status == 2 && unknownReviewer.stderr.contains("GitHub answered 422 to POST \(forge.url)/repos/owner/envs/pulls/1/requested_reviewers: Reviews may only be requested from collaborators"), "\(unknownReviewer.stderr)")

        let noToken = try GitopsRun(arguments, environment: ["GITOPS_GITHUB_TOKEN": ""])
        #expect(noToken.status == 2 && noToken.stderr.contains("no GitHub token: set GITOPS_GITHUB_TOKEN or pass --forge-token-file FILE"), "\(noToken.stderr)")
        let noPush = try GitopsRun(["promote", "staging", "production", "--open-pr", "--repo", copy.path])
        #expect(noPush.status == 2 && noPush.stderr.contains("--open-pr needs --push REMOTE"), "\(noPush.stderr)")
    }

    @Test func aSetOpensOneMergeRequestOnGitLab() throws {
        let token = "glpat-test-token-0123"
        let forge = try ForgeDouble(token: token, project: "group/sub/envs", users: ["alice", "bob"])
        defer { forge.stop() }
        let copy = try Self.pushableCopy()
        defer { copy.remove(); try? FileManager.default.removeItem(atPath: copy.path + "-origin.git") }
        let tokenFile = copy.path + "-token"
        try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let arguments = ["set", "dev", "blog", "image.tag=1.7.0", "--reason", "build 99", "--push", "origin", "--open-pr", "--forge", "gitlab",
                         "--forge-url", forge.url + "/api/v4", "--forge-project", "group/sub/envs", "--forge-token-file", tokenFile,
                         "--label", "ci", "--reviewer", "bob", "--repo", copy.path]
        let opened = try GitopsRun(arguments)
        #expect(opened.status == 0 && opened.stdout.contains("opened merge request !1: \(forge.url)/group/sub/envs/-/merge_requests/1\n"), "\(opened.stdout)\(opened.stderr)")
        let again = try GitopsRun(arguments)
        #expect(again.status == 0 && again.stdout.contains("updated merge request !1: "), "\(again.stdout)\(again.stderr)")
        let requests = try #require(try forge.state()["gitlab"] as? [[String: Any]])
        #expect(requests.count == 1)
        #expect(requests[0]["title"] as? String == "set dev: blog image.tag 1.5.0-rc.2 → 1.7.0")
        #expect((requests[0]["source_branch"] as? String)?.hasPrefix("set/dev/blog-") == true && requests[0]["target_branch"] as? String == "main")
        #expect((requests[0]["description"] as? String)?.contains("why: build 99") == true)
        #expect(requests[0]["labels"] as? [String] == ["ci"] && requests[0]["reviewers"] as? [Int] == [2])
    }

    /// A commit status per environment through the notifier, against the double: success for a
    /// synced revision, failure for a blocked one; a revision that is no commit id is not sent.
    @Test func commitStatusesSayWhetherACommitReachedAnEnvironment() async throws {
        let forge = try ForgeDouble(token: "t0ken", project: "example/envs", users: [])
        defer { forge.stop() }
        setenv("GITOPS_TEST_STATUS_TOKEN", "t0ken", 1)
        let settings = NotificationSettings(receivers: [.init(name: "commits", kind: .githubStatus(repository: "example/envs", token: .environment("GITOPS_TEST_STATUS_TOKEN"), apiURL: forge.url))],
                                            rules: [.init(events: [.syncSucceeded, .revisionBlocked], environments: [], receivers: ["commits"])])
        let problems = Problems()
        let notifier = Notifier { problems.add($0) }
        let sha = String(repeating: "a1", count: 20), other = String(repeating: "b2", count: 20)
        notifier.notify(Event(.syncSucceeded, environment: "production", revision: sha, message: "synced a1a1a1a"), settings: settings)
        notifier.notify(Event(.revisionBlocked, environment: "staging", revision: other, message: "revision b2b2b2b blocked"), settings: settings)
        notifier.notify(Event(.syncSucceeded, environment: "dev", revision: "working tree of abc1234", message: "synced"), settings: settings)
        #expect(try await SyncServiceTests.eventually(60) { notifier.pending == 0 }, "deliveries end (a loaded machine is slow)")
        let statuses = try forge.state()["statuses"] as? [[String: Any]] ?? []
        let summary = statuses.map { "\($0["sha"] as? String ?? "") \($0["state"] as? String ?? "") \($0["context"] as? String ?? "")" }.sorted()
        #expect(summary == ["\(sha) success gitops/production", "\(other) failure gitops/staging"], "\(statuses)")
        #expect(problems.all == ["notification to commits not sent: working tree of abc1234 is not a commit (a status needs one)"], "\(problems.all)")
    }

    final class Problems: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ problem: String) { lock.withLock { list.append(problem) } }
        var all: [String] { lock.withLock { list } }
    }
}
