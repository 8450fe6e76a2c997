import Basics
import Foundation

/// Where a strategic merge is in the built-in Kubernetes schema kustomize v5.5 compiles in
/// (Kubernetes v1.21.2): which lists merge by which keys. Custom resources have none, so their
/// lists are replaced whole, as in kustomize.
enum MergeSchema: Sendable, Equatable {
    /// An object of a schema type (an index into `Table.types`).
    case object(Int)
    /// A list of elements of a type (nil: scalars or unknown); `mergeKeys` nil when the list is
    /// replaced whole, empty when scalars merge by value (finalizers).
    case list(element: Int?, mergeKeys: [String]?)
    /// A map whose every value has one type.
    case map(Int)

    /// The table a build merges with: kustomize's built-in one, or the document a kustomization's
    /// `openapi: {path: ...}` names (the first one the build meets, as in kustomize), for the whole build.
    final class Current: @unchecked Sendable {
        var table: Table?
        init() {}
    }
    @TaskLocal static var current = Current()

    static var table: Table { current.table ?? Table.shared }

    /// The schema of an object of `apiVersion` and `kind`, nil for kinds the table does not hold.
    static func forKind(apiVersion: String, kind: String) -> MergeSchema? {
        let key = (apiVersion.contains("/") ? apiVersion : "/" + apiVersion) + "/" + kind
        return table.kinds[key].map(MergeSchema.object)
    }

    /// The schema of `field` in an object of this schema.
    func field(_ name: String) -> MergeSchema? {
        switch self {
        case .object(let type): return Self.table[type][name]
        case .map(let type): return .object(type)
        case .list: return nil
        }
    }

    /// The schema of a list's elements.
    var elements: MergeSchema? {
        guard case .list(let element?, _) = self else { return nil }
        return .object(element)
    }

    /// The keys elements merge by, nil when the list is replaced whole.
    var mergeKeys: [String]? {
        guard case .list(_, let keys) = self else { return nil }
        return keys
    }

    /// The table, its lines split once and each type's fields parsed when first asked for (a build
    /// touches a few dozen of the 600 types).
    final class Table: @unchecked Sendable {
        private let lines: [Substring]
        private var parsed: [Int: [String: MergeSchema]] = [:]
        private let lock = NSLock()
        let kinds: [String: Int]

        static let shared = Table(typeLines: MergeSchema.typeLines, kindLines: MergeSchema.kindLines)

        init(typeLines: String, kindLines: String) {
            lines = Self.lines(typeLines)
            var kinds: [String: Int] = [:]
            for line in Self.lines(kindLines) {
                guard let space = line.firstIndex(of: " "), let index = Int(line[line.index(after: space)...]) else { continue }
                kinds[String(line[..<space])] = index
            }
            self.kinds = kinds
        }

        /// The lines of `text`, split on its bytes (String's own split walks grapheme clusters).
        static func lines(_ text: String) -> [Substring] {
            text.utf8.split(separator: UInt8(ascii: "\n")).map { Substring($0) }
        }

        subscript(type: Int) -> [String: MergeSchema] {
            lock.lock()
            defer { lock.unlock() }
            if let known = parsed[type] { return known }
            var fields: [String: MergeSchema] = [:]
            if type < lines.count {
                for entry in lines[type].split(separator: " ").dropFirst() {
                    guard let arrow = entry.firstIndex(of: ">") else { continue }
                    let target = Int(entry[entry.index(after: arrow)...])
                    let head = entry[..<arrow]
                    if let star = head.firstIndex(of: "*") {
                        let keys = head[head.index(after: star)...].split(separator: ",").map(String.init)
                        fields[String(head[..<star])] = .list(element: target, mergeKeys: keys)
                    } else if head.hasSuffix("[]") {
                        fields[String(head.dropLast(2))] = .list(element: target, mergeKeys: nil)
                    } else if head.hasSuffix("{}"), let target {
                        fields[String(head.dropLast(2))] = .map(target)
                    } else if let target {
                        fields[String(head)] = .object(target)
                    }
                }
            }
            parsed[type] = fields
            return fields
        }
    }

    /// A table from an OpenAPI v2 document's `definitions` (JSON or YAML), written the way
    /// scripts/kustomize-merge-keys writes the built-in one.
    static func table(fromOpenAPI document: Value) -> Table {
        let definitions = document["definitions"]?.objectValue ?? ValueObject()
        let names = definitions.keys.sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        func target(_ ref: Value?) -> Int? {
            guard let ref = ref?.stringValue, let name = ref.split(separator: "/").last else { return nil }
            return index[String(name)]
        }
        var typeLines: [String] = []
        var kindLines: [String] = []
        for name in names {
            let definition = definitions[name] ?? .null
            var entries = [name]
            for (field, schema) in (definition["properties"]?.objectValue ?? ValueObject()).sorted(by: { $0.key < $1.key }) {
                if let ref = target(schema["$ref"]) {
                    entries.append("\(field)>\(ref)")
                } else if schema["type"]?.stringValue == "array" {
                    let strategy = schema["x-kubernetes-patch-strategy"]?.stringValue ?? ""
                    let element = target(schema["items"]?["$ref"]).map(String.init) ?? ""
                    if strategy.split(separator: ",").contains("merge") {
                        var keys = (schema["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue)
                        if keys.isEmpty, let key = schema["x-kubernetes-patch-merge-key"]?.stringValue, !key.isEmpty { keys = [key] }
                        entries.append("\(field)*\(keys.joined(separator: ","))>\(element)")
                    } else if !element.isEmpty {
                        entries.append("\(field)[]>\(element)")
                    }
                } else if let ref = target(schema["additionalProperties"]?["$ref"]) {
                    entries.append("\(field){}>\(ref)")
                }
            }
            typeLines.append(entries.joined(separator: " "))
            for gvk in definition["x-kubernetes-group-version-kind"]?.arrayValue ?? [] {
                guard let kind = gvk["kind"]?.stringValue, let version = gvk["version"]?.stringValue else { continue }
                kindLines.append("\(gvk["group"]?.stringValue ?? "")/\(version)/\(kind) \(index[name]!)")
            }
        }
        return Table(typeLines: typeLines.joined(separator: "\n"), kindLines: kindLines.joined(separator: "\n"))
    }
}
