import Basics
import KubeModel
import RepoModel

/// Fields diff and sync leave alone: the environment's `spec.ignoreDifferences` and an object's
/// `gitops/ignore-differences` annotation (comma-separated JSON pointers).
public struct IgnoreRules: Sendable {
    public static let annotation = "gitops/ignore-differences"
    public var rules: [IgnoreDifference]

    public init(_ rules: [IgnoreDifference] = []) { self.rules = rules }

    /// The paths to drop from `object` (desired) and its live counterpart.
    func paths(for object: Object) -> [FieldPath] {
        var texts: [String] = []
        for rule in rules where rule.kind == object.kind || rule.kind == "*" {
            if let group = rule.group, group != object.gvk.group { continue }
            if let name = rule.name, !Wildcard.match(name, object.name) { continue }
            if let namespace = rule.namespace, !Wildcard.match(namespace, object.namespace) { continue }
            texts += rule.paths
        }
        if let annotation = object.content["metadata"]?["annotations"]?[Self.annotation]?.stringValue {
            texts += annotation.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return texts.compactMap(Self.parse)
    }

    /// `object` without the fields these rules ignore: what a sync applies, so that server-side
    /// apply neither sets nor claims them and whoever else owns them keeps them.
    public func stripped(_ object: Object) -> Object {
        let paths = paths(for: object)
        guard !paths.isEmpty else { return object }
        var content = Value.object(object.content)
        // Deepest and last first, so removing a list item does not shift the indexes of the others.
        for path in paths.sorted(by: { $0.description > $1.description }) { content = Self.removing(path.elements[...], from: content) }
        var out = object
        out.content = content.objectValue ?? object.content
        return out
    }

    /// `/spec/replicas` (JSON pointer, `~1` for `/`) or `.spec.replicas` / `.spec.containers[0].image`.
    static func parse(_ text: String) -> FieldPath? {
        if text.hasPrefix("/") {
            return FieldPath(text.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
                let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                return Int(key).map { .index($0) } ?? .key(key)
            })
        }
        guard text.hasPrefix(".") else { return nil }
        var elements: [PathElement] = []
        for part in text.dropFirst().split(separator: ".") {
            var name = Substring(part)
            var indexes: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]"), let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indexes.insert(index, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { elements.append(.key(String(name))) }
            elements += indexes.map { .index($0) }
        }
        return FieldPath(elements)
    }

    /// `value` without the field at `path` (an index that is out of range, or a missing key, leaves it as is).
    static func removing(_ path: ArraySlice<PathElement>, from value: Value) -> Value {
        guard let first = path.first else { return value }
        switch (first, value) {
        case (.key(let key), .object(var object)):
            if path.count == 1 { object[key] = nil } else if let inner = object[key] { object[key] = removing(path.dropFirst(), from: inner) }
            return .object(object)
        case (.index(let index), .array(var items)) where items.indices.contains(index):
            if path.count == 1 { items.remove(at: index) } else { items[index] = removing(path.dropFirst(), from: items[index]) }
            return .array(items)
        default:
            return value
        }
    }
}
