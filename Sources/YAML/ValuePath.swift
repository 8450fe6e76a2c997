import Basics

/// A path to a value inside a document: `image.tag`, `containers[0].image`, `labels."app.kubernetes.io/name"`.
public struct ValuePath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component]) { self.components = components }

    /// Parses dotted notation; keys containing dots are written in double quotes.
    /// Returns nil for malformed paths (empty components, unclosed brackets or quotes).
    public init?(parsing text: String) {
        var components: [Component] = []
        var chars = Array(text)
        var i = 0
        var expectKey = true
        while i < chars.count {
            if chars[i] == "[" {
                guard let close = chars[i...].firstIndex(of: "]"), let n = Int(String(chars[(i + 1)..<close])), n >= 0
                else { return nil }
                components.append(.index(n))
                i = close + 1
                expectKey = false
            } else if chars[i] == "." {
                if expectKey { return nil }
                expectKey = true
                i += 1
            } else {
                guard expectKey else { return nil }
                var key = ""
                if chars[i] == "\"" {
                    guard let close = chars[(i + 1)...].firstIndex(of: "\"") else { return nil }
                    key = String(chars[(i + 1)..<close])
                    i = close + 1
                } else {
                    while i < chars.count, chars[i] != ".", chars[i] != "[" {
                        key.append(chars[i])
                        i += 1
                    }
                }
                guard !key.isEmpty else { return nil }
                components.append(.key(key))
                expectKey = false
            }
        }
        if expectKey && !components.isEmpty { return nil }
        guard !components.isEmpty else { return nil }
        chars = []
        self.components = components
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key.contains(".") || key.contains("[") ? "\"\(key)\"" : key
            case .index(let n): text += "[\(n)]"
            }
        }
        return text
    }

    /// The value at this path inside `value`, nil when absent.
    public func lookup(in value: Value) -> Value? {
        var current = value
        for component in components {
            switch (component, current) {
            case let (.key(key), .object(object)):
                guard let next = object[key] else { return nil }
                current = next
            case let (.index(n), .array(items)):
                guard n < items.count else { return nil }
                current = items[n]
            default: return nil
            }
        }
        return current
    }
}
