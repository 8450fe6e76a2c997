import Basics
import Foundation

/// `configMapGenerator` and `secretGenerator`: objects made from literals, files and env files,
/// with `generatorOptions` and each entry's `options`; `behavior: merge|replace` folds an entry
/// into the object of the same name from a base.
enum Generators {
    static func run(_ kustomization: Kustomization, tree: any FileTree, onto resources: [KustomizeResource]) throws -> [KustomizeResource] {
        var resources = resources
        var ids = Set(resources.map(\.id))
        let global = kustomization.value["generatorOptions"]?.objectValue ?? ValueObject()
        for (field, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
            guard let list = kustomization.value[field], list != .null else { continue }
            guard case .array(let entries) = list else { throw kustomization.at([field], "'\(field)' is a list of generators") }
            for (index, entry) in entries.enumerated() {
                guard case .object(let spec) = entry else { throw kustomization.at([field], "each '\(field)' entry is a mapping") }
                let node = kustomization.root[field]?.items?[index]
                let here = KustomizeError(kustomization.file, node?.start.line ?? 1, node?.start.column ?? 1, "")
                var generated = try make(kind, spec, global: global, kustomization: kustomization, tree: tree, at: here)
                generated.origin = .plugin(kind == "ConfigMap" ? "ConfigMapGenerator" : "SecretGenerator", in: kustomization)
                switch generated.behavior {
                case "create":
                    try KustomizeBuilder.add(generated, to: &resources, ids: &ids, at: here)
                case "merge", "replace":
                    guard let existing = resources.firstIndex(where: {
                        $0.kind == kind && $0.allNames.contains(generated.name)
                            && ($0.namespace == generated.namespace || generated.namespace.isEmpty)
                    }) else {
                        var error = here
                        error.message = "\(kind) '\(generated.name)' has behavior \(generated.behavior), but no \(kind) of that name comes from the resources to \(generated.behavior) with"
                        throw error
                    }
                    var base = resources[existing]
                    if generated.behavior == "merge" {
                        for key in ["data", "binaryData"] {
                            var merged = base.object[key]?.objectValue ?? ValueObject()
                            for (k, v) in generated.object[key]?.objectValue ?? ValueObject() { merged[k] = v }
                            if !merged.isEmpty { base.object[key] = .object(merged) }
                        }
                        for key in ["labels", "annotations"] {
                            var merged = base.object["metadata"]?[key]?.objectValue ?? ValueObject()
                            for (k, v) in generated.object["metadata"]?[key]?.objectValue ?? ValueObject() { merged[k] = v }
                            if !merged.isEmpty { base.set(["metadata", key], .object(merged)) }
                        }
                    } else {
                        for key in ["data", "binaryData"] { base.object[key] = generated.object[key] }
                        if let metadata = generated.object["metadata"]?.objectValue {
                            for key in ["labels", "annotations"] where metadata[key] != nil { base.set(["metadata", key], metadata[key]!) }
                        }
                    }
                    // A replaced object is the generator's; a merged one keeps where it came from.
                    if generated.behavior == "replace" { base.origin = generated.origin }
                    // As kustomize: the hash stays only when both the object and this generator want it.
                    base.needsHash = base.needsHash && generated.needsHash
                    generated = base
                    resources[existing] = generated
                default:
                    var error = here
                    error.message = "behavior must be create, merge or replace, not '\(generated.behavior)'"
                    throw error
                }
            }
        }
        return resources
    }

