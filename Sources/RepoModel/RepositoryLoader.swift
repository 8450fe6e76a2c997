import Basics
import Notifications
import YAML

/// Loads `gitops.yaml` and every `environments/<env>/environment.yaml` of a file tree and checks
/// them: every problem of every file is reported, each with file, line, column and what to do.
public enum RepositoryLoader {
    public static let apiVersion = "gitops/v1alpha1"
    public static let environmentsFolder = "environments"

    /// The repository with every environment; any problem anywhere is an error (for `--all`).
    public static func load(from tree: any FileTree) throws(DiagnosticError) -> EnvironmentRepository {
        let model = try loadEach(from: tree)
        guard model.broken.isEmpty else {
            var collector = DiagnosticCollector()
            for broken in model.broken { for d in broken.problems { collector.append(d) } }
            collector.sortByLocation()
            throw DiagnosticError(collector.diagnostics)
        }
        return model
    }

    /// The repository with each environment loaded on its own: an environment whose files have
    /// errors is left out and listed in `broken`, so commands about the others go on. Problems of
    /// the repository itself (gitops.yaml, the environments/ folder) are errors for everyone.
    public static func loadEach(from tree: any FileTree) throws(DiagnosticError) -> EnvironmentRepository {
        var collector = DiagnosticCollector()
        var problems: [String: [Diagnostic]] = [:]
        var partial: [String: Environment] = [:]
        var settings = RepositorySettings()
        var settingsNodes: [String: Node] = [:]
        if let (loaded, nodes, diagnostics) = loadSettings(tree) {
            settings = loaded
            settingsNodes = nodes
            for d in diagnostics { collector.append(d) }
        }

        var environments: [Environment] = []
        var environmentNodes: [String: (Node, SourceText)] = [:]
        do {
            guard try tree.kind(of: environmentsFolder) == .directory else {
                throw DiagnosticError(code: "model.noEnvironments", at: SourceLocation(file: environmentsFolder, line: 1, column: 1),
                                      "no '\(environmentsFolder)/' folder in the \(tree.displayName); create environments/<name>/environment.yaml")
            }
            for entry in try tree.list(environmentsFolder) {
                let folder = environmentsFolder + "/" + entry.name
                let file = folder + "/environment.yaml"
                let exists: Bool
                do {
                    guard try tree.kind(of: folder) == .directory else { continue }
                    exists = try tree.exists(file)
                } catch {
                    problems[entry.name, default: []].append(Diagnostic(code: "model.read", location: SourceLocation(file: file, line: 1, column: 1),
                                                                        message: "\(error); environments must live inside the repository"))
                    continue
                }
                guard exists else {
                    problems[entry.name, default: []].append(Diagnostic(code: "model.noEnvironmentFile", location: SourceLocation(file: folder, line: 1, column: 1),
                                                                        message: "folder '\(folder)' has no environment.yaml; add one or move the folder out of environments/"))
                    continue
                }
                let loader = EnvironmentLoader(tree: tree, folderName: entry.name, file: file)
                let loaded = loader.load()
                if loader.diagnostics.contains(where: { $0.severity == .error }) {
                    problems[entry.name, default: []] += loader.diagnostics
                    partial[entry.name] = loaded?.0
                } else if let (environment, specNode) = loaded {
                    environments.append(environment)
                    environmentNodes[environment.name] = (specNode, loader.sourceText!)
                }
            }
        } catch let error as DiagnosticError {
            for d in error.diagnostics { collector.append(d) }
        } catch {
            collector.error("model.read", at: SourceLocation(file: environmentsFolder, line: 1, column: 1), "\(error)")
        }

        // An environment that is there but broken is not "missing" for the checks below.
        let present = Set(environments.map(\.name)).union(partial.keys).union(problems.keys.filter { name in
            !problems[name]!.contains { $0.code == "model.noEnvironmentFile" }
        })
        for (name, diagnostics) in checkPromotions(environments, present: present, nodes: environmentNodes) {
            problems[name, default: []] += diagnostics
        }
        if let orderNode = settingsNodes["promotion.order"], let items = orderNode.items {
            for (name, item) in zip(settings.promotionOrder, items) where !present.contains(name) {
                collector.error("model.unknownEnvironment", at: item.location("gitops.yaml"),
                                "promotion.order names '\(name)', but there is no environments/\(name)/environment.yaml")
            }
        }
        collector.sortByLocation()
        try collector.throwIfErrors()
        let broken = problems.filter { $0.value.contains { $0.severity == .error } }
        let brokenEnvironments = broken.keys.sorted().map { name in
            var sorted = DiagnosticCollector()
            for d in broken[name]! { sorted.append(d) }
            sorted.sortByLocation()
            return BrokenEnvironment(name: name, problems: sorted.diagnostics, partial: partial[name] ?? environments.first { $0.name == name })
        }
        return EnvironmentRepository(settings: settings,
                                     environments: environments.filter { broken[$0.name] == nil }.sorted { $0.name < $1.name },
                                     broken: brokenEnvironments)
    }

