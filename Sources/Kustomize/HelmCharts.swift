import Basics
import Charts
import Foundation
import YAML

/// `helmCharts` and `helmGlobals`: charts inflated as kustomize's HelmChartInflationGenerator
/// inflates them with `helm template`, here with gitops' own chart engine: the chart from
/// `<chartHome>/<name>` (`<chartHome>/<name>-<version>/<name>` when a repo and version are given),
/// values from `valuesFile` (default: the chart's values.yaml) merged with `valuesInline` as
/// `valuesMerge` says, then `additionalValuesFiles`; CRDs with `includeCRDs`, tests unless
/// `skipTests`, hooks unless `skipHooks`. Charts are never fetched: gitops builds offline.
enum HelmCharts {
    static func run(_ kustomization: Kustomization, builder: KustomizeBuilder, onto resources: [KustomizeResource]) throws -> [KustomizeResource] {
        let tree = builder.tree
        var entries: [Value] = []
        if let list = kustomization.value["helmCharts"], list != .null {
            guard case .array(let items) = list else { throw kustomization.at(["helmCharts"], "'helmCharts' is a list of charts") }
            entries = items
        }
        var globals = kustomization.value["helmGlobals"]?.objectValue ?? ValueObject()
        // The deprecated helmChartInflationGenerator, converted as kustomize converts it.
        let legacy = kustomization.value["helmChartInflationGenerator"]?.arrayValue ?? []
        var legacyGlobals = ValueObject()
        for item in legacy {
            guard case .object(let old) = item else { continue }
            var chart = ValueObject()
            for (from, to) in [("chartName", "name"), ("chartVersion", "version"), ("chartRepoUrl", "repo"), ("values", "valuesFile"),
                               ("valuesLocal", "valuesInline"), ("valuesMerge", "valuesMerge"), ("releaseName", "releaseName")] where old[from] != nil {
                chart[to] = old[from]
            }
            entries.append(.object(chart))
            if let home = old["helmHome"].flatMap(Kustomization.text), !home.isEmpty { legacyGlobals["configHome"] = .string(home) }
            if let home = old["chartHome"].flatMap(Kustomization.text), !home.isEmpty { legacyGlobals["chartHome"] = .string(home) }
        }
        if kustomization.value["helmGlobals"] == nil, !legacyGlobals.isEmpty { globals = legacyGlobals }
        guard !entries.isEmpty else { return resources }
        var resources = resources
        var ids = Set(resources.map(\.id))
        for (index, entry) in entries.enumerated() {
            let node = kustomization.root["helmCharts"]?.items?[index]
            let here = KustomizeError(kustomization.file, node?.start.line ?? 1, node?.start.column ?? 1, "")
            guard case .object(let spec) = entry else { throw Patches.with(here, "each 'helmCharts' entry is a mapping") }
            for resource in try inflate(spec, globals: globals, kustomization: kustomization, builder: builder, at: here) {
                try KustomizeBuilder.add(resource, to: &resources, ids: &ids, at: here)
            }
        }
        return resources
    }

