import Basics
@testable import Drift
import KubeModel
import Preview
import Render
import RepoModel
import Testing

/// A repository in memory: one chart shared by `count` environments, each with its own values.
struct PreviewRepository {
    var files: [String: String] = [:]

    init(environments count: Int, lines: Int = 3) {
        files["charts/app/Chart.yaml"] = "apiVersion: v2\nname: app\nversion: 1.0.0\n"
        files["charts/app/values.yaml"] = "replicas: 1\nlines: \(lines)\nimage: app:1.0\n"
        files["charts/app/templates/deployment.yaml"] = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app
              labels: {team: web}
            spec:
              replicas: {{ .Values.replicas }}
              selector: {matchLabels: {app: app}}
              template:
                metadata: {labels: {app: app}}
                spec:
                  containers:
                  - name: app
                    image: {{ required "image is required" .Values.image }}

            """
        files["charts/app/templates/configmap.yaml"] = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
            {{- range $i := until (int .Values.lines) }}
              key{{ $i }}: "value {{ $i }} of {{ $.Values.image }}"
            {{- end }}

            """
        for index in 0..<count {
            let name = Self.name(index)
            files["environments/\(name)/environment.yaml"] = """
                apiVersion: gitops/v1alpha1
                kind: Environment
                metadata:
                  name: \(name)
                spec:
                  namespace: ns-\(name)
                  releases:
                  - name: app
                    chart: charts/app
                    valuesFiles: [values.yaml]

                """
            files["environments/\(name)/values.yaml"] = "replicas: \(index % 3 + 1)\n"
        }
    }

    static func name(_ index: Int) -> String { String(format: "env-%02d", index) }

    func side(_ label: String) throws -> PreviewSide {
        let tree = MemoryFileTree(displayName: label, files: files.mapValues { Array($0.utf8) })
        return PreviewSide(label: label, model: try RepositoryLoader.loadEach(from: tree),
                           renderer: Renderer(tree: tree, renderTime: Date(timeIntervalSince1970: 0)))
    }

    /// Both sides previewed, every environment, no schema checks.
    static func preview(base: PreviewRepository, head: PreviewRepository) throws -> [EnvironmentPreview] {
        let (b, h) = (try base.side("main"), try head.side("pr"))
        return PreviewBuilder.build(PreviewBuilder.allNames(h, b), head: h, base: b, checker: nil)
    }
}

import Foundation

