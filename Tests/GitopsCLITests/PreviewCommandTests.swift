import Foundation
import Testing
import TestSupport

/// `gitops diff --all --against REV` and `validate --changed-since REV` as processes on copies of
/// this repository: the pull-request preview.
@Suite struct PreviewCommandTests {
    @Test func aSharedChartChangeIsPreviewedInEveryEnvironment() throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        try copy.edit("charts/redis/templates/redis.yaml") { $0.replacingOccurrences(of: "  replicas: 1\n", with: "  replicas: 1\n  revisionHistoryLimit: 4\n") }
        let run = try GitopsRun(["diff", "--all", "--against", "HEAD", "--repo", copy.path])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasPrefix("ENVIRONMENT  CREATE  UPDATE  PRUNE  UNCHANGED  FINDINGS\n"), "\(run.stdout)")
        for environment in ["dev", "staging", "production"] {
            #expect(run.stdout.contains("\n== \(environment): 0 to create, 1 to update, 0 to prune"), "\(run.stdout)")
            #expect(run.stdout.contains("~ apps/v1 Deployment blog-\(environment)/redis"))
        }
        let json = try GitopsRun(["diff", "--all", "--against", "HEAD", "--repo", copy.path, "--output", "json"])
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let environments = try #require(decoded?["environments"] as? [[String: Any]])
        #expect(environments.map { $0["name"] as? String } == ["dev", "production", "staging"])
        #expect(environments.allSatisfy { ($0["counts"] as? [String: Int])?["update"] == 1 && ($0["findings"] as? [Any])?.isEmpty == true })
        #expect(decoded?["head"] as? String == "the working tree")
    }

    @Test func aRenderErrorInOneEnvironmentExitsTwoAndTheOthersAreStillPreviewed() throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        try copy.edit("environments/staging/blog.yaml") { $0 + "\nimage: [unclosed\n" }
        try copy.edit("environments/production/blog.yaml") { $0.replacingOccurrences(of: "tag: \"1.4.2\"", with: "tag: \"1.4.3\"") }
        let run = try GitopsRun(["diff", "--all", "--against", "HEAD", "--repo", copy.path, "--output", "markdown"])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("error: staging does not render at the working tree"), "\(run.stderr)")
        #expect(run.stdout.hasPrefix("<!-- gitops-preview -->\n"))
        #expect(run.stdout.contains("<details open><summary>❌ <b>staging</b>: does not render</summary>"), "\(run.stdout)")
        #expect(run.stdout.contains("environments/staging/blog.yaml:"), "the problem names the file and line")
        #expect(run.stdout.contains("<details><summary><b>production</b>: 1 to create, "), "\(run.stdout)")
        #expect(run.stdout.contains("+         image: ghcr.io/example/blog:1.4.3"))
        #expect(run.stdout.contains("| ✅ dev | 0 | 0 | 0 |"))
    }

    @Test func secretValuesNeverReachThePreview() throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        let file = copy.path + "/environments/dev/platform/blog-database.sops.yaml"
        let newPassword = "Preview-Secret-Value-8c1d"
        try TestSecrets.plaintext("dev").replacingOccurrences(of: TestSecrets.password, with: newPassword).write(toFile: file, atomically: true, encoding: .utf8)
        let encrypted = try GitopsRun(["secret", "encrypt", file, "--age", TestSecrets.recipient, "--encrypted-regex", "^(data|stringData)$"])
        #expect(encrypted.status == 0, "\(encrypted.stderr)")
        for format in ["text", "markdown", "json"] {
            let run = try GitopsRun(["diff", "dev", "staging", "--against", "HEAD", "--repo", copy.path, "--output", format])
            #expect(run.status == 1, "\(format): \(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains(format == "json" ? "\"name\": \"blog-database\"" : "Secret blog-dev/blog-database"), "\(format): \(run.stdout)")
            for secret in [newPassword, TestSecrets.password, Data(newPassword.utf8).base64EncodedString(), Data(TestSecrets.password.utf8).base64EncodedString()] {
                #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret), "\(format) shows a secret value")
            }
        }
    }

    @Test func validateChecksOnlyTheEnvironmentsWhoseInputsChanged() throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        let nothing = try GitopsRun(["validate", "--all", "--changed-since", "HEAD", "--repo", copy.path, "--output", "sarif"])
        #expect(nothing.status == 0 && nothing.stderr.contains("no environment's inputs changed since HEAD"), "\(nothing.stderr)")
        #expect(nothing.stdout.contains("\"results\": []"), "an empty SARIF log still uploads")

        try copy.edit("environments/dev/blog.yaml") { $0 + "\n# a comment\n" }
        let one = try GitopsRun(["validate", "--all", "--changed-since", "HEAD", "--repo", copy.path])
        #expect(one.status == 0 && one.stderr.contains("checking 1 of 3 environments, whose inputs changed since HEAD: dev"), "\(one.stderr)")
        #expect(one.stdout.contains("1 environment, "), "\(one.stdout)")

        // A policy is every environment's input; so is a committed change compared with an older revision.
        try copy.run("git", "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-am", "dev")
        try copy.edit("policies/" + (try FileManager.default.contentsOfDirectory(atPath: copy.path + "/policies").sorted().first { $0.hasSuffix(".yaml") })!) { $0 + "\n" }
        let all = try GitopsRun(["validate", "--all", "--changed-since", "HEAD~1", "--repo", copy.path])
        #expect(all.stderr.contains("checking 3 of 3 environments"), "\(all.stderr)")
        let committed = try GitopsRun(["validate", "--all", "--changed-since", "HEAD~1", "--revision", "HEAD", "--repo", copy.path])
        #expect(committed.stderr.contains("checking 1 of 3 environments, whose inputs changed since HEAD~1: dev"), "\(committed.stderr)")
    }
}
