import Basics

/// The built-in transformers a kustomization's fields configure after its patches, in kustomize's
/// order: namespace, name prefix and suffix, labels, annotations, JSON 6902 patches, replicas, images,
/// replacements.
enum Transformers {
    static func run(_ kustomization: Kustomization, tree: any FileTree, config: TransformerConfig = TransformerConfig(),
                    on resources: [KustomizeResource]) throws -> [KustomizeResource] {
        var resources = resources
        if let namespace = kustomization.value["namespace"]?.stringValue, !namespace.isEmpty {
            resources = setNamespace(namespace, on: resources)
            resources = apply(config.namespace, to: resources) { _ in .string(namespace) }
        }
        let prefix = kustomization.value["namePrefix"].flatMap(Kustomization.text) ?? ""
        let suffix = kustomization.value["nameSuffix"].flatMap(Kustomization.text) ?? ""
        let name = [FieldSpec(nil, "metadata/name", create: false)]
        if config.namePrefix.isEmpty && config.nameSuffix.isEmpty {
            resources = affix(prefix: prefix, suffix: suffix, specs: name, on: resources)
        } else {
            resources = affix(prefix: prefix, suffix: "", specs: name + config.namePrefix, on: resources)
            resources = affix(prefix: "", suffix: suffix, specs: name + config.nameSuffix, on: resources)
        }
        if let labels = kustomization.value["labels"], labels != .null {
            guard case .array(let entries) = labels else { throw kustomization.at(["labels"], "'labels' is a list of label sets") }
            for entry in entries {
                guard case .object(let spec) = entry else { continue }
                let pairs = (spec["pairs"]?.objectValue ?? ValueObject()).compactMap { key, value in Kustomization.text(value).map { (key, $0) } }
                // `fields`: more places for this label set.
                let fields = try PluginConfigs.fieldSpecs(spec["fields"], at: kustomization.at(["labels"], ""))
                let selectors = spec["includeSelectors"]?.boolValue ?? false
                resources = label(resources, pairs, selectors: selectors, templates: selectors || (spec["includeTemplates"]?.boolValue ?? false),
                                  extra: (selectors ? config.commonLabels : []) + fields)
            }
        }
        // As kustomize configures them: each `labels` entry, then `commonLabels`.
        let common = try kustomization.stringMap("commonLabels")
        if !common.isEmpty { resources = label(resources, common, selectors: true, templates: true, extra: config.commonLabels) }
        let annotations = try kustomization.stringMap("commonAnnotations")
        if !annotations.isEmpty {
            let specs = [FieldSpec(nil, "metadata/annotations", create: true)] + FieldSpecs.templateAnnotations + config.commonAnnotations
            resources = apply(specs, to: resources) { merge($0, annotations) }
        }
        resources = try Patches.patches(kustomization, field: "patchesJson6902", tree: tree, on: resources)
        resources = try Replicas.apply(kustomization, to: resources, extra: config.replicas)
        resources = try Images.apply(kustomization, to: resources, extra: config.images)
        resources = try Replacements.run(kustomization, tree: tree, on: resources)
        return resources
    }

    /// kustomize's namespace transformer: every object's identity remembered; namespaced objects
    /// moved; a Namespace object renamed to it; APIService and CRD conversion webhook services and
    /// binding subjects named `default` pointed at it. (Subjects naming a service account of the
    /// build follow it through the name references.)
    /// Prefixes and suffixes at `specs` (`metadata/name`: a rename). As kustomize: Namespaces, CRDs
    /// and APIServices keep their names; the others record each prefix and suffix (name
    /// references compare them).
    static func affix(prefix: String, suffix: String, specs: [FieldSpec], on resources: [KustomizeResource]) -> [KustomizeResource] {
        guard !prefix.isEmpty || !suffix.isEmpty else { return resources }
        var resources = resources
        for index in resources.indices {
            let resource = resources[index]
            if resource.kind == "Namespace" || resource.kind == "CustomResourceDefinition"
                || (resource.kind == "APIService" && resource.group == "apiregistration.k8s.io") { continue }
            for spec in specs where spec.applies(to: resources[index]) {
                if spec.path == ["metadata", "name"] {
                    if !prefix.isEmpty { resources[index].prefixes.append(prefix) }
                    if !suffix.isEmpty { resources[index].suffixes.append(suffix) }
                    resources[index].rename(prefix + resources[index].name + suffix)
                    continue
                }
                resources[index].object = spec.apply(to: resources[index].object) { value in
                    guard let text = value.flatMap(Kustomization.text) else { return value }
                    return .string(prefix + text + suffix)
                }
            }
        }
        return resources
    }

    static func setNamespace(_ namespace: String, on resources: [KustomizeResource], defaults: Bool = true) -> [KustomizeResource] {
        resources.map { resource in
            var resource = resource
            guard !resource.object.isEmpty else { return resource }
            if !resource.isClusterScoped {
                resource.setNamespace(namespace)
            } else {
                resource.recordId()
            }
            switch (resource.group, resource.kind) {
            case ("", "Namespace") where defaults:
                resource.set(["metadata", "name"], .string(namespace))
            case ("apiregistration.k8s.io", "APIService") where defaults:
                resource.set(["spec", "service", "namespace"], .string(namespace))
            case ("apiextensions.k8s.io", "CustomResourceDefinition") where defaults:
                if resource.object["spec"]?["conversion"]?["webhook"]?["clientConfig"]?["service"]?.objectValue != nil {
                    resource.set(["spec", "conversion", "webhook", "clientConfig", "service", "namespace"], .string(namespace))
                }
            case ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"):
                guard case .array(let subjects)? = resource.object["subjects"] else { break }
                resource.object["subjects"] = .array(subjects.map { subject in
                    guard case .object(var s) = subject, s["name"]?.stringValue == "default" else { return subject }
                    s["namespace"] = .string(namespace)
                    return .object(s)
                })
            default:
                break
            }
            return resource
        }
    }

