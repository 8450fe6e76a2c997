import Basics
import Foundation
import KubeModel
import YAML

/// `patchesStrategicMerge`, `patches` and `patchesJson6902`: strategic merge patches found by the
/// patch's own identity or by a target selector, JSON 6902 patches by a target selector.
enum Patches {
    /// One patch's text and where it was written (the file, or the kustomization line of an
    /// inline patch).
    struct Source {
        var text: String
        var bytes: [UInt8]
        var file: String
        /// Line offset of an inline patch in the kustomization (0 for a file).
        var lineOffset: Int
        /// Column offset of an inline patch: its block's indentation (0 for a file).
        var columnOffset = 0
        var at: KustomizeError
    }

    /// `patchesStrategicMerge`: each entry is patch text or a file; each object in it patches the
    /// object with its identity.
    static func strategicMerge(_ kustomization: Kustomization, tree: any FileTree, on resources: [KustomizeResource]) throws -> [KustomizeResource] {
        var resources = resources
        for (entry, node) in try kustomization.strings("patchesStrategicMerge") {
            let here = KustomizeError(kustomization.file, node.start.line, node.start.column, "")
            let source: Source
            if let inline = inlinePatch(entry, node: node, kustomization: kustomization) {
                source = inline
            } else {
                source = try file(entry, kustomization: kustomization, tree: tree, at: here)
            }
            let patches = try strategicPatches(source)
            guard !patches.isEmpty else { throw with(here, "patch appears to be empty; files=[\(entry)]") }
            for patch in patches { resources = try applyById(metadataAsStrings(patch), to: resources, source: source) }
        }
        return resources
    }

    /// `patches`: each entry a strategic merge or JSON 6902 patch (`path` or `patch`), applied to
    /// the objects its `target` selects, or (strategic merge without a target) to the objects the
    /// patch names.
    static func patches(_ kustomization: Kustomization, field: String = "patches", tree: any FileTree,
                        on resources: [KustomizeResource]) throws -> [KustomizeResource] {
        guard let list = kustomization.value[field], list != .null else { return resources }
        guard case .array(let entries) = list else { throw kustomization.at([field], "'\(field)' is a list of {path or patch, target, options}") }
        var resources = resources
        // Every patch that fails is reported together (the others still apply, to find theirs).
        var problems: [KustomizeError] = []
        for (index, entry) in entries.enumerated() {
            do {
                resources = try patch(entry, index: index, field: field, kustomization, tree: tree, on: resources)
            } catch {
                guard let found = KustomizeErrors.problems(of: error) else { throw error }
                problems += found
            }
        }
        try KustomizeErrors.throwIfAny(problems)
        return resources
    }

