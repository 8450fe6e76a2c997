import Foundation
import Testing
import TestSupport

/// Runs the built `gitops` executable as a process.
struct GitopsRun {
    var status: Int32
    /// Killed by a signal (status is then the signal number).
    var signalled = false
    var stdout: String
    var stderr: String

    static let executable: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gitops"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("gitops"),
            Bundle.main.bundleURL.appendingPathComponent("gitops"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    init(_ arguments: [String], in folder: String? = nil, environment: [String: String] = [:], executable: URL = GitopsRun.executable) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        status = process.terminationStatus
        signalled = process.terminationReason == .uncaughtSignal
        stdout = String(decoding: outData, as: UTF8.self)
        stderr = String(decoding: errData, as: UTF8.self)
    }
}

/// A scratch environments repository in Git.
struct ScratchEnvironments {
    let path = NSTemporaryDirectory() + "gitops-cli-" + UUID().uuidString

    init() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
        try git("config", "user.email", "t@example.com")
        try git("config", "user.name", "T")
        try writeEnvironment(releases: """
                - name: platform
                  path: environments/dev/platform
            """)
        try write("environments/dev/platform/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {tag: \"1\"}\n")
        try git("add", "-A")
        try git("commit", "-q", "-m", "first")
    }

    /// `environments/<name>/environment.yaml` (namespace blog-<name>) with `releases` (YAML list
    /// items, indented 4 spaces), its cluster context and where it promotes from.
    func writeEnvironment(_ name: String = "dev", context: String = "kind", promotionFrom: String? = nil, releases: String) throws {
        try write("environments/\(name)/environment.yaml", Self.environment(name, context: context, promotionFrom: promotionFrom, releases: releases))
    }

    static func environment(_ name: String, context: String = "kind", promotionFrom: String? = nil, releases: String) -> String {
        """
        apiVersion: gitops/v1alpha1
        kind: Environment
        metadata: {name: \(name)}
        spec:
          namespace: blog-\(name)
          cluster: {context: \(context)}
        \(promotionFrom.map { "  promotion: {from: \($0)}\n" } ?? "")  releases:
        \(releases)

        """
    }

    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path + "/" + relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func git(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", path] + arguments
        try process.run()
        process.waitUntilExit()
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct GitopsProcessTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    @Test func renderProductionOfThisRepositoryExitsZero() throws {
        let run = try GitopsRun(["render", "production", "--repo", Self.repositoryRoot])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("---\n# Source: platform/environments/production/platform/namespace.yaml\napiVersion: v1\nkind: Namespace\n"))
        // Production's Secret is encrypted for a key that is not in Git: rendered as a marker, said once.
        #expect(run.stderr.split(separator: "\n").count == 1
                && run.stderr.hasPrefix("warning: environments/production/platform/blog-database.sops.yaml is SOPS-encrypted for age1"), "\(run.stderr)")
    }

    @Test func environmentsListing() throws {
        let run = try GitopsRun(["environments", "--repo", Self.repositoryRoot])
        #expect(run.status == 0)
        #expect(run.stdout.split(separator: "\n").first?.hasPrefix("NAME") == true)
        #expect(run.stdout.contains("production   blog-production   prod      6          staging"))
    }

    @Test func workingTreeEditVisibleOnlyWithoutRevision() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        try scratch.write("environments/dev/platform/config.yaml",
                          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {tag: \"2\"}\n")
        let working = try GitopsRun(["render", "dev"], in: scratch.path + "/environments")
        #expect(working.status == 0, "\(working.stderr)")
        #expect(working.stdout.contains("tag: \"2\""))
        let committed = try GitopsRun(["render", "dev", "--revision", "HEAD", "--repo", scratch.path])
        #expect(committed.status == 0, "\(committed.stderr)")
        #expect(committed.stdout.contains("tag: \"1\""))
        let json = try GitopsRun(["render", "dev", "--revision", "main", "--output", "json", "--repo", scratch.path])
        #expect(json.stdout.hasPrefix("[\n  {\n    \"apiVersion\": \"v1\",\n    \"kind\": \"ConfigMap\""))
    }

    @Test func errorsExitTwoWithFileLineColumn() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        try scratch.write("environments/dev/platform/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {nam: x}\n")
        let run = try GitopsRun(["render", "dev", "--repo", scratch.path])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("environments/dev/platform/bad.yaml:3:11: error: object has no metadata.name"))
        #expect(run.stdout.isEmpty)
    }

    @Test func unknownRevisionEnvironmentAndUsageExitTwo() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        let revision = try GitopsRun(["render", "dev", "--revision", "nope", "--repo", scratch.path])
        #expect(revision.status == 2)
        #expect(revision.stderr.contains("unknown revision 'nope'"))
        let environment = try GitopsRun(["render", "qa", "--repo", scratch.path])
        #expect(environment.status == 2)
        #expect(environment.stderr.contains("no environment 'qa'") && environment.stderr.contains("known environments: dev"))
        let usage = try GitopsRun(["render", "--output", "xml", "dev"])
        #expect(usage.status == 2)
        let outside = try GitopsRun(["environments"], in: "/")
        #expect(outside.status == 2 && outside.stderr.contains("not inside a Git repository"))
    }

    @Test func helpExitsZero() throws {
        let run = try GitopsRun(["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("render"))
    }
}

@Suite struct ValidateCommandTests {
    @Test func thisRepositoryValidatesCleanly() throws {
        // With the committed development key: dev's Secret is checked decrypted; staging's and
        // production's keys are not in Git, which is all the warnings say.
        let run = try GitopsRun(["validate", "--all", "--strict", "--repo", GitopsProcessTests.repositoryRoot],
                                environment: ["SOPS_AGE_KEY_FILE": GitopsProcessTests.repositoryRoot + "/keys/dev.agekey"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasSuffix("3 environments, 104 objects: 0 errors, 2 warnings\n"), "\(run.stdout)")
        let warnings = run.stdout.split(separator: "\n").filter { $0.contains(": warning: ") }
        #expect(warnings.count == 2 && warnings.allSatisfy { $0.contains("[secret.locked]") && !$0.contains("environments/dev/") }, "\(warnings)")
    }

    @Test func findingsPointAtTheFieldAndExitOne() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        try scratch.write("schemas/configmap-v1.json", """
            {"type": "object", "required": ["metadata"],
             "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
                            "data": {"type": "object", "additionalProperties": {"type": "string"}},
                            "immutable": {"type": "boolean"}}}
            """)
        try scratch.write("environments/dev/platform/config.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data:
              tag: 1
            imutable: true
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}

            """)
        let run = try GitopsRun(["validate", "dev", "--repo", scratch.path, "--schemas", scratch.path + "/schemas"])
        #expect(run.status == 1, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("environments/dev/platform/config.yaml:5:3: error: [schema] expected string, but got integer (ConfigMap blog-dev/settings, data.tag)"))
        #expect(lines.contains { $0.hasPrefix("environments/dev/platform/config.yaml:8:1: warning: [schema.missing] no schema for example.com/v1 Widget") })
        #expect(!run.stdout.contains("imutable"), "not strict, and not Kubernetes' own schema: unknown fields pass")
        let strict = try GitopsRun(["validate", "dev", "--strict", "--output", "json", "--repo", scratch.path, "--schemas", scratch.path + "/schemas"])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains(#""message": "unknown field 'imutable'; did you mean 'immutable'?""#), "\(strict.stdout)")
        #expect(strict.stdout.contains(#""rule": "schema.missing""#) && strict.stdout.contains(#""severity": "error""#))
        let sarif = try GitopsRun(["validate", "dev", "--output", "sarif", "--repo", scratch.path, "--schemas", scratch.path + "/schemas"])
        #expect(sarif.status == 1)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        let sarifRun = try #require((log["runs"] as? [[String: Any]])?.first)
        let results = try #require(sarifRun["results"] as? [[String: Any]])
        let first = try #require(results.first)
        #expect(first["ruleId"] as? String == "schema" && first["level"] as? String == "error")
        let location = try #require((first["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == "environments/dev/platform/config.yaml")
        #expect((location["region"] as? [String: Any])?["startLine"] as? Int == 5)
        let none = try GitopsRun(["validate", "--repo", scratch.path])
        #expect(none.status == 2 && none.stderr.contains("pass --all"))
    }

    @Test func chartFindingsPointAtTheTemplateOrTheValuesLine() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        try scratch.write("schemas/deployment-apps-v1.json", """
            {"type": "object", "properties": {"spec": {"type": "object", "properties": {
              "replicas": {"type": "integer"}, "paused": {"type": "boolean"},
              "template": {"type": "object", "properties": {"metadata": {"type": "object", "properties": {
                "labels": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}}}}
            """)
        try scratch.write("charts/app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\n")
        try scratch.write("charts/app/values.yaml", "replicaCount: 1\nteam: web\ndeadline: 600\n")
        try scratch.write("charts/app/templates/_helpers.tpl", """
            {{- define "app.labels" -}}
            team: {{ .Values.team }}
            tier: 3
            {{- end }}
            """)
        try scratch.write("charts/app/templates/deployment.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{ .Release.Name }}
            spec:
              replicas: {{ .Values.replicaCount }}
              paused: maybe
              progressDeadlineSecond: {{ .Values.deadline }}
              template:
                metadata:
                  labels:
                    {{- include "app.labels" . | nindent 8 }}

            """)
        try scratch.write("environments/dev/app.yaml", "# dev\nreplicaCount: two\n")
        try scratch.writeEnvironment(releases: """
                - name: app
                  chart: charts/app
                  valuesFiles: [app.yaml]
            """)
        let run = try GitopsRun(["validate", "dev", "--repo", scratch.path, "--schemas", scratch.path + "/schemas"])
        #expect(run.status == 1, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        // Straight from a value: the values file line that sets it.
        #expect(lines.contains("environments/dev/app.yaml:2:1: error: [schema] expected integer, but got string (Deployment blog-dev/app, spec.replicas)"), "\(run.stdout)")
        // Literal template text: its line.
        #expect(lines.contains("charts/app/templates/deployment.yaml:7:3: error: [schema] expected boolean, but got string (Deployment blog-dev/app, spec.paused)"), "\(run.stdout)")
        // Written by an include: the line of the include.
        #expect(lines.contains { $0.hasPrefix("charts/app/templates/deployment.yaml:12:") && $0.contains("spec.template.metadata.labels.tier") }, "\(run.stdout)")
        // A misspelt key written by the template, its value from values.yaml: the template line.
        let strict = try GitopsRun(["validate", "dev", "--strict", "--repo", scratch.path, "--schemas", scratch.path + "/schemas"])
        #expect(strict.stdout.contains("charts/app/templates/deployment.yaml:8:3: error: [schema] unknown field 'progressDeadlineSecond'"), "\(strict.stdout)")
    }

    @Test func kustomizeReleaseFindingsPointAtThePatchOrTheBaseLine() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        try scratch.write("schemas/deployment-apps-v1.json", """
            {"type": "object", "properties": {"spec": {"type": "object", "properties": {
              "replicas": {"type": "integer"}, "paused": {"type": "boolean"},
              "template": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
                "containers": {"type": "array", "items": {"type": "object", "properties": {
                  "image": {"type": "string"}, "name": {"type": "string"}, "ports": {"type": "array"}}}}}}}}}}}}
            """)
        try scratch.write("kustomize/base/kustomization.yaml", "resources: [deployment.yaml]\n")
        try scratch.write("kustomize/base/deployment.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              paused: maybe
              template:
                spec:
                  containers:
                  - name: web
                    image: web:1.0

            """)
        try scratch.write("kustomize/dev/kustomization.yaml", """
            namePrefix: dev-
            resources: [../base]
            images:
            - name: web
              newTag: "1.1"
            patches:
            - path: replicas.yaml
            - target: {kind: Deployment}
              patch: |-
                - op: add
                  path: /spec/template/spec/containers/0/ports
                  value: 8080

            """)
        try scratch.write("kustomize/dev/replicas.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: many

            """)
        try scratch.writeEnvironment(releases: """
                - name: web
                  kustomize: kustomize/dev
            """)
        let render = try GitopsRun(["render", "dev", "--repo", scratch.path])
        #expect(render.status == 0, "\(render.stderr)")
        #expect(render.stdout.contains("name: dev-web") && render.stdout.contains("image: web:1.1") && render.stdout.contains("namespace: blog-dev"), "\(render.stdout)")
        let run = try GitopsRun(["validate", "dev", "--repo", scratch.path, "--schemas", scratch.path + "/schemas"])
        #expect(run.status == 1, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        // Set by a strategic merge patch: the patch file's line.
        #expect(lines.contains("kustomize/dev/replicas.yaml:5:3: error: [schema] expected integer, but got string (Deployment blog-dev/dev-web, spec.replicas)"), "\(run.stdout)")
        // Untouched by the overlay: the base's line.
        #expect(lines.contains("kustomize/base/deployment.yaml:5:3: error: [schema] expected boolean, but got string (Deployment blog-dev/dev-web, spec.paused)"), "\(run.stdout)")
        // Written by a JSON patch: the patch entry in the overlay's kustomization.
        #expect(lines.contains("kustomize/dev/kustomization.yaml:10:7: error: [schema] expected array, but got integer (Deployment blog-dev/dev-web, spec.template.spec.containers[0].ports)"), "\(run.stdout)")
        // A broken overlay is an error at its line, exit 2.
        try scratch.write("kustomize/dev/replicas.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nothing}\nspec: {replicas: 2}\n")
        let broken = try GitopsRun(["render", "dev", "--repo", scratch.path])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("kustomize/dev/replicas.yaml:1:1: error: no resource matches strategic merge patch Deployment nothing"), "\(broken.stderr)")
    }

    @Test func breakingARuleInACopyPointsAtTheLine() throws {
        let copy = NSTemporaryDirectory() + "gitops-copy-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let clone = Process()
        clone.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        clone.arguments = ["git", "clone", "-q", GitopsProcessTests.repositoryRoot, copy]
        try clone.run()
        clone.waitUntilExit()
        // The kustomize base of every network overlay: the default-deny policy lets egress through.
        let policies = copy + "/platform/network-policies/network-policies.yaml"
        let text = try String(contentsOfFile: policies, encoding: .utf8)
        try text.replacingOccurrences(of: "policyTypes: [Ingress, Egress]", with: "policyTypes: [Ingress]")
            .write(toFile: policies, atomically: true, encoding: .utf8)
        // A chart value of the wrong type.
        let values = copy + "/environments/dev/blog.yaml"
        let blog = try String(contentsOfFile: values, encoding: .utf8)
        try blog.replacingOccurrences(of: "replicaCount: 1", with: "replicaCount: one").write(toFile: values, atomically: true, encoding: .utf8)
        let run = try GitopsRun(["validate", "dev", "--repo", copy])
        #expect(run.status == 1, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("environments/dev/platform/namespace.yaml:") && $0.contains("[require-default-deny/namespace-has-default-deny]") },
                "\(run.stdout)")
        #expect(lines.contains("environments/dev/blog.yaml:2:1: error: [schema] expected integer, but got string (Deployment blog-dev/blog, spec.replicas)"),
                "\(run.stdout)")
        let tests = try GitopsRun(["policy", "test", GitopsProcessTests.repositoryRoot + "/policies"])
        #expect(tests.status == 0 && tests.stdout.hasSuffix(" passed, 0 failed\n"), "\(tests.stdout)")
    }
}

