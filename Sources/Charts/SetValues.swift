import Basics

/// Helm's `--set` / `--set-string` syntax (strvals): `a.b=c,d[0]=e`, `\,` and `\.` escapes,
/// values typed as Helm types them (`true`/`false`, `null`, integers as int64) unless strings are forced.
public enum SetValues {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func apply(_ expression: String, to base: Value, forceString: Bool) throws(ParseError) -> Value {
        var result = base
        for assignment in splitAssignments(expression) where !assignment.isEmpty {
            guard let equals = firstUnescaped(assignment, "=") else {
                throw ParseError(description: "key \"\(unescape(assignment))\" has no value")
            }
            let keyText = String(assignment[..<equals])
            let valueText = unescape(String(assignment[assignment.index(after: equals)...]))
            let path = try parsePath(keyText)
            let rawValue = String(assignment[assignment.index(after: equals)...])
            let value: Value
            if rawValue.hasPrefix("{") && rawValue.hasSuffix("}") {
                // name={a,b,c} sets a list.
                let items = splitUnescaped(String(rawValue.dropFirst().dropLast()), on: ",").map(unescape)
                value = .array(items.filter { !$0.isEmpty }.map { forceString ? .string($0) : typed($0) })
            } else {
                value = forceString ? .string(valueText) : typed(valueText)
            }
            result = set(result, path: path[...], value: value)
        }
        return result
    }

