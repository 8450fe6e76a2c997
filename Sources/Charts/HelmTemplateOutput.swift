import Basics
import Foundation
import KubeModel
import Template
import YAML

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
        /// `--no-hooks`: leave out every hook.
        public var skipHooks = false
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
            if GoStrings.isBlank(template.content) { continue }
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
        var out = GoStrings.trimSpace(manifest) + "\n"
        if !options.skipHooks {
            for entry in sorted(hooks) { out += "---\n# Source: \(entry.name)\n\(entry.content)\n" }
        }
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
}