@Suite struct DiffCommandTests {
    @Test func againstARevisionAndASnapshot() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        // The committed render is the baseline; the working tree changes a value and adds an object.
        try scratch.write("environments/dev/platform/config.yaml",
                          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {tag: \"2\"}\n")
        try scratch.write("environments/dev/platform/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n")
        let against = try GitopsRun(["diff", "dev", "--against", "HEAD", "--repo", scratch.path])
        #expect(against.status == 1, "\(against.stderr)")
        #expect(against.stdout.contains("~ v1 ConfigMap blog-dev/settings\n") && against.stdout.contains("-   tag: \"1\"")
                && against.stdout.contains("+   tag: \"2\""), "\(against.stdout)")
        #expect(against.stdout.contains("+ v1 ConfigMap blog-dev/extra\n"))
        #expect(against.stdout.hasSuffix("1 to create, 1 to update, 0 to prune, 0 unchanged\n"))
        let same = try GitopsRun(["diff", "dev", "--against", "HEAD", "--revision", "HEAD", "--repo", scratch.path])
        #expect(same.status == 0 && same.stdout == "0 to create, 0 to update, 0 to prune, 1 unchanged\n", "\(same.stdout)\(same.stderr)")

        // A snapshot: the live settings (with server fields), an object owned by dev that Git dropped,
        // and one that is not dev's.
        try scratch.write("live/objects.yaml", """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings, namespace: blog-dev, resourceVersion: "9", uid: x}
                data: {tag: "2"}
              - apiVersion: v1
                kind: ConfigMap
                metadata: {name: extra, namespace: blog-dev}
              - apiVersion: v1
                kind: ConfigMap
                metadata: {name: retired, namespace: blog-dev, labels: {gitops/environment: dev}}
              - apiVersion: v1
                kind: ConfigMap
                metadata: {name: not-ours, namespace: blog-dev}

            """)
        let live = try GitopsRun(["diff", "dev", "--live", scratch.path + "/live", "--output", "json", "--repo", scratch.path])
        #expect(live.status == 1)
        #expect(live.stdout.contains(#""summary": "0 to create, 0 to update, 1 to prune, 2 unchanged""#), "\(live.stdout)")
        #expect(live.stdout.contains(#""name": "retired""#) && !live.stdout.contains("not-ours"))
        let cluster = try GitopsRun(["diff", "dev", "--repo", scratch.path, "--kubeconfig", scratch.path + "/missing-kubeconfig"])
        #expect(cluster.status == 2 && cluster.stderr.contains("cannot read the kubeconfig"), "\(cluster.stderr)")
    }
}