    static func typed(_ text: String) -> Value {
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default:
            if let i = Int64(text), !(text.hasPrefix("0") && text.count > 1), !text.hasPrefix("+") { return .int(i) }
            return .string(text)
        }
    }

    enum Step { case key(String), index(Int) }

    static func parsePath(_ text: String) throws(ParseError) -> [Step] {
        var steps: [Step] = []
        for part in splitUnescaped(text, on: ".") {
            var name = part
            var indexes: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                guard let n = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]), n >= 0 else {
                    throw ParseError(description: "invalid index in \"\(text)\"")
                }
                indexes.insert(n, at: 0)
                name = String(name[..<open])
            }
            if !name.isEmpty { steps.append(.key(unescape(name))) }
            steps += indexes.map(Step.index)
        }
        guard !steps.isEmpty else { throw ParseError(description: "empty key in \"\(text)\"") }
        return steps
    }

    static func set(_ base: Value, path: ArraySlice<Step>, value: Value) -> Value {
        guard let step = path.first else { return value }
        switch step {
        case .key(let key):
            var object = base.objectValue ?? ValueObject()
            object[key] = set(object[key] ?? .null, path: path.dropFirst(), value: value)
            return .object(object)
        case .index(let n):
            var items = base.arrayValue ?? []
            while items.count <= n { items.append(.null) }
            items[n] = set(items[n], path: path.dropFirst(), value: value)
            return .array(items)
        }
    }

    /// Splits `a=1,b={x,y},c=2` at the commas between assignments (not inside `{...}` lists).
    static func splitAssignments(_ s: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        var depth = 0
        for c in s {
            if escaped { current.append("\\"); current.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "{" { depth += 1 } else if c == "}" { depth = max(0, depth - 1) }
            if c == "," && depth == 0 { parts.append(current); current = ""; continue }
            current.append(c)
        }
        if escaped { current.append("\\") }
        parts.append(current)
        return parts
    }

    static func splitUnescaped(_ s: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for c in s {
            if escaped { current.append("\\"); current.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == separator { parts.append(current); current = ""; continue }
            current.append(c)
        }
        if escaped { current.append("\\") }
        parts.append(current)
        return parts
    }

    static func firstUnescaped(_ s: String, _ character: Character) -> String.Index? {
        var escaped = false
        for index in s.indices {
            if escaped { escaped = false; continue }
            if s[index] == "\\" { escaped = true; continue }
            if s[index] == character { return index }
        }
        return nil
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }
}

/// `helm template`'s output: manifests split into documents, sorted by kind in install order
/// (stable), hooks after them, each as `---\n# Source: NAME\nDOCUMENT\n`.
public enum HelmTemplateOutput {
    /// What to print besides the rendered manifests, as `helm template`'s flags choose.
    public struct Options: Sendable {
        /// `--include-crds`: the chart's `crds/` files first.
        public var crds: [(name: String, content: String)] = []
        /// `--show-only`: template paths or globs relative to the chart (`templates/service.yaml`).
        public var showOnly: [String] = []
        /// `--skip-tests`: leave out test hooks.
        public var skipTests = false
        public init() {}
    }

    /// Throws, as Helm does, when a rendered document is not valid YAML.
    public static func format(_ rendered: [RenderedTemplate], options: Options = Options()) throws(DiagnosticError) -> String {
        typealias Entry = (name: String, kind: String, content: String)
        var manifests: [Entry] = []
        var hooks: [Entry] = []
        let knownHooks: Set<String> = ["pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade",
                                       "post-upgrade", "pre-rollback", "post-rollback", "test", "test-success"]
        var documents: [(template: RenderedTemplate, text: String)] = []
        for template in rendered.sorted(by: { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }) {
            let base = template.name.split(separator: "/").last.map(String.init) ?? ""
            if base.hasPrefix("_") || template.name.hasSuffix("NOTES.txt") { continue }
            if Self.isBlank(template.content) { continue }
            for document in split(template.content) { documents.append((template, document)) }
        }
        // Kind and hook annotation read from the parser's events (no tree for a large CRD), the
        // documents spread over the machine's cores; a document that does not parse is parsed
        // again for the error, in YAMLParser's words.
        let texts = documents.map(\.text)
        let heads = LargeStackThreads.map(texts.count) { DocumentHead.scan(Array(texts[$0].utf8)) }
        for ((template, document), head) in zip(documents, heads) {
            guard let head else {
                var detail = "the rendered document is not valid YAML"
                do { _ = try YAML.value(document, file: template.name, options: ParseOptions(allowDuplicateKeys: true)) } catch {
                    detail = error.diagnostics.first.map { "line \($0.location?.line ?? 0): \($0.message)" } ?? "\(error)"
                }
                throw DiagnosticError(code: "chart.invalidYAML", at: SourceLocation(file: template.sourcePath, line: 1, column: 1),
                                      "YAML parse error on \(template.name): \(detail)")
            }
            let kind = head.kind ?? ""
            guard let hookText = head.hook else {
                manifests.append((template.name, kind, document))
                continue
            }
            let types = hookText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard types.allSatisfy({ knownHooks.contains($0) }) else { continue }
            if options.skipTests && types.contains(where: { $0 == "test" || $0 == "test-success" }) { continue }
            hooks.append((template.name, kind, document))
        }
        func sorted(_ list: [Entry]) -> [Entry] {
            list.enumerated().sorted { a, b in
                let ra = InstallOrder.rank(of: a.element.kind), rb = InstallOrder.rank(of: b.element.kind)
                switch (ra, rb) {
                case let (x?, y?) where x != y: return x < y
                case (.some, nil): return true
                case (nil, .some): return false
                case (nil, nil) where a.element.kind != b.element.kind: return a.element.kind < b.element.kind
                default: return a.offset < b.offset
                }
            }.map(\.element)
        }
        // The release manifest: CRDs (with --include-crds), then the sorted manifests; helm template
        // prints it trimmed, then the hooks.
        var manifest = ""
        for crd in options.crds { manifest += "---\n# Source: \(crd.name)\n\(crd.content)\n" }
        for entry in sorted(manifests) { manifest += "---\n# Source: \(entry.name)\n\(entry.content)\n" }
        var out = Self.trimmed(manifest) + "\n"
        for entry in sorted(hooks) { out += "---\n# Source: \(entry.name)\n\(entry.content)\n" }
        guard !options.showOnly.isEmpty else { return out }
        // --show-only: split the whole output again, keep documents whose source path (without the
        // chart name) matches, in the order of the patterns.
        let pieces = split(out)
        var picked = ""
        for pattern in options.showOnly {
            var found = false
            for piece in pieces {
                guard let sourceLine = piece.split(separator: "\n").first(where: { $0.hasPrefix("# Source: ") }),
                      let slash = sourceLine.dropFirst("# Source: ".count).firstIndex(of: "/") else { continue }
                let path = String(sourceLine[sourceLine.index(after: slash)...])
                if Glob.match(pattern, path) {
                    picked += "---\n\(piece)\n"
                    found = true
                }
            }
            // As Helm: a pattern that matches no rendered template is an error, not empty output.
            if !found {
                throw DiagnosticError(code: "chart.showOnly", at: nil, "could not find template \(pattern) in chart")
            }
        }
        return picked
    }

    /// Go's unicode.IsSpace.
    static func isGoSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// Whether `text` is only whitespace (Go's strings.TrimSpace would leave nothing), checked on
    /// its scalars: Foundation's trimming walks UTF-16 and cost most of a large chart's output.
    static func isBlank(_ text: String) -> Bool { text.unicodeScalars.allSatisfy(isGoSpace) }

    /// Go's strings.TrimSpace, touching only the ends of `text`.
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isGoSpace($0) }), let last = scalars.lastIndex(where: { !isGoSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }

    /// Helm v4's SplitManifests as its output shows it: split at `---` starting a line (with the
    /// whitespace after it), trimming only the whitespace that leads each document; what precedes a
    /// separator, blank lines included, stays with the document before it.
    public static func split(_ text: String) -> [String] { documents(text).map(\.text) }

    /// `split`, with each document's UTF-8 byte offset in `text`.
    public static func documents(_ text: String) -> [(text: String, offset: Int)] {
        let bytes = Array(text.utf8)
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C || b == 0x0B }
        var begin = 0
        while begin < bytes.count, isSpace(bytes[begin]) { begin += 1 }
        var pieces: [(start: Int, end: Int)] = []
        var start = begin, index = begin
        while index + 3 <= bytes.count {
            let atLineStart = index == begin || bytes[index - 1] == 0x0A
            if atLineStart, bytes[index] == 0x2D, bytes[index + 1] == 0x2D, bytes[index + 2] == 0x2D {
                pieces.append((start, index))
                var end = index + 3
                // The separator takes the spaces, tabs and line breaks after it.
                while end < bytes.count, bytes[end] == 0x20 || bytes[end] == 0x09 || bytes[end] == 0x0A
                        || bytes[end] == 0x0D || bytes[end] == 0x0C { end += 1 }
                start = end
                index = end
                continue
            }
            index += 1
        }
        pieces.append((start, bytes.count))
        return pieces.compactMap { piece -> (text: String, offset: Int)? in
            guard piece.end > piece.start else { return nil }
            var first = piece.start
            while first < piece.end, isSpace(bytes[first]) { first += 1 }
            return (String(decoding: bytes[first..<piece.end], as: UTF8.self), first)
        }
    }

    static func field(_ name: String, in document: String) -> String? {
        for line in document.split(separator: "\n") where line.hasPrefix(name + ":") {
            return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        return nil
    }
}

import Basics
import Foundation
import KubeModel
import YAML
