import Foundation
import Testing
import TestSupport

/// `gitops promote`, `merge`, `rollback` and `history` as processes, on copies of this repository
/// (staging runs blog 1.5.0, production 1.4.2): the gates are the real render, schemas and policies.
@Suite struct PromotionCommandTests {
    static func copy() throws -> ClusterDiffTests.Copy {
        let copy = try ClusterDiffTests.Copy()
        try copy.run("git", "config", "user.name", "Pat Promoter")
        try copy.run("git", "config", "user.email", "pat@example.com")
        return copy
    }

    static func git(_ copy: ClusterDiffTests.Copy, _ arguments: String...) throws -> String {
        try TestProcess.output(["git", "-C", copy.path] + arguments)
    }

    @Test func promoteMergeThenRollBackThisRepository() throws {
        let copy = try Self.copy()
        defer { copy.remove() }
        let preview = try GitopsRun(["promote", "staging", "production", "--dry-run", "--repo", copy.path])
        #expect(preview.status == 0 && preview.stdout.contains("would write promote/production/")
                && preview.stdout.contains("blog image.tag 1.4.2 → 1.5.0 (environments/production/blog.yaml)"), "\(preview.stdout)\(preview.stderr)")
        #expect(try Self.git(copy, "branch", "--list", "promote/*").isEmpty, "a dry run writes nothing")

