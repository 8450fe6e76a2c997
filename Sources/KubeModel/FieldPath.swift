import Basics
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
}

/// Where each field of an object was written: line and column in the provenance's file.
public struct FieldPositions: Sendable, Hashable {
    private var positions: [FieldPath: SourcePosition] = [:]

    public init() {}

    public subscript(path: FieldPath) -> SourcePosition? {
        get { positions[path] }
        set { positions[path] = newValue }
    }

    public var isEmpty: Bool { positions.isEmpty }

    /// The position of `path`, or of its closest ancestor that has one.
    public func nearest(_ path: FieldPath) -> SourcePosition? {
        var current: FieldPath? = path
        while let candidate = current {
            if let position = positions[candidate] { return position }
            current = candidate.parent
        }
        return nil
    }
}

/// A 1-based line and column.
public struct SourcePosition: Sendable, Hashable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}
