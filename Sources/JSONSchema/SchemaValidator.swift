import Basics
import Foundation

enum GoStyleQuote {
    /// `s` as a JSON string literal.
    static func quote(_ s: String) -> String {
        var out = ""
        JSONWriter.quote(s, into: &out)
        return out
    }
}

/// One way a value breaks its schema.
public struct SchemaViolation: Hashable, Sendable, CustomStringConvertible {
    public var path: FieldPath
    public var message: String

    public init(path: FieldPath, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.elements.isEmpty ? message : "\(path): \(message)" }
}

/// Checks values against compiled schemas. `strict` rejects fields a schema with properties does
/// not declare (unless it preserves unknown fields), as kubeconform's `-strict` does.
public struct SchemaValidator: Sendable {
    public var strict: Bool
    /// Whether `format` is checked (JSON Schema leaves it optional; Python's jsonschema skips it by default).
    public var formats = true

    public init(strict: Bool = false, formats: Bool = true) {
        self.strict = strict
        self.formats = formats
    }
    /// Deepest nesting followed (a value nested deeper is reported, not recursed into).
    static let maxDepth = 200

    /// Every way `value` breaks `node`.
    public func violations(_ value: Value, _ node: SchemaNode) throws(SchemaError) -> [SchemaViolation] {
        var path: [PathElement] = []
        var out: [SchemaViolation] = []
        try check(value, node, &path, &out)
        return out
    }

    func isValid(_ value: Value, _ node: SchemaNode, _ path: inout [PathElement]) throws(SchemaError) -> Bool {
        var out: [SchemaViolation] = []
        try check(value, node, &path, &out)
        return out.isEmpty
    }

    func check(_ value: Value, _ node: SchemaNode, _ path: inout [PathElement], _ out: inout [SchemaViolation]) throws(SchemaError) {
        func report(_ message: String) { out.append(SchemaViolation(path: FieldPath(path), message: message)) }
        if path.count > Self.maxDepth {
            report("nested more than \(Self.maxDepth) levels deep")
            return
        }
        if let always = node.alwaysValid {
            if !always { report("no value is allowed here") }
            return
        }
        if let target = try node.target() { try check(value, target, &path, &out) }
        if case .null = value, node.nullable { return }

        // Type.
        if node.intOrString {
            switch value {
            case .string, .int: break
            case .float(let d) where d == d.rounded(): break
            default:
                report("expected integer or string, but got \(JSONType.of(value).rawValue)")
                return
            }
        } else if let types = node.types, !types.isEmpty, !types.contains(where: { $0.matches(value) }) {
            // Kubernetes' published schemas allow null almost everywhere; naming it only adds noise.
            let named = types.count > 1 ? types.filter { $0 != .null } : types
            let expected = named.map(\.rawValue).joined(separator: " or ")
            report("expected \(expected), but got \(JSONType.of(value).rawValue)")
            return
        }
        if let options = node.enumValues, !options.contains(where: { JSONEquality.equal($0, value) }) {
            let shown = options.prefix(12).map(Self.show).joined(separator: ", ")
            report("must be one of \(shown)\(options.count > 12 ? ", …" : ""), not \(Self.show(value))")
        }
        if let constant = node.constValue, !JSONEquality.equal(constant, value) {
            report("must be \(Self.show(constant)), not \(Self.show(value))")
        }

        switch value {
        case .string(let s):
            try checkString(s, node, report)
        case .int, .float:
            checkNumber(value, node, report)
        case .object(let object):
            try checkObject(object, node, &path, &out)
        case .array(let items):
            try checkArray(items, node, &path, &out)
        default:
            break
        }

        for sub in node.allOf { try check(value, sub, &path, &out) }
        if !node.anyOf.isEmpty {
            var matched = false
            for sub in node.anyOf where try isValid(value, sub, &path) { matched = true; break }
            if !matched { try reportBranches(value, node.anyOf, "any", &path, &out) }
        }
        if !node.oneOf.isEmpty {
            var matches = 0
            for sub in node.oneOf where try isValid(value, sub, &path) { matches += 1 }
            if matches == 0 {
                try reportBranches(value, node.oneOf, "exactly one", &path, &out)
            } else if matches > 1 {
                report("matches \(matches) of the schemas where exactly one is allowed (oneOf)")
            }
        }
        if let not = node.not, try isValid(value, not, &path) {
            report("must not match the schema given in 'not'")
        }
    }

    /// When no branch matches: the types the branches allow when they differ only in type, else
    /// the problems of the branch that got furthest.
    private func reportBranches(_ value: Value, _ branches: [SchemaNode], _ quantifier: String,
                                _ path: inout [PathElement], _ out: inout [SchemaViolation]) throws(SchemaError) {
        var best: [SchemaViolation]?
        for branch in branches {
            var problems: [SchemaViolation] = []
            try check(value, branch, &path, &problems)
            if best == nil || problems.count < best!.count || (problems.count == best!.count
                && (problems.first?.path.elements.count ?? 0) > (best!.first?.path.elements.count ?? 0)) {
                best = problems
            }
        }
        let typeOnly = branches.allSatisfy { $0.types != nil && $0.reference == nil }
        if typeOnly {
            var names: [String] = []
            for branch in branches { for type in branch.types ?? [] where type != .null && !names.contains(type.rawValue) { names.append(type.rawValue) } }
            out.append(SchemaViolation(path: FieldPath(path), message: "expected \(names.joined(separator: " or ")), but got \(JSONType.of(value).rawValue)"))
        } else if let best, !best.isEmpty {
            out += best
        } else {
            out.append(SchemaViolation(path: FieldPath(path), message: "must match \(quantifier) of the allowed schemas"))
        }
    }

