/// A 1-based position in a source file.
///
/// `line` and `column` are 1-based and count characters; `offset` is the 0-based
/// byte offset into the file's UTF-8 bytes.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// Repository-relative path (or any display name) of the file.
    public var file: String
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(file: String, line: Int, column: Int, offset: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// `file:line:col`
    public var description: String { "\(file):\(line):\(column)" }
}
