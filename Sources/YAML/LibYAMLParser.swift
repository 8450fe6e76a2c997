import CYAML

/// The kinds of libyaml events the composer handles.
enum EventKind {
    case streamStart, streamEnd, documentStart, documentEnd
    case scalar, alias, sequenceStart, sequenceEnd, mappingStart, mappingEnd
}

/// A libyaml problem, with 0-based character positions as libyaml gives them.
struct LibYAMLProblem: Error {
    var problem: String
    var problemLine: Int
    var problemColumn: Int
    var problemIndex: Int
    var context: String?
}

/// Owns a libyaml parser, a copy of its input and the current event; frees each exactly once.
/// `advance()` moves to the next event; the accessors read the current one.
final class LibYAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let event: UnsafeMutablePointer<yaml_event_t>
    private var hasEvent = false

    init(bytes: [UInt8]) {
        parser = .allocate(capacity: 1)
        event = .allocate(capacity: 1)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        yaml_parser_initialize(parser)
        // With a byte-order mark, libyaml's own detection reads and skips it (as kubectl does);
        // set explicitly, the mark would be read as a character.
        if !bytes.starts(with: [0xEF, 0xBB, 0xBF]) { yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING) }
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        if hasEvent { yaml_event_delete(event) }
        yaml_parser_delete(parser)
        parser.deallocate()
        event.deallocate()
        input.deallocate()
    }

    /// Parses the next event and returns its kind.
    @inline(__always)
    func advance() throws(LibYAMLProblem) -> EventKind {
        if hasEvent {
            yaml_event_delete(event)
            hasEvent = false
        }
        guard yaml_parser_parse(parser, event) == 1 else { throw currentProblem() }
        hasEvent = true
        switch event.pointee.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT: return .alias
        case YAML_SCALAR_EVENT: return .scalar
        case YAML_SEQUENCE_START_EVENT: return .sequenceStart
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT: return .mappingStart
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: return .streamEnd
        }
    }

    /// Start mark of the current event: 0-based line, column and character index.
    var start: (line: Int, column: Int, index: Int) {
        let m = event.pointee.start_mark
        return (Int(m.line), Int(m.column), Int(m.index))
    }

    var end: (line: Int, column: Int, index: Int) {
        let m = event.pointee.end_mark
        return (Int(m.line), Int(m.column), Int(m.index))
    }

    /// The current scalar's text and style.
    var scalar: (String, ScalarStyle) {
        let s = event.pointee.data.scalar
        let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
        switch s.style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return (value, .singleQuoted)
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return (value, .doubleQuoted)
        case YAML_LITERAL_SCALAR_STYLE: return (value, .literal)
        case YAML_FOLDED_SCALAR_STYLE: return (value, .folded)
        default: return (value, .plain)
        }
    }

    /// The current event's explicit tag (scalars and collection starts).
    var tag: String? {
        switch event.pointee.type {
        case YAML_SCALAR_EVENT: return Self.string(event.pointee.data.scalar.tag)
        case YAML_SEQUENCE_START_EVENT: return Self.string(event.pointee.data.sequence_start.tag)
        case YAML_MAPPING_START_EVENT: return Self.string(event.pointee.data.mapping_start.tag)
        default: return nil
        }
    }

    /// The current event's anchor, or for an alias event the anchor it names.
    var anchor: String? {
        switch event.pointee.type {
        case YAML_SCALAR_EVENT: return Self.string(event.pointee.data.scalar.anchor)
        case YAML_SEQUENCE_START_EVENT: return Self.string(event.pointee.data.sequence_start.anchor)
        case YAML_MAPPING_START_EVENT: return Self.string(event.pointee.data.mapping_start.anchor)
        case YAML_ALIAS_EVENT: return Self.string(event.pointee.data.alias.anchor)
        default: return nil
        }
    }

    private func currentProblem() -> LibYAMLProblem {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown libyaml error"
        let context = p.context.map { String(cString: $0) }
        return LibYAMLProblem(problem: problem, problemLine: Int(p.problem_mark.line),
                              problemColumn: Int(p.problem_mark.column), problemIndex: Int(p.problem_mark.index),
                              context: context)
    }

    @inline(__always)
    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }
}
