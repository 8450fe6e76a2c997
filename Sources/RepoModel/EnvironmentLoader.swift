import Basics
import Kustomize
import Rollouts
import YAML

/// Loads and checks one `environment.yaml`.
final class EnvironmentLoader {
    let tree: any FileTree
    let folderName: String
    let file: String
    private(set) var sourceText: SourceText?
    private(set) var diagnostics: [Diagnostic] = []

    init(tree: any FileTree, folderName: String, file: String) {
        self.tree = tree
        self.folderName = folderName
        self.file = file
    }

    var folder: String { RepoPath.parent(file) }

    /// The environment and its `spec` node, or nil when the file cannot be read at all.
    /// Problems are left in `diagnostics` either way.
    func load() -> (Environment, Node)? {
        let bytes: [UInt8]
        do { bytes = try tree.read(file) } catch {
            diagnostics.append(Diagnostic(code: "model.read", location: SourceLocation(file: file, line: 1, column: 1),
                                          message: "\(error)"))
            return nil
        }
        let source = SourceText(path: file, bytes: bytes)
        sourceText = source
        let documents: [Node]
        do { documents = try YAMLParser.parse(bytes, file: file) } catch {
            diagnostics += error.diagnostics
            return nil
        }
        let checker = NodeChecker(source: source)
        defer { diagnostics += checker.diagnostics.diagnostics }
        guard let root = documents.first, !root.isNull else {
            diagnostics.append(Diagnostic(code: "model.empty", location: SourceLocation(file: file, line: 1, column: 1),
                                          message: "environment.yaml is empty; it needs apiVersion, kind, metadata and spec"))
            return nil
        }
        if documents.count > 1 {
            checker.error("model.documents", documents[1], "environment.yaml must hold a single YAML document")
        }
        guard let fields = checker.fields(root, of: "environment.yaml", allowed: ["apiVersion", "kind", "metadata", "spec"],
                                          required: ["apiVersion", "kind", "metadata", "spec"]) else { return nil }
        if let node = fields["apiVersion"], let value = checker.string(node, "apiVersion"),
           value != RepositoryLoader.apiVersion {
            checker.error("model.apiVersion", node, "apiVersion must be '\(RepositoryLoader.apiVersion)', not '\(value)'")
        }
        if let node = fields["kind"], let value = checker.string(node, "kind"), value != "Environment" {
            checker.error("model.kind", node, "kind must be 'Environment', not '\(value)'")
        }
        var name = folderName
        if let node = fields["metadata"],
           let metadata = checker.fields(node, of: "metadata", allowed: ["name", "labels", "annotations"], required: ["name"]),
           let nameNode = metadata["name"], let value = checker.string(nameNode, "metadata.name") {
            if value != folderName {
                checker.error("model.name", nameNode,
                              "metadata.name '\(value)' differs from the folder name '\(folderName)'; they must be equal")
            }
            name = value
        }
        let specNode = fields["spec"] ?? root
        var environment = Environment(name: name, folder: folder, file: file, namespace: "", cluster: .unspecified,
                                      promotionSource: nil, releases: [])
        guard let spec = checker.fields(specNode, of: "spec", allowed: ["namespace", "cluster", "promotion", "releases", "ignoreDifferences"],
                                        required: ["namespace", "releases"]) else { return (environment, specNode) }
        environment.namespace = checker.dnsLabel(spec["namespace"], "spec.namespace") ?? ""
        if let node = spec["cluster"], let cluster = checker.fields(node, of: "spec.cluster", allowed: ["context", "inCluster"]) {
            let context = checker.string(cluster["context"], "spec.cluster.context")
            let inCluster = checker.bool(cluster["inCluster"], "spec.cluster.inCluster") ?? false
            switch (context, inCluster) {
            case (let context?, false): environment.cluster = .context(context)
            case (nil, true): environment.cluster = .inCluster
            case (.some, true):
                checker.error("model.cluster", node, "spec.cluster sets both 'context' and 'inCluster: true'; keep one")
            case (nil, false):
                if cluster["context"] == nil {
                    checker.error("model.cluster", node, "spec.cluster needs 'context: <kubeconfig context>' or 'inCluster: true'")
                }
            }
        }
        if let node = spec["promotion"], let promotion = checker.fields(node, of: "spec.promotion", allowed: ["from"]) {
            environment.promotionSource = checker.dnsLabel(promotion["from"], "spec.promotion.from")
        }
        if let node = spec["releases"] {
            environment.releases = loadReleases(node, checker: checker)
        }
        if let node = spec["ignoreDifferences"] {
            environment.ignoreDifferences = loadIgnoreDifferences(node, checker: checker)
        }
        return (environment, specNode)
    }

