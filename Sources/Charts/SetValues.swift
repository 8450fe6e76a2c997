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

    /// The largest list index `--set` accepts, as in Helm.
    static let maximumIndex = 65536

    static func parsePath(_ text: String) throws(ParseError) -> [Step] {
        var steps: [Step] = []
        for part in splitUnescaped(text, on: ".") {
            var name = part
            var indexes: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                guard let n = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]), n >= 0 else {
                    throw ParseError(description: "invalid index in \"\(text)\"")
                }
                // Helm's limit (strvals.MaxIndex): a typo must not allocate a list of billions.
                guard n <= maximumIndex else {
                    throw ParseError(description: "index of \(n) is greater than maximum supported index \(maximumIndex)")
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
