/// A position in a YAML source: 1-based line and column (in characters), 0-based byte offset.
/// Stored in 32 bits each (inputs are limited to 4 GiB) to keep nodes small.
public struct Mark: Sendable, Hashable, CustomStringConvertible {
    private var storedLine: UInt32
    private var storedColumn: UInt32
    private var storedOffset: UInt32

    public init(line: Int, column: Int, offset: Int) {
        storedLine = UInt32(truncatingIfNeeded: line)
        storedColumn = UInt32(truncatingIfNeeded: column)
        storedOffset = UInt32(truncatingIfNeeded: offset)
    }

    public var line: Int {
        get { Int(storedLine) }
        set { storedLine = UInt32(truncatingIfNeeded: newValue) }
    }

    public var column: Int {
        get { Int(storedColumn) }
        set { storedColumn = UInt32(truncatingIfNeeded: newValue) }
    }

    public var offset: Int {
        get { Int(storedOffset) }
        set { storedOffset = UInt32(truncatingIfNeeded: newValue) }
    }

    public var description: String { "\(line):\(column)" }
}

/// How a scalar was written.
public enum ScalarStyle: UInt8, Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded

    /// Quoted and block scalars are never resolved to non-strings.
    public var isPlain: Bool { self == .plain }
}

/// A parsed YAML node: aliases are already replaced by the node they name and merge keys (`<<`)
/// already applied. Marks (`start`, `end`) are not part of equality.
public struct Node: Sendable, CustomStringConvertible {
    public enum Content: Sendable, Equatable {
        case scalar(String, ScalarStyle)
        case sequence([Node])
        case mapping([Pair])
    }

    public struct Pair: Sendable, Equatable {
        public var key: Node
        public var value: Node

        public init(key: Node, value: Node) {
            self.key = key
            self.value = value
        }
    }

    public var content: Content
    /// Tags are rare; one reference keeps untagged nodes small.
    private var tagBox: TagBox?
    public var start: Mark
    public var end: Mark

    public init(_ content: Content, tag: String? = nil, start: Mark, end: Mark) {
        self.content = content
        self.tagBox = tag.map(TagBox.init)
        self.start = start
        self.end = end
    }

    /// The explicit tag as libyaml reports it (`tag:yaml.org,2002:str`, `!custom`), nil when none was written.
    public var tag: String? {
        get { tagBox?.value }
        set { tagBox = newValue.map(TagBox.init) }
    }

    /// The scalar's text, nil for collections.
    public var scalar: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    /// The mapping's pairs, nil for other nodes.
    public var pairs: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The sequence's items, nil for other nodes.
    public var items: [Node]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The value of the mapping entry whose key is the scalar `key`.
    public subscript(key: String) -> Node? {
        pairs?.last { $0.key.scalar == key }?.value
    }

    /// A plain, untagged null (`~`, `null`, empty): what an empty document or an empty value parses to.
    public var isNull: Bool {
        guard tag == nil, case .scalar(let text, .plain) = content else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    public var kindName: String {
        switch content {
        case .scalar: return "scalar"
        case .sequence: return "list"
        case .mapping: return "mapping"
        }
    }

    public var description: String { "\(kindName) at \(start)" }
}

extension Node: Equatable {
    public static func == (lhs: Node, rhs: Node) -> Bool {
        lhs.tag == rhs.tag && lhs.content == rhs.content
    }
}

private final class TagBox: Sendable {
    let value: String
    init(_ value: String) { self.value = value }
}
