import Basics
import Foundation
import KubeModel
import YAML

/// `replacements`: a value copied from one object's field (`source`) into fields of the objects the
/// `targets` select, as kustomize's ReplacementTransformer does: exact identities (current or
/// earlier) select, label and annotation selectors narrow, `reject` excludes; target paths walk
/// `[key=regex]` list items, indices and `*`; `options.delimiter`/`index` take or set one part of a
/// delimited string; `options.create` makes missing fields.
enum Replacements {
    struct Failure: Error { var message: String }

    static func run(_ kustomization: Kustomization, tree: any FileTree, on resources: [KustomizeResource]) throws -> [KustomizeResource] {
        guard let list = kustomization.value["replacements"], list != .null else { return resources }
        guard case .array(let entries) = list else { throw kustomization.at(["replacements"], "'replacements' is a list of {source, targets} or {path}") }
        var resources = resources
        for (index, entry) in entries.enumerated() {
            let node = kustomization.root["replacements"]?.items?[index]
            let here = KustomizeError(kustomization.file, node?.start.line ?? 1, node?.start.column ?? 1, "")
            guard case .object(let spec) = entry else { throw Patches.with(here, "each 'replacements' entry is a mapping") }
            var replacements: [(ValueObject, KustomizeError)] = []
            if let path = spec["path"]?.stringValue {
                guard spec["source"] == nil && spec["targets"] == nil else {
                    throw Patches.with(here, "a replacement gives either a path or a source and targets, not both")
                }
                guard let file = try kustomization.file(path, what: "replacement file", at: here, tree: tree) else {
                    throw Patches.with(here, "replacement file '\(path)' does not exist in '\(kustomization.folder.isEmpty ? "." : kustomization.folder)'")
                }
                let bytes = try tree.read(file)
                for document in try YAMLParser.parse(bytes, file: file) where !document.isNull {
                    let value = try document.value(file: file)
                    let at = KustomizeError(file, document.start.line, document.start.column, "")
                    switch value {
                    case .array(let items):
                        for (i, item) in items.enumerated() {
                            guard case .object(let object) = item else { throw Patches.with(at, "a replacement is a mapping with source and targets") }
                            let itemNode = document.items?[i]
                            replacements.append((object, KustomizeError(file, itemNode?.start.line ?? at.location.line, itemNode?.start.column ?? 1, "")))
                        }
                    case .object(let object): replacements.append((object, at))
                    default: throw Patches.with(at, "a replacement file holds a replacement or a list of them")
                    }
                }
            } else {
                replacements.append((spec, here))
            }
            for (replacement, at) in replacements {
                do {
                    resources = try apply(replacement, to: resources, at: at.location)
                } catch let failure as Failure {
                    throw Patches.with(at, failure.message)
                }
            }
        }
        return resources
    }

    /// One identity a selector compares: group, version, kind, effective namespace and name.
    struct Identity {
        var group, version, kind, namespace, name: String
    }

    /// A `source`, `select` or `reject` selector: exact fields.
    struct IdSelector {
        let fields: SelectorFields
        var labelSelector: String { fields.labelSelector }
        var annotationSelector: String { fields.annotationSelector }

        init(_ object: ValueObject) { fields = SelectorFields(object) }

        var hasId: Bool { !(fields.group.isEmpty && fields.version.isEmpty && fields.kind.isEmpty && fields.name.isEmpty && fields.namespace.isEmpty) }

        /// kustomize's ResId.IsSelectedBy: exact fields, namespaces compared as effective namespaces.
        func selects(_ id: Identity) -> Bool {
            (fields.name.isEmpty || fields.name == id.name) && (fields.namespace.isEmpty || fields.namespace == id.namespace)
                && (fields.group.isEmpty || fields.group == id.group) && (fields.version.isEmpty || fields.version == id.version)
                && (fields.kind.isEmpty || fields.kind == id.kind)
        }

        func selectsAny(of resource: KustomizeResource) -> Bool { Replacements.identities(of: resource).contains(where: selects) }

        func matchesSelectors(_ resource: KustomizeResource) -> Bool { fields.matchesLabelsAndAnnotations(resource) }

