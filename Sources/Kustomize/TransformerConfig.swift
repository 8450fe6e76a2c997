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
}
