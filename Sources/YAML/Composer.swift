import Basics

/// Parses YAML streams into `Node` trees.
public enum YAMLParser {
    /// Parses every document of a stream. Aliases are resolved, merge keys applied, duplicate keys
    /// rejected (unless `options` allow them). Errors name `file`, line and column.
    public static func parse(_ bytes: [UInt8], file: String,
                             options: ParseOptions = .kubernetes) throws(DiagnosticError) -> [Node] {
        guard bytes.count < Int(UInt32.max) else {
            throw DiagnosticError(code: "yaml.tooLarge", at: SourceLocation(file: file, line: 1, column: 1),
                                  "the file is \(bytes.count) bytes; YAML inputs are limited to 4 GiB")
        }
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
        /// Where this collection's children begin on the shared `children` stack.
        var childStart: Int
    }

    private let file: String
    private let bytes: [UInt8]
    private let options: ParseOptions
    private var mapper: OffsetMapper
    /// Anchored nodes, with their size (aliases counted expanded) once an alias needed it.
    private var anchors: [String: (node: Node, size: Int?)] = [:]
    private var expanded = 0
    private var stack: [Frame] = []
    private let children = NodeStack()
    /// Reused between mappings: the keys seen so far in the mapping being closed.
    private var keyScratch: [(hash: UInt64, key: String, start: Mark)] = []
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
            let kind: EventKind
            do {
                kind = try parser.advance()
            } catch {
                var message = error.problem
                if let context = error.context { message += " (\(context))" }
                message = Self.explained(message, at: error.problemIndex, in: bytes, mapper: &mapper)
                let offset = mapper.offset(ofCharacter: error.problemIndex)
                throw diagnostic("yaml.syntax", Mark(line: error.problemLine + 1, column: error.problemColumn + 1,
                                                     offset: offset), message)
            }
            switch kind {
            case .scalar:
                let (value, style) = parser.scalar
                add(Node(.scalar(value, style), tag: parser.tag, start: mark(parser.start), end: mark(parser.end)),
                    anchor: parser.anchor)
            case .mappingEnd:
                let frame = stack.removeLast()
                let content = Node.Content.mapping(try closeMapping(from: frame.childStart))
                add(Node(content, tag: frame.tag, start: frame.start, end: mark(parser.end)), anchor: frame.anchor)
            case .sequenceEnd:
                let frame = stack.removeLast()
                let content = Node.Content.sequence(children.popItems(from: frame.childStart))
                add(Node(content, tag: frame.tag, start: frame.start, end: mark(parser.end)), anchor: frame.anchor)
            case .mappingStart:
                try open(isMapping: true, tag: parser.tag, anchor: parser.anchor, at: mark(parser.start))
            case .sequenceStart:
                try open(isMapping: false, tag: parser.tag, anchor: parser.anchor, at: mark(parser.start))
            case .alias:
                let name = parser.anchor ?? ""
                guard let target = anchors[name] else {
                    throw diagnostic("yaml.alias", mark(parser.start), "unknown anchor '\(name)' referenced by alias")
                }
                let size = target.size ?? Self.count(target.node, limit: options.maxAliasExpansion + 1)
                anchors[name]?.size = size
                expanded += size
                if expanded > options.maxAliasExpansion {
                    throw diagnostic("yaml.alias", mark(parser.start),
                                     "aliases expand to more than \(options.maxAliasExpansion) nodes; refusing to expand further")
                }
                var node = target.node
                node.start = mark(parser.start)
                node.end = mark(parser.end)
                add(node, anchor: nil)
            case .documentEnd:
                if let root { documents.append(root) }
                root = nil
                anchors = [:]
                expanded = 0
            case .streamStart, .documentStart: continue
            case .streamEnd: return documents
            }
        }
    }

    private mutating func open(isMapping: Bool, tag: String?, anchor: String?, at start: Mark) throws(DiagnosticError) {
        if stack.count >= options.maxDepth {
            throw diagnostic("yaml.depth", start, "nesting deeper than \(options.maxDepth) levels")
        }
        stack.append(Frame(isMapping: isMapping, tag: tag, anchor: anchor, start: start, childStart: children.count))
    }

    @inline(__always)
    private mutating func mark(_ m: (line: Int, column: Int, index: Int)) -> Mark {
        Mark(line: m.line + 1, column: m.column + 1, offset: mapper.offset(ofCharacter: m.index))
    }

    private mutating func add(_ node: consuming Node, anchor: String?) {
        if let anchor { anchors[anchor] = (copy node, nil) }
        if stack.isEmpty {
            root = node
        } else {
            children.push(node)
        }
    }

    /// The number of nodes in `node`'s tree, counting stopped once past `limit`.
    private static func count(_ node: Node, limit: Int) -> Int {
        var total = 0
        var pending = [node]
        while let next = pending.popLast(), total <= limit {
            total += 1
            switch next.content {
            case .scalar: continue
            case .sequence(let items): pending += items
            case .mapping(let pairs): for pair in pairs { pending.append(pair.key); pending.append(pair.value) }
            }
        }
        return total
    }

    private func isMergeKey(_ node: borrowing Node) -> Bool {
        guard options.mergeKeys, case .scalar(let text, let style) = node.content, text.utf8.count == 2, text == "<<" else {
            return false
        }
        return (style == .plain && node.tag == nil) || node.tag == "tag:yaml.org,2002:merge"
    }

    /// Pops a mapping's pairs, rejecting (or, when allowed, collapsing) duplicate keys and applying merge keys.
    private mutating func closeMapping(from start: Int) throws(DiagnosticError) -> [Node.Pair] {
        var hasMerge = false
        var problems: [Diagnostic] = []
        var seen = keyScratch
        keyScratch = []
        seen.removeAll(keepingCapacity: true)
        let schema = options.schema
        let checkDuplicates = !options.allowDuplicateKeys
        var index: [String: Mark]? = nil
        try children.forEachKey(from: start) { (key: borrowing Node) throws(DiagnosticError) in
            if isMergeKey(key) {
                hasMerge = true
                return
            }
            guard checkDuplicates, let identity = Resolver.keyString(key, schema: schema) else { return }
            if seen.count >= 32 {
                // Large mappings: index the keys instead of scanning them.
                if index == nil { index = Dictionary(seen.map { ($0.key, $0.start) }, uniquingKeysWith: { a, _ in a }) }
                if let first = index![identity] {
                    problems.append(duplicate(identity, at: key.start, first: first))
                } else {
                    index![identity] = key.start
                }
                return
            }
            let hash = Self.fnv1a(identity)
            for earlier in seen where earlier.hash == hash && earlier.key.utf8.elementsEqual(identity.utf8) {
                problems.append(duplicate(identity, at: key.start, first: earlier.start))
                break
            }
            seen.append((hash, identity, key.start))
        }
        keyScratch = seen
        if !problems.isEmpty { throw DiagnosticError(problems) }
        let explicit = children.popPairs(from: start)
        guard hasMerge else { return options.allowDuplicateKeys ? lastWins(explicit) : explicit }
        return try merge(explicit)
    }

    /// Replaces merge keys by the pairs of the mappings they name, where no explicit key overrides them.
    private func merge(_ explicit: [Node.Pair]) throws(DiagnosticError) -> [Node.Pair] {
        var taken = Set(explicit.compactMap { isMergeKey($0.key) ? nil : Resolver.keyString($0.key, schema: options.schema) })
        var result: [Node.Pair] = []
        for pair in explicit {
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

    private static func fnv1a(_ string: String) -> UInt64 {
        var copy = string
        return copy.withUTF8 { bytes in
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            return hash | 1
        }
    }

    /// libyaml's message with what a person needs: a tab named as such, a binary file called one.
    static func explained(_ message: String, at index: Int, in bytes: [UInt8], mapper: inout OffsetMapper) -> String {
        if SourceText(path: "", bytes: bytes).isBinary {
            return "the file is not YAML text (it holds binary data or is not UTF-8); remove it or give it another extension"
        }
        let offset = mapper.offset(ofCharacter: index)
        if offset < bytes.count, bytes[offset] == 0x09 {
            return "a tab character where YAML expects spaces (\(message)); indent with spaces only"
        }
        return message
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
