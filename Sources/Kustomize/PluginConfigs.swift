import Basics
import Foundation
import YAML

/// `generators:` and `transformers:`: configurations of kustomize's built-in plugins
/// (`apiVersion: builtin`), inline, in files or built by a kustomization folder, run after the
/// kustomization's own generators and transformers. KRM functions (exec or container) and
/// external plugins are refused: gitops runs no programs from the repository.
enum PluginConfigs {
    /// The configurations a `generators:` or `transformers:` field names.
    static func load(_ field: String, _ kustomization: Kustomization, builder: KustomizeBuilder, stack: [String]) throws -> [KustomizeResource] {
        var configs: [KustomizeResource] = []
        for (entry, node) in try kustomization.strings(field) {
            let here = KustomizeError(kustomization.file, node.start.line, node.start.column, "")
            // Inline configuration: YAML objects written in the entry itself.
            if entry.contains("\n") || entry.contains(": "), let inline = Patches.inlinePatch(entry, node: node, kustomization: kustomization),
               let objects = try? Patches.strategicPatches(inline), !objects.isEmpty {
                configs += objects
                continue
            }
            configs += try builder.load(entry, from: kustomization, at: here, stack: stack + [kustomization.folder]).0
        }
        return configs
    }

    static func generate(_ kustomization: Kustomization, builder: KustomizeBuilder, stack: [String],
                         onto resources: [KustomizeResource]) throws -> [KustomizeResource] {
        var resources = resources
        for config in try load("generators", kustomization, builder: builder, stack: stack) {
            let here = try check(config)
            var spec = config.object
            let metadata = spec["metadata"]?.objectValue ?? ValueObject()
            switch config.kind {
            case "ConfigMapGenerator", "SecretGenerator":
                spec["name"] = metadata["name"]
                spec["namespace"] = metadata["namespace"]
                let field = config.kind == "ConfigMapGenerator" ? "configMapGenerator" : "secretGenerator"
                resources = try Generators.run(synthetic(kustomization, [field: .array([.object(spec)])], at: here), tree: builder.tree, onto: resources)
            case "HelmChartInflationGenerator":
                var globals = ValueObject()
                for key in ["chartHome", "configHome"] where spec[key] != nil { globals[key] = spec[key] }
                resources = try HelmCharts.run(synthetic(kustomization, ["helmCharts": .array([.object(spec)]), "helmGlobals": .object(globals)], at: here),
                                               builder: builder, onto: resources)
            case "IAMPolicyGenerator":
                var ids = Set(resources.map(\.id))
                try KustomizeBuilder.add(try iamServiceAccount(spec, at: here), to: &resources, ids: &ids, at: here)
            default:
                throw Patches.with(here, "'\(config.kind)' is not one of kustomize's built-in generators (ConfigMapGenerator, SecretGenerator, HelmChartInflationGenerator, IAMPolicyGenerator)")
            }
        }
        return resources
    }

    static func transform(_ kustomization: Kustomization, builder: KustomizeBuilder, stack: [String],
                          on resources: [KustomizeResource]) throws -> [KustomizeResource] {
        var resources = resources
        let tree = builder.tree
        for config in try load("transformers", kustomization, builder: builder, stack: stack) {
            let here = try check(config)
            let spec = config.object
            let specs = try fieldSpecs(spec["fieldSpecs"], at: here)
            switch config.kind {
            case "AnnotationsTransformer", "LabelTransformer":
                let key = config.kind == "LabelTransformer" ? "labels" : "annotations"
                let pairs = (spec[key]?.objectValue ?? ValueObject()).compactMap { name, value in Kustomization.text(value).map { (name, $0) } }
                guard !pairs.isEmpty else { continue }
                resources = Transformers.apply(specs, to: resources) { Transformers.merge($0, pairs) }
            case "NamespaceTransformer":
                let namespace = spec["metadata"]?["namespace"].flatMap(Kustomization.text) ?? ""
                guard !namespace.isEmpty else { continue }
                resources = Transformers.setNamespace(namespace, on: resources, defaults: false)
                let others = specs.filter { $0.path != ["metadata", "namespace"] && !($0.path == ["subjects"]) }
                resources = Transformers.apply(others, to: resources) { _ in .string(namespace) }
            case "PrefixSuffixTransformer", "PrefixTransformer", "SuffixTransformer":
                let prefix = config.kind == "SuffixTransformer" ? "" : spec["prefix"].flatMap(Kustomization.text) ?? ""
                let suffix = config.kind == "PrefixTransformer" ? "" : spec["suffix"].flatMap(Kustomization.text) ?? ""
                resources = Transformers.affix(prefix: prefix, suffix: suffix, specs: specs, on: resources)
            case "ImageTagTransformer":
                guard let image = spec["imageTag"] else { throw Patches.with(here, "an ImageTagTransformer needs an imageTag {name, newName, newTag, digest}") }
                resources = try Images.apply(synthetic(kustomization, ["images": .array([image])], at: here), to: resources)
            case "ReplicaCountTransformer":
                guard case .object(let replica)? = spec["replica"], let name = replica["name"].flatMap(Kustomization.text), case .int(let count)? = replica["count"] else {
                    throw Patches.with(here, "a ReplicaCountTransformer needs a replica {name, count}")
                }
                resources = resources.map { resource in
                    guard resource.allNames.contains(name) else { return resource }
                    var resource = resource
                    for spec in specs where spec.applies(to: resource) { resource.object = spec.apply(to: resource.object) { _ in .int(count) } }
                    return resource
                }
            case "PatchTransformer":
                resources = try Patches.patches(synthetic(kustomization, ["patches": .array([.object(spec)])], at: here), tree: tree, on: resources)
            case "PatchStrategicMergeTransformer":
                var entries = spec["paths"]?.arrayValue ?? []
                if let text = spec["patches"]?.stringValue, !text.isEmpty { entries.append(.string(text)) }
                resources = try Patches.strategicMerge(synthetic(kustomization, ["patchesStrategicMerge": .array(entries)], at: here), tree: tree, on: resources)
            case "PatchJson6902Transformer":
                var entry = spec
                entry["patch"] = spec["jsonOp"]
                entry["jsonOp"] = nil
                resources = try Patches.patches(synthetic(kustomization, ["patchesJson6902": .array([.object(entry)])], at: here),
                                                field: "patchesJson6902", tree: tree, on: resources)
            case "ReplacementTransformer":
                resources = try Replacements.run(synthetic(kustomization, ["replacements": spec["replacements"] ?? .array([])], at: here), tree: tree, on: resources)
            default:
                throw Patches.with(here, "'\(config.kind)' is not one of the built-in transformers gitops runs (AnnotationsTransformer, LabelTransformer, NamespaceTransformer, PrefixSuffixTransformer, PrefixTransformer, SuffixTransformer, ImageTagTransformer, ReplicaCountTransformer, PatchTransformer, PatchStrategicMergeTransformer, PatchJson6902Transformer, ReplacementTransformer)")
            }
            let metadata = spec["metadata"]?.objectValue ?? ValueObject()
            // Inline configurations are configured in the kustomization; others in their file.
            BuildMetadata.record(Origin(configuredIn: config.origin?.path ?? kustomization.file,
                                        configuredBy: config.kind, configuredByName: metadata["name"]?.stringValue,
                                        configuredByNamespace: metadata["namespace"]?.stringValue), on: &resources)
        }
        return resources
    }

