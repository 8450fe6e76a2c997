import Foundation

/// A step in a path into an object: a field name or a list index.
public enum PathElement: Hashable, Sendable {
    case key(String)
    case index(Int)
}

/// A path into an object, printed as Kubernetes documentation writes it
/// (`spec.template.spec.containers[0].image`).
public struct FieldPath: Hashable, Sendable, CustomStringConvertible {
    public var elements: [PathElement]

    public init(_ elements: [PathElement] = []) { self.elements = elements }

    public var description: String {
        var out = ""
        for element in elements {
            switch element {
            case .key(let key):
                let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }
                if plain {
                    out += (out.isEmpty ? "" : ".") + key
                } else {
                    var quoted = ""
                    JSONWriter.quote(key, into: &quoted)
                    out += "[" + quoted + "]"
                }
            case .index(let index):
                out += "[\(index)]"
            }
        }
        return out
    }

    /// The path one step up (nil at the root).
    public var parent: FieldPath? { elements.isEmpty ? nil : FieldPath(Array(elements.dropLast())) }

    public func appending(_ element: PathElement) -> FieldPath { FieldPath(elements + [element]) }

    /// The path as a JSON pointer (`/spec/containers/0`), as JSON Schema tools print it.
    public var jsonPointer: String {
        elements.map { element -> String in
            switch element {
            case .key(let key): return "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
            case .index(let index): return "/\(index)"
            }
        }.joined()
    }
}