        var description: String {
            [fields.group.isEmpty ? nil : "group \(fields.group)", fields.version.isEmpty ? nil : "version \(fields.version)",
             fields.kind.isEmpty ? nil : "kind \(fields.kind)", fields.name.isEmpty ? nil : "name \(fields.name)",
             fields.namespace.isEmpty ? nil : "namespace \(fields.namespace)"].compactMap { $0 }.joined(separator: ", ")
        }
    }

    /// The current identity and every earlier one.
    static func identities(of resource: KustomizeResource) -> [Identity] {
        let earlier = resource.previousIds.compactMap { id -> Identity? in
            let parts = id.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 5 else { return nil }
            return Identity(group: parts[0], version: parts[1], kind: parts[2], namespace: parts[3], name: parts[4])
        }
        return earlier + [Identity(group: resource.group, version: resource.version, kind: resource.kind, namespace: resource.effectiveNamespace, name: resource.name)]
    }

    static func apply(_ replacement: ValueObject, to resources: [KustomizeResource], at location: SourceLocation) throws -> [KustomizeResource] {
        guard case .object(let sourceSpec)? = replacement["source"], case .array(let targets)? = replacement["targets"] else {
            throw Failure(message: "replacements must specify a source and at least one target")
        }
        let source = IdSelector(sourceSpec)
        let matches = resources.filter { source.selectsAny(of: $0) }
        guard let sourceObject = matches.first else { throw Failure(message: "nothing selected by the replacement source (\(source.description))") }
        guard matches.count == 1 else { throw Failure(message: "multiple matches for the replacement source (\(source.description)): \(matches.map { "\($0.kind) \($0.name)" }.joined(separator: ", "))") }
        let fieldPath = sourceSpec["fieldPath"].flatMap(Kustomization.text) ?? "metadata.name"
        guard let found = try lookup(splitPath(fieldPath)[...], in: .object(sourceObject.object)),
              !StrategicMerge.isNilOrEmpty(found) else {
            throw Failure(message: "fieldPath `\(fieldPath)` is missing for replacement source \(source.description)")
        }
        var value = found
        if case .object(let options)? = sourceSpec["options"], let delimiter = options["delimiter"]?.stringValue, !delimiter.isEmpty {
            guard let text = scalarText(value) else { throw Failure(message: "delimiter option can only be used with scalar nodes") }
            let parts = text.components(separatedBy: delimiter)
            let index = Int(options["index"].flatMap(Kustomization.text) ?? "0") ?? 0
            guard index >= 0, index < parts.count else { throw Failure(message: "options.index \(index) is out of bounds for value \(text)") }
            value = .string(parts[index])
        }
        var resources = resources
        for target in targets {
            guard case .object(let targetSpec) = target, case .object(let selectSpec)? = targetSpec["select"] else {
                throw Failure(message: "target must specify resources to select")
            }
            let select = IdSelector(selectSpec)
            let rejects = (targetSpec["reject"]?.arrayValue ?? []).compactMap { $0.objectValue.map(IdSelector.init) }
            var paths = (targetSpec["fieldPaths"]?.arrayValue ?? []).compactMap(Kustomization.text)
            if paths.isEmpty { paths = ["metadata.name"] }
            let options = targetSpec["options"]?.objectValue ?? ValueObject()
            for index in resources.indices {
                let resource = resources[index]
                guard select.matchesSelectors(resource) else { continue }
                if rejects.contains(where: { ($0.labelSelector.isEmpty && $0.annotationSelector.isEmpty) ? false : $0.matchesSelectors(resource) }) { continue }
                guard select.selectsAny(of: resource), !rejects.contains(where: { $0.hasId && $0.selectsAny(of: resource) }) else { continue }
                for path in paths {
                    resources[index] = try copy(value, into: resources[index], path: path, options: options, at: location)
                }
            }
        }
        return resources
    }

