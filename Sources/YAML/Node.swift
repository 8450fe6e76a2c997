/// A position in a YAML source: 1-based line and column (in characters), 0-based byte offset.
public struct Mark: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
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
    /// The explicit tag as libyaml reports it (`tag:yaml.org,2002:str`, `!custom`), nil when none was written.
    public var tag: String?
    public var start: Mark
    public var end: Mark

    public init(_ content: Content, tag: String? = nil, start: Mark, end: Mark) {
        self.content = content
        self.tag = tag
        self.start = start
        self.end = end
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
