import Basics

/// Format-preserving edits of YAML source text: change one scalar, keep every other byte.
public enum YAMLEdit {
    /// Sets the scalar at `path` in document `document` of `source` to `value`.
    ///
    /// An existing scalar is replaced in place, keeping its quoting style where it can hold the
    /// new value (quotes are added when the new text would read back as something else).
    /// A missing key under a block mapping is inserted as new lines after that mapping's last entry,
    /// at its indentation. Every other byte (comments, blank lines, order, quoting) is kept.
    public static func setScalar(in source: String, file: String, path: ValuePath, to value: Value,
                                 document: Int = 0) throws(DiagnosticError) -> String {
        guard YAMLEmitter.inlineValue(value) != nil || value.stringValue != nil else {
            throw DiagnosticError(code: "yaml.edit", at: SourceLocation(file: file, line: 1, column: 1),
                                  "only scalar values can be written by an edit, not a \(value.typeName)")
        }
        let bytes = Array(source.utf8)
        let documents = try YAMLParser.parse(bytes, file: file)
        guard document < max(documents.count, 1) else {
            throw DiagnosticError(code: "yaml.edit", at: SourceLocation(file: file, line: 1, column: 1),
                                  "the file has \(documents.count) documents; there is no document \(document + 1)")
        }
        let root = documents.isEmpty ? nil : documents[document]
        var node = root
        for (depth, component) in path.components.enumerated() {
            guard let current = node else { break }
            switch (component, current.content) {
            case let (.key(key), .mapping(pairs)):
                // Keys compare as the value model reads them (`n:` is the key "false", as in go-yaml).
                if let pair = pairs.last(where: { Resolver.keyString($0.key, schema: ParseOptions.kubernetes.schema) == key }) {
                    node = pair.value
                } else {
                    return try insert(into: bytes, file: file, mapping: current,
                                      missing: Array(path.components[depth...]), value: value)
                }
            case let (.index(n), .sequence(items)) where n < items.count:
                node = items[n]
            case let (.match(key, wanted), .sequence(items)):
                guard let item = items.first(where: { $0[key]?.scalar == wanted }) else {
                    throw DiagnosticError(code: "yaml.edit", at: current.location(file),
                                          "cannot follow '\(path)': no item of this list has \(key): \(wanted); add one")
                }
                node = item
            case (.key, .scalar) where current.isNull && depth == 0:
                return appendAtEnd(bytes, lines: newLines(Array(path.components), value: value, indent: 0))
            default:
                throw DiagnosticError(code: "yaml.edit", at: current.location(file),
                                      "cannot follow '\(path)': found a \(current.kindName) where \(describe(component)) was expected")
            }
        }
        guard let target = node else {
            return appendAtEnd(bytes, lines: newLines(path.components, value: value, indent: 0))
        }
        guard case .scalar(_, let style) = target.content else {
            throw DiagnosticError(code: "yaml.edit", at: target.location(file),
                                  "'\(path)' is a \(target.kindName), not a scalar; only scalars can be replaced")
        }
        var replacement = render(value, like: style)
        var end = target.end.offset
        if style == .literal || style == .folded {
            // A block scalar's range runs to the next line; keep the line break.
            while end > target.start.offset, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: " ") {
                end -= 1
            }
            replacement = render(value, like: .plain)
        }
        // An empty scalar (`key:` with nothing after it) starts right at the colon: the value
        // needs a space before it to stay a value.
        if target.start.offset == end, end > 0, ![UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n")].contains(bytes[end - 1]) {
            replacement = " " + replacement
        }
        let result = Array(bytes[..<target.start.offset]) + Array(replacement.utf8) + Array(bytes[end...])
        return String(decoding: result, as: UTF8.self)
    }

    /// The new scalar's text in the original style where it fits.
    static func render(_ value: Value, like style: ScalarStyle) -> String {
        guard case .string(let string) = value else { return YAMLEmitter.inlineValue(value) ?? "null" }
        switch style {
        case .doubleQuoted: return ScalarFormat.doubleQuoted(string)
        case .singleQuoted:
            if string.unicodeScalars.contains(where: { $0 == "\n" || ScalarFormat.needsEscape($0) }) {
                return ScalarFormat.doubleQuoted(string)
            }
            return "'" + string.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
        default: return YAMLEmitter.inlineScalar(string)
        }
    }

    private static func describe(_ component: ValuePath.Component) -> String {
        switch component {
        case .key(let key): return "a mapping with key '\(key)'"
        case .index(let n): return "a list with an item \(n)"
        case .match(let key, let value): return "a list with an item whose \(key) is \(value)"
        }
    }

    /// Lines `key: value` (nested for several missing keys) at `indent`.
    private static func newLines(_ components: [ValuePath.Component], value: Value, indent: Int) -> String {
        var text = ""
        var level = indent
        for (i, component) in components.enumerated() {
            guard case .key(let key) = component else { continue }
            text += String(repeating: " ", count: level) + YAMLEmitter.inlineScalar(key) + ":"
            if i == components.count - 1 {
                text += " " + render(value, like: .plain) + "\n"
            } else {
                text += "\n"
                level += 2
            }
        }
        return text
    }

    private static func insert(into bytes: [UInt8], file: String, mapping: Node,
                               missing: [ValuePath.Component], value: Value) throws(DiagnosticError) -> String {
        guard missing.allSatisfy({ if case .key = $0 { return true } else { return false } }) else {
            throw DiagnosticError(code: "yaml.edit", at: mapping.location(file),
                                  "cannot create list items by an edit; add the list to the file first")
        }
        guard let pairs = mapping.pairs, let lastPair = pairs.last,
              bytes[mapping.start.offset] != UInt8(ascii: "{") else {
            throw DiagnosticError(code: "yaml.edit", at: mapping.location(file),
                                  "cannot insert into a flow or empty mapping here; write the key as a block mapping entry")
        }
        let indent = pairs[0].key.start.column - 1
        // Insert after the line holding the end of the last entry's value.
        var offset = lastPair.value.end.offset
        if lastPair.value.end.column != 1 || offset == lastPair.value.start.offset {
            while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
            if offset < bytes.count { offset += 1 }
        }
        var prefix = Array(bytes[..<offset])
        if let last = prefix.last, last != UInt8(ascii: "\n") { prefix.append(UInt8(ascii: "\n")) }
        let lines = newLines(missing, value: value, indent: indent)
        return String(decoding: prefix + Array(lines.utf8) + Array(bytes[offset...]), as: UTF8.self)
    }

    private static func appendAtEnd(_ bytes: [UInt8], lines: String) -> String {
        var result = bytes
        if let last = result.last, last != UInt8(ascii: "\n") { result.append(UInt8(ascii: "\n")) }
        return String(decoding: result + Array(lines.utf8), as: UTF8.self)
    }
}
