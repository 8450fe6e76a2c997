import Basics
import YAML

/// `configurations:`: more field specs for the built-in transformers (kustomize's TransformerConfig
/// files), typically teaching them a custom resource's fields: where its labels, annotations,
/// images, names and references live. A kustomization's configurations, those of its bases and of
/// its components apply to its transformers; name and var references use all of them at the top.
struct TransformerConfig {
    var nameReference: [NameReferences.Reference] = []
    var commonLabels: [FieldSpec] = []
    var commonAnnotations: [FieldSpec] = []
    var images: [FieldSpec] = []
    var varReference: [FieldSpec] = []
    var namePrefix: [FieldSpec] = []
    var nameSuffix: [FieldSpec] = []
    var namespace: [FieldSpec] = []
    var replicas: [FieldSpec] = []

    mutating func merge(_ other: TransformerConfig) {
        nameReference += other.nameReference
        commonLabels += other.commonLabels
        commonAnnotations += other.commonAnnotations
        images += other.images
        varReference += other.varReference
        namePrefix += other.namePrefix
        nameSuffix += other.nameSuffix
        namespace += other.namespace
        replicas += other.replicas
    }

    /// The configurations files a kustomization names.
    static func load(_ kustomization: Kustomization, tree: any FileTree) throws -> TransformerConfig {
        var config = TransformerConfig()
        for (entry, node) in try kustomization.strings("configurations") {
            let here = KustomizeError(kustomization.file, node.start.line, node.start.column, "")
            guard let file = try kustomization.file(entry, what: "configuration file", at: here, tree: tree) else {
                throw Patches.with(here, "configuration file '\(entry)' does not exist in '\(kustomization.folder.isEmpty ? "." : kustomization.folder)'")
            }
            let at = KustomizeError(file, 1, 1, "")
            guard case .object(let object) = try YAML.values(try tree.read(file), file: file).first ?? .object([:]) else {
                throw Patches.with(at, "a transformer configuration is a mapping of field spec lists")
            }
            for (key, value) in object {
                switch key {
                case "nameReference":
                    for item in value.arrayValue ?? [] {
                        guard case .object(let backref) = item else { continue }
                        let referral = NameReferences.GVK(group: backref["group"].flatMap(Kustomization.text) ?? "",
                                                          version: backref["version"].flatMap(Kustomization.text) ?? "",
                                                          kind: backref["kind"].flatMap(Kustomization.text) ?? "")
                        for spec in try PluginConfigs.fieldSpecs(backref["fieldSpecs"], at: at) {
                            config.nameReference.append(NameReferences.Reference(
                                referral: referral, referrer: NameReferences.GVK(group: spec.group ?? "", version: spec.version ?? "", kind: spec.kind ?? ""),
                                path: spec.path))
                        }
                    }
                case "commonLabels": config.commonLabels += try PluginConfigs.fieldSpecs(value, at: at)
                case "commonAnnotations": config.commonAnnotations += try PluginConfigs.fieldSpecs(value, at: at)
                case "images": config.images += try PluginConfigs.fieldSpecs(value, at: at)
                case "varReference": config.varReference += try PluginConfigs.fieldSpecs(value, at: at)
                case "namePrefix": config.namePrefix += try PluginConfigs.fieldSpecs(value, at: at)
                case "nameSuffix": config.nameSuffix += try PluginConfigs.fieldSpecs(value, at: at)
                case "namespace": config.namespace += try PluginConfigs.fieldSpecs(value, at: at)
                case "replicas": config.replicas += try PluginConfigs.fieldSpecs(value, at: at)
                case "templateLabels", "nameSpace":
                    continue
                default:
                    throw Patches.with(at, "unknown field '\(key)' in a transformer configuration (nameReference, commonLabels, commonAnnotations, images, varReference, namePrefix, nameSuffix, namespace, replicas)")
                }
            }
        }
        return config
    }

    /// `crds:` files (openapi-gen's `{type name: {Schema, Dependencies}}` maps): the fields their
    /// `x-kubernetes-object-ref-*`, `x-kubernetes-annotation`, `x-kubernetes-label-selector` and
    /// `x-kubernetes-identity` extensions mark, as kustomize reads them.
    static func loadCRDs(_ kustomization: Kustomization, tree: any FileTree) throws -> TransformerConfig {
        var config = TransformerConfig()
        for (entry, node) in try kustomization.strings("crds") {
            let here = KustomizeError(kustomization.file, node.start.line, node.start.column, "")
            guard let file = try kustomization.file(entry, what: "CRD definitions file", at: here, tree: tree) else {
                throw Patches.with(here, "CRD definitions file '\(entry)' does not exist in '\(kustomization.folder.isEmpty ? "." : kustomization.folder)'")
            }
            guard case .object(let types) = try YAML.values(try tree.read(file), file: file).first ?? .object([:]) else {
                throw Patches.with(KustomizeError(file, 1, 1, ""), "unable to parse open API definition from '\(entry)': a mapping of type names to {Schema, Dependencies}")
            }
            func properties(_ type: String) -> ValueObject { types[type]?["Schema"]?["properties"]?.objectValue ?? ValueObject() }
            func load(_ type: String, kind: String, path: [String], depth: Int) {
                guard depth < 32 else { return }
                for (name, property) in properties(type) {
                    let here = path + [name]
                    let spec = FieldSpec(kind, here.joined(separator: "/"), create: false)
                    if property["x-kubernetes-annotation"] != nil { config.commonAnnotations.append(spec) }
                    if property["x-kubernetes-label-selector"] != nil { config.commonLabels.append(spec) }
                    if property["x-kubernetes-identity"] != nil { config.namePrefix.append(spec) }
                    if let version = property["x-kubernetes-object-ref-api-version"]?.stringValue,
                       let referral = property["x-kubernetes-object-ref-kind"]?.stringValue {
                        let key = property["x-kubernetes-object-ref-name-key"]?.stringValue ?? "name"
                        config.nameReference.append(NameReferences.Reference(
                            referral: NameReferences.GVK(group: "", version: version, kind: referral),
                            referrer: NameReferences.GVK(group: "", version: "", kind: kind), path: here + [key]))
                    }
                    if let ref = property["$ref"]?.stringValue { load(ref, kind: kind, path: here, depth: depth + 1) }
                }
            }
            for type in types.keys.sorted() {
                let props = properties(type)
                guard props["kind"] != nil, props["apiVersion"] != nil, props["metadata"] != nil else { continue }
                load(type, kind: String(type.split(separator: ".").last ?? Substring(type)), path: [], depth: 0)
            }
        }
        return config
    }
}
