import Basics

/// Format-preserving edits of YAML source text: change one scalar, keep every other byte.
public enum YAMLEdit {
    /// Sets the scalar at `path` in document `document` of `source` to `value`.
    ///
    /// An existing scalar is replaced in place, keeping its quoting style where it can hold the
    /// new value (quotes are added when the new text would read back as something else).
    /// A missing key under a block mapping is inserted as new lines after that mapping's last entry,
    /// at its indentation. Every other byte (comments, blank lines, order, quoting) is kept.
    ///
    /// The result is read back before it is returned: unless it holds the new value at the path
    /// and every other value as it was (in a file without anchors, whose aliases follow their
    /// anchor), the edit is refused rather than written.
    public static func setScalar(in source: String, file: String, path: ValuePath, to value: Value,
                                 document: Int = 0) throws(DiagnosticError) -> String {
        let edited = try edit(source, file: file, path: path, value: value, document: document)
        let before = try YAML.values(Array(source.utf8), file: file)
        let unsafe = DiagnosticError(code: "yaml.edit", at: SourceLocation(file: file, line: 1, column: 1),
                                     "cannot set '\(path)' here without changing how the file reads; edit this file by hand")
        guard let after = try? YAML.values(Array(edited.utf8), file: file), after.count == max(before.count, 1) else { throw unsafe }
        for index in after.indices where index != document {
            guard index < before.count, after[index] == before[index] else { throw unsafe }
        }
        guard path.lookup(in: after[document]) == value else { throw unsafe }
        if !source.contains("&") {
            guard let expected = path.setting(value, in: document < before.count ? before[document] : .null),
                  expected == after[document] else { throw unsafe }
        }
        return edited
    }