    static func label(_ resources: [KustomizeResource], _ labels: [(String, String)], selectors: Bool, templates: Bool,
                      extra: [FieldSpec] = []) -> [KustomizeResource] {
        var specs = [FieldSpec(nil, "metadata/labels", create: true)] + extra
        if selectors { specs += FieldSpecs.labelSelectors }
        if templates { specs += FieldSpecs.templateLabels }
        return apply(specs, to: resources) { merge($0, labels) }
    }

    static func apply(_ specs: [FieldSpec], to resources: [KustomizeResource], _ edit: (Value?) -> Value?) -> [KustomizeResource] {
        resources.map { resource in
            var resource = resource
            for spec in specs where spec.applies(to: resource) { resource.object = spec.apply(to: resource.object, edit) }
            return resource
        }
    }

    static func merge(_ current: Value?, _ pairs: [(String, String)]) -> Value? {
        var object = current?.objectValue ?? ValueObject()
        for (key, value) in pairs { object[key] = .string(value) }
        return .object(object)
    }
}

/// `replicas`: set `spec.replicas` of the workloads named.
enum Replicas {
    static func apply(_ kustomization: Kustomization, to resources: [KustomizeResource], extra: [FieldSpec] = []) throws -> [KustomizeResource] {
        guard let list = kustomization.value["replicas"], list != .null else { return resources }
        guard case .array(let entries) = list else { throw kustomization.at(["replicas"], "'replicas' is a list of {name, count}") }
        var resources = resources
        for entry in entries {
            guard let name = entry["name"]?.stringValue, case .int(let count)? = entry["count"] else {
                throw kustomization.at(["replicas"], "each 'replicas' entry needs a name and an integer count")
            }
            let kinds: Set<String> = ["Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"]
            for index in resources.indices where kinds.contains(resources[index].kind) && resources[index].allNames.contains(name) {
                resources[index].set(["spec", "replicas"], .int(count))
            }
            for index in resources.indices where resources[index].allNames.contains(name) {
                for spec in extra where spec.applies(to: resources[index]) {
                    resources[index].object = spec.apply(to: resources[index].object) { _ in .int(count) }
                }
            }
        }
        return resources
    }
}

/// `images`: new names, tags and digests for the containers whose image names match.
enum Images {
    static func apply(_ kustomization: Kustomization, to resources: [KustomizeResource], extra: [FieldSpec] = []) throws -> [KustomizeResource] {
        var entries: [Value] = []
        // The deprecated `imageTags` are more `images`, after them.
        for field in ["images", "imageTags"] {
            guard let list = kustomization.value[field], list != .null else { continue }
            guard case .array(let items) = list else { throw kustomization.at([field], "'\(field)' is a list of {name, newName, newTag, digest}") }
            entries += items
        }
        var resources = resources
        for entry in entries {
            guard let name = entry["name"].flatMap(Kustomization.text) else { throw kustomization.at(["images"], "each 'images' entry needs a name") }
            let newName = entry["newName"].flatMap(Kustomization.text)
            let newTag = entry["newTag"].flatMap(Kustomization.text)
            let digest = entry["digest"].flatMap(Kustomization.text)
            let change: (String) -> String? = { image in
                let (imageName, tag, imageDigest) = split(image)
                guard imageName == name else { return nil }
                var result = newName ?? imageName
                if let digest { result += "@" + digest } else if let newTag { result += ":" + newTag } else {
                    if let tag { result += ":" + tag }
                    if let imageDigest { result += "@" + imageDigest }
                }
                return result
            }
            for index in resources.indices {
                resources[index].object = rewrite(resources[index].object, change)
                // Images at the fields `configurations` name (a custom resource's).
                for spec in extra where spec.applies(to: resources[index]) {
                    resources[index].object = spec.apply(to: resources[index].object) { value in
                        guard case .string(let image)? = value, let changed = change(image) else { return value }
                        return .string(changed)
                    }
                }
            }
        }
        return resources
    }

    /// Every `image` of a `containers` or `initContainers` list anywhere in the object.
    static func rewrite(_ object: ValueObject, _ change: (String) -> String?) -> ValueObject {
        var object = object
        for (key, value) in object {
            switch value {
            case .object(let inner): object[key] = .object(rewrite(inner, change))
            case .array(let items):
                let isContainers = key == "containers" || key == "initContainers"
                object[key] = .array(items.map { item in
                    guard case .object(var inner) = item else { return item }
                    if isContainers, let image = inner["image"]?.stringValue, let changed = change(image) { inner["image"] = .string(changed) }
                    return .object(rewrite(inner, change))
                })
            default: continue
            }
        }
        return object
    }

    /// `name[:tag][@digest]`; a `:` in the registry's host:port is not a tag.
    static func split(_ image: String) -> (name: String, tag: String?, digest: String?) {
        var rest = image
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = String(rest[..<at])
        }
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            return (String(rest[..<colon]), String(rest[rest.index(after: colon)...]), digest)
        }
        return (rest, nil, digest)
    }
}