    static func make(_ kind: String, _ spec: ValueObject, global: ValueObject, kustomization: Kustomization, tree: any FileTree,
                     at here: KustomizeError) throws -> KustomizeResource {
        func fail(_ message: String) -> KustomizeError {
            var error = here
            error.message = message
            return error
        }
        guard let name = spec["name"]?.stringValue, !name.isEmpty else { throw fail("a generator needs a name") }
        var data: [(String, String)] = []
        var binary: [(String, String)] = []
        func add(_ key: String, _ bytes: [UInt8]) throws {
            if data.contains(where: { $0.0 == key }) || binary.contains(where: { $0.0 == key }) {
                throw fail("\(kind) '\(name)': key '\(key)' appears twice")
            }
            if let text = String(validating: bytes, as: UTF8.self) { data.append((key, text)) } else { binary.append((key, Data(bytes).base64EncodedString())) }
        }
        for (number, literal) in (spec["literals"]?.arrayValue ?? []).enumerated() {
            // The literal itself is not repeated: a Secret's holds its value.
            guard let text = Kustomization.text(literal), let equals = text.firstIndex(of: "=") else {
                throw fail("literal \(number + 1) of \(kind) '\(name)' is not key=value")
            }
            var value = String(text[text.index(after: equals)...])
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first { value = String(value.dropFirst().dropLast()) }
            try add(String(text[..<equals]), Array(value.utf8))
        }
        for file in spec["files"]?.arrayValue ?? [] {
            guard let text = Kustomization.text(file) else { continue }
            var key = RepoPath.name(text), path = text
            if let equals = text.firstIndex(of: "=") {
                key = String(text[..<equals])
                path = String(text[text.index(after: equals)...])
            }
            guard let resolved = try kustomization.file(path, what: "file", at: here, tree: tree) else {
                throw fail("file '\(path)' of \(kind) '\(name)' does not exist")
            }
            try add(key, try tree.read(resolved))
        }
        var envs = spec["envs"]?.arrayValue ?? []
        if let env = spec["env"] { envs.append(env) }
        for env in envs {
            guard let path = Kustomization.text(env), let resolved = try kustomization.file(path, what: "env file", at: here, tree: tree) else { throw fail("env file '\(Kustomization.text(env) ?? "")' of \(kind) '\(name)' does not exist") }
            for (number, rawLine) in String(decoding: try tree.read(resolved), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = rawLine.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed()
                let text = String(line)
                if text.isEmpty || text.hasPrefix("#") { continue }
                guard let equals = text.firstIndex(of: "=") else {
                    throw KustomizeError(resolved, number + 1, 1, "line is not KEY=VALUE in env file")
                }
                try add(String(text[..<equals]), Array(text[text.index(after: equals)...].utf8))
            }
        }
        var object = ValueObject()
        object["apiVersion"] = "v1"
        object["kind"] = .string(kind)
        var metadata: ValueObject = ["name": .string(name)]
        if let namespace = spec["namespace"]?.stringValue, !namespace.isEmpty { metadata["namespace"] = .string(namespace) }
        let options = spec["options"]?.objectValue ?? ValueObject()
        for key in ["labels", "annotations"] {
            var merged = global[key]?.objectValue ?? ValueObject()
            for (k, v) in options[key]?.objectValue ?? ValueObject() { merged[k] = v }
            if !merged.isEmpty { metadata[key] = .object(merged) }
        }
        object["metadata"] = .object(metadata)
        if kind == "Secret" {
            object["type"] = .string(spec["type"]?.stringValue ?? "Opaque")
            let encoded = data.map { ($0.0, Value.string(wrapped(Data($0.1.utf8).base64EncodedString()))) }
                + binary.map { ($0.0, Value.string(wrapped($0.1))) }
            if !encoded.isEmpty { object["data"] = .object(ValueObject(encoded)) }
        } else {
            if !data.isEmpty { object["data"] = .object(ValueObject(data.map { ($0.0, Value.string($0.1)) })) }
            if !binary.isEmpty { object["binaryData"] = .object(ValueObject(binary.map { ($0.0, Value.string($0.1)) })) }
        }
        if options["immutable"]?.boolValue ?? global["immutable"]?.boolValue ?? false { object["immutable"] = .bool(true) }
        var resource = KustomizeResource(object: object, source: here.location)
        resource.needsHash = !(options["disableNameSuffixHash"]?.boolValue ?? global["disableNameSuffixHash"]?.boolValue ?? false)
        resource.behavior = spec["behavior"]?.stringValue ?? "create"
        return resource
    }
}

/// A Secret's base64 as kustomize writes it: lines of 70 characters, each ended by a newline, once
/// it is longer than one line.
func wrapped(_ base64: String) -> String {
    guard base64.count > 70 else { return base64 }
    var lines: [Substring] = []
    var rest = Substring(base64)
    while !rest.isEmpty {
        lines.append(rest.prefix(70))
        rest = rest.dropFirst(70)
    }
    return lines.joined(separator: "\n") + "\n"
}

extension Value {
    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}