    static func inflate(_ spec: ValueObject, globals: ValueObject, kustomization: Kustomization, builder: KustomizeBuilder,
                        at here: KustomizeError) throws -> [KustomizeResource] {
        let tree = builder.tree
        func text(_ key: String) -> String { spec[key].flatMap(Kustomization.text) ?? "" }
        let name = text("name")
        guard !name.isEmpty else { throw Patches.with(here, "chart name cannot be empty") }
        let home = globals["chartHome"].flatMap(Kustomization.text).flatMap { $0.isEmpty ? nil : $0 } ?? "charts"
        guard !home.hasPrefix("/"), var chartHome = RepoPath.join(kustomization.folder, home) else {
            throw Patches.with(here, "chartHome '\(home)' must be a folder of the repository, relative to the kustomization")
        }
        let repo = text("repo"), version = text("version")
        if !version.isEmpty && !repo.isEmpty { chartHome = RepoPath.join(chartHome, "\(name)-\(version)") ?? chartHome }
        let chartPath = RepoPath.join(chartHome, name) ?? name
        guard (try? tree.kind(of: chartPath)) == .directory else {
            if repo.isEmpty { throw Patches.with(here, "no repo specified for pull, no chart found at '\(chartPath)'") }
            let pull = repo.hasPrefix("oci://") ? "helm pull \(repo.hasSuffix("/") ? String(repo.dropLast()) : repo)/\(name)" : "helm pull --repo \(repo) \(name)"
            throw Patches.with(here, "chart '\(name)' is not in '\(chartPath)': gitops builds offline and does not pull charts; vendor it with `\(pull)\(version.isEmpty ? "" : " --version \(version)") --untar --untardir \(chartHome)`")
        }
        let valuesMerge = text("valuesMerge").isEmpty ? "override" : text("valuesMerge")
        guard ["override", "replace", "merge"].contains(valuesMerge) else {
            throw Patches.with(here, "valuesMerge must be one of [override replace merge], not '\(valuesMerge)'")
        }
        // The values file: the one named (relative to the kustomization), else the chart's own.
        let valuesFile: String
        if text("valuesFile").isEmpty {
            valuesFile = chartPath + "/values.yaml"
        } else {
            guard let file = try kustomization.file(text("valuesFile"), what: "values file", at: here, tree: tree) else {
                throw Patches.with(here, "values file '\(text("valuesFile"))' does not exist in '\(kustomization.folder.isEmpty ? "." : kustomization.folder)'")
            }
            valuesFile = file
        }
        func read(_ file: String) throws -> Value {
            guard (try? tree.kind(of: file)) == .file else { return .object([:]) }
            let value = try YAML.values(try tree.read(file), file: file).first ?? .null
            return value == .null ? .object([:]) : value
        }
        var values = try read(valuesFile)
        if case .object(let inline)? = spec["valuesInline"], !inline.isEmpty {
            switch valuesMerge {
            case "replace":
                values = .object(inline)
            case "merge":
                // The file wins where both set a value.
                values = (try? StrategicMerge.apply(values.objectValue ?? ValueObject(), to: inline)).flatMap { $0.map(Value.object) } ?? values
            default:
                values = (try? StrategicMerge.apply(inline, to: values.objectValue ?? ValueObject())).flatMap { $0.map(Value.object) } ?? values
            }
        }
        for file in (spec["additionalValuesFiles"]?.arrayValue ?? []).compactMap(Kustomization.text) {
            guard let path = try kustomization.file(file, what: "additional values file", at: here, tree: tree) else {
                throw Patches.with(here, "could not load additionalValuesFile '\(file)'")
            }
            values = HelmValues.merge(values, try read(path))
        }
        let chart = try ChartLoader.load(tree, path: chartPath)
        let extraAPIVersions = (spec["apiVersions"]?.arrayValue ?? []).compactMap(Kustomization.text)
        let kubeVersion = text("kubeVersion").isEmpty ? Capabilities.defaultKubeVersion : text("kubeVersion")
        guard Capabilities.isValidKubeVersion(kubeVersion) else { throw Patches.with(here, "kubeVersion '\(kubeVersion)' is not a Kubernetes version such as 1.31 or v1.31.0") }
        let capabilities = Capabilities(kubeVersion: kubeVersion, extraAPIVersions: extraAPIVersions)
        let releaseName = text("releaseName").isEmpty ? "release-name" : text("releaseName")
        let options = ChartRenderOptions(releaseName: releaseName, namespace: text("namespace").isEmpty ? "default" : text("namespace"),
                                         values: values, capabilities: capabilities,
                                         now: { [time = builder.renderTime] in time }, seedSecret: builder.seedSecret)
        var output = HelmTemplateOutput.Options()
        if spec["includeCRDs"]?.boolValue == true { output.crds = ChartRenderer.crds(chart) }
        output.skipTests = spec["skipTests"]?.boolValue == true
        output.skipHooks = spec["skipHooks"]?.boolValue == true
        let manifest = try HelmTemplateOutput.format(try ChartRenderer.render(chart, options: options), options: output)
        // The objects keep the chart's template as their file (the line of the document's start).
        return try KustomizeBuilder.objects(in: Array(manifest.utf8), file: chartPath).map { resource in
            var resource = resource
            if let source = manifestSource(manifest, line: resource.source.line) {
                resource.source = SourceLocation(file: RepoPath.join(chartHome, source) ?? source, line: 1, column: 1)
            }
            resource.fields = .init()
            resource.origin = .plugin("HelmChartInflationGenerator", in: kustomization)
            return resource
        }
    }

    /// The `# Source: chart/templates/x.yaml` comment above the document starting at `line`.
    static func manifestSource(_ manifest: String, line: Int) -> String? {
        let lines = manifest.split(separator: "\n", omittingEmptySubsequences: false)
        var index = min(line - 1, lines.count - 1)
        while index >= 0 {
            if lines[index].hasPrefix("# Source: ") { return String(lines[index].dropFirst("# Source: ".count)) }
            index -= 1
        }
        return nil
    }
}
