import Basics
import Template
import YAML

/// Where the values a failing template action read were set: notes under a render error that point
/// at the values file line to fix (`required`, `fail`, a value of the wrong type), or say that no
/// values file sets the value. Computed only when a render fails.
enum ValuesProvenance {
    /// Notes for the `.Values` paths the failing action names, looked up in `sources` (values files
    /// in merge order: the chart's values.yaml first, later files win). A template of a subchart
    /// (`app/charts/redis/templates/x.yaml`) reads its values under the subchart's key.
    static func notes(for error: TemplateError, sources: [SourceText],
                      override: (values: Value, name: String, location: SourceLocation?)? = nil, limit: Int = 3) -> [Diagnostic] {
        guard !sources.isEmpty || override != nil, let action = error.action else { return [] }
        // The failing action and, through `include` and `tpl`, the actions it called (named in the
        // message, each `at <...>`): the innermost, most specific, first.
        let named = references(in: error.message).reversed() + references(in: action)
        var paths: [[String]] = []
        for path in named where !paths.contains(path) { paths.append(path) }
        let scope = subchartScope(of: error.template)
        let trees = sources.map { source in (source, (try? YAMLParser.parse(source.bytes, file: source.path))?.first) }
        var notes: [Diagnostic] = []
        for path in paths.prefix(limit) {
            let shown = ".Values." + path.joined(separator: ".")
            let full = scope + path
            if let override, full.reduce(Optional(override.values), { $0?[$1] }) != nil {
                notes.append(Diagnostic(code: "chart.valueSource", severity: .note, location: override.location,
                                        message: "\(shown) is set by \(override.name)"))
            } else if let (source, mark) = trees.reversed().lazy.compactMap({ source, node in
                node.flatMap { keyMark(full, in: $0) }.map { (source, $0) }
            }).first {
                notes.append(Diagnostic(code: "chart.valueSource", severity: .note,
                                        location: SourceLocation(file: source.path, line: mark.line, column: mark.column),
                                        message: "\(shown) is set here", sourceLine: keyOnly(source.line(mark.line), column: mark.column)))
            } else if let (source, prefix, mark) = (1..<max(full.count, 1)).reversed().lazy.compactMap({ count in
                trees.reversed().lazy.compactMap { source, node in
                    node.flatMap { notAMap(Array(full.prefix(count)), in: $0) }.map { (source, Array(full.prefix(count)), $0) }
                }.first
            }).first, prefix.count > scope.count {
                // A value on the way is not a map: the template reads a field of a string or list.
                let prefixShown = ".Values." + prefix.dropFirst(scope.count).joined(separator: ".")
                notes.append(Diagnostic(code: "chart.valueSource", severity: .note,
                                        location: SourceLocation(file: source.path, line: mark.line, column: mark.column),
                                        message: "\(prefixShown) is set here, and is not a map, so \(shown) cannot be read",
                                        sourceLine: keyOnly(source.line(mark.line), column: mark.column)))
            } else {
                let places = sources.map(\.path) + (override.map { [$0.name] } ?? [])
                let listed = places.count < 2 ? places.joined() : places.dropLast().joined(separator: ", ") + " or " + places.last!
                notes.append(Diagnostic(code: "chart.valueSource", severity: .note, location: nil,
                                        message: "\(shown) is not set by \(listed); set \(full.joined(separator: ".")) in one of them"))
            }
        }
        return notes
    }

    /// `.Values.a.b` and `$.Values.a.b` paths in an action's text, in order, each once.
    static func references(in action: String) -> [[String]] {
        let bytes = Array(action.utf8)
        let marker = Array(".Values.".utf8)
        var found: [[String]] = []
        var index = 0
        func isIdent(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
        }
        while index + marker.count <= bytes.count {
            guard bytes[index..<(index + marker.count)].elementsEqual(marker),
                  index == 0 || !isIdent(bytes[index - 1]) else {
                index += 1
                continue
            }
            var path: [String] = []
            var cursor = index + marker.count - 1
            while cursor < bytes.count, bytes[cursor] == UInt8(ascii: ".") {
                var end = cursor + 1
                while end < bytes.count, isIdent(bytes[end]) { end += 1 }
                guard end > cursor + 1 else { break }
                path.append(String(decoding: bytes[(cursor + 1)..<end], as: UTF8.self))
                cursor = end
            }
            if !path.isEmpty, !found.contains(path) { found.append(path) }
            index = max(cursor, index + 1)
        }
        return found
    }

    /// The subchart keys a template's values sit under: `app/charts/a/charts/b/templates/x.yaml`
    /// reads the top values under `a.b`.
    static func subchartScope(of template: String) -> [String] {
        let parts = template.split(separator: "/", omittingEmptySubsequences: false)
        var scope: [String] = []
        var index = 1
        while index + 1 < parts.count, parts[index] == "charts" {
            scope.append(String(parts[index + 1]))
            index += 2
        }
        return scope
    }

    /// The line of a values key without the value after it: values files hold passwords and
    /// tokens, and no value is printed in an error unless asked for.
    static func keyOnly(_ line: String?, column: Int) -> String? {
        guard let line else { return nil }
        let scalars = Array(line.unicodeScalars)
        var index = max(column - 1, 0)
        var quote: Unicode.Scalar?
        while index < scalars.count {
            let c = scalars[index]
            if let open = quote {
                if c == open { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == ":", index + 1 == scalars.count || scalars[index + 1] == " " || scalars[index + 1] == "\t" {
                var kept = String(String.UnicodeScalarView(scalars[...index]))
                if scalars[(index + 1)...].contains(where: { $0 != " " && $0 != "\t" }) { kept += " …" }
                return kept
            }
            index += 1
        }
        return line
    }

    /// Where the key of `path` is written in `node`, when its value there is not a mapping.
    static func notAMap(_ path: [String], in node: Node) -> Mark? {
        guard let mark = keyMark(path, in: node) else { return nil }
        var current = node
        for key in path { current = current.pairs!.last(where: { $0.key.scalar == key })!.value }
        return current.pairs == nil && !current.isNull ? mark : nil
    }

    /// Where the key of `path` is written in `node`.
    static func keyMark(_ path: [String], in node: Node) -> Mark? {
        var current = node
        var mark: Mark?
        for key in path {
            guard let pair = current.pairs?.last(where: { $0.key.scalar == key }) else { return nil }
            mark = pair.key.start
            current = pair.value
        }
        return mark
    }
}