        let promoted = try GitopsRun(["promote", "staging", "production", "--merge", "--repo", copy.path])
        #expect(promoted.status == 0, "\(promoted.stdout)\(promoted.stderr)")
        #expect(promoted.stdout.contains("merged promote/production/") && promoted.stdout.contains("Merge promotion "), "\(promoted.stdout)")
        // Only production's pinned value changed: one line of one file.
        #expect(try Self.git(copy, "diff", "--numstat", "HEAD~1", "HEAD") == "1\t1\tenvironments/production/blog.yaml")
        #expect(try Self.git(copy, "diff", "HEAD~1", "HEAD").contains("+  tag: \"1.5.0\"   # pinned; changed only by promotions from staging"))
        let parents = try Self.git(copy, "log", "-1", "--format=%P").split(separator: " ")
        #expect(parents.count == 2, "a merge commit, as a merged pull request")
        let body = try Self.git(copy, "log", "-1", "--format=%B", "HEAD^2")
        #expect(body.hasPrefix("promote staging → production: blog image.tag 1.4.2 → 1.5.0") && body.contains("Render of production: ")
                && body.contains("Promoted-From: staging@") && body.contains("Promotion-Id: "), "\(body)")
        #expect(try Self.git(copy, "status", "--porcelain").isEmpty, "the checked-out files follow the merge")

        let history = try GitopsRun(["history", "production", "--repo", copy.path, "--limit", "1"])
        #expect(history.stdout.contains("promoted from staging at ") && history.stdout.contains("~ apps/v1 Deployment blog-production/blog"),
                "\(history.stdout)")

        let rolledBack = try GitopsRun(["rollback", "production", "--to", "HEAD~1", "--merge", "--repo", copy.path])
        #expect(rolledBack.status == 0 && rolledBack.stdout.contains("Merge rollback "), "\(rolledBack.stdout)\(rolledBack.stderr)")
        #expect(try Self.git(copy, "diff", "HEAD~2", "HEAD", "--", "environments/production").isEmpty, "production is back where it was")
        #expect(try Self.git(copy, "status", "--porcelain").isEmpty)
        #expect(try Self.git(copy, "fsck", "--strict", "--no-dangling").isEmpty)
    }

    /// promote sends promotion-opened for the branch it writes, merge sends promotion-merged for
    /// the merge commit; a receiver that cannot be reached is a warning, never a failed command.
    @Test func promotionsTellTheirReceivers() throws {
        let copy = try Self.copy()
        defer { copy.remove() }
        let receiver = try SyncServiceTests.Receiver()
        defer { receiver.stop() }
        try copy.edit("gitops.yaml") {
            $0 + """
                  notifications:
                    receivers:
                      - name: team
                        webhook: {urlFrom: {env: GITOPS_TEST_HOOK}}
                      - name: gone
                        slack: {urlFrom: {env: GITOPS_TEST_GONE}}
                    rules:
                      - events: [promotion-opened, promotion-merged]
                        environments: [production]
                        receivers: [team]
                      - events: [promotion-merged]
                        receivers: [gone]

                """
        }
        try copy.run("git", "commit", "-q", "-am", "notifications")
        let environment = ["GITOPS_TEST_HOOK": "http://127.0.0.1:\(receiver.port)/ok", "GITOPS_TEST_GONE": "http://127.0.0.1:1/nothing-listens"]

        let opened = try GitopsRun(["promote", "staging", "production", "--repo", copy.path], environment: environment)
        #expect(opened.status == 0, "\(opened.stdout)\(opened.stderr)")
        let branch = String(opened.stdout.dropFirst("wrote ".count).prefix { $0 != ":" })
        let branchTip = try Self.git(copy, "rev-parse", branch)
        #expect(receiver.received.count == 1, "\(receiver.received)")
        let first = receiver.received.last ?? ""
        #expect(first.contains(#""event":"promotion-opened","environment":"production""#) && first.contains(#""revision":"\#(branchTip)""#)
                && first.contains("on \(branch) (not pushed)") && first.contains("blog image.tag 1.4.2 → 1.5.0"), "\(first)")

        let merged = try GitopsRun(["merge", branch, "--repo", copy.path], environment: environment)
        #expect(merged.status == 0, "\(merged.stdout)\(merged.stderr)")
        #expect(receiver.received.count == 2, "\(receiver.received)")
        let head = try Self.git(copy, "rev-parse", "HEAD")
        #expect(receiver.received.last?.contains(#""event":"promotion-merged","environment":"production","revision":"\#(head)""#) == true,
                "\(receiver.received)")
        // The receiver nothing listens on: said, after its retries, and the merge still succeeded.
        #expect(merged.stderr.contains("warning: notification to gone failed after 4 attempts"), "\(merged.stderr)")
        #expect(!merged.stderr.contains("127.0.0.1:1"), "a receiver's URL is never printed")
    }

    @Test func openNowMergeLaterAndAConflictExitsTwo() throws {
        let copy = try Self.copy()
        defer { copy.remove() }
        let opened = try GitopsRun(["promote", "staging", "production", "--repo", copy.path])
        #expect(opened.status == 0 && opened.stdout.hasPrefix("wrote promote/production/"), "\(opened.stdout)\(opened.stderr)")
        let branch = String(opened.stdout.dropFirst("wrote ".count).prefix { $0 != ":" })
        // Someone pins production to a hotfix meanwhile: merging the branch now is a conflict.
        try copy.edit("environments/production/blog.yaml") { $0.replacingOccurrences(of: "tag: \"1.4.2\"", with: "tag: \"1.4.3\"") }
        try copy.run("git", "commit", "-q", "-am", "production hotfix 1.4.3")
        let conflict = try GitopsRun(["merge", branch, "--repo", copy.path])
        #expect(conflict.status == 2 && conflict.stderr.contains("was 1.4.2 when planned and is now 1.4.3")
                && conflict.stderr.contains("would set 1.5.0"), "\(conflict.stdout)\(conflict.stderr)")
        // Undo the hotfix: the branch merges, re-planned on the moved base.
        try copy.run("git", "revert", "--no-edit", "HEAD")
        let merged = try GitopsRun(["merge", branch, "--repo", copy.path])
        #expect(merged.status == 0 && merged.stdout.contains("merged \(branch) into main"), "\(merged.stdout)\(merged.stderr)")
        #expect(try Self.git(copy, "rev-list", "--merges", "--count", "HEAD") == "1")
    }

    @Test func aFailedGateExitsOneAndLeavesTheBranch() throws {
        let copy = try Self.copy()
        defer { copy.remove() }
        try copy.edit("environments/staging/blog.yaml") { $0.replacingOccurrences(of: "tag: \"1.5.0\"", with: "tag: latest") }
        try copy.run("git", "commit", "-q", "-am", "staging on latest")
        let before = try Self.git(copy, "rev-parse", "HEAD")
        let run = try GitopsRun(["promote", "staging", "production", "--merge", "--repo", copy.path])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("disallow-latest-tag") && run.stderr.contains("the gates failed"), "\(run.stdout)\(run.stderr)")
        #expect(try Self.git(copy, "rev-parse", "HEAD") == before)
        #expect(!(try Self.git(copy, "branch", "--list", "promote/*").isEmpty), "the branch is left for a person to fix")
    }

    @Test func concurrentPromotionsMergeOnce() async throws {
        let copy = try Self.copy()
        defer { copy.remove() }
        let runs = try await withThrowingTaskGroup(of: GitopsRun.self) { group in
            for _ in 0..<4 { group.addTask { try GitopsRun(["promote", "staging", "production", "--merge", "--repo", copy.path]) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(runs.allSatisfy { $0.status == 0 }, "\(runs.map { $0.stdout + $0.stderr })")
        #expect(try Self.git(copy, "rev-list", "--merges", "--count", "HEAD") == "1", "merged exactly once")
        #expect(try Self.git(copy, "branch", "--list", "promote/*").split(separator: "\n").count == 1)
        #expect(try Self.git(copy, "fsck", "--strict", "--no-dangling").isEmpty)
        #expect(try Self.git(copy, "status", "--porcelain").isEmpty)
    }

    @Test func setTwiceAtOnceMergesOnceAndAgainChangesNothing() async throws {
        let copy = try Self.copy()
        defer { copy.remove() }
        let arguments = ["set", "dev", "gitops-sync", "image.tag=0a1b2c3", "--reason", "build 42 of main", "--merge", "--repo", copy.path]
        let runs = try await withThrowingTaskGroup(of: GitopsRun.self) { group in
            for _ in 0..<2 { group.addTask { try GitopsRun(arguments) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(runs.allSatisfy { $0.status == 0 }, "\(runs.map { $0.stdout + $0.stderr })")
        #expect(try Self.git(copy, "rev-list", "--merges", "--count", "HEAD") == "1", "merged exactly once")
        #expect(try Self.git(copy, "diff", "--numstat", "HEAD~1", "HEAD") == "1\t1\tenvironments/dev/gitops-sync.yaml")
        #expect(try Self.git(copy, "diff", "HEAD~1", "HEAD").contains("+  tag: \"0a1b2c3\""))
        let body = try Self.git(copy, "log", "-1", "--format=%B", "HEAD^2")
        #expect(body.hasPrefix("set dev: gitops-sync image.tag 0.1.0 → 0a1b2c3") && body.contains("Set-Reason: build 42 of main"), "\(body)")
        #expect(try Self.git(copy, "status", "--porcelain").isEmpty)
        let again = try GitopsRun(arguments)
        #expect(again.status == 0 && again.stdout == "nothing to change: dev gitops-sync already has image.tag=0a1b2c3\n", "\(again.stdout)\(again.stderr)")
        let history = try GitopsRun(["history", "dev", "--repo", copy.path, "--limit", "1"])
        #expect(history.stdout.contains("set by gitops set (change ") && history.stdout.contains(": build 42 of main"), "\(history.stdout)")
        let bad = try GitopsRun(["set", "dev", "gitops-sync", "image.tag", "--repo", copy.path])
        #expect(bad.status == 2 && bad.stderr.contains("'image.tag' is not PATH=VALUE"), "\(bad.stderr)")
    }

    @Test(arguments: ["before-branch-ref", "after-branch-ref", "before-merge-ref", "before-checkout"])
    func aKilledPromotionLeavesAConsistentRepositoryAndARerunFinishes(point: String) throws {
        let copy = try Self.copy()
        defer { copy.remove() }
        let killed = try GitopsRun(["promote", "staging", "production", "--merge", "--repo", copy.path], environment: ["GITOPS_TEST_CRASH_AT": point])
        #expect(killed.signalled, "\(point): \(killed.stdout)\(killed.stderr)")
        #expect(try Self.git(copy, "fsck", "--strict", "--no-dangling").isEmpty)
        let rerun = try GitopsRun(["promote", "staging", "production", "--merge", "--repo", copy.path])
        #expect(rerun.status == 0, "\(point): \(rerun.stdout)\(rerun.stderr)")
        #expect(try Self.git(copy, "rev-list", "--merges", "--count", "HEAD") == "1", "\(point)")
        #expect(try Self.git(copy, "status", "--porcelain").isEmpty, "\(point)")
        #expect(try String(contentsOfFile: copy.path + "/environments/production/blog.yaml", encoding: .utf8).contains("tag: \"1.5.0\""))
        #expect(try Self.git(copy, "fsck", "--strict", "--no-dangling").isEmpty)
    }
}