    private static func edit(_ source: String, file: String, path: ValuePath, value: Value, document: Int) throws(DiagnosticError) -> String {
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
        var keyNode: Node?
        for (depth, component) in path.components.enumerated() {
            guard let current = node else { break }
            switch (component, current.content) {
            case let (.key(key), .mapping(pairs)):
                // Keys compare as the value model reads them (`n:` is the key "false", as in go-yaml).
                if let pair = pairs.last(where: { Resolver.keyString($0.key, schema: ParseOptions.kubernetes.schema) == key }) {
                    // `? key` without a `:` line has no place for a value to be written.
                    if isExplicitKey(pair.key, in: bytes) {
                        throw DiagnosticError(code: "yaml.edit", at: pair.key.location(file),
                                              "'\(path)' is written as an explicit key (? ...); write it as 'key: value' to edit it")
                    }
                    node = pair.value
                    keyNode = pair.key
                } else {
                    return try insert(into: bytes, file: file, mapping: current,
                                      missing: Array(path.components[depth...]), value: value)
                }
            case let (.index(n), .sequence(items)) where n < items.count:
                node = items[n]
                keyNode = nil
            case let (.match(key, wanted), .sequence(items)):
                guard let item = items.first(where: { $0[key]?.scalar == wanted }) else {
                    throw DiagnosticError(code: "yaml.edit", at: current.location(file),
                                          "cannot follow '\(path)': no item of this list has \(key): \(wanted); add one")
                }
                node = item
            case (.key, .scalar) where current.isNull && depth == 0:
                let lines = newLines(Array(path.components), value: value, indent: 0)
                guard current.start.offset < current.end.offset else {
                    // An empty document followed by anything but comments (`...`, another document):
                    // its keys go where it stands, not at the end.
                    let after = String(decoding: bytes[current.start.offset...], as: UTF8.self).split(separator: "\n")
                    guard after.contains(where: { line in
                        let text = line.trimmingCharacters(in: .whitespaces)
                        return !text.isEmpty && !text.hasPrefix("#")
                    }) else { return appendAtEnd(bytes, lines: lines) }
                    let at = current.start.offset
                    let text = (current.start.column == 1 ? "" : "\n") + lines
                    return String(decoding: Array(bytes[..<at]) + Array(text.utf8) + Array(bytes[at...]), as: UTF8.self)
                }
                // A document that is an explicit null (`~`, `null`) becomes the new mapping.
                guard current.start.column == 1 else {
                    throw DiagnosticError(code: "yaml.edit", at: current.location(file),
                                          "the document is a null written after other text; replace it with a mapping to edit it")
                }
                var rest = current.end.offset
                if rest < bytes.count, bytes[rest] == UInt8(ascii: "\n") { rest += 1 }
                return String(decoding: Array(bytes[..<current.start.offset]) + Array(lines.utf8) + Array(bytes[rest...]), as: UTF8.self)
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
        var start = target.start.offset
        // An anchor stays (its aliases follow the new value, as YAML means); a tag would retype it.
        while start < end, bytes[start] == UInt8(ascii: "&") || bytes[start] == UInt8(ascii: "!") {
            if bytes[start] == UInt8(ascii: "!") {
                throw DiagnosticError(code: "yaml.edit", at: target.location(file),
                                      "'\(path)' has an explicit tag (\(target.tag ?? "!")); remove it or edit the value by hand")
            }
            // libyaml's anchor names: letters, digits, '-' and '_'.
            start += 1
            while start < end, bytes[start] < 0x80, Character(Unicode.Scalar(bytes[start])).isLetter || Character(Unicode.Scalar(bytes[start])).isNumber
                    || bytes[start] == UInt8(ascii: "-") || bytes[start] == UInt8(ascii: "_") { start += 1 }
            if start < end, !spaceOrTab.contains(bytes[start]) { replacement = " " + replacement }
            while start < end, spaceOrTab.contains(bytes[start]) { start += 1 }
        }
        // A value on a later line than its key, no more indented than the key (a block scalar may
        // sit so): the one-line replacement goes on the key's line, after the colon.
        if let key = keyNode, target.start.line > key.start.line, target.start.column <= key.start.column {
            var colon = key.end.offset
            while colon < bytes.count, bytes[colon] != UInt8(ascii: ":") { colon += 1 }
            guard colon < start else {
                throw DiagnosticError(code: "yaml.edit", at: target.location(file), "cannot find the ':' of '\(path)'")
            }
            start = colon + 1
            replacement = " " + replacement
        }
        // An empty scalar (`key:` with nothing after it) starts right at the colon: the value
        // needs a space before it to stay a value.
        if start == end {
            // ...and one with no colon at all (`{key}`, `{key ~}`) has no place for a value.
            let before = blankStart(before: end, in: bytes)
            let dash = before > 1 && bytes[before - 1] == UInt8(ascii: "-")
                && blank.contains(bytes[before - 2])
                || before == 1 && bytes[0] == UInt8(ascii: "-")
            guard before > 0, bytes[before - 1] == UInt8(ascii: ":") || dash else {
                throw DiagnosticError(code: "yaml.edit", at: target.location(file),
                                      "'\(path)' has no value written (a key without ':'); write it as 'key: value' to edit it")
            }
            if !blank.contains(bytes[end - 1]) { replacement = " " + replacement }
        }
        // A quoted scalar may touch a comment (`'a'# note`); a plain one would swallow it.
        if end < bytes.count, bytes[end] == UInt8(ascii: "#") { replacement += " " }
        let result = Array(bytes[..<start]) + Array(replacement.utf8) + Array(bytes[end...])
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

    /// Whether the last scalar under `node` (following last entries down) is a block scalar.
    static func endsInBlockScalar(_ node: Node) -> Bool {
        switch node.content {
        case .scalar(_, let style): return style == .literal || style == .folded
        case .sequence(let items): return items.last.map(endsInBlockScalar) ?? false
        case .mapping(let pairs): return pairs.last.map { endsInBlockScalar($0.value) } ?? false
        }
    }

    static let spaceOrTab: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t")]
    static let blank: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n")]

    /// Where the spaces and tabs right before `offset` begin.
    static func blankStart(before offset: Int, in bytes: [UInt8]) -> Int {
        var before = offset
        while before > 0, spaceOrTab.contains(bytes[before - 1]) { before -= 1 }
        return before
    }

    /// Whether a block mapping's first key begins its line (or follows a block sequence's `- `):
    /// not so for a mapping inside a flow collection (`[a: 1]`).
    static func startsLine(_ key: Node, in bytes: [UInt8]) -> Bool {
        let before = blankStart(before: key.start.offset, in: bytes)
        return before == 0 || bytes[before - 1] == UInt8(ascii: "\n") || bytes[before - 1] == UInt8(ascii: "-")
    }

    /// Whether a collection is written in flow style (`{...}`, `[...]`), after its anchor and tag.
    static func isFlow(_ node: Node, in bytes: [UInt8]) -> Bool {
        var at = node.start.offset
        while at < bytes.count, bytes[at] == UInt8(ascii: "&") || bytes[at] == UInt8(ascii: "!") {
            while at < bytes.count, !blank.contains(bytes[at]) { at += 1 }
            while at < bytes.count, blank.contains(bytes[at]) { at += 1 }
        }
        return at < bytes.count && (bytes[at] == UInt8(ascii: "{") || bytes[at] == UInt8(ascii: "["))
    }

    /// Whether a key is written with the `?` indicator (`? key`), after which a value's place is
    /// not where an edit could put it.
    static func isExplicitKey(_ key: Node, in bytes: [UInt8]) -> Bool {
        let before = blankStart(before: key.start.offset, in: bytes)
        return before > 0 && bytes[before - 1] == UInt8(ascii: "?")
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
        guard let pairs = mapping.pairs, let lastPair = pairs.last, !isFlow(mapping, in: bytes), startsLine(pairs[0].key, in: bytes) else {
            throw DiagnosticError(code: "yaml.edit", at: mapping.location(file),
                                  "cannot insert into a flow or empty mapping here; write the key as a block mapping entry")
        }
        guard !pairs.contains(where: { isExplicitKey($0.key, in: bytes) }) else {
            throw DiagnosticError(code: "yaml.edit", at: mapping.location(file),
                                  "cannot insert into a mapping written with explicit keys (? ...); write its keys as 'key: value'")
        }
        let indent = pairs[0].key.start.column - 1
        // Insert after the line holding the end of the last entry's value.
        var offset = lastPair.value.end.offset
        if lastPair.value.end.column != 1 || offset == lastPair.value.start.offset {
            while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
            if offset < bytes.count { offset += 1 }
        }
        var prefix = Array(bytes[..<offset])
        if let last = prefix.last, last != UInt8(ascii: "\n") {
            // A block scalar running to the end of a file without a final newline would gain one.
            guard !endsInBlockScalar(lastPair.value) else {
                throw DiagnosticError(code: "yaml.edit", at: lastPair.value.location(file),
                                      "the file ends inside a block scalar (| or >) without a final newline; add a newline at the end of the file first")
            }
            prefix.append(UInt8(ascii: "\n"))
        }
        let lines = newLines(missing, value: value, indent: indent)
        return String(decoding: prefix + Array(lines.utf8) + Array(bytes[offset...]), as: UTF8.self)
    }

    private static func appendAtEnd(_ bytes: [UInt8], lines: String) -> String {
        var result = bytes
        if let last = result.last, last != UInt8(ascii: "\n") { result.append(UInt8(ascii: "\n")) }
        return String(decoding: result + Array(lines.utf8), as: UTF8.self)
    }
}