    /// `spec.promotion.from` must name another environment (`present`: there, even if broken),
    /// without cycles; the problems by environment.
    private static func checkPromotions(_ environments: [Environment], present: Set<String>,
                                        nodes: [String: (Node, SourceText)]) -> [String: [Diagnostic]] {
        var problems: [String: [Diagnostic]] = [:]
        let byName = Dictionary(environments.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for environment in environments {
            guard let source = environment.promotionSource, let (spec, text) = nodes[environment.name] else { continue }
            let node = spec["promotion"]?["from"] ?? spec
            let location = node.location(environment.file)
            if source == environment.name {
                problems[environment.name, default: []].append(text.diagnostic("model.promotion", at: location,
                                                                               "environment '\(source)' cannot promote from itself"))
            } else if !present.contains(source) {
                problems[environment.name, default: []].append(text.diagnostic("model.promotion", at: location,
                                                 "promotion.from names '\(source)', but there is no environments/\(source)/environment.yaml; known: \(present.sorted().joined(separator: ", "))"))
            } else if byName[source] != nil {
                var seen: [String] = [environment.name]
                var current = source
                while let next = byName[current] {
                    if seen.contains(current) {
                        problems[environment.name, default: []].append(text.diagnostic("model.promotion", at: location,
                                                         "promotions form a cycle: \((seen + [current]).joined(separator: " ← "))"))
                        break
                    }
                    seen.append(current)
                    guard let up = next.promotionSource else { break }
                    current = up
                }
            }
        }
        return problems
    }

    private static func loadSettings(_ tree: any FileTree) -> (RepositorySettings, [String: Node], [Diagnostic])? {
        let file = "gitops.yaml"
        guard (try? tree.exists(file)) == true else { return nil }
        var settings = RepositorySettings()
        var nodes: [String: Node] = [:]
        let bytes: [UInt8]
        do { bytes = try tree.read(file) } catch {
            return (settings, nodes, [Diagnostic(code: "model.read", location: SourceLocation(file: file, line: 1, column: 1),
                                                 message: "\(error)")])
        }
        let checker = NodeChecker(source: SourceText(path: file, bytes: bytes))
        let documents: [Node]
        do { documents = try YAMLParser.parse(bytes, file: file) } catch {
            return (settings, nodes, error.diagnostics)
        }
        guard let root = documents.first else { return (settings, nodes, []) }
        if let top = checker.fields(root, of: "gitops.yaml",
                                    allowed: ["apiVersion", "kind", "metadata", "spec", "promotion", "validation", "policies"],
                                    required: ["apiVersion", "kind"]) {
            // Settings live under spec:, as environment.yaml's do; the older top-level form is read
            // with a deprecation warning.
            let legacy = ["promotion", "validation", "policies"].filter { top[$0] != nil }
            var fields = top
            if let spec = top["spec"] {
                if let first = legacy.first {
                    checker.error("model.settings", top[first]!, "gitops.yaml has both spec: and top-level \(legacy.joined(separator: ", ")); keep the settings under spec: only")
                }
                fields = checker.fields(spec, of: "the spec of gitops.yaml", allowed: ["promotion", "validation", "policies", "notifications"]) ?? [:]
                fields["apiVersion"] = top["apiVersion"]
                fields["kind"] = top["kind"]
            } else if let first = legacy.first {
                settings.deprecations.append("\(checker.location(top[first]!)): warning: settings at the top level of gitops.yaml (\(legacy.joined(separator: ", "))) are deprecated; nest them under spec:, as in environment.yaml")
            }
            if let node = fields["apiVersion"], let value = checker.string(node, "apiVersion"), value != apiVersion {
                checker.error("model.apiVersion", node, "apiVersion must be '\(apiVersion)', not '\(value)'")
            }
            if let node = fields["kind"], let value = checker.string(node, "kind"), value != "Repository" {
                checker.error("model.kind", node, "kind must be 'Repository' in gitops.yaml, not '\(value)'")
            }
            if let node = fields["promotion"], let promotion = checker.fields(node, of: "promotion", allowed: ["order"]) {
                settings.promotionOrder = checker.strings(promotion["order"], "promotion.order")?.map(\.0) ?? []
                nodes["promotion.order"] = promotion["order"]
            }
            if let node = fields["validation"],
               let validation = checker.fields(node, of: "validation",
                                               allowed: ["kubernetesVersion", "schemaLocations", "crds", "strict", "lenient"]) {
                settings.kubernetesVersion = checker.string(validation["kubernetesVersion"], "validation.kubernetesVersion")
                settings.schemaLocations = checkFolders(validation["schemaLocations"], "validation.schemaLocations",
                                                        tree: tree, checker: checker)
                settings.crdPaths = checkFolders(validation["crds"], "validation.crds", tree: tree, checker: checker)
                settings.strictValidation = checker.bool(validation["strict"], "validation.strict") ?? false
                settings.lenientValidation = checker.bool(validation["lenient"], "validation.lenient") ?? false
            }
            if let node = fields["policies"], let policies = checker.fields(node, of: "policies", allowed: ["paths"]) {
                settings.policyPaths = checkFolders(policies["paths"], "policies.paths", tree: tree, checker: checker)
            }
            if let node = fields["notifications"] {
                do { settings.notifications = try NotificationSettings.parse(node, file: file) } catch {
                    checker.append(error.diagnostics)
                }
            }
        }
        if settings.policyPaths.isEmpty, (try? tree.kind(of: "policies")) == .directory { settings.policyPaths = ["policies"] }
        return (settings, nodes, checker.diagnostics.diagnostics)
    }

    private static func checkFolders(_ node: Node?, _ what: String, tree: any FileTree, checker: NodeChecker) -> [String] {
        (checker.strings(node, what) ?? []).compactMap { path, item in
            PathCheck.folder(path, relativeTo: "", at: item, what: what, tree: tree, checker: checker)
        }
    }
}
