import Basics

/// Parses YAML streams into `Node` trees.
public enum YAMLParser {
    /// Parses every document of a stream. Aliases are resolved, merge keys applied, duplicate keys
    /// rejected (unless `options` allow them). Errors name `file`, line and column.
    public static func parse(_ bytes: [UInt8], file: String,
                             options: ParseOptions = .kubernetes) throws(DiagnosticError) -> [Node] {
        var composer = Composer(file: file, bytes: bytes, options: options)
        return try composer.run()
    }

    public static func parse(_ text: String, file: String,
                             options: ParseOptions = .kubernetes) throws(DiagnosticError) -> [Node] {
        try parse(Array(text.utf8), file: file, options: options)
    }
}

/// Builds nodes from libyaml's events with an explicit stack (no recursion on input depth).
struct Composer {
    private struct Frame {
        var isMapping: Bool
        var tag: String?
        var anchor: String?
        var start: Mark
        /// Sequence items, or alternating keys and values.
        var children: [Node] = []
        /// Nodes in this subtree, aliases counted expanded.
        var size = 1
    }

    private let file: String
    private let bytes: [UInt8]
    private let options: ParseOptions
    private var mapper: OffsetMapper
    private var anchors: [String: (node: Node, size: Int)] = [:]
    private var expanded = 0
    private var stack: [Frame] = []
    private var root: Node?
    private var documents: [Node] = []

    init(file: String, bytes: [UInt8], options: ParseOptions) {
        self.file = file
        self.bytes = bytes
        self.options = options
        self.mapper = OffsetMapper(bytes: bytes)
    }

    mutating func run() throws(DiagnosticError) -> [Node] {
        let parser = LibYAMLParser(bytes: bytes)
        while true {
            let next: (ParseEvent, start: (Int, Int, Int), end: (Int, Int, Int))
            do {
                next = try parser.next()
            } catch {
                var message = error.problem
                if let context = error.context { message += " (\(context))" }
                let offset = mapper.offset(ofCharacter: error.problemIndex)
                throw diagnostic("yaml.syntax", Mark(line: error.problemLine + 1, column: error.problemColumn + 1,
                                                     offset: offset), message)
            }
            let (event, s, e) = next
            switch event {
            case .streamStart, .documentStart: continue
            case .streamEnd: return documents
            case .documentEnd:
                if let root { documents.append(root) }
                root = nil
                anchors = [:]
                expanded = 0
            case let .scalar(value, style, tag, anchor):
                let node = Node(.scalar(value, style), tag: tag, start: mark(s), end: mark(e))
                try add(node, size: 1, anchor: anchor)
            case .alias(let name):
                guard let target = anchors[name] else {
                    throw diagnostic("yaml.alias", mark(s), "unknown anchor '\(name)' referenced by alias")
                }
                expanded += target.size
                if expanded > options.maxAliasExpansion {
                    throw diagnostic("yaml.alias", mark(s),
                                     "aliases expand to more than \(options.maxAliasExpansion) nodes; refusing to expand further")
                }
                var node = target.node
                node.start = mark(s)
                node.end = mark(e)
                try add(node, size: target.size, anchor: nil)
            case let .sequenceStart(tag, anchor), let .mappingStart(tag, anchor):
                if stack.count >= options.maxDepth {
                    throw diagnostic("yaml.depth", mark(s), "nesting deeper than \(options.maxDepth) levels")
                }
                var isMapping = false
                if case .mappingStart = event { isMapping = true }
                stack.append(Frame(isMapping: isMapping, tag: tag, anchor: anchor, start: mark(s)))
            case .sequenceEnd, .mappingEnd:
                let frame = stack.removeLast()
                let content: Node.Content
                if frame.isMapping {
                    content = .mapping(try pairs(of: frame.children))
                } else {
                    content = .sequence(frame.children)
                }
                try add(Node(content, tag: frame.tag, start: frame.start, end: mark(e)), size: frame.size,
                        anchor: frame.anchor)
            }
        }
    }

    private mutating func mark(_ m: (Int, Int, Int)) -> Mark {
        Mark(line: m.0 + 1, column: m.1 + 1, offset: mapper.offset(ofCharacter: m.2))
    }

