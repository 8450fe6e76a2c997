import Basics

/// A path to a value inside a document: `image.tag`, `containers[0].image`, `labels."app.kubernetes.io/name"`,
/// `images[name=app].newTag` (the first list item whose `name` is `app`).
public struct ValuePath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
        /// The first item of a list of mappings whose `key` is the scalar `value`.
        case match(key: String, value: String)
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
                guard let close = chars[i...].firstIndex(of: "]") else { return nil }
                let inner = String(chars[(i + 1)..<close])
                if let equals = inner.firstIndex(of: "=") {
                    let key = String(inner[..<equals]), value = String(inner[inner.index(after: equals)...])
                    guard !key.isEmpty, !value.isEmpty else { return nil }
                    components.append(.match(key: key, value: value))
                } else {
                    guard let n = Int(inner), n >= 0 else { return nil }
                    components.append(.index(n))
                }
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
            case .match(let key, let value): text += "[\(key)=\(value)]"
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
            case let (.match(key, wanted), .array(items)):
                guard let item = items.first(where: { item in item[key].map { Self.text($0) == wanted } ?? false }) else { return nil }
                current = item
            default: return nil
            }
        }
        return current
    }

    /// `root` with the value at this path set to `value`, creating missing mapping keys (as an
    /// edit inserts them); nil when the path cannot be followed.
    public func setting(_ value: Value, in root: Value) -> Value? {
        func set(_ current: Value, _ rest: ArraySlice<Component>) -> Value? {
            guard let component = rest.first else { return value }
            switch (component, current) {
            case let (.key(key), .object(object)):
                var copy = object
                guard let child = set(object[key] ?? .null, rest.dropFirst()) else { return nil }
                copy[key] = child
                return .object(copy)
            case let (.key(key), .null):
                guard let child = set(.null, rest.dropFirst()) else { return nil }
                return .object([key: child])
            case let (.index(n), .array(items)) where n < items.count:
                var copy = items
                guard let child = set(items[n], rest.dropFirst()) else { return nil }
                copy[n] = child
                return .array(copy)
            case let (.match(key, wanted), .array(items)):
                guard let n = items.firstIndex(where: { item in item[key].map { Self.text($0) == wanted } ?? false }),
                      let child = set(items[n], rest.dropFirst()) else { return nil }
                var copy = items
                copy[n] = child
                return .array(copy)
            default:
                return nil
            }
        }
        return set(root, components[...])
    }

    /// A scalar's text, as a `[key=value]` match compares it.
    static func text(_ value: Value) -> String? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
}
