import Basics
import RepoModel
import Testing

/// Each problem in an environments repository is an error with file, line, column and advice;
/// all problems of a file are reported together.
@Suite struct ModelErrorTests {
    let manifests = ["environments/dev/m/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"]

    func load(_ files: [String: String], symlinks: [String: String] = [:]) -> DiagnosticError? {
        var all = manifests
        all.merge(files) { _, new in new }
        do {
            _ = try RepositoryLoader.load(from: MemoryTree(files: all, symlinks: symlinks))
            return nil
        } catch {
            return error
        }
    }

    func single(_ releases: String, symlinks: [String: String] = [:]) -> DiagnosticError? {
        load(["environments/dev/environment.yaml": environmentFile("dev", releases: releases)], symlinks: symlinks)
    }

    @Test func validRepositoryLoads() throws {
        let tree = MemoryTree(files: manifests.merging([
            "environments/dev/environment.yaml": environmentFile("dev", releases: "    - name: p\n      path: environments/dev/m\n"),
            "charts/blog/Chart.yaml": "name: blog\n",
            "environments/dev/blog.yaml": "image: {tag: 1}\n",
            "environments/prod/environment.yaml": """
            apiVersion: gitops/v1alpha1
            kind: Environment
            metadata: {name: prod}
            spec:
              namespace: blog-prod
              cluster: {inCluster: true}
              promotion: {from: dev}
              releases:
                - name: blog
                  chart: charts/blog
                  valuesFiles: [../dev/blog.yaml]
                  values: {replicaCount: 3}
                  promote: [image.tag]
            """,
        ]) { a, _ in a })
        let model = try RepositoryLoader.load(from: tree)
        #expect(model.environments.map(\.name) == ["dev", "prod"])
        let prod = try #require(model.environment(named: "prod"))
        #expect(prod.cluster == .inCluster && prod.promotionSource == "dev")
        guard case let .chart(path, valuesFiles, values, promote) = prod.releases[0].source else {
            Issue.record("expected a chart release")
            return
        }
        #expect(path == "charts/blog" && valuesFiles == ["environments/dev/blog.yaml"])
        #expect(values == .object(["replicaCount": .int(3)]) && promote.map(\.description) == ["image.tag"])
    }

    @Test func unknownFieldSuggestsTheRightOne() {
        let error = single("    - name: p\n      pth: environments/dev/m\n")
        let d = error?.diagnostics.first { $0.code == "model.unknownField" }
        #expect(d?.location == SourceLocation(file: "environments/dev/environment.yaml", line: 9, column: 7, offset: d?.location?.offset ?? 0))
        #expect(d?.message == "unknown field 'pth' in a release; did you mean 'path'?")
        #expect(d?.description.contains("\n      pth: environments/dev/m\n      ^") == true)
    }