    private func loadReleases(_ node: Node, checker: NodeChecker) -> [Release] {
        guard let items = node.items else {
            if !node.isNull { checker.error("model.type", node, "spec.releases must be a list, not a \(node.kindName)") }
            return []
        }
        var releases: [Release] = []
        var firstByName: [String: Node] = [:]
        for item in items {
            guard let fields = checker.fields(item, of: "a release",
                                              allowed: ["name", "chart", "path", "kustomize", "version", "valuesFiles", "values", "promote", "namespace", "rollout"],
                                              required: ["name"]) else { continue }
            guard let nameNode = fields["name"], let name = checker.dnsLabel(nameNode, "release name", maxLength: 53) else {
                continue
            }
            if let first = firstByName[name] {
                checker.error("model.duplicateRelease", nameNode,
                              "release '\(name)' is declared twice (first at line \(first.start.line), column \(first.start.column)); release names must be unique")
                continue
            }
            firstByName[name] = nameNode
            let namespace = fields["namespace"].flatMap { checker.dnsLabel($0, "release namespace") }
            let source: Release.Source?
            let kinds = ["chart", "path", "kustomize"].filter { fields[$0] != nil }
            switch kinds.first {
            case _ where kinds.count > 1:
                checker.error("model.release", item, "release '\(name)' sets \(kinds.map { "'\($0)'" }.joined(separator: " and ")); keep one of chart, path and kustomize")
                source = nil
            case "chart"?:
                source = chartSource(fields["chart"]!, fields: fields, checker: checker)
            case "path"?:
                let path = fields["path"]!
                for key in ["valuesFiles", "values", "promote", "version"] {
                    if let extra = fields[key] {
                        checker.error("model.release", extra, "'\(key)' applies to chart and kustomize releases only; release '\(name)' renders the plain manifests of 'path'")
                    }
                }
                source = checker.string(path, "path").flatMap {
                    PathCheck.folder($0, relativeTo: "", at: path, what: "path", tree: tree, checker: checker)
                }.map { .manifests(path: $0) }
            case "kustomize"?:
                source = kustomizeSource(fields["kustomize"]!, fields: fields, release: name, checker: checker)
            default:
                checker.error("model.release", item,
                              "release '\(name)' needs 'chart: charts/<chart>' (a Helm chart), 'path: <folder>' (plain manifests) or 'kustomize: <folder>' (a kustomization)")
                source = nil
            }
            var rollout: RolloutSpec?
            if let node = fields["rollout"] {
                do throws(DiagnosticError) { rollout = try RolloutSpec.parse(node, file: checker.file) } catch { checker.append(error.diagnostics) }
            }
            if let source {
                releases.append(Release(name: name, source: source, namespace: namespace, location: checker.location(item), rollout: rollout))
            }
        }
        return releases
    }

    private func chartSource(_ chart: Node, fields: [String: Node], checker: NodeChecker) -> Release.Source? {
        var remote: RemoteChart?
        var reference: String?
        if chart.pairs != nil {
            // `{repository: https://..., name: postgresql, version: "16.2.1"}`: a Helm repository's chart.
            // A missing field is reported by `fields(required:)`; only a complete reference is read.
            if let spec = checker.fields(chart, of: "a chart reference", allowed: ["repository", "name", "version"], required: ["repository", "name", "version"]),
               let repositoryNode = spec["repository"], let nameNode = spec["name"], let versionNode = spec["version"],
               let repository = checker.string(repositoryNode, "repository"), let name = checker.string(nameNode, "name"),
               let version = checker.string(versionNode, "version") {
                if !(repository.hasPrefix("https://") || repository.hasPrefix("http://") || repository.hasPrefix("oci://")) {
                    checker.error("model.remoteChart", repositoryNode, "repository '\(repository)' is not a Helm repository URL (https://...) or an OCI registry (oci://...)")
                } else {
                    remote = RemoteChart(repository: repository, name: name, version: version)
                }
            }
            if let version = fields["version"] { checker.error("model.release", version, "the chart reference names its version; remove this one") }
        } else {
            reference = checker.string(chart, "chart")
        }
        var chartPath: String?
        if let reference, reference.hasPrefix("oci://") {
            // `chart: oci://registry/charts/postgresql` with the release's `version:`.
            guard let versionNode = fields["version"], let version = checker.string(versionNode, "version") else {
                checker.error("model.remoteChart", chart, "chart '\(reference)' needs a version: add `version: <exact or range>` to the release")
                return nil
            }
            remote = RemoteChart(oci: reference, version: version)
            if remote == nil { checker.error("model.remoteChart", chart, "'\(reference)' is not an OCI chart reference (oci://host/path/name)") }
        } else if let reference, reference.hasPrefix("https://") || reference.hasPrefix("http://") {
            checker.error("model.remoteChart", chart,
                          "chart '\(reference)' is a repository URL; name the chart in it: `chart: {repository: \(reference), name: <chart>, version: <version>}`")
        } else if let reference, reference.hasSuffix(".tgz") || reference.hasSuffix(".tar.gz") {
            // A packaged chart (helm package, helm pull without --untar) is rendered as it is.
            chartPath = PathCheck.file(reference, relativeTo: "", at: chart, what: "chart archive", tree: tree, checker: checker)
        } else if let reference {
            chartPath = PathCheck.folder(reference, relativeTo: "", at: chart, what: "chart", tree: tree, checker: checker)
            if let path = chartPath, (try? tree.exists(path + "/Chart.yaml")) != true {
                checker.error("model.chart", chart, "chart folder '\(path)' has no Chart.yaml; a chart folder holds Chart.yaml, values.yaml and templates/")
            }
        }
        var valuesFiles: [String] = []
        for (path, item) in checker.strings(fields["valuesFiles"], "valuesFiles") ?? [] {
            if let resolved = PathCheck.file(path, relativeTo: folder, at: item, what: "values file", tree: tree, checker: checker) {
                valuesFiles.append(resolved)
            }
        }
        var values: Value = .object([:])
        if let node = fields["values"] {
            if node.pairs == nil && !node.isNull {
                checker.error("model.type", node, "values must be a mapping, not a \(node.kindName)")
            } else if !node.isNull {
                do { values = try node.value(file: file) } catch { checker.append(error.diagnostics) }
            }
        }
        var promote: [ValuePath] = []
        for (text, item) in checker.strings(fields["promote"], "promote") ?? [] {
            if let path = ValuePath(parsing: text) {
                promote.append(path)
            } else {
                checker.error("model.promote", item, "'\(text)' is not a value path; write it like 'image.tag' or 'containers[0].image'")
            }
        }
        if let remote { return .remoteChart(remote, valuesFiles: valuesFiles, values: values, promote: promote) }
        guard let chartPath else { return nil }
        if let version = fields["version"] { checker.error("model.release", version, "'version' applies to remote charts (oci://... or {repository, name, version}); a chart folder has its own") }
        return .chart(path: chartPath, valuesFiles: valuesFiles, values: values, promote: promote)
    }

