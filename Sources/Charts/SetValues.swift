import Basics

/// Helm's `--set` / `--set-string` syntax (strvals): `a.b=c,d[0]=e`, `\,` and `\.` escapes,
/// values typed as Helm types them (`true`/`false`, `null`, integers as int64) unless strings are forced.
public enum SetValues {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func apply(_ expression: String, to base: Value, forceString: Bool) throws(ParseError) -> Value {
        var result = base
        for assignment in splitUnescaped(expression, on: ",") where !assignment.isEmpty {
            guard let equals = firstUnescaped(assignment, "=") else {
                throw ParseError(description: "key \"\(unescape(assignment))\" has no value")
            }
            let keyText = String(assignment[..<equals])
            let valueText = unescape(String(assignment[assignment.index(after: equals)...]))
            let path = try parsePath(keyText)
            let value: Value = forceString ? .string(valueText) : typed(valueText)
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
    public static func format(_ rendered: [RenderedTemplate]) -> String {
        var manifests: [(name: String, kind: String, content: String)] = []
        var hooks: [(name: String, kind: String, content: String)] = []
        for template in rendered.sorted(by: { $0.name < $1.name }) {
            let base = template.name.split(separator: "/").last.map(String.init) ?? ""
            if base.hasPrefix("_") || template.name.hasSuffix("NOTES.txt") { continue }
            if template.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            for document in split(template.content) {
                let kind = Self.field("kind", in: document) ?? ""
                if document.contains("helm.sh/hook:") || document.contains("\"helm.sh/hook\":") {
                    hooks.append((template.name, kind, document))
                } else {
                    manifests.append((template.name, kind, document))
                }
            }
        }
        func sorted(_ list: [(name: String, kind: String, content: String)]) -> [(name: String, kind: String, content: String)] {
            list.enumerated().sorted { a, b in
                let ra = InstallOrder.rank(of: a.element.kind) ?? Int.max, rb = InstallOrder.rank(of: b.element.kind) ?? Int.max
                if ra != rb { return ra < rb }
                if ra == Int.max && a.element.kind != b.element.kind { return a.element.kind < b.element.kind }
                return a.offset < b.offset
            }.map(\.element)
        }
        var out = ""
        for manifest in sorted(manifests) + sorted(hooks) {
            out += "---\n# Source: \(manifest.name)\n\(manifest.content)\n"
        }
        return out
    }

    /// Helm's SplitManifests: split on `---` separator lines, trim, drop empty documents.
    public static func split(_ text: String) -> [String] {
        var documents: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("---") && line.dropFirst(3).allSatisfy({ $0 == " " || $0 == "\t" }) {
                documents.append(current.joined(separator: "\n"))
                current = []
            } else {
                current.append(line)
            }
        }
        documents.append(current.joined(separator: "\n"))
        return documents.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    static func field(_ name: String, in document: String) -> String? {
        for line in document.split(separator: "\n") where line.hasPrefix(name + ":") {
            return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        return nil
    }
}

import Foundation
import KubeModel