    @Test func wrongTypes() {
        let error = load(["environments/dev/environment.yaml": """
            apiVersion: gitops/v1alpha1
            kind: Environment
            metadata: {name: dev}
            spec:
              namespace: [a]
              releases: {name: x}
            """])
        #expect(error?.diagnostics.map(\.message) == ["spec.namespace must be a string, not a list",
                                                      "spec.releases must be a list, not a mapping"])
        #expect(error?.diagnostics.map { $0.location?.line } == [5, 6])
    }

    @Test func nameMustEqualFolder() {
        let error = load(["environments/dev/environment.yaml": environmentFile("prod", releases: "    []")])
        #expect(error?.diagnostics.first?.message == "metadata.name 'prod' differs from the folder name 'dev'; they must be equal")
        #expect(error?.diagnostics.first?.location?.line == 4)
    }

    @Test func duplicateReleaseNames() {
        let error = single("    - name: p\n      path: environments/dev/m\n    - name: p\n      path: environments/dev/m\n")
        #expect(error?.diagnostics.first?.message == "release 'p' is declared twice (first at line 8, column 13); release names must be unique")
        #expect(error?.diagnostics.first?.location?.line == 10)
    }

    @Test func chartAndPathBothOrNeither() {
        let both = single("    - name: p\n      path: environments/dev/m\n      chart: charts/x\n")
        #expect(both?.diagnostics.first?.message == "release 'p' sets 'chart' and 'path'; keep one of chart, path and kustomize")
        let three = single("    - name: p\n      path: environments/dev/m\n      kustomize: environments/dev/m\n")
        #expect(three?.diagnostics.first?.message == "release 'p' sets 'path' and 'kustomize'; keep one of chart, path and kustomize")
        let noKustomization = single("    - name: p\n      kustomize: environments/dev/m\n")
        #expect(noKustomization?.diagnostics.first?.message.hasPrefix("folder 'environments/dev/m' has no kustomization.yaml") == true)
        let neither = single("    - name: p\n")
        #expect(neither?.diagnostics.first?.message.hasPrefix("release 'p' needs 'chart: charts/<chart>'") == true)
        #expect(neither?.diagnostics.first?.location?.line == 8)
    }

    /// Found by the repository fuzzer: a chart mapping without its fields crashed the loader.
    @Test func anIncompleteChartReferenceIsAnErrorNotACrash() {
        let error = single("    - name: p\n      chart:\n        strategy: canary\n")
        let messages = error?.diagnostics.map(\.message) ?? []
        #expect(messages.contains { $0.contains("repository") }, "\(messages)")
        let partial = single("    - name: p\n      chart: {repository: https://charts.example.com, name: app}\n")
        #expect(partial?.diagnostics.contains { $0.message.contains("version") } == true, "\(partial?.diagnostics ?? [])")
    }

    @Test func pathsMustExistAndStayInside() {
        let missing = single("    - name: p\n      path: environments/dev/nope\n")
        #expect(missing?.diagnostics.first?.code == "model.pathMissing")
        #expect(missing?.diagnostics.first?.location?.line == 9)
        #expect(missing?.diagnostics.first?.location?.column == 13)
        let escaping = single("    - name: p\n      path: ../../etc\n")
        #expect(escaping?.diagnostics.first?.code == "model.pathEscapes")
        let link = single("    - name: p\n      path: environments/dev/link\n",
                          symlinks: ["environments/dev/link": "../../../outside"])
        #expect(link?.diagnostics.first?.code == "model.symlinkEscapes")
        #expect(link?.diagnostics.first?.message.contains("symlink 'environments/dev/link'") == true)
        let file = single("    - name: p\n      path: environments/dev/m/a.yaml\n")
        #expect(file?.diagnostics.first?.message == "path 'environments/dev/m/a.yaml' is a file, not a folder")
    }

    @Test func allErrorsOfAFileAreReported() {
        let error = load(["environments/dev/environment.yaml": """
            apiVersion: gitops/v1
            kind: Environmnt
            metadata: {name: dev}
            spec:
              namespace: Bad_Name
              releses: []
            """])
        #expect(error?.diagnostics.map(\.code) == ["model.apiVersion", "model.kind", "model.missing", "model.name",
                                                   "model.unknownField"])
        #expect(error?.diagnostics.map { $0.location?.line } == [1, 2, 5, 5, 6])
    }

    @Test func yamlErrorsAndDuplicateKeysInEnvironmentFiles() {
        let syntax = load(["environments/dev/environment.yaml": "apiVersion: [\n"])
        #expect(syntax?.diagnostics.first?.code == "yaml.syntax")
        #expect(syntax?.diagnostics.first?.location?.file == "environments/dev/environment.yaml")
        let duplicate = load(["environments/dev/environment.yaml": environmentFile("dev", releases: "    []") + "\nkind: Environment\n"])
        #expect(duplicate?.diagnostics.first?.code == "yaml.duplicateKey")
    }

    @Test func promotionSourceMustExist() {
        let error = load(["environments/dev/environment.yaml": """
            apiVersion: gitops/v1alpha1
            kind: Environment
            metadata: {name: dev}
            spec:
              namespace: ns
              promotion: {from: qa}
              releases: []
            """])
        #expect(error?.diagnostics.first?.message.hasPrefix("promotion.from names 'qa', but there is no environments/qa/environment.yaml") == true)
        #expect(error?.diagnostics.first?.location?.line == 6)
    }

    @Test func settingsFileIsChecked() {
        let error = load([
            "environments/dev/environment.yaml": environmentFile("dev", releases: "    []"),
            "gitops.yaml": "apiVersion: gitops/v1alpha1\nkind: Repository\nspec:\n  promotion: {order: [dev, prod]}\n  validaton: {}\n",
        ])
        #expect(error?.diagnostics.map(\.message) == ["promotion.order names 'prod', but there is no environments/prod/environment.yaml",
                                                      "unknown field 'validaton' in the spec of gitops.yaml; did you mean 'validation'?"])
        #expect(error?.diagnostics.map { $0.location?.file } == ["gitops.yaml", "gitops.yaml"])
    }

    /// Settings live under spec:, as environment.yaml's do; the older top-level form is read with a
    /// deprecation warning, and both at once is an error.
    @Test func settingsUnderSpecAndTheOlderFormDeprecated() throws {
        let files: [String: String] = ["environments/dev/environment.yaml": environmentFile("dev", releases: "    []")]
        let legacy = try RepositoryLoader.loadEach(from: MemoryFileTree(displayName: "t", files: (files.merging(["gitops.yaml": "apiVersion: gitops/v1alpha1\nkind: Repository\npromotion: {order: [dev]}\n"]) { $1 }).mapValues { Array($0.utf8) }))
        #expect(legacy.settings.promotionOrder == ["dev"])
        #expect(legacy.settings.deprecations == ["gitops.yaml:3:12: warning: settings at the top level of gitops.yaml (promotion) are deprecated; nest them under spec:, as in environment.yaml"], "\(legacy.settings.deprecations)")
        let nested = try RepositoryLoader.loadEach(from: MemoryFileTree(displayName: "t", files: (files.merging(["gitops.yaml": "apiVersion: gitops/v1alpha1\nkind: Repository\nspec:\n  promotion: {order: [dev]}\n"]) { $1 }).mapValues { Array($0.utf8) }))
        #expect(nested.settings.promotionOrder == ["dev"] && nested.settings.deprecations.isEmpty)
        let both = load(files.merging(["gitops.yaml": "apiVersion: gitops/v1alpha1\nkind: Repository\npromotion: {order: [dev]}\nspec: {}\n"]) { $1 })
        #expect(both?.diagnostics.first?.message == "gitops.yaml has both spec: and top-level promotion; keep the settings under spec: only")
    }

    @Test func chartReleaseChecks() {
        let error = single("    - name: blog\n      chart: charts/none\n      valuesFiles: [missing.yaml]\n      promote: [\"a..b\"]\n")
        #expect(error?.diagnostics.map(\.code) == ["model.pathMissing", "model.pathMissing", "model.promote"])
        let plain = single("    - name: p\n      path: environments/dev/m\n      values: {a: 1}\n")
        #expect(plain?.diagnostics.first?.message == "'values' applies to chart and kustomize releases only; release 'p' renders the plain manifests of 'path'")
    }

    @Test func environmentFileLinkingOutsideIsReportedAndOthersStillLoad() {
        let error = load(["environments/dev/environment.yaml": environmentFile("dev", releases: "    []")],
                         symlinks: ["environments/qa/environment.yaml": "../../../etc/env.yaml"])
        #expect(error?.diagnostics.count == 1)
        #expect(error?.diagnostics.first?.location?.file == "environments/qa/environment.yaml")
        #expect(error?.diagnostics.first?.message.contains("points outside the repository") == true)
    }

    @Test func missingEnvironmentsFolder() {
        let error = #expect(throws: DiagnosticError.self) { try RepositoryLoader.load(from: MemoryTree(files: ["README.md": "x"])) }
        #expect(error?.diagnostics.first?.code == "model.noEnvironments")
    }
}
