import Basics
import Foundation

/// Where each field of an object was written: line and column in the provenance's file.
public struct FieldPositions: Sendable, Hashable {
    private var positions: [FieldPath: SourcePosition] = [:]
    /// Where a field's key was written, where that differs from `positions` (a chart template
    /// writes the key, a values file the value).
    private var keys: [FieldPath: SourcePosition] = [:]

    public init() {}

    /// Records where the key of `path` was written, when not at its field's position.
    public mutating func setKey(_ path: FieldPath, _ position: SourcePosition?) {
        if let position, position != positions[path] { keys[path] = position } else { keys[path] = nil }
    }

    /// Where the key of `path` was written (a misspelt field name is fixed there), else `nearest`.
    public func key(_ path: FieldPath) -> SourcePosition? { keys[path] ?? nearest(path) }

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

/// A 1-based line and column, in the provenance's file unless `file` names another (a chart
/// helper that wrote the field).
public struct SourcePosition: Sendable, Hashable {
    public var line: Int
    public var column: Int
    public var file: String?

    public init(line: Int, column: Int, file: String? = nil) {
        self.line = line
        self.column = column
        self.file = file
    }
}
