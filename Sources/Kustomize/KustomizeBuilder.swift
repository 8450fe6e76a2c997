import Basics
import Foundation
import KubeModel
import YAML

/// Builds a kustomization folder as `kubectl kustomize` (kustomize v5.5) does: resources gathered
/// depth-first, generators, then the built-in transformers in kustomize's order at every level;
/// content hashes, name references and the legacy sort once, at the top.
public struct KustomizeBuilder: Sendable {
    let tree: any FileTree
    /// What inflated charts' `now` returns (the commit time when building a revision).
    let renderTime: Date
    /// Mixed into inflated charts' random functions (`ChartRenderOptions.seedSecret`).
    let seedSecret: String?

    public init(tree: any FileTree, renderTime: Date = Date(), seedSecret: String? = nil) {
        self.tree = tree
        self.renderTime = renderTime
        self.seedSecret = seedSecret
    }

    /// The objects of the kustomization in `folder` (repository-relative), in output order.
    public func build(_ folder: String) throws(DiagnosticError) -> [KustomizeResource] {
        // Each build starts from kustomize's built-in schema (a kustomization's `openapi` may replace it).
        let result: Result<[KustomizeResource], DiagnosticError> = MergeSchema.$current.withValue(MergeSchema.Current()) {
            do throws(DiagnosticError) { return .success(try buildOnce(folder)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func buildOnce(_ folder: String) throws(DiagnosticError) -> [KustomizeResource] {
        do {
            guard let normalized = RepoPath.normalize(folder) else {
                throw KustomizeError(folder, 1, 1, "'\(folder)' points outside the repository")
            }
            let (accumulated, extras, top) = try accumulate(normalized, stack: [])
            var resources = accumulated
            resources = Self.addHashes(resources)
            resources = try NameReferences.fix(resources, extra: extras.config.nameReference)
            resources = try Vars.resolve(extras.vars, in: resources, extra: extras.config.varReference)
            // Objects marked local configuration served the build (a replacement's source) and are
            // not part of its output.
            resources = try BuildMetadata.apply(top, to: resources)
            resources.removeAll { resource in
                guard let local = resource.object["metadata"]?["annotations"]?["config.kubernetes.io/local-config"] else { return false }
                return local.stringValue != "false"
            }
            // `sortOptions` counts only at the top, as in kustomize; legacy is kubectl's default.
            guard let options = top.value["sortOptions"], options != .null else { return LegacyOrder.sorted(resources) }
            let legacy = options["legacySortOptions"]
            switch options["order"]?.stringValue {
            case "legacy":
                let first = legacy?["orderFirst"]?.arrayValue?.compactMap(\.stringValue) ?? LegacyOrder.first
                let last = legacy?["orderLast"]?.arrayValue?.compactMap(\.stringValue) ?? LegacyOrder.last
                return LegacyOrder.sorted(resources, first: first, last: last)
            case "fifo" where legacy == nil: return resources
            case "fifo": throw top.at(["sortOptions", "legacySortOptions"], "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'")
            default: throw top.at(["sortOptions"], "the field 'sortOptions.order' must be one of [fifo, legacy]")
            }
        } catch let error as KustomizeError {
            throw DiagnosticError(error.diagnostic)
        } catch let errors as KustomizeErrors {
            throw DiagnosticError(errors.errors.map(\.diagnostic))
        } catch let error as DiagnosticError {
            throw error
        } catch {
            throw DiagnosticError(code: "kustomize.build", at: SourceLocation(file: folder, line: 1, column: 1), "\(error)")
        }
    }

    /// The objects of one kustomization, its own transformations applied, and the kustomization.
    /// `component` says whether a Component is expected (listed in `components`) or refused.
    func accumulate(_ folder: String, stack: [String], at here: KustomizeError? = nil) throws -> ([KustomizeResource], Extras, Kustomization) {
        let kustomization = try load(folder, component: false, at: here)
        var resources: [KustomizeResource] = []
        var extras = Extras()
        try accumulateTarget(kustomization, into: &resources, extras: &extras, stack: stack)
        return (resources, extras, kustomization)
    }

    /// What a kustomization hands up besides objects: its vars and transformer configurations.
    struct Extras {
        var vars: [Vars.Variable] = []
        var config = TransformerConfig()
    }

    /// The kustomization of `folder`, of the kind its use expects.
    func load(_ folder: String, component: Bool, at here: KustomizeError?) throws -> Kustomization {
        guard let file = try Kustomization.find(in: folder, tree: tree) else {
            var error = here ?? KustomizeError(folder, 1, 1, "")
            error.message = "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '\(folder.isEmpty ? "." : folder)'"
            throw error
        }
        let kustomization = try Kustomization.load(folder: folder, file: file, tree: tree)
        try useSchema(of: kustomization)
        let isComponent = kustomization.value["kind"]?.stringValue == "Component"
        if isComponent != component, var error = here {
            error.message = component
                ? "expected kind 'Component' for path '\(folder)' but got '\(kustomization.value["kind"]?.stringValue ?? "Kustomization")': list it under resources, or make it a Component"
                : "expected kind != 'Component' for path '\(folder)': a Component is listed under components, not resources"
            throw error
        }
        return kustomization
    }

    /// `openapi: {path: schema.json}`: the first kustomization of the build that names a schema
    /// sets it for the rest of the build, in place of the built-in one (as kustomize does);
    /// `{version: v1.21.2}` names the built-in one.
    func useSchema(of kustomization: Kustomization) throws {
        guard let openapi = kustomization.value["openapi"], openapi != .null, MergeSchema.current.table == nil else { return }
        guard case .object(let spec) = openapi else { throw kustomization.at(["openapi"], "'openapi' is a mapping with path (or version)") }
        if let version = spec["version"].flatMap(Kustomization.text) {
            guard spec["path"] == nil else { throw kustomization.at(["openapi"], "builtin version and custom schema provided, cannot use both") }
            guard version == "v1.21.2" else { throw kustomization.at(["openapi", "version"], "the OpenAPI version '\(version)' is not built in (v1.21.2 is)") }
            return
        }
        guard let path = spec["path"].flatMap(Kustomization.text) else { return }
        let here = kustomization.at(["openapi", "path"], "")
        guard let file = try kustomization.file(path, what: "OpenAPI schema", at: here, tree: tree) else {
            throw Patches.with(here, "OpenAPI schema '\(path)' does not exist in '\(kustomization.folder.isEmpty ? "." : kustomization.folder)'")
        }
        let document = try YAML.values(try tree.read(file), file: file).first ?? .null
        MergeSchema.current.table = MergeSchema.table(fromOpenAPI: document)
    }

    /// kustomize's accumulateTarget: the kustomization's resources added to `resources`, its
    /// generators, its components (each working on everything gathered so far), then its
    /// patches and transformers on all of it.
    func accumulateTarget(_ kustomization: Kustomization, into resources: inout [KustomizeResource], extras: inout Extras,
                          stack: [String]) throws {
        var ids = Set(resources.map(\.id))
        let stack = stack + [kustomization.folder]
        // Every resource entry is loaded, and every one that fails is reported together.
        var problems: [KustomizeError] = []
        for field in ["resources", "bases"] {
            for (entry, node) in try kustomization.strings(field) {
                let here = KustomizeError(kustomization.file, node.start.line, node.start.column, "")
                do {
                    let (loaded, loadedExtras) = try load(entry, from: kustomization, at: here, stack: stack)
                    for resource in loaded {
                        try Self.add(resource, to: &resources, ids: &ids, at: here)
                    }
                    try Vars.merge(loadedExtras.vars, into: &extras.vars, at: here)
                    extras.config.merge(loadedExtras.config)
                } catch {
                    guard let found = KustomizeErrors.problems(of: error) else { throw error }
                    problems += found
                }
            }
        }
        try KustomizeErrors.throwIfAny(problems)
        extras.config.merge(try TransformerConfig.load(kustomization, tree: tree))
        extras.config.merge(try TransformerConfig.loadCRDs(kustomization, tree: tree))
        resources = try Generators.run(kustomization, tree: tree, onto: resources)
        resources = try HelmCharts.run(kustomization, builder: self, onto: resources)
        resources = try PluginConfigs.generate(kustomization, builder: self, stack: stack, onto: resources)
        for (entry, node) in try kustomization.strings("components") {
            let here = KustomizeError(kustomization.file, node.start.line, node.start.column, "")
            guard let path = RepoPath.join(kustomization.folder, entry), (try? tree.kind(of: path)) == .directory else {
                throw Patches.with(here, "component '\(entry)' is not a folder with a kustomization (components are folders of kind: Component)")
            }
            if stack.contains(path) { throw Patches.with(here, "cycle: '\(path)' includes itself (\((stack + [path]).joined(separator: " → ")))") }
            let component = try load(path, component: true, at: here)
            try accumulateTarget(component, into: &resources, extras: &extras, stack: stack)
        }
        resources = try Patches.strategicMerge(kustomization, tree: tree, on: resources)
        resources = try Patches.patches(kustomization, tree: tree, on: resources)
        resources = try Transformers.run(kustomization, tree: tree, config: extras.config, on: resources)
        resources = try PluginConfigs.transform(kustomization, builder: self, stack: stack, on: resources)
        recordTransformers(kustomization, on: &resources)
        try Vars.declare(kustomization, resources: &resources, vars: &extras.vars)
    }

    /// The built-in transformers this kustomization configured, in kustomize's order, on every object
    /// (`buildMetadata: [transformerAnnotations]`).
    func recordTransformers(_ kustomization: Kustomization, on resources: inout [KustomizeResource]) {
        func count(_ field: String) -> Int { kustomization.value[field]?.arrayValue?.count ?? 0 }
        func set(_ field: String) -> Bool {
            guard let value = kustomization.value[field] else { return false }
            switch value {
            case .null: return false
            case .string(let text): return !text.isEmpty
            case .object(let object): return !object.isEmpty
            case .array(let items): return !items.isEmpty
            default: return true
            }
        }
        let steps: [(String, Int)] = [
            ("PatchStrategicMergeTransformer", set("patchesStrategicMerge") ? 1 : 0), ("PatchTransformer", count("patches")),
            ("NamespaceTransformer", set("namespace") ? 1 : 0), ("PrefixTransformer", set("namePrefix") ? 1 : 0),
            ("SuffixTransformer", set("nameSuffix") ? 1 : 0), ("LabelTransformer", count("labels") + (set("commonLabels") ? 1 : 0)),
            ("AnnotationsTransformer", set("commonAnnotations") ? 1 : 0), ("PatchJson6902Transformer", count("patchesJson6902")),
            ("ReplicaCountTransformer", count("replicas")), ("ImageTagTransformer", count("images") + count("imageTags")),
            ("ReplacementTransformer", set("replacements") ? 1 : 0),
        ]
        for (kind, times) in steps { BuildMetadata.record(kind, times: times, in: kustomization, on: &resources) }
    }

    /// A `resources` entry: a file of objects, or a folder with a kustomization of its own.
    func load(_ entry: String, from kustomization: Kustomization, at here: KustomizeError, stack: [String]) throws -> ([KustomizeResource], Extras) {
        var error = here
        if entry.contains("://") || entry.hasPrefix("github.com/") || entry.hasPrefix("git@") || entry.hasPrefix("gitlab.com/") {
            error.message = "remote resource '\(entry)' is not fetched: gitops builds offline; vendor it into the repository and list its folder"
            throw error
        }
        guard let path = RepoPath.join(kustomization.folder, entry) else {
            error.message = "'\(entry)' points outside the repository"
            throw error
        }
        switch try? tree.kind(of: path) {
        case .directory?:
            if stack.contains(path) {
                error.message = "cycle: '\(path)' includes itself (\((stack + [path]).joined(separator: " → ")))"
                throw error
            }
            let (resources, extras, _) = try accumulate(path, stack: stack, at: here)
            return (resources, extras)
        case .file?:
            _ = try kustomization.file(entry, what: "resource file", at: here, tree: tree)
            return (try Self.objects(in: try tree.read(path), file: path), Extras())
        default:
            error.message = "'\(entry)' does not exist (looked for '\(path)')"
            throw error
        }
    }

    /// The objects of a YAML file; `List` objects are unpacked into their items.
    /// `offset` places text embedded in another file (an inline patch): lines after the first and
    /// columns of the block's indentation.
    static func objects(in bytes: [UInt8], file: String, offset: (line: Int, column: Int) = (0, 0)) throws -> [KustomizeResource] {
        var result: [KustomizeResource] = []
        let place: (Mark, Node?) -> SourcePosition? = { mark, _ in SourcePosition(line: mark.line + offset.line, column: mark.column + offset.column) }
        for (documentIndex, node) in try YAMLParser.parse(bytes, file: file, options: ParseOptions(schema: .core)).enumerated() where !node.isNull {
            guard case .object(let object) = try node.value(schema: .core, file: file) else {
                throw KustomizeError(file, node.start.line, node.start.column, "a resource document is a mapping (an object with apiVersion, kind and metadata)")
            }
            let location = SourceLocation(file: file, line: node.start.line, column: node.start.column)
            if let kind = object["kind"]?.stringValue, kind.hasSuffix("List"), case .array(let items)? = object["items"] {
                for (index, item) in items.enumerated() {
                    guard case .object(let inner) = item else { continue }
                    let itemNode = node["items"]?.items?[index]
                    var resource = KustomizeResource(object: inner, source: itemNode.map { SourceLocation(file: file, line: $0.start.line, column: $0.start.column) } ?? location)
                    if let itemNode { resource.fields = FieldPositionIndex.positions(of: itemNode, place: place) }
                    resource.origin = .file(file)
                    resource.documentIndex = documentIndex
                    result.append(resource)
                }
                continue
            }
            guard object["kind"]?.stringValue?.isEmpty == false else {
                throw KustomizeError(file, node.start.line, node.start.column, "missing kind in object")
            }
            var resource = KustomizeResource(object: Self.annotationsAsWritten(object, node), source: location)
            resource.fields = FieldPositionIndex.positions(of: node, place: place)
            resource.documentIndex = documentIndex
            resource.origin = .file(file)
            result.append(resource)
        }
        return result
    }

    /// Annotation values as strings, as written (`0x10` stays `0x10`): kustomize reads annotations as
    /// strings.
    static func annotationsAsWritten(_ object: ValueObject, _ node: Node) -> ValueObject {
        guard let pairs = node["metadata"]?["annotations"]?.pairs, case .object(var metadata)? = object["metadata"],
              case .object(var annotations)? = metadata["annotations"] else { return object }
        for pair in pairs {
            guard let key = pair.key.scalar, let text = pair.value.scalar, annotations[key] != nil, annotations[key] != .null else { continue }
            annotations[key] = .string(text)
        }
        metadata["annotations"] = .object(annotations)
        var object = object
        object["metadata"] = .object(metadata)
        return object
    }

    /// Adds `resource`, refusing a second object with the same identity (as kustomize does).
    static func add(_ resource: KustomizeResource, to resources: inout [KustomizeResource], ids: inout Set<String>, at here: KustomizeError) throws {
        guard ids.insert(resource.id).inserted else {
            var error = here
            error.message = "may not add resource with an already registered id: \(resource.kind) \(resource.namespace.isEmpty ? "" : resource.namespace + "/")\(resource.name) (from \(resource.source.file))"
            throw error
        }
        resources.append(resource)
    }

    /// Generated ConfigMaps and Secrets get `-<hash of their content>` appended to their names.
    static func addHashes(_ resources: [KustomizeResource]) -> [KustomizeResource] {
        resources.map { resource in
            guard resource.needsHash else { return resource }
            var hashed = resource
            hashed.rename(resource.name + "-" + ContentHash.suffix(of: resource.object))
            return hashed
        }
    }
}
