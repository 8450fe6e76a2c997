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

    public init(release: String, file: String, documentIndex: Int, line: Int, column: Int = 1) {
        self.release = release
        self.file = file
        self.documentIndex = documentIndex
        self.line = line
        self.column = column
    }

    public var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }
}
