import Basics
import Foundation

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
