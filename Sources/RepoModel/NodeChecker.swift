import Basics
import YAML

/// Reads a YAML node tree against an expected shape, recording every problem it finds
/// (unknown fields, wrong types, missing fields) with its file, line and column.
final class NodeChecker {
    let source: SourceText
    private(set) var diagnostics = DiagnosticCollector()

    init(source: SourceText) { self.source = source }

    var file: String { source.path }

    func location(_ node: Node) -> SourceLocation { node.location(file) }

    func error(_ code: String, _ node: Node, _ message: String) {
        diagnostics.append(source.diagnostic(code, at: location(node), message))
    }

    func append(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics { self.diagnostics.append(diagnostic) }
    }

    /// The fields of a mapping, keyed by name. Reports fields not in `allowed` (with a suggestion)
    /// and `required` ones that are missing; nil when `node` is not a mapping.
    func fields(_ node: Node, of what: String, allowed: [String], required: [String] = []) -> [String: Node]? {
        guard let pairs = node.pairs else {
            if node.isNull && !required.isEmpty {
                error("model.missing", node, "\(what) is empty; it needs \(required.map { "'\($0)'" }.joined(separator: ", "))")
            } else if !node.isNull {
                error("model.type", node, "\(what) must be a mapping, not a \(node.kindName)")
            }
            return node.isNull ? [:] : nil
        }
        var result: [String: Node] = [:]
        for pair in pairs {
            guard let key = pair.key.scalar else {
                error("model.type", pair.key, "keys of \(what) must be strings")
                continue
            }
            if allowed.contains(key) {
                result[key] = pair.value
            } else {
                var message = "unknown field '\(key)' in \(what)"
                if let suggestion = Self.closest(to: key, in: allowed) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; allowed fields are \(allowed.map { "'\($0)'" }.joined(separator: ", "))"
                }
                error("model.unknownField", pair.key, message)
            }
        }
        for key in required where result[key] == nil {
            error("model.missing", node, "\(what) is missing the required field '\(key)'")
        }
        return result
    }

    /// A non-empty string scalar.
    func string(_ node: Node?, _ what: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let text, let style) = node.content, !(style == .plain && node.isNull) else {
            error("model.type", node, "\(what) must be a string, not a \(node.isNull ? "null" : node.kindName)")
            return nil
        }
        guard !text.isEmpty else {
            error("model.type", node, "\(what) must not be empty")
            return nil
        }
        return text
    }

    /// A boolean scalar (YAML 1.1 forms accepted, as Kubernetes does).
    func bool(_ node: Node?, _ what: String) -> Bool? {
        guard let node else { return nil }
        if case .scalar(let text, let style) = node.content,
           case .bool(let value)? = Resolver.resolve(text, style: style, tag: node.tag, schema: .kubernetes) {
            return value
        }
        error("model.type", node, "\(what) must be true or false")
        return nil
    }

    /// A list of non-empty strings.
    func strings(_ node: Node?, _ what: String) -> [(String, Node)]? {
        guard let node else { return nil }
        if node.isNull { return [] }
        guard let items = node.items else {
            error("model.type", node, "\(what) must be a list, not a \(node.kindName)")
            return nil
        }
        return items.compactMap { item in string(item, "each entry of \(what)").map { ($0, item) } }
    }

    /// A DNS-1123 label (lowercase letters, digits and '-', at most `maxLength`), as names and namespaces must be.
    func dnsLabel(_ node: Node?, _ what: String, maxLength: Int = 63) -> String? {
        guard let node, let text = string(node, what) else { return nil }
        let valid = text.count <= maxLength && text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
            && text.first != "-" && text.last != "-"
        if !valid {
            error("model.name", node,
                  "\(what) '\(text)' must be lowercase letters, digits and '-', start and end with a letter or digit, at most \(maxLength) characters")
            return nil
        }
        return text
    }

    static func closest(to word: String, in allowed: [String]) -> String? { Suggestion.closest(to: word, in: allowed) }
}
