import Basics
import KubeModel
import RepoModel
import Render
import Testing

@Suite struct RenderTests {
    func render(_ files: [String: String], symlinks: [String: String] = [:], environment: String = "dev") throws -> [Object] {
        var all = files
        all["environments/dev/environment.yaml"] = all["environments/dev/environment.yaml"]
            ?? environmentFile("dev", namespace: "blog-dev", releases: "    - name: platform\n      path: environments/dev/m\n")
        let tree = MemoryTree(files: all, symlinks: symlinks)
        let model = try RepositoryLoader.load(from: tree)
        return try Renderer(tree: tree).render(try #require(model.environment(named: environment))).objects
    }

    func renderError(_ files: [String: String], symlinks: [String: String] = [:]) -> DiagnosticError? {
        do { _ = try render(files, symlinks: symlinks); return nil } catch let error as DiagnosticError { return error } catch { return nil }
    }

    @Test func filesDocumentsListsAndOrder() throws {
        let objects = try render([
            "environments/dev/m/b.yml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\n---\n# only a comment\n",
            "environments/dev/m/a/z.yaml": """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: Service
                metadata: {name: s}
              - apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
            """,
            "environments/dev/m/notes.md": "kind: ignored",
            "environments/dev/m/data.json": "{}",
        ])
        #expect(objects.map { "\($0.kind)/\($0.name)" } == ["ConfigMap/b", "Service/s", "Deployment/d"])
        let deployment = try #require(objects.last)
        #expect(deployment.provenance == Provenance(release: "platform", file: "environments/dev/m/a/z.yaml",
                                                    documentIndex: 0, line: 7, column: 5))
        #expect(objects[0].provenance.documentIndex == 0 && objects[0].provenance.line == 1)
    }

    @Test func namespacesDefaultedByScope() throws {
        let objects = try render([
            "environments/dev/m/all.yaml": """
            apiVersion: v1
            kind: Namespace
            metadata: {name: blog-dev}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader, namespace: stray}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: other, namespace: elsewhere}
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec: {group: example.com, scope: Cluster, names: {kind: Widget, plural: widgets}}
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}
            ---
            apiVersion: example.com/v1
            kind: Gadget
            metadata: {name: g}
            """,
        ])
        let namespaces = Dictionary(uniqueKeysWithValues: objects.map { ("\($0.kind)/\($0.name)", $0.namespace) })
        #expect(namespaces == ["Namespace/blog-dev": "", "ClusterRole/reader": "", "ConfigMap/c": "blog-dev",
                               "ConfigMap/other": "elsewhere", "CustomResourceDefinition/widgets.example.com": "",
                               "Widget/w": "", "Gadget/g": "blog-dev"])
    }

    @Test func releaseNamespaceOverridesEnvironment() throws {
        let objects = try render([
            "environments/dev/environment.yaml": environmentFile("dev", namespace: "blog-dev",
                                                                 releases: "    - name: p\n      path: environments/dev/m\n      namespace: ops\n"),
            "environments/dev/m/c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        ])
        #expect(objects.first?.namespace == "ops")
    }

    @Test func objectsMissingIdentityArePointedAt() {
        let error = renderError([
            "environments/dev/m/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n---\nkind: Secret\nmetadata: {name: s}\n",
        ])
        #expect(error?.diagnostics.count == 2)
        #expect(error?.diagnostics[0].location?.line == 4 && error?.diagnostics[0].location?.file == "environments/dev/m/a.yaml")
        #expect(error?.diagnostics[0].message.hasPrefix("object has no metadata.name") == true)
        #expect(error?.diagnostics[1].message.hasPrefix("object has no apiVersion") == true)
        #expect(error?.diagnostics[1].location?.line == 6)
    }

    @Test func nonMappingDocumentsAreErrors() {
        let error = renderError(["environments/dev/m/a.yaml": "- just\n- a list\n"])
        #expect(error?.diagnostics.first?.code == "render.notAnObject")
        #expect(error?.description.hasPrefix("environments/dev/m/a.yaml:1:1: error: a manifest document must be a mapping") == true)
    }

    @Test func duplicateObjectsNameBothSources() {
        let error = renderError([
            "environments/dev/m/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            "environments/dev/m/b.yaml": "# again\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: blog-dev}\n",
        ])
        #expect(error?.diagnostics.first?.description
                == "environments/dev/m/b.yaml:2:1: error: ConfigMap blog-dev/c is defined twice: here (release 'platform') and at environments/dev/m/a.yaml:1:1 (release 'platform'); remove one or rename it")
    }

    @Test func duplicateKeysAndSyntaxErrorsInManifests() {
        let error = renderError([
            "environments/dev/m/a.yaml": "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: c}\n",
            "environments/dev/m/b.yaml": "apiVersion: v1\n  kind: x\n",
        ])
        #expect(error?.diagnostics.map(\.code) == ["yaml.duplicateKey", "yaml.syntax"])
    }

    @Test func symlinksInsideManifestsAreFollowedButMayNotLeave() throws {
        let base = ["environments/dev/m/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
                    "shared/b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"]
        let objects = try render(base, symlinks: ["environments/dev/m/b.yaml": "../../../shared/b.yaml"])
        #expect(objects.map(\.name) == ["a", "b"])
        #expect(objects[1].provenance.file == "environments/dev/m/b.yaml")
        let error = renderError(base, symlinks: ["environments/dev/m/passwd.yaml": "../../../../etc/passwd"])
        #expect(error?.diagnostics.first?.description.hasPrefix(
            "environments/dev/m/passwd.yaml:1:1: error: symlink points outside the repository (to '../../../../etc/passwd')") == true)
    }

    static let chartFiles: [String: String] = [
        "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\nappVersion: \"2.1\"\n",
        "charts/app/values.yaml": "replicas: 1\nimage: {repository: ghcr.io/me/app, tag: \"1.0\"}\nlabels: {}\n",
        "charts/app/templates/_helpers.tpl": "{{ define \"app.name\" }}{{ .Release.Name }}-{{ .Chart.Name }}{{ end }}",
        "charts/app/templates/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ include "app.name" . }}
          labels: {{- toYaml .Values.labels | nindent 4 }}
        spec:
          replicas: {{ .Values.replicas }}
          template:
            spec:
              containers:
                - name: app
                  image: {{ .Values.image.repository }}:{{ .Values.image.tag }}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: {{ include "app.name" . }}
        """,
        "charts/app/templates/NOTES.txt": "Thanks for installing {{ .Release.Name }}",
        "environments/dev/app.yaml": "replicas: 2\nimage: {tag: \"1.1\"}\nlabels: {team: web}\n",
    ]

    @Test func chartReleasesRenderWithValuesFilesAndInlineValues() throws {
        var files = Self.chartFiles
        files["environments/dev/environment.yaml"] = environmentFile("dev", namespace: "blog-dev", releases: """
                - name: web
                  chart: charts/app
                  valuesFiles: [app.yaml]
                  values: {replicas: 3}

            """)
        let objects = try render(files)
        #expect(objects.map { "\($0.kind)/\($0.name)/\($0.namespace)" } == ["Service/web-app/blog-dev", "Deployment/web-app/blog-dev"])
        let deployment = Value.object(try #require(objects.last).content)
        #expect(deployment["spec"]?["replicas"] == .int(3))
        #expect(deployment["metadata"]?["labels"] == .object(["team": .string("web")]))
        #expect(deployment["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == .string("ghcr.io/me/app:1.1"))
        #expect(objects.last?.provenance.file == "charts/app/templates/deployment.yaml")
        #expect(objects.first?.provenance.documentIndex == 1)
    }

    @Test func chartTemplateErrorsPointAtTheTemplate() {
        var files = Self.chartFiles
        files["charts/app/templates/deployment.yaml"] = "a: b\nvalue: {{ required \"image.digest is required\" .Values.image.digest }}\n"
        files["environments/dev/environment.yaml"] = environmentFile("dev", releases: "    - name: web\n      chart: charts/app\n")
        let error = renderError(files)
        #expect(error?.diagnostics.first?.location?.file == "charts/app/templates/deployment.yaml")
        #expect(error?.diagnostics.first?.location?.line == 2)
        #expect(error?.diagnostics.first?.message == "execution error at (app/templates/deployment.yaml:2:10): image.digest is required")
    }

    @Test func chartErrorsNoteWhereTheValuesTheyReadAreSet() throws {
        var files = Self.chartFiles
        files["charts/app/templates/_helpers.tpl"] = "{{- define \"app.tag\" -}}{{ required \"image.tag is required\" .Values.image.tag }}{{- end }}\n"
        files["charts/app/templates/deployment.yaml"] = "tag: {{ include \"app.tag\" . }}\n{{- range .Values.ports }}\nport: {{ . }}\n{{- end }}\n"
        files["charts/app/values.yaml"] = "image:\n  tag: \"\"\nports: [80]\n"
        files["environments/dev/app.yaml"] = "# production ports\nports: 8080\nimage:\n  tag: \"1.0\"\n"
        func notes(valuesFiles: String, inline: String = "") throws -> [Diagnostic] {
            files["environments/dev/environment.yaml"] = environmentFile("dev", releases: """
                    - name: web
                      chart: charts/app
                      valuesFiles: \(valuesFiles)
                \(inline)
                """)
            let error = try #require(renderError(files))
            #expect(error.diagnostics.first?.code == "chart.render", "\(error)")
            return Array(error.diagnostics.dropFirst())
        }
        // The value that failed `required` inside an include: the chart's default, an empty string.
        let defaults = try notes(valuesFiles: "[]")
        #expect(defaults.map(\.description) == ["charts/app/values.yaml:2:3: note: .Values.image.tag is set here\n  tag: …\n  ^"])
        // A values file that sets the wrong type (a number where the template ranges over a list).
        let wrongType = try notes(valuesFiles: "[app.yaml]")
        #expect(wrongType.first?.location == SourceLocation(file: "environments/dev/app.yaml", line: 2, column: 1))
        #expect(wrongType.first?.message == ".Values.ports is set here")
        // Inline values win over every file: the note points at the release.
        let inline = try notes(valuesFiles: "[app.yaml]", inline: "      values: {ports: 9090}")
        #expect(inline.first?.message == ".Values.ports is set by the release's inline values")
        #expect(inline.first?.location?.file == "environments/dev/environment.yaml")
        // Nothing sets it: the note says which files were read and what to set.
        files["charts/app/values.yaml"] = "ports: [80]\n"
        let unset = try notes(valuesFiles: "[]")
        #expect(unset.map(\.description) == ["note: .Values.image.tag is not set by charts/app/values.yaml; set image.tag in one of them"])
    }
}
