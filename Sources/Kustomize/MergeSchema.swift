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

    /// The schema of an object of `apiVersion` and `kind`, nil for kinds the table does not hold.
    static func forKind(apiVersion: String, kind: String) -> MergeSchema? {
        let key = (apiVersion.contains("/") ? apiVersion : "/" + apiVersion) + "/" + kind
        return Table.shared.kinds[key].map(MergeSchema.object)
    }

    /// The schema of `field` in an object of this schema.
    func field(_ name: String) -> MergeSchema? {
        switch self {
        case .object(let type): return Table.shared[type][name]
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

        static let shared = Table()

        private init() {
            lines = MergeSchema.typeLines.split(separator: "\n")
            var kinds: [String: Int] = [:]
            for line in MergeSchema.kindLines.split(separator: "\n") {
                guard let space = line.firstIndex(of: " "), let index = Int(line[line.index(after: space)...]) else { continue }
                kinds[String(line[..<space])] = index
            }
            self.kinds = kinds
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
}