    private func checkString(_ s: String, _ node: SchemaNode, _ report: (String) -> Void) throws(SchemaError) {
        if node.minLength != nil || node.maxLength != nil {
            let length = s.unicodeScalars.count
            if let min = node.minLength, length < min { report("must be at least \(min) characters long, not \(length)") }
            if let max = node.maxLength, length > max { report("must be at most \(max) characters long, not \(length)") }
        }
        if let pattern = node.pattern {
            let range = NSRange(s.startIndex..., in: s)
            if pattern.regex.firstMatch(in: s, range: range) == nil {
                report("\(Self.show(.string(s))) does not match the pattern '\(pattern.text)'")
            }
        }
        if formats, let format = node.format, let problem = SchemaFormats.check(.string(s), format: format) { report(problem) }
    }

    private func checkNumber(_ value: Value, _ node: SchemaNode, _ report: (String) -> Void) {
        let d: Double
        switch value {
        case .int(let i): d = Double(i)
        case .float(let f): d = f
        default: return
        }
        let shown = Self.show(value)
        if let min = node.minimum, d < min { report("must be at least \(Self.number(min)), not \(shown)") }
        if let max = node.maximum, d > max { report("must be at most \(Self.number(max)), not \(shown)") }
        if let min = node.exclusiveMinimum, d <= min { report("must be greater than \(Self.number(min)), not \(shown)") }
        if let max = node.exclusiveMaximum, d >= max { report("must be less than \(Self.number(max)), not \(shown)") }
        if formats, let format = node.format, let problem = SchemaFormats.check(value, format: format) { report(problem) }
    }

    private func checkObject(_ object: ValueObject, _ node: SchemaNode, _ path: inout [PathElement],
                             _ out: inout [SchemaViolation]) throws(SchemaError) {
        let here = FieldPath(path)
        func report(_ message: String) { out.append(SchemaViolation(path: here, message: message)) }
        for name in node.required where object[name] == nil { report("missing required field '\(name)'") }
        if let min = node.minProperties, object.count < min { report("must have at least \(min) fields, not \(object.count)") }
        if let max = node.maxProperties, object.count > max { report("must have at most \(max) fields, not \(object.count)") }
        if node.embeddedResource {
            for name in ["apiVersion", "kind"] where (object[name]?.stringValue ?? "").isEmpty {
                report("an embedded resource needs '\(name)'")
            }
        }
        let rejectUnknown: Bool
        switch node.additionalProperties {
        case .allowed(false): rejectUnknown = true
        case .unspecified: rejectUnknown = strict && !node.preserveUnknownFields && !node.properties.isEmpty
        default: rejectUnknown = false
        }
        for (key, item) in object {
            path.append(.key(key))
            defer { path.removeLast() }
            var known = false
            if let property = node.properties[key] {
                known = true
                try check(item, property, &path, &out)
            }
            for (regex, property) in node.patternProperties
            where regex.firstMatch(in: key, range: NSRange(key.startIndex..., in: key)) != nil {
                known = true
                try check(item, property, &path, &out)
            }
            if known { continue }
            if case .schema(let additional) = node.additionalProperties {
                try check(item, additional, &path, &out)
            } else if rejectUnknown {
                var message = "unknown field '\(key)'"
                if let suggestion = Suggestion.closest(to: key, in: Array(node.properties.keys).sorted()) {
                    message += "; did you mean '\(suggestion)'?"
                }
                out.append(SchemaViolation(path: FieldPath(path), message: message))
            }
        }
    }

    private func checkArray(_ items: [Value], _ node: SchemaNode, _ path: inout [PathElement],
                            _ out: inout [SchemaViolation]) throws(SchemaError) {
        let here = FieldPath(path)
        func report(_ message: String) { out.append(SchemaViolation(path: here, message: message)) }
        if let min = node.minItems, items.count < min { report("must have at least \(min) items, not \(items.count)") }
        if let max = node.maxItems, items.count > max { report("must have at most \(max) items, not \(items.count)") }
        for (index, item) in items.enumerated() {
            let schema = index < node.prefixItems.count ? node.prefixItems[index] : node.items
            guard let schema else { continue }
            path.append(.index(index))
            try check(item, schema, &path, &out)
            path.removeLast()
        }
        if node.uniqueItems || node.listType == "set" {
            for (index, item) in items.enumerated() {
                if let first = items[..<index].firstIndex(where: { JSONEquality.equal($0, item) }) {
                    report("items \(first) and \(index) are equal; the items must be unique")
                    break
                }
            }
        }
        if node.listType == "map", !node.listMapKeys.isEmpty {
            var seen: [String: Int] = [:]
            for (index, item) in items.enumerated() {
                guard case .object(let entry) = item else { continue }
                let key = node.listMapKeys.map { "\($0)=\(Self.show(entry[$0] ?? .null))" }.joined(separator: ",")
                if let first = seen[key] {
                    path.append(.index(index))
                    out.append(SchemaViolation(path: FieldPath(path), message: "duplicate entry with \(key) (the same as item \(first))"))
                    path.removeLast()
                } else {
                    seen[key] = index
                }
            }
        }
    }

    static func number(_ d: Double) -> String { GoFloat.format(d) }

    /// A short display of a value for messages.
    public static func show(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return GoFloat.format(d)
        case .string(let s): return GoStyleQuote.quote(s.count > 60 ? String(s.prefix(57)) + "..." : s)
        case .array(let items): return "a list of \(items.count)"
        case .object: return "an object"
        }
    }
}

/// Equality as JSON Schema defines it: numbers by value (1 equals 1.0), objects regardless of order.
enum JSONEquality {
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.int(x), .float(y)), let (.float(y), .int(x)): return Double(x) == y
        case let (.float(x), .float(y)): return x == y
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case let (.object(x), .object(y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default: return false
        }
    }
}