    /// kyaml's SmarterPathSplitter: `.` separates, except inside `[...]` (`[name=a.b]`), and `\.` is a dot.
    static func splitPath(_ path: String) -> [String] {
        var parts = path.components(separatedBy: ".")
        if parts.count > 1 && parts[0].isEmpty { parts.removeFirst() }
        var joined: [String] = []
        for part in parts {
            if let last = joined.last, last.hasSuffix("\\") { joined[joined.count - 1] = String(last.dropLast()) + "." + part } else { joined.append(part) }
        }
        var result: [String] = []
        var index = 0
        while index < joined.count {
            let part = joined[index]
            if part.hasPrefix("[") && !part.hasSuffix("]") {
                var bracketed = [part]
                while index < joined.count - 1 {
                    index += 1
                    bracketed.append(joined[index])
                    if joined[index].hasSuffix("]") { break }
                }
                let text = bracketed.joined(separator: ".")
                result.append(text.contains("=") ? text : text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
            } else {
                result.append(part)
            }
            index += 1
        }
        return result
    }

    /// The source value: fields, `[key=value]` items (exact), indices.
    static func lookup(_ path: ArraySlice<String>, in value: Value) throws -> Value? {
        guard let part = path.first else { return value }
        switch value {
        case .object(let object):
            return try object[part].flatMap { next throws -> Value? in try lookup(path.dropFirst(), in: next) }
        case .array(let items):
            if let index = Int(part) {
                guard index >= 0, index < items.count else { return nil }
                return try lookup(path.dropFirst(), in: items[index])
            }
            guard part.hasPrefix("["), part.hasSuffix("]"), let equals = part.firstIndex(of: "=") else { return nil }
            let key = String(part[part.index(after: part.startIndex)..<equals])
            let wanted = String(part[part.index(after: equals)..<part.index(before: part.endIndex)])
            let item = items.first { item in
                key.isEmpty ? scalarText(item) == wanted : item.objectValue?[key].flatMap(scalarText) == wanted
            }
            return try item.flatMap { next throws -> Value? in try lookup(path.dropFirst(), in: next) }
        default:
            return nil
        }
    }

    /// The value into every field `path` reaches in `resource` (made where `options.create`).
    static func copy(_ value: Value, into resource: KustomizeResource, path: String, options: ValueObject, at location: SourceLocation) throws -> KustomizeResource {
        var resource = resource
        let create = options["create"]?.boolValue ?? false
        var object = Value.object(resource.object)
        var reached: [[PathElement]] = []
        try walk(splitPath(path)[...], in: &object, create: create ? kind(of: value) : nil, at: [], reached: &reached) { target in
            target = try set(value, into: target, options: options)
        }
        guard !reached.isEmpty else {
            throw Failure(message: create ? "unable to find or create field \"\(path)\" in replacement target \(resource.kind) \(resource.name)"
                : "unable to find field \"\(path)\" in replacement target \(resource.kind) \(resource.name)")
        }
        resource.object = object.objectValue ?? resource.object
        for elements in reached {
            resource.fields[FieldPath(elements)] = SourcePosition(line: location.line, column: location.column, file: location.file)
        }
        return resource
    }

    enum NodeKind { case scalar, mapping, sequence }

    static func kind(of value: Value) -> NodeKind {
        switch value {
        case .object: return .mapping
        case .array: return .sequence
        default: return .scalar
        }
    }

    /// kyaml's PathMatcher over `value`, calling `set` on every field reached.
    static func walk(_ path: ArraySlice<String>, in value: inout Value, create: NodeKind?, at current: [PathElement],
                     reached: inout [[PathElement]], set: (inout Value) throws -> Void) throws {
        guard let part = path.first else {
            try set(&value)
            reached.append(current)
            return
        }
        let next = path.dropFirst().first ?? ""
        func made() -> Value {
            if next.hasPrefix("[") && next.hasSuffix("]") || Int(next).map({ $0 >= 0 }) == true { return .array([]) }
            if next.isEmpty {
                switch create {
                case .mapping?: return .object(ValueObject())
                case .sequence?: return .array([])
                default: return .null
                }
            }
            return .object(ValueObject())
        }
        if let index = Int(part), index >= 0 {
            guard case .array(var items) = value else { throw Failure(message: "wrong node kind: expected a list at '\(part)'") }
            if index == items.count, create != nil { items.append(made()) }
            guard index < items.count else { throw Failure(message: "index \(index) specified but only \(items.count) elements found") }
            try walk(path.dropFirst(), in: &items[index], create: create, at: current + [.index(index)], reached: &reached, set: set)
            value = .array(items)
            return
        }
        if part.hasPrefix("[") && part.hasSuffix("]") {
            let inner = part.dropFirst().dropLast()
            guard let equals = inner.firstIndex(of: "=") else {
                throw Failure(message: "list path element must contain fieldName=fieldValue for element to match")
            }
            let key = String(inner[..<equals]), pattern = String(inner[inner.index(after: equals)...])
            guard case .array(var items) = value else {
                if value == .null, create != nil { value = .array([]) } else { throw Failure(message: "wrong node kind: expected a list at '\(part)'") }
                return try walk(path, in: &value, create: create, at: current, reached: &reached, set: set)
            }
            let regex: NSRegularExpression
            do { regex = try NSRegularExpression(pattern: pattern) } catch { throw Failure(message: "'\(pattern)' in '\(part)' is not a valid regular expression") }
            func matches(_ text: String?) -> Bool {
                guard let text else { return false }
                return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            }
            var found = false
            for index in items.indices {
                if key.isEmpty {
                    guard matches(scalarText(items[index])) else { continue }
                    found = true
                    try set(&items[index])
                    reached.append(current + [.index(index)])
                    continue
                }
                guard case .object(let object) = items[index], let field = object[key], field != .null, matches(scalarText(field)) else { continue }
                found = true
                try walk(path.dropFirst(), in: &items[index], create: create, at: current + [.index(index)], reached: &reached, set: set)
            }
            if !found, create != nil {
                items.append(key.isEmpty ? .string(pattern) : .object([key: .string(pattern)]))
                value = .array(items)
                return try walk(path, in: &value, create: create, at: current, reached: &reached, set: set)
            }
            value = .array(items)
            return
        }
        if part == "*" {
            switch value {
            case .array(var items):
                for index in items.indices {
                    try walk(path.dropFirst(), in: &items[index], create: create, at: current + [.index(index)], reached: &reached, set: set)
                }
                value = .array(items)
            default:
                throw Failure(message: "wrong node kind: '*' walks the items of a list")
            }
            return
        }
        if value == .null, create != nil { value = .object(ValueObject()) }
        guard case .object(var object) = value else { throw Failure(message: "wrong node kind: expected a mapping at '\(part)'") }
        if object[part] == nil {
            guard create != nil else { return }
            object[part] = made()
        }
        var field = object[part]!
        try walk(path.dropFirst(), in: &field, create: create, at: current + [.key(part)], reached: &reached, set: set)
        object[part] = field
        value = .object(object)
    }

    /// kustomize's setFieldValue: a scalar target keeps its type and takes the value's text (one
    /// part of it with `options.delimiter`); anything else is replaced by the value.
    static func set(_ value: Value, into target: Value, options: ValueObject) throws -> Value {
        var value = value
        if let delimiter = options["delimiter"]?.stringValue, !delimiter.isEmpty {
            // A field just made is an empty scalar.
            guard let current = target == .null ? "" : scalarText(target), let text = scalarText(value) else {
                throw Failure(message: "delimiter option can only be used with scalar nodes")
            }
            var parts = current.components(separatedBy: delimiter)
            let index = Int(options["index"].flatMap(Kustomization.text) ?? "0") ?? 0
            if index < 0 { parts.insert(text, at: 0) } else if index >= parts.count { parts.append(text) } else { parts[index] = text }
            value = .string(parts.joined(separator: delimiter))
        }
        switch target {
        case .object, .array: return value
        default:
            guard let text = scalarText(value) else { return value }
            return retyped(text, like: target)
        }
    }

    /// `text` as a scalar of the same type as `target` (the node keeps its tag), a string where it
    /// cannot be one; a made (null) field resolves as YAML does.
    static func retyped(_ text: String, like target: Value) -> Value {
        switch target {
        case .string: return .string(text)
        case .int: return Int64(text).map(Value.int) ?? .string(text)
        case .float: return Double(text).map(Value.float) ?? .string(text)
        case .bool: return text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text)
        default:
            return (try? YAMLParser.parse(Array(text.utf8), file: "", options: ParseOptions(schema: .core)).first?.value(schema: .core, file: "")) ?? .string(text)
        }
    }

    static func scalarText(_ value: Value) -> String? {
        switch value {
        case .object, .array, .null: return nil
        default: return Kustomization.text(value)
        }
    }
}
