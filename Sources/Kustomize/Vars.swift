import Basics
import Foundation

/// The deprecated `vars`: `$(NAME)` in a fixed set of fields (container commands, args, env
/// values, mount paths, Ingress hosts, Service ports, labels, annotations, ...) replaced by a field
/// of the object `objref` names, as kustomize resolves them once the whole build is done.
enum Vars {
    struct Variable {
        var name: String
        var fieldPath: String
    }

    /// Adds this kustomization's vars after its transformers ran: each names the one object its
    /// `objref` matches (by any identity it had), which then holds the var.
    static func declare(_ kustomization: Kustomization, resources: inout [KustomizeResource], vars: inout [Variable]) throws {
        guard let list = kustomization.value["vars"], list != .null else { return }
        guard case .array(let entries) = list else { throw kustomization.at(["vars"], "'vars' is a list of {name, objref, fieldref}") }
        var declared: [Variable] = []
        for (index, entry) in entries.enumerated() {
            let node = kustomization.root["vars"]?.items?[index]
            let here = KustomizeError(kustomization.file, node?.start.line ?? 1, node?.start.column ?? 1, "")
            guard case .object(let spec) = entry, let name = spec["name"].flatMap(Kustomization.text), !name.isEmpty,
                  case .object(let objref)? = spec["objref"] else {
                throw Patches.with(here, "each var needs a name and an objref (kind, name, apiVersion)")
            }
            let apiVersion = objref["apiVersion"].flatMap(Kustomization.text) ?? ""
            let group = apiVersion.contains("/") ? String(apiVersion[..<apiVersion.firstIndex(of: "/")!]) : ""
            let version = apiVersion.contains("/") ? String(apiVersion[apiVersion.index(after: apiVersion.firstIndex(of: "/")!)...]) : apiVersion
            let kind = objref["kind"].flatMap(Kustomization.text) ?? ""
            let objectName = objref["name"].flatMap(Kustomization.text) ?? ""
            let namespace = objref["namespace"].flatMap(Kustomization.text) ?? ""
            let matched = resources.indices.filter { index in
                Replacements.identities(of: resources[index]).contains { id in
                    id.group == group && id.version == version && id.kind == kind && id.name == objectName
                        && (namespace.isEmpty || id.namespace == namespace)
                }
            }
            if matched.count > 1 {
                throw Patches.with(here, "found \(matched.count) resId matches for var \(name) (unable to disambiguate)")
            }
            if let only = matched.first { resources[only].refVarNames.append(name) }
            let fieldPath = spec["fieldref"]?["fieldpath"].flatMap(Kustomization.text) ?? spec["fieldref"]?["fieldPath"].flatMap(Kustomization.text) ?? ""
            declared.append(Variable(name: name, fieldPath: fieldPath.isEmpty ? "metadata.name" : fieldPath))
        }
        try merge(declared, into: &vars, at: kustomization.at(["vars"], ""))
    }

    /// Vars of a base join the kustomization's; a name may be declared once.
    static func merge(_ incoming: [Variable], into vars: inout [Variable], at here: KustomizeError) throws {
        for variable in incoming {
            if vars.contains(where: { $0.name == variable.name }) { throw Patches.with(here, "var '\(variable.name)' already encountered") }
            vars.append(variable)
        }
    }

    /// Every `$(NAME)` in the var reference fields replaced by the var's value.
    static func resolve(_ vars: [Variable], in resources: [KustomizeResource], extra: [FieldSpec] = []) throws -> [KustomizeResource] {
        guard !vars.isEmpty else { return resources }
        var values: [String: Value] = [:]
        for variable in vars {
            guard let holder = resources.first(where: { $0.refVarNames.contains(variable.name) }) else {
                throw KustomizeError(holder: nil, "var '\(variable.name)' cannot be mapped to a field in the set of known resources")
            }
            let path = Replacements.splitPath(variable.fieldPath).flatMap { part -> [String] in
                // `ports[0]` is `ports`, `0`.
                guard part.hasSuffix("]"), let open = part.lastIndex(of: "["), Int(part[part.index(after: open)..<part.index(before: part.endIndex)]) != nil else { return [part] }
                let head = String(part[..<open])
                return (head.isEmpty ? [] : [head]) + [String(part[part.index(after: open)..<part.index(before: part.endIndex)])]
            }
            guard let value = try Replacements.lookup(path[...], in: .object(holder.object)) else {
                throw KustomizeError(holder: holder, "field specified in var '\(variable.name)' (\(variable.fieldPath)) not found in \(holder.kind) \(holder.name)")
            }
            values[variable.name] = value
        }
        return try resources.map { resource in
            var resource = resource
            for spec in references + extra.map({ ($0.kind, $0.path) }) where spec.kind == nil || spec.kind == resource.kind {
                resource.object = try replace(in: resource.object, path: spec.path[...], values: values, resource: resource)
            }
            return resource
        }
    }