@Suite struct DurationFlagTests {
    /// kubectl, Flux and Argo CD users type durations the Go way; bare seconds still work.
    @Test func durationFlagsTakeGoDurations() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        for flags in [["--interval", "2s", "--timeout", "1m30s", "--request-timeout", "2m"], ["--interval", "60", "--timeout", "300", "--request-timeout", "30"]] {
            let run = try GitopsRun(["sync", "dev", "--once", "--repo", scratch.path, "--kubeconfig", scratch.path + "/missing-kubeconfig"] + flags)
            #expect(run.status == 2 && !run.stderr.contains("is invalid for") && run.stderr.contains("missing-kubeconfig"), "\(flags): \(run.stderr)")
        }
        let bad = try GitopsRun(["sync", "dev", "--once", "--repo", scratch.path, "--interval", "2x"])
        #expect(bad.status == 2 && bad.stderr.contains("The value '2x' is invalid for '--interval"), "\(bad.stderr)")
    }
}

@Suite struct InvalidChartOutputTests {
    /// A template that renders invalid YAML is reported at the template line that wrote the
    /// offending output, with that rendered line; other templates are not blamed.
    @Test func invalidRenderedYAMLPointsAtTheTemplateLine() throws {
        let scratch = try ScratchEnvironments()
        defer { scratch.remove() }
        try scratch.write("charts/c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n")
        try scratch.write("charts/c/templates/ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n")
        try scratch.write("charts/c/templates/cm.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ .Release.Name }}
            data:
              a: "1"
            {{- if true }}
              b: {{ "x: y: z" }}
            {{- end }}

            """)
        try scratch.writeEnvironment(releases: "    - name: c\n      chart: charts/c")
        let run = try GitopsRun(["render", "dev", "--repo", scratch.path])
        #expect(run.status == 2 && run.stderr.contains("charts/c/templates/cm.yaml:8:")
                && run.stderr.contains("the rendered line is: b: x: y: z") && !run.stderr.contains("ok.yaml"), "\(run.stderr)")
    }
}