    /// One entry of `patches` (or `patchesJson6902`).
    static func patch(_ entry: Value, index: Int, field: String, _ kustomization: Kustomization, tree: any FileTree,
                      on resources: [KustomizeResource]) throws -> [KustomizeResource] {
        var resources = resources
        do {
            let node = kustomization.root[field]?.items?[index]
            let here = KustomizeError(kustomization.file, node?.start.line ?? 1, node?.start.column ?? 1, "")
            guard case .object(let spec) = entry else { throw with(here, "each '\(field)' entry is a mapping with path or patch") }
            let path = spec["path"]?.stringValue ?? ""
            let text = (spec["patch"]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let source: Source
            switch (path.isEmpty, text.isEmpty) {
            case (true, true): throw with(here, "must specify one of patch and path")
            case (false, false): throw with(here, "patch and path can't be set at the same time")
            case (true, false):
                source = inlinePatch(text, node: node?["patch"], kustomization: kustomization)
                    ?? Source(text: text, bytes: Array(text.utf8), file: kustomization.file, lineOffset: 0, at: here)
            case (false, true):
                source = try file(path, kustomization: kustomization, tree: tree, at: here)
            }
            let target = try spec["target"].map { value throws -> Selector in
                guard case .object(let object) = value else { throw with(here, "'target' is a mapping (group, version, kind, name, namespace, labelSelector, annotationSelector)") }
                return try Selector(object, at: here)
            }
            let options = spec["options"]?.objectValue ?? ValueObject()
            let allowNameChange = options["allowNameChange"]?.boolValue ?? false
            let allowKindChange = options["allowKindChange"]?.boolValue ?? false
            if field == "patchesJson6902" {
                guard let target, !target.name.isEmpty else { throw with(here, "must specify the target name") }
                return try applyJSON(try jsonPatch(source), to: resources, target: target, source: source)
            }
            switch try classify(source) {
            case .json(let patch):
                guard let target else { throw with(here, "must specify a target for JSON patch \(source.file == kustomization.file ? "[patch]" : "[path: \"\(path)\"]")") }
                resources = try applyJSON(patch, to: resources, target: target, source: source)
            case .strategic(let patches):
                if let target {
                    guard patches.count == 1 else {
                        throw with(here, "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field")
                    }
                    let selected = Set(resources.filter { target.selects($0) }.map(\.id))
                    for index in resources.indices where selected.contains(resources[index].id) {
                        var patch = metadataAsStrings(patches[0])
                        patch.object["apiVersion"] = resources[index].object["apiVersion"]
                        resources[index] = try applySM(patch, to: resources[index], source: source,
                                                       allowNameChange: allowNameChange, allowKindChange: allowKindChange)
                    }
                    resources.removeAll { $0.object.isEmpty }
                } else {
                    for patch in patches {
                        resources = try applyById(patch, to: resources, source: source, allowNameChange: allowNameChange, allowKindChange: allowKindChange)
                    }
                }
            }
        }
        return resources
    }

    // MARK: Reading patches

    /// An entry of patch text in the kustomization itself (a block scalar), with its line offset;
    /// nil when the entry is a file name.
    static func inlinePatch(_ text: String, node: Node?, kustomization: Kustomization) -> Source? {
        guard text.contains("\n") || text.contains(": ") || text.hasPrefix("[") || text.hasPrefix("{") else { return nil }
        let line = node?.start.line ?? 1
        // A block scalar's text starts on the line after its indicator.
        var isBlock = false
        if case .scalar(_, let style)? = node?.content { isBlock = style == .literal || style == .folded }
        let offset = isBlock ? line : line - 1
        let here = KustomizeError(kustomization.file, line, node?.start.column ?? 1, "")
        var source = Source(text: text, bytes: Array(text.utf8), file: kustomization.file, lineOffset: offset, at: here)
        if isBlock {
            // The block's indentation: the leading spaces of its first line in the file.
            let lines = kustomization.text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            if offset < lines.count { source.columnOffset = lines[offset].prefix { $0 == UInt8(ascii: " ") }.count }
        }
        return source
    }

    static func file(_ entry: String, kustomization: Kustomization, tree: any FileTree, at here: KustomizeError) throws -> Source {
        guard let path = try kustomization.file(entry, what: "patch", at: here, tree: tree) else {
            throw with(here, "patch file '\(entry)' does not exist in '\(kustomization.folder.isEmpty ? "." : kustomization.folder)'")
        }
        let bytes = try tree.read(path)
        return Source(text: String(decoding: bytes, as: UTF8.self), bytes: bytes, file: path, lineOffset: 0, at: here)
    }

    enum Kind {
        case strategic([KustomizeResource])
        case json(JSONPatch)
    }

    /// A patch is a JSON 6902 patch when it is a list of operations, else a strategic merge patch
    /// of one or more objects (as kustomize: never both).
    static func classify(_ source: Source) throws -> Kind {
        if let patches = try? strategicPatches(source), !patches.isEmpty { return .strategic(patches) }
        do {
            return .json(try jsonPatch(source))
        } catch let error as KustomizeError {
            // Neither: report why it is not a strategic merge patch when it looks like one.
            if let first = try? YAMLParser.parse(source.bytes, file: source.file).first, first.pairs != nil {
                _ = try strategicPatches(source)
            }
            throw error
        }
    }

    /// The objects of a strategic merge patch.
    static func strategicPatches(_ source: Source) throws -> [KustomizeResource] {
        do {
            return try KustomizeBuilder.objects(in: source.bytes, file: source.file, offset: (source.lineOffset, source.columnOffset)).map { patch in
                var patch = patch
                patch.source.line += source.lineOffset
                return patch
            }
        } catch let error as KustomizeError {
            throw shifted(error, source)
        } catch let error as DiagnosticError {
            throw shifted(KustomizeError(diagnostic: error, fallback: source.at), source)
        }
    }

    static func jsonPatch(_ source: Source) throws -> JSONPatch {
        let document: Value
        let node: Node
        do {
            guard let first = try YAMLParser.parse(source.bytes, file: source.file).first else {
                throw with(source.at, "the JSON patch is empty")
            }
            node = first
            document = try node.value(file: source.file)
        } catch let error as DiagnosticError {
            throw shifted(KustomizeError(diagnostic: error, fallback: source.at), source)
        }
        do {
            var patch = try JSONPatch(document)
            for (index, item) in (node.items ?? []).enumerated() where index < patch.operations.count {
                patch.operations[index].location = SourceLocation(file: source.file, line: item.start.line + source.lineOffset,
                                                                  column: item.start.column + source.columnOffset)
            }
            if patch.operations.isEmpty { throw with(source.at, "patch appears to be empty") }
            return patch
        } catch let failure as JSONPatch.Failure {
            throw with(source.at, failure.message)
        }
    }

    static func shifted(_ error: KustomizeError, _ source: Source) -> KustomizeError {
        var error = error
        if error.location.file == source.file { error.location.line += source.lineOffset }
        return error
    }

    static func with(_ here: KustomizeError, _ message: String) -> KustomizeError {
        var error = here
        error.message = message
        return error
    }

    // MARK: Applying

    /// A patch's labels and annotations as strings (`null` becomes "null"): kustomize copies them
    /// as string maps before patches it applies by selection or to `patchesStrategicMerge` targets.
    static func metadataAsStrings(_ patch: KustomizeResource) -> KustomizeResource {
        guard case .object(var metadata)? = patch.object["metadata"] else { return patch }
        var patch = patch
        for key in ["labels", "annotations"] {
            guard case .object(var map)? = metadata[key] else { continue }
            for (name, value) in map {
                switch value {
                case .null: map[name] = .string("null")
                case .object, .array: continue
                default: map[name] = .string(Kustomization.text(value) ?? "")
                }
            }
            metadata[key] = .object(map)
        }
        patch.object["metadata"] = .object(metadata)
        return patch
    }

    /// A strategic merge patch applied to the one object with its identity (current or earlier).
    static func applyById(_ patch: KustomizeResource, to resources: [KustomizeResource], source: Source,
                          allowNameChange: Bool = false, allowKindChange: Bool = false) throws -> [KustomizeResource] {
        let matches = resources.indices.filter { resources[$0].allIds.contains(patch.id) }
        guard matches.count == 1, let index = matches.first else {
            let what = "\(patch.kind) \(patch.namespace.isEmpty ? "" : patch.namespace + "/")\(patch.name)"
            throw with(KustomizeError(patch.source.file, patch.source.line, patch.source.column, ""),
                       matches.isEmpty ? "no resource matches strategic merge patch \(what): the patch names an object that is not among the resources (check its apiVersion, kind, name and namespace)"
                           : "multiple resources match strategic merge patch \(what); give the patch a target")
        }
        var resources = resources
        resources[index] = try applySM(patch, to: resources[index], source: source, allowNameChange: allowNameChange, allowKindChange: allowKindChange)
        resources.removeAll { $0.object.isEmpty }
        return resources
    }

    /// One strategic merge patch on one object: the object keeps its kind, name and namespace unless
    /// the patch's options allow the change; an emptied object is removed by the caller.
    static func applySM(_ patch: KustomizeResource, to resource: KustomizeResource, source: Source,
                        allowNameChange: Bool, allowKindChange: Bool) throws -> KustomizeResource {
        var resource = resource
        let (name, namespace, kind) = (resource.name, resource.namespace, resource.kind)
        let result: Result<ValueObject?, StrategicMerge.Failure> = Result { () throws(StrategicMerge.Failure) in try StrategicMerge.apply(patch.object, to: resource.object) }
        guard case .success(let merged) = result else {
            if case .failure(let failure) = result {
                throw with(KustomizeError(patch.source.file, patch.source.line, patch.source.column, ""), failure.message)
            }
            return resource
        }
        guard let merged else {
            resource.object = ValueObject()
            return resource
        }
        if allowNameChange || allowKindChange { resource.recordId() }
        let old = resource.object
        resource.object = merged
        if !allowKindChange { resource.object["kind"] = .string(kind) }
        if !allowNameChange { resource.set(["metadata", "name"], .string(name)) }
        if namespace.isEmpty {
            if var metadata = resource.object["metadata"]?.objectValue {
                metadata["namespace"] = nil
                resource.object["metadata"] = .object(metadata)
            }
        } else {
            resource.set(["metadata", "namespace"], .string(namespace))
        }
        // The patch's own identity fields say which object it patches, not what it sets.
        var written = patch.object
        written["apiVersion"] = nil
        written["kind"] = nil
        if var metadata = written["metadata"]?.objectValue {
            metadata["name"] = nil
            metadata["namespace"] = nil
            written["metadata"] = .object(metadata)
        }
        resource.patched(from: old, by: written, at: patch.fields, file: patch.source.file)
        return resource
    }

    /// A JSON 6902 patch on every object the target selects.
    static func applyJSON(_ patch: JSONPatch, to resources: [KustomizeResource], target: Selector, source: Source) throws -> [KustomizeResource] {
        var resources = resources
        for index in resources.indices where target.selects(resources[index]) {
            resources[index].recordId()
            let old = resources[index].object
            do {
                guard case .object(let patched) = try patch.apply(to: .object(resources[index].object)) else {
                    throw with(source.at, "the JSON patch replaced the whole object with something that is not an object")
                }
                resources[index].object = patched
            } catch let failure as JSONPatch.Failure {
                throw with(source.at, "\(failure.message) (patching \(resources[index].kind) \(resources[index].name))")
            }
            let written = patch.operations.filter { $0.op != "remove" && $0.op != "test" }.map { ($0.path, $0.location ?? source.at.location) }
            resources[index].patched(from: old, paths: written)
        }
        return resources
    }
}

/// What every kustomize selector names: group, version, kind, name, namespace, and label and
/// annotation selectors.
struct SelectorFields {
    var group = "", version = "", kind = "", name = "", namespace = ""
    var labelSelector = "", annotationSelector = ""

    init(_ object: ValueObject) {
        group = object["group"].flatMap(Kustomization.text) ?? ""
        version = object["version"].flatMap(Kustomization.text) ?? ""
        kind = object["kind"].flatMap(Kustomization.text) ?? ""
        name = object["name"].flatMap(Kustomization.text) ?? ""
        namespace = object["namespace"].flatMap(Kustomization.text) ?? ""
        labelSelector = object["labelSelector"].flatMap(Kustomization.text) ?? ""
        annotationSelector = object["annotationSelector"].flatMap(Kustomization.text) ?? ""
    }

    /// Whether the object's current labels and annotations satisfy the selectors.
    func matchesLabelsAndAnnotations(_ resource: KustomizeResource) -> Bool {
        let metadata = resource.object["metadata"]
        if !labelSelector.isEmpty, !LabelSelector.matches(labelSelector, metadata?["labels"]?.objectValue ?? ValueObject()) { return false }
        if !annotationSelector.isEmpty, !LabelSelector.matches(annotationSelector, metadata?["annotations"]?.objectValue ?? ValueObject()) { return false }
        return true
    }
}

/// A patch's `target`: group, version, kind, name and namespace as anchored regular expressions,
/// label and annotation selectors.
struct Selector {
    let fields: SelectorFields
    private var patterns: [String: NSRegularExpression] = [:]
    /// Patterns without regular expression syntax, compared as text (most targets name an object).
    private var literals: [String: String] = [:]

    var name: String { fields.name }

    init(_ object: ValueObject, at here: KustomizeError) throws {
        fields = SelectorFields(object)
        for (field, pattern) in [("group", fields.group), ("version", fields.version), ("kind", fields.kind), ("name", fields.name),
                                 ("namespace", fields.namespace)] where !pattern.isEmpty {
            if pattern.utf8.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }) {
                literals[field] = pattern
                continue
            }
            do {
                patterns[field] = try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
            } catch {
                throw Patches.with(here, "target \(field) '\(pattern)' is not a valid regular expression")
            }
        }
    }

    func matches(_ field: String, _ text: String) -> Bool {
        if let literal = literals[field] { return literal == text }
        guard let pattern = patterns[field] else { return true }
        return pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// As kustomize: the original or current namespace and name, the current group, version and
    /// kind, and the selectors on the current labels and annotations.
    func selects(_ resource: KustomizeResource) -> Bool {
        let original = resource.originalId
        guard matches("namespace", original.namespace) || matches("namespace", resource.effectiveNamespace) else { return false }
        guard matches("name", original.name) || matches("name", resource.name) else { return false }
        guard matches("group", resource.group), matches("version", resource.version), matches("kind", resource.kind) else { return false }
        return fields.matchesLabelsAndAnnotations(resource)
    }
}