    /// kustomize's default var reference fields.
    static let references: [(kind: String?, path: [String])] = {
        var list: [(String?, String)] = []
        let pod = ["containers/args", "containers/command", "containers/env/value", "containers/volumeMounts/mountPath",
                   "initContainers/args", "initContainers/command", "initContainers/env/value", "initContainers/volumeMounts/mountPath"]
        for (kind, prefix) in [("CronJob", "spec/jobTemplate/spec/template/spec/"), ("DaemonSet", "spec/template/spec/"), ("Deployment", "spec/template/spec/"),
                               ("Job", "spec/template/spec/"), ("Pod", "spec/"), ("ReplicaSet", "spec/template/spec/"), ("StatefulSet", "spec/template/spec/")] {
            list += pod.map { (kind, prefix + $0) }
        }
        list += [("CronJob", "spec/jobTemplate/spec/template/volumes/nfs/server"), ("DaemonSet", "spec/template/spec/volumes/nfs/server"),
                 ("Deployment", "spec/template/spec/volumes/nfs/server"), ("Deployment", "spec/template/metadata/annotations"),
                 ("Ingress", "spec/rules/host"), ("Ingress", "spec/tls/hosts"), ("Ingress", "spec/tls/secretName"),
                 ("Job", "spec/template/spec/volumes/nfs/server"), ("Pod", "spec/volumes/nfs/server"),
                 ("ReplicaSet", "spec/template/spec/volumes/nfs/server"), ("Service", "spec/ports/port"), ("Service", "spec/ports/targetPort"),
                 ("StatefulSet", "spec/volumeClaimTemplates/spec/nfs/server"), ("PersistentVolume", "spec/nfs/server"),
                 (nil, "metadata/labels"), (nil, "metadata/annotations")]
        return list.map { ($0.0, $0.1.split(separator: "/").map(String.init)) }
    }()

    /// The field at `path` (lists on the way walked item by item), its strings expanded.
    static func replace(in object: ValueObject, path: ArraySlice<String>, values: [String: Value], resource: KustomizeResource) throws -> ValueObject {
        guard let key = path.first, let current = object[key] else { return object }
        var object = object
        object[key] = try replace(in: current, path: path.dropFirst(), values: values, resource: resource)
        return object
    }

    static func replace(in value: Value, path: ArraySlice<String>, values: [String: Value], resource: KustomizeResource) throws -> Value {
        if path.isEmpty {
            switch value {
            case .string(let text): return expand(text, values)
            case .object(var map):
                for (key, item) in map { if case .string(let text) = item { map[key] = expand(text, values) } }
                return .object(map)
            case .array(let items):
                return .array(try items.map { item in
                    guard case .string(let text) = item else {
                        throw KustomizeError(holder: resource, "invalid value type expect a string (a var reference list of \(resource.kind) \(resource.name) holds a \(item.typeName))")
                    }
                    return expand(text, values)
                })
            default: return value
            }
        }
        switch value {
        case .object(let object): return .object(try replace(in: object, path: path, values: values, resource: resource))
        case .array(let items): return .array(try items.map { try replace(in: $0, path: path, values: values, resource: resource) })
        default: return value
        }
    }

    /// kustomize's DoReplacements: `$(NAME)` replaced (the value itself, typed, when it is the whole
    /// string), `$$` is `$`, unknown names and non-scalar values left as written.
    static func expand(_ input: String, _ values: [String: Value]) -> Value {
        let bytes = Array(input.utf8)
        var out: [UInt8] = []
        var checkpoint = 0
        var cursor = 0
        func mapped(_ name: String) -> Value {
            guard let value = values[name] else { return .string("$(\(name))") }
            switch value {
            case .string, .int, .float, .bool: return value
            default: return .string("$(\(name))")
            }
        }
        while cursor < bytes.count {
            if bytes[cursor] == UInt8(ascii: "$") && cursor + 1 < bytes.count {
                out += bytes[checkpoint..<cursor]
                let rest = bytes[(cursor + 1)...]
                var advance = 1
                switch rest.first {
                case UInt8(ascii: "$"):
                    out.append(UInt8(ascii: "$"))
                case UInt8(ascii: "("):
                    if let close = rest.dropFirst().firstIndex(of: UInt8(ascii: ")")) {
                        let name = String(decoding: bytes[(cursor + 2)..<close], as: UTF8.self)
                        let value = mapped(name)
                        if input == "$(\(name))" { return value }
                        out += Array(text(value).utf8)
                        advance = close - cursor
                    } else {
                        out += Array("$(".utf8)
                    }
                default:
                    out.append(UInt8(ascii: "$"))
                    out.append(rest.first!)
                }
                cursor += advance
                checkpoint = cursor + 1
            }
            cursor += 1
        }
        return .string(String(decoding: out + bytes[min(checkpoint, bytes.count)...], as: UTF8.self))
    }

    /// Go's `%v` of a var's value.
    static func text(_ value: Value) -> String {
        switch value {
        case .float(let d): return GoFloat.format(d)
        default: return Kustomization.text(value) ?? ""
        }
    }
}

extension KustomizeError {
    /// A problem with a var: at the object holding it, else at no particular line.
    init(holder: KustomizeResource?, _ message: String) {
        self.init(holder?.source.file ?? "", holder?.source.line ?? 1, holder?.source.column ?? 1, message)
    }
}