    /// A `kustomize:` release: a folder holding a kustomization file; `promote:` names its `images`
    /// and `replicas` entries.
    private func kustomizeSource(_ node: Node, fields: [String: Node], release: String, checker: NodeChecker) -> Release.Source? {
        for key in ["valuesFiles", "values", "version"] {
            if let extra = fields[key] {
                checker.error("model.release", extra, "'\(key)' applies to chart releases only; release '\(release)' is a kustomization: set values in its kustomization (images, replicas, patches)")
            }
        }
        var promote: [ValuePath] = []
        for (text, item) in checker.strings(fields["promote"], "promote") ?? [] {
            if let path = ValuePath(parsing: text), Self.isKustomizeEntry(path) {
                promote.append(path)
            } else {
                checker.error("model.promote", item, "'\(text)' is not a kustomization entry; write it like 'images[name=app].newTag' (newName, digest) or 'replicas[name=web].count'")
            }
        }
        guard let folder = checker.string(node, "kustomize").flatMap({ PathCheck.folder($0, relativeTo: "", at: node, what: "kustomize", tree: tree, checker: checker) }) else {
            return nil
        }
        let names = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        guard names.contains(where: { (try? tree.exists(folder.isEmpty ? $0 : folder + "/" + $0)) == true }) else {
            checker.error("model.kustomize", node, "folder '\(folder)' has no kustomization.yaml (nor kustomization.yml or Kustomization); a kustomize release names the folder of a kustomization")
            return nil
        }
        return .kustomize(path: folder, inputs: KustomizeInputs.folders(of: folder, tree: tree), promote: promote)
    }

    /// `images[name=X].newTag|newName|digest` or `replicas[name=X].count`.
    static func isKustomizeEntry(_ path: ValuePath) -> Bool {
        guard path.components.count == 3, case .key(let field) = path.components[0], case .match("name", _) = path.components[1],
              case .key(let attribute) = path.components[2] else { return false }
        return field == "images" ? ["newTag", "newName", "digest"].contains(attribute) : field == "replicas" && attribute == "count"
    }

    /// `spec.ignoreDifferences`: a list of `{group?, kind, name?, namespace?, jsonPointers?, paths?}`.
    private func loadIgnoreDifferences(_ node: Node, checker: NodeChecker) -> [IgnoreDifference] {
        guard let items = node.items else {
            checker.error("model.ignoreDifferences", node, "spec.ignoreDifferences must be a list of {kind, jsonPointers} entries")
            return []
        }
        var rules: [IgnoreDifference] = []
        for item in items {
            guard let fields = checker.fields(item, of: "an ignoreDifferences entry",
                                              allowed: ["group", "kind", "name", "namespace", "jsonPointers", "paths"],
                                              required: ["kind"]) else { continue }
            let pointers = (checker.strings(fields["jsonPointers"], "jsonPointers") ?? []) + (checker.strings(fields["paths"], "paths") ?? [])
            for (pointer, pointerNode) in pointers where !(pointer.hasPrefix("/") || pointer.hasPrefix(".")) {
                checker.error("model.ignoreDifferences", pointerNode, "'\(pointer)' is neither a JSON pointer (/spec/replicas) nor a path (.spec.replicas)")
            }
            if pointers.isEmpty { checker.error("model.ignoreDifferences", item, "an ignoreDifferences entry needs jsonPointers or paths") }
            rules.append(IgnoreDifference(group: checker.string(fields["group"], "group"), kind: checker.string(fields["kind"], "kind") ?? "",
                                          name: checker.string(fields["name"], "name"), namespace: checker.string(fields["namespace"], "namespace"),
                                          paths: pointers.map(\.0)))
        }
        return rules
    }
}