    private mutating func add(_ node: Node, size: Int, anchor: String?) throws(DiagnosticError) {
        if let anchor { anchors[anchor] = (node, size) }
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
            stack[stack.count - 1].size += size
        }
    }

    private func isMergeKey(_ node: Node) -> Bool {
        guard options.mergeKeys, case .scalar("<<", let style) = node.content else { return false }
        return (style == .plain && node.tag == nil) || node.tag == "tag:yaml.org,2002:merge"
    }

    /// Pairs up alternating keys and values, applies merge keys and rejects duplicate keys.
    private func pairs(of children: [Node]) throws(DiagnosticError) -> [Node.Pair] {
        var explicit: [Node.Pair] = []
        explicit.reserveCapacity(children.count / 2)
        var hasMerge = false
        var index = 0
        while index + 1 < children.count {
            let pair = Node.Pair(key: children[index], value: children[index + 1])
            if isMergeKey(pair.key) { hasMerge = true }
            explicit.append(pair)
            index += 2
        }
        var keys: [String?] = explicit.map { isMergeKey($0.key) ? nil : Resolver.keyString($0.key, schema: options.schema) }
        if !options.allowDuplicateKeys { try checkDuplicates(explicit, keys: keys) }
        guard hasMerge else { return options.allowDuplicateKeys ? lastWins(explicit) : explicit }

        var taken = Set(keys.compactMap { $0 })
        var result: [Node.Pair] = []
        for (position, pair) in explicit.enumerated() {
            guard isMergeKey(pair.key) else {
                result.append(pair)
                continue
            }
            let sources: [Node]
            switch pair.value.content {
            case .mapping: sources = [pair.value]
            case .sequence(let items) where items.allSatisfy({ $0.pairs != nil }): sources = items
            default:
                throw diagnostic("yaml.merge", pair.value.start,
                                 "the value of a merge key (<<) must be a mapping or a list of mappings")
            }
            for source in sources {
                for merged in source.pairs ?? [] {
                    let key = Resolver.keyString(merged.key, schema: options.schema)
                    if let key, !taken.insert(key).inserted { continue }
                    result.append(merged)
                }
            }
            keys[position] = nil
        }
        return options.allowDuplicateKeys ? lastWins(result) : result
    }

    /// Keeps only the last pair of each key, in the position of that last pair.
    private func lastWins(_ pairs: [Node.Pair]) -> [Node.Pair] {
        var seen: Set<String> = []
        var kept: [Node.Pair] = []
        for pair in pairs.reversed() {
            if let key = Resolver.keyString(pair.key, schema: options.schema), !seen.insert(key).inserted { continue }
            kept.append(pair)
        }
        return kept.reversed()
    }

    private func checkDuplicates(_ pairs: [Node.Pair], keys: [String?]) throws(DiagnosticError) {
        var problems: [Diagnostic] = []
        if pairs.count <= 12 {
            for i in 0..<keys.count {
                guard let key = keys[i] else { continue }
                if let first = keys[..<i].firstIndex(where: { $0 == key }) {
                    problems.append(duplicate(key, at: pairs[i].key.start, first: pairs[first].key.start))
                }
            }
        } else {
            var firstSeen: [String: Mark] = [:]
            for (i, key) in keys.enumerated() {
                guard let key else { continue }
                if let first = firstSeen[key] {
                    problems.append(duplicate(key, at: pairs[i].key.start, first: first))
                } else {
                    firstSeen[key] = pairs[i].key.start
                }
            }
        }
        if !problems.isEmpty { throw DiagnosticError(problems) }
    }

    private func duplicate(_ key: String, at mark: Mark, first: Mark) -> Diagnostic {
        diagnostic("yaml.duplicateKey", mark,
                   "duplicate key '\(key)' (first defined at line \(first.line), column \(first.column)); remove one of them")
            .diagnostics[0]
    }

    private func diagnostic(_ code: String, _ mark: Mark, _ message: String) -> DiagnosticError {
        let source = SourceText(path: file, bytes: bytes)
        return DiagnosticError(source.diagnostic(code, at: SourceLocation(file: file, line: mark.line,
                                                                           column: mark.column, offset: mark.offset),
                                                 message))
    }
}
