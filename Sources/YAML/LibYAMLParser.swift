import CYAML

/// One libyaml event, copied out of libyaml's memory.
enum ParseEvent {
    case streamStart, streamEnd
    case documentStart, documentEnd
    case scalar(value: String, style: ScalarStyle, tag: String?, anchor: String?)
    case alias(anchor: String)
    case sequenceStart(tag: String?, anchor: String?)
    case sequenceEnd
    case mappingStart(tag: String?, anchor: String?)
    case mappingEnd
}

/// A libyaml problem, with 0-based character positions as libyaml gives them.
struct LibYAMLProblem: Error {
    var problem: String
    var problemLine: Int
    var problemColumn: Int
    var problemIndex: Int
    var context: String?
}

/// Owns a libyaml parser and a copy of its input; frees both exactly once.
final class LibYAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>

    init(bytes: [UInt8]) {
        parser = .allocate(capacity: 1)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        yaml_parser_initialize(parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    /// Parses the next event; `body` gets the event and its start/end marks as (line, column, index), 0-based.
    @inline(__always)
    func next() throws(LibYAMLProblem) -> (ParseEvent, start: (Int, Int, Int), end: (Int, Int, Int)) {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw currentProblem() }
        defer { yaml_event_delete(&event) }
        let start = (Int(event.start_mark.line), Int(event.start_mark.column), Int(event.start_mark.index))
        let end = (Int(event.end_mark.line), Int(event.end_mark.column), Int(event.end_mark.index))
        let parsed: ParseEvent
        switch event.type {
        case YAML_STREAM_START_EVENT: parsed = .streamStart
        case YAML_STREAM_END_EVENT: parsed = .streamEnd
        case YAML_DOCUMENT_START_EVENT: parsed = .documentStart
        case YAML_DOCUMENT_END_EVENT: parsed = .documentEnd
        case YAML_ALIAS_EVENT:
            parsed = .alias(anchor: Self.string(event.data.alias.anchor))
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let style: ScalarStyle
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            parsed = .scalar(value: value, style: style, tag: Self.optionalString(scalar.tag),
                             anchor: Self.optionalString(scalar.anchor))
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            parsed = .sequenceStart(tag: Self.optionalString(s.tag), anchor: Self.optionalString(s.anchor))
        case YAML_SEQUENCE_END_EVENT: parsed = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            parsed = .mappingStart(tag: Self.optionalString(m.tag), anchor: Self.optionalString(m.anchor))
        case YAML_MAPPING_END_EVENT: parsed = .mappingEnd
        default: parsed = .streamEnd
        }
        return (parsed, start, end)
    }

    private func currentProblem() -> LibYAMLProblem {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown libyaml error"
        let context = p.context.map { String(cString: $0) }
        return LibYAMLProblem(problem: problem, problemLine: Int(p.problem_mark.line),
                              problemColumn: Int(p.problem_mark.column), problemIndex: Int(p.problem_mark.index),
                              context: context)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String {
        guard let pointer else { return "" }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    private static func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }
}
