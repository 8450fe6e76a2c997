import Basics
import KubeModel
import YAML

/// Reads the plain manifests of a folder: every `*.yaml`/`*.yml` file below it in sorted path order,
/// every non-empty document, `List` kinds flattened.
struct ManifestReader {
    let tree: any FileTree
    let release: String

    static func isManifest(_ name: String) -> Bool { name.hasSuffix(".yaml") || name.hasSuffix(".yml") }

    func read(folder: String, into collector: inout DiagnosticCollector) -> [Object] {
        let files: [String]
        do {
            files = try tree.files(under: folder, include: Self.isManifest)
        } catch FileTreeError.symlinkEscapes(let link, let target) {
            collector.error("render.symlinkEscapes", at: SourceLocation(file: link, line: 1, column: 1),
                            "symlink points outside the repository (to '\(target)'); manifests must live in the repository: replace the link with the file")
            return []
        } catch {
            collector.error("render.read", at: SourceLocation(file: folder, line: 1, column: 1), "\(error)")
            return []
        }
        var objects: [Object] = []
        for file in files {
            objects += read(file: file, into: &collector)
        }
        return objects
    }

    func read(file: String, into collector: inout DiagnosticCollector) -> [Object] {
        let bytes: [UInt8]
        do { bytes = try tree.read(file) } catch {
            collector.error("render.read", at: SourceLocation(file: file, line: 1, column: 1), "\(error)")
            return []
        }
        let source = SourceText(path: file, bytes: bytes)
        let documents: [Node]
        do { documents = try YAMLParser.parse(bytes, file: file) } catch {
            for d in error.diagnostics { collector.append(d) }
            return []
        }
        var objects: [Object] = []
        for (index, document) in documents.enumerated() where !document.isNull {
            objects += self.objects(in: document, index: index, source: source, into: &collector)
        }
        return objects
    }

    private func objects(in document: Node, index: Int, source: SourceText,
                         into collector: inout DiagnosticCollector) -> [Object] {
        guard document.pairs != nil else {
            collector.append(source.diagnostic("render.notAnObject", at: document.location(source.path),
                                               "a manifest document must be a mapping (one Kubernetes object), not a \(document.kindName)"))
            return []
        }
        let value: Value
        do { value = try document.value(file: source.path) } catch {
            for d in error.diagnostics { collector.append(d) }
            return []
        }
        let kind = value["kind"]?.stringValue ?? ""
        if kind.hasSuffix("List"), let itemsNode = document["items"] {
            guard let items = itemsNode.items, case .array(let values)? = value["items"] else {
                collector.append(source.diagnostic("render.list", at: itemsNode.location(source.path),
                                                   "'items' of a \(kind) must be a list of objects"))
                return []
            }
            return zip(items, values).compactMap { node, item in
                object(item, node: node, index: index, source: source, into: &collector)
            }
        }
        return object(value, node: document, index: index, source: source, into: &collector).map { [$0] } ?? []
    }

    private func object(_ value: Value, node: Node, index: Int, source: SourceText,
                        into collector: inout DiagnosticCollector) -> Object? {
        guard case .object(let content) = value else {
            collector.append(source.diagnostic("render.notAnObject", at: node.location(source.path),
                                               "a list item must be a Kubernetes object (a mapping), not a \(value.typeName)"))
            return nil
        }
        var missing: [String] = []
        var problemNode = node
        for field in ["apiVersion", "kind"] {
            if content[field]?.stringValue?.isEmpty ?? true {
                missing.append(field)
                if let bad = node[field] { problemNode = bad }
            }
        }
        if content["metadata"]?["name"]?.stringValue?.isEmpty ?? true {
            missing.append("metadata.name")
            if let bad = node["metadata"]?["name"] ?? node["metadata"] { problemNode = bad }
        }
        if !missing.isEmpty {
            let list = missing.joined(separator: ", ")
            collector.append(source.diagnostic("render.incompleteObject", at: problemNode.location(source.path),
                                               "object has no \(list) (or not as a non-empty string); every object needs apiVersion, kind and metadata.name"))
            return nil
        }
        if let namespace = content["metadata"]?["namespace"], namespace.stringValue == nil, namespace != .null {
            collector.append(source.diagnostic("render.namespace", at: (node["metadata"]?["namespace"] ?? node).location(source.path),
                                               "metadata.namespace must be a string"))
            return nil
        }
        var provenance = Provenance(release: release, file: source.path, documentIndex: index,
                                    line: node.start.line, column: node.start.column)
        provenance.fields = FieldPositionIndex.positions(of: node)
        return Object(content: content, provenance: provenance)
    }
}