    /// A built-in plugin's configuration, else why it is refused.
    static func check(_ config: KustomizeResource) throws -> KustomizeError {
        let here = KustomizeError(config.source.file, config.source.line, config.source.column, "")
        let annotations = config.object["metadata"]?["annotations"]?.objectValue ?? ValueObject()
        if annotations["config.kubernetes.io/function"] != nil || annotations["config.k8s.io/function"] != nil {
            throw Patches.with(here, "\(config.apiVersion) \(config.kind) is a KRM function (exec or container): gitops builds without running programs from the repository; render this kustomization with `kubectl kustomize --enable-alpha-plugins`, or express the change with patches and replacements")
        }
        guard config.apiVersion == "builtin" else {
            throw Patches.with(here, "\(config.apiVersion) \(config.kind) is an external kustomize plugin: gitops runs only kustomize's built-in plugins (apiVersion: builtin)")
        }
        return here
    }

    /// `fieldSpecs`: `{path, kind, group, version, create}`.
    static func fieldSpecs(_ value: Value?, at here: KustomizeError) throws -> [FieldSpec] {
        guard let value, value != .null else { return [] }
        guard case .array(let items) = value else { throw Patches.with(here, "'fieldSpecs' is a list of {path, kind, group, version, create}") }
        return try items.map { item in
            guard case .object(let spec) = item, let path = spec["path"].flatMap(Kustomization.text) else {
                throw Patches.with(here, "each field spec needs a path")
            }
            var fieldSpec = FieldSpec(spec["kind"].flatMap(Kustomization.text).flatMap { $0.isEmpty ? nil : $0 },
                                      group: spec["group"].flatMap(Kustomization.text).flatMap { $0.isEmpty ? nil : $0 },
                                      path, create: spec["create"]?.boolValue ?? false)
            fieldSpec.version = spec["version"].flatMap(Kustomization.text).flatMap { $0.isEmpty ? nil : $0 }
            return fieldSpec
        }
    }

    /// A kustomization of one field, for running a built-in plugin through the code its field uses.
    static func synthetic(_ kustomization: Kustomization, _ fields: ValueObject, at here: KustomizeError) -> Kustomization {
        var synthetic = kustomization
        synthetic.value = fields
        synthetic.file = here.location.file
        if let empty = try? YAMLParser.parse(Array("{}".utf8), file: here.location.file).first { synthetic.root = empty }
        return synthetic
    }

    /// IAMPolicyGenerator (cloud: gke): a ServiceAccount annotated with its Google service account.
    static func iamServiceAccount(_ spec: ValueObject, at here: KustomizeError) throws -> KustomizeResource {
        guard spec["cloud"]?.stringValue == "gke" else { throw Patches.with(here, "IAMPolicyGenerator supports cloud: gke only") }
        guard let name = spec["kubernetesService"]?["name"].flatMap(Kustomization.text),
              let account = spec["serviceAccount"]?["name"].flatMap(Kustomization.text),
              let project = spec["serviceAccount"]?["projectId"].flatMap(Kustomization.text) else {
            throw Patches.with(here, "IAMPolicyGenerator needs kubernetesService.name, serviceAccount.name and serviceAccount.projectId")
        }
        var metadata: ValueObject = ["annotations": .object(["iam.gke.io/gcp-service-account": .string("\(account)@\(project).iam.gserviceaccount.com")]),
                                     "name": .string(name)]
        if let namespace = spec["kubernetesService"]?["namespace"].flatMap(Kustomization.text), !namespace.isEmpty { metadata["namespace"] = .string(namespace) }
        return KustomizeResource(object: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": .object(metadata)], source: here.location)
    }
}