@Suite struct PreviewTests {
    @Test func aSharedChartChangeShowsInEveryEnvironment() throws {
        let base = PreviewRepository(environments: 5)
        var head = base
        head.files["charts/app/templates/deployment.yaml"] = head.files["charts/app/templates/deployment.yaml"]!.replacingOccurrences(of: "team: web", with: "team: platform")
        let previews = try PreviewRepository.preview(base: base, head: head)
        #expect(previews.map(\.name) == (0..<5).map(PreviewRepository.name))
        for preview in previews {
            #expect(preview.changed)
            #expect(preview.report?.count(.update) == 1)
            #expect(preview.report?.count(.unchanged) == 1)
        }
        let markdown = PreviewMarkdown(base: "main", head: "pr", revision: "main", command: "gitops diff --all --against main").render(previews)
        for preview in previews { #expect(markdown.contains("<details><summary><b>\(preview.name)</b>: 0 to create, 1 to update")) }
        #expect(markdown.components(separatedBy: "+   labels: {team: platform}").count == 1) // block style, not flow
        #expect(markdown.components(separatedBy: "+     team: platform").count == 6)
    }

    @Test func oneEnvironmentsValuesShowOnlyThere() throws {
        let base = PreviewRepository(environments: 4)
        var head = base
        head.files["environments/env-02/values.yaml"] = "replicas: 7\n"
        let previews = try PreviewRepository.preview(base: base, head: head)
        #expect(previews.filter(\.changed).map(\.name) == ["env-02"])
        let changed = try #require(previews.first { $0.name == "env-02" }?.report)
        #expect(changed.entries.first { $0.action == .update }?.diff.contains("+   replicas: 7") == true)
        let markdown = PreviewMarkdown(base: "main", head: "pr", revision: "main", command: "c").render(previews)
        #expect(markdown.components(separatedBy: "<details>").count == 2)
        #expect(markdown.contains("| ✅ env-00 | 0 | 0 | 0 | 2 | not checked |"))
        #expect(markdown.contains("| **env-02** | 0 | 1 | 0 | 1 | not checked |"))
    }

    @Test func aRenderErrorIsReportedForItsEnvironmentAndTheOthersAreStillCompared() throws {
        let base = PreviewRepository(environments: 3)
        var head = base
        head.files["environments/env-01/values.yaml"] = "image: null\n"
        head.files["charts/app/values.yaml"] = "replicas: 1\nlines: 3\nimage: app:2.0\n"
        let previews = try PreviewRepository.preview(base: base, head: head)
        let failed = try #require(previews.first { $0.name == "env-01" })
        #expect(failed.failed)
        #expect(failed.report == nil)
        #expect(failed.problems.joined().contains("image is required"))
        #expect(failed.errorCount >= 1)
        for name in ["env-00", "env-02"] {
            let preview = try #require(previews.first { $0.name == name })
            #expect(!preview.failed)
            #expect(preview.report?.count(.update) == 2)
        }
        let markdown = PreviewMarkdown(base: "main", head: "pr", revision: "main", command: "c").render(previews)
        #expect(markdown.contains("<details open><summary>❌ <b>env-01</b>: does not render</summary>"))
        #expect(markdown.contains("image is required"))
        // The failure comes first.
        #expect(markdown.range(of: "<b>env-01</b>")!.lowerBound < markdown.range(of: "<b>env-00</b>")!.lowerBound)
    }

    @Test func addedAndRemovedEnvironmentsAreCreatedAndPrunedWhole() throws {
        let base = PreviewRepository(environments: 2)
        var head = PreviewRepository(environments: 3)
        head.files = head.files.filter { !$0.key.hasPrefix("environments/env-00/") }
        let previews = try PreviewRepository.preview(base: base, head: head)
        #expect(previews.map(\.name) == ["env-00", "env-01", "env-02"])
        #expect(previews[0].presence == .removed && previews[0].report?.count(.prune) == 2)
        #expect(previews[1].presence == .both && !previews[1].changed)
        #expect(previews[2].presence == .added && previews[2].report?.count(.create) == 2)
    }

    @Test func theMarkdownStaysWithinItsBudgetOnFiftyEnvironmentsWithLargeDiffs() throws {
        let base = PreviewRepository(environments: 50, lines: 400)
        var head = base
        head.files["charts/app/values.yaml"] = "replicas: 1\nlines: 400\nimage: app:2.0\n"
        let previews = try PreviewRepository.preview(base: base, head: head)
        #expect(previews.filter(\.changed).count == 50)
        for limit in [PreviewMarkdown.githubLimit, 20_000, 3_000] {
            let markdown = PreviewMarkdown(base: "main", head: "pr", revision: "main", command: "gitops diff --all --against main", limit: limit).render(previews)
            #expect(markdown.utf8.count <= limit, "limit \(limit)")
            if ProcessInfo.processInfo.environment["PREVIEW_DUMP"] != nil { try markdown.write(toFile: "/tmp/preview-\(limit).md", atomically: true, encoding: .utf8) }
            #expect(markdown.hasPrefix(PreviewMarkdown.marker))
            #expect(markdown.contains("**Left out** to stay within \(limit) characters"))
            #expect(markdown.contains("Run `gitops diff --all --against main` to see everything."))
            // Every section that is opened is closed, every code block too.
            #expect(markdown.components(separatedBy: "<details").count == markdown.components(separatedBy: "</details>").count)
            #expect((markdown.components(separatedBy: "\n```").count - 1) % 2 == 0)
            if limit == PreviewMarkdown.githubLimit {
                // The table lists all of them even when the sections cannot.
                for index in 0..<50 { #expect(markdown.contains("| **\(PreviewRepository.name(index))** |")) }
                #expect(markdown.contains("lines shown)"))
            }
        }
    }

    /// Random environments, diff lines with backticks, HTML and non-ASCII text, random limits: the
    /// comment always fits and every section and code block it opens is closed.
    @Test func anyPreviewFitsItsBudgetAndStaysWellFormed() {
        var random = SystemRandomNumberGenerator()
        let pieces = ["```", "`", "</details>", "<script>alert(1)</script>", "| a | b |", "é", "日本", "🙂", "  key: value", "- x", "+ y", "**", "<!--"]
        for _ in 0..<200 {
            let previews: [EnvironmentPreview] = (0..<Int.random(in: 0...30, using: &random)).map { index in
                let lines = (0..<Int.random(in: 0...300, using: &random)).map { _ in
                    (0..<Int.random(in: 1...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined(separator: " ")
                }
                let name = "env-\(index)" + (Bool.random(using: &random) ? "<b>|`x`" : "")
                if Int.random(in: 0..<6, using: &random) == 0 {
                    return EnvironmentPreview(name: name, presence: .both, problems: lines.isEmpty ? ["error: x"] : lines)
                }
                let entry = DriftReport.Entry(action: .update, key: ResourceKey(group: "", kind: "ConfigMap", namespace: "ns", name: "cm\(index)"),
                                              title: "v1 ConfigMap ns/cm\(index)", changes: [], diff: lines)
                return EnvironmentPreview(name: name, presence: .both, report: DriftReport(entries: lines.isEmpty ? [] : [entry]), findings: [])
            }
            let limit = Int.random(in: 1_500...70_000, using: &random)
            let markdown = PreviewMarkdown(base: "main", head: "pr`x`", revision: "main", command: "gitops diff --all --against main", limit: limit).render(previews)
            #expect(markdown.utf8.count <= limit, "limit \(limit): \(markdown.utf8.count)")
            // Outside code blocks, every section opened is closed; each block opens with a fence
            // longer than any backtick run inside it and closes with the same fence.
            var open: String?
            var sections = 0
            for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
                if let fence = open {
                    if line == fence { open = nil }
                } else if line.hasPrefix("```") {
                    open = String(line.prefix { $0 == "`" })
                } else if line.hasPrefix("<details") {
                    sections += 1
                } else if line == "</details>" {
                    sections -= 1
                    #expect(sections >= 0)
                }
            }
            #expect(sections == 0, "a section is left open")
            #expect(open == nil, "a code block is left open")
        }
    }

    @Test func textThatCouldBreakTheCommentIsEscaped() {
        #expect(PreviewMarkdown.escape("a|b<script>`x`*y*") == "a&#124;b&lt;script&gt;&#96;x&#96;\\*y\\*")
        #expect(PreviewMarkdown.code("a ``b`` c") == "```a ``b`` c```")
        #expect(PreviewMarkdown.longestBacktickRun("x````y`") == 4)
    }
}
