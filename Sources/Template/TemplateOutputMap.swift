/// Where the bytes of a template's output came from: for each piece, the template (file) and the
/// position of the literal text or the action that wrote it. Text maps byte for byte; an action's
/// output (an `include`, `toYaml`, ...) maps to the action.
public struct TemplateOutputMap: Sendable {
    struct Entry: Sendable {
        /// Output byte offset where the piece starts.
        var offset: Int
        var tree: Tree
        /// Byte offset in the tree's source of the text or action.
        var pos: Int
        var literal: Bool
        /// For an action that prints a value straight from `.Values` (`{{ .Values.a.b }}`, maybe
        /// through `quote` and the like): the path under `.Values`.
        var valuesPath: [String]? = nil
    }

    /// A place in a template source.
    public struct Origin: Sendable, Hashable {
        /// The template's file name as parsed (`blog/templates/deployment.yaml`).
        public var template: String
        public var line: Int
        /// 1-based.
        public var column: Int
        /// When the output there is a value printed straight from `.Values`: its path.
        public var valuesPath: [String]?
    }

    private var entries: [Entry]

    init(entries: [Entry]) { self.entries = entries }

    public init() { entries = [] }

    /// The template position that produced output byte `offset`.
    public func origin(ofOutputOffset offset: Int) -> Origin? {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].offset <= offset { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let entry = entries[low - 1]
        let pos = entry.literal ? min(entry.pos + (offset - entry.offset), entry.tree.source.count) : entry.pos
        let (line, column) = entry.tree.position(pos)
        return Origin(template: entry.tree.parseName, line: line, column: column + 1, valuesPath: entry.valuesPath)
    }

    /// The map after removing `length` bytes at each of `offsets` (ascending) from the output, as
    /// Helm's removal of `<no value>` does.
    public func removing(length: Int, at offsets: [Int]) -> TemplateOutputMap {
        guard !offsets.isEmpty else { return self }
        var shifted = entries
        var removedBefore = 0, next = 0
        for index in shifted.indices {
            while next < offsets.count, offsets[next] < entries[index].offset {
                removedBefore += length
                next += 1
            }
            shifted[index].offset -= removedBefore
        }
        return TemplateOutputMap(entries: shifted)
    }
}
