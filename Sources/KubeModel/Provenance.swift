import Basics

/// Where an object came from: the release that produced it and the file a person edits.
public struct Provenance: Sendable, Hashable {
    /// The release name in `environment.yaml`.
    public var release: String
    /// Repository-relative path of the source file.
    public var file: String
    /// 0-based index of the YAML document within the file.
    public var documentIndex: Int
    /// 1-based line and column where the object starts.
    public var line: Int
    public var column: Int
    /// Where each field was written, when the object's file is the one a person edits (plain
    /// manifests); empty otherwise.
    public var fields = FieldPositions()

    public init(release: String, file: String, documentIndex: Int, line: Int, column: Int = 1) {
        self.release = release
        self.file = file
        self.documentIndex = documentIndex
        self.line = line
        self.column = column
    }

    public var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    /// Where a field was written: its own line when known, else the object's start.
    public func location(of path: FieldPath) -> SourceLocation {
        guard let position = fields.nearest(path) else { return location }
        return SourceLocation(file: position.file ?? file, line: position.line, column: position.column)
    }

    /// Where the key of a field was written (its template line in a chart, even when the value
    /// comes from a values file): where an unknown field name is fixed.
    public func location(ofKey path: FieldPath) -> SourceLocation {
        guard let position = fields.key(path) else { return location }
        return SourceLocation(file: position.file ?? file, line: position.line, column: position.column)
    }

    /// Field positions are bookkeeping: two provenances are equal when they name the same place.
    public static func == (a: Provenance, b: Provenance) -> Bool {
        a.release == b.release && a.file == b.file && a.documentIndex == b.documentIndex && a.line == b.line && a.column == b.column
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(release)
        hasher.combine(file)
        hasher.combine(documentIndex)
        hasher.combine(line)
        hasher.combine(column)
    }
}
