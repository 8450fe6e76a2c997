import Basics

/// Where an object came from, as kustomize's `buildMetadata: [originAnnotations]` writes it: the
/// file it was read from, or the kustomization and built-in generator that made it.
struct Origin: Sendable, Equatable {
    /// The resource file (repository path).
    var path: String?
    /// The kustomization file (repository path) that configured the generator or transformer.
    var configuredIn: String?
    /// The built-in plugin's kind (`ConfigMapGenerator`, `PrefixTransformer`, ...), and the name
    /// and namespace of its configuration when it came from `generators:`/`transformers:`.
    var configuredBy: String?
    var configuredByName: String?
    var configuredByNamespace: String?

    static func file(_ path: String) -> Origin { Origin(path: path) }
    static func plugin(_ kind: String, in kustomization: Kustomization) -> Origin { Origin(configuredIn: kustomization.file, configuredBy: kind) }

    /// The annotation's YAML, paths relative to the built folder.
    func yaml(relativeTo top: String, indent: String = "") -> String {
        if let path { return "\(indent)path: \(BuildMetadata.relative(path, from: top))\n" }
        var text = "\(indent)configuredIn: \(BuildMetadata.relative(configuredIn ?? "", from: top))\n\(indent)configuredBy:\n"
            + "\(indent)  apiVersion: builtin\n\(indent)  kind: \(configuredBy ?? "")\n"
        if let configuredByName { text += "\(indent)  name: \(configuredByName)\n" }
        if let configuredByNamespace { text += "\(indent)  namespace: \(configuredByNamespace)\n" }
        return text
    }
}

/// `buildMetadata`: origin and transformation annotations and the managed-by label, added at the
/// end of the build as kubectl kustomize adds them.
enum BuildMetadata {
    static let options: Set<String> = ["originAnnotations", "transformerAnnotations", "managedByLabel"]

    /// Every object of the build records a transformer this kustomization configured.
    static func record(_ kind: String, times: Int = 1, in kustomization: Kustomization, on resources: inout [KustomizeResource]) {
        record(Origin.plugin(kind, in: kustomization), times: times, on: &resources)
    }

    static func record(_ origin: Origin, times: Int = 1, on resources: inout [KustomizeResource]) {
        guard times > 0 else { return }
        for index in resources.indices {
            for _ in 0..<times {
                if resources[index].origin == nil { resources[index].origin = origin } else { resources[index].transformations.append(origin) }
            }
        }
    }

    static func apply(_ top: Kustomization, to resources: [KustomizeResource]) throws -> [KustomizeResource] {
        guard let list = top.value["buildMetadata"], list != .null else { return resources }
        guard case .array(let items) = list else { throw top.at(["buildMetadata"], "'buildMetadata' is a list of options") }
        let chosen = Set(items.compactMap(\.stringValue))
        if let unknown = chosen.subtracting(options).sorted().first {
            throw top.at(["buildMetadata"], "buildMetadata option '\(unknown)' is not one of originAnnotations, transformerAnnotations, managedByLabel")
        }
        return resources.map { resource in
            var resource = resource
            if chosen.contains("managedByLabel") {
                // What kubectl's kustomize writes (its build carries no version).
                resource = Transformers.label([resource], [("app.kubernetes.io/managed-by", "kustomize-(devel)")], selectors: false, templates: false)[0]
            }
            var annotations = resource.object["metadata"]?["annotations"]?.objectValue ?? ValueObject()
            if chosen.contains("originAnnotations"), let origin = resource.origin {
                annotations["config.kubernetes.io/origin"] = .string(origin.yaml(relativeTo: top.folder))
            }
            if chosen.contains("transformerAnnotations"), !resource.transformations.isEmpty {
                annotations["alpha.config.kubernetes.io/transformations"] = .string(resource.transformations.map { transformation in
                    let lines = transformation.yaml(relativeTo: top.folder, indent: "  ")
                    return "- " + lines.dropFirst(2)
                }.joined())
            }
            if !annotations.isEmpty { resource.set(["metadata", "annotations"], .object(annotations)) }
            return resource
        }
    }

    /// `path` relative to the folder `top` (both repository paths), as kustomize joins origins.
    static func relative(_ path: String, from top: String) -> String {
        let from = top.split(separator: "/").map(String.init), to = path.split(separator: "/").map(String.init)
        var common = 0
        while common < from.count && common < to.count - 1 && from[common] == to[common] { common += 1 }
        return (Array(repeating: "..", count: from.count - common) + to[common...]).joined(separator: "/")
    }
}
