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
    public var problem: SchemaProblem

    public init(path: FieldPath, problem: SchemaProblem) {
        self.path = path
        self.problem = problem
    }

    public var message: String { problem.message }

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
        var walk = Walk()
        try check(value, node, &path, &out, &walk)
        return out
    }

    /// Most schema checks one value may take: a schema whose branches share sub-schemas can need
    /// exponentially many, and a validation that never ends is worse than one that gives up.
    static let maximumSteps = 1_000_000

    /// What one validation has walked: the schemas applied to the current value without descending
    /// into it (a `$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if` chain), to refuse a loop among
    /// them, and the number of steps taken.
    struct Walk {
        var inPlace: [ObjectIdentifier] = []
        var steps = 0

        /// Runs `body` for a value one level down, where the in-place chain starts afresh.
        mutating func descending<T>(_ body: (inout Walk) throws(SchemaError) -> T) throws(SchemaError) -> T {
            let saved = inPlace
            inPlace = []
            defer { inPlace = saved }
            return try body(&self)
        }
    }

    func isValid(_ value: Value, _ node: SchemaNode, _ path: inout [PathElement], _ walk: inout Walk) throws(SchemaError) -> Bool {
        var out: [SchemaViolation] = []
        try check(value, node, &path, &out, &walk)
        return out.isEmpty
    }

    func check(_ value: Value, _ node: SchemaNode, _ path: inout [PathElement], _ out: inout [SchemaViolation],
               _ walk: inout Walk) throws(SchemaError) {
        func report(_ problem: SchemaProblem) { out.append(SchemaViolation(path: FieldPath(path), problem: problem)) }
        let id = ObjectIdentifier(node)
        if walk.inPlace.contains(id) {
            throw SchemaError("the schema refers to itself without end at \(path.isEmpty ? "the top" : FieldPath(path).description)"
                              + " (a $ref, allOf, anyOf, oneOf or not that leads back to itself); break the loop")
        }
        walk.steps += 1
        if walk.steps > Self.maximumSteps {
            throw SchemaError("the schema needs more than \(Self.maximumSteps) checks for one value; simplify its $refs and combinators")
        }
        walk.inPlace.append(id)
        defer { walk.inPlace.removeLast() }
        if path.count > Self.maxDepth {
            report(.tooDeep(Self.maxDepth))
            return
        }
        if let always = node.alwaysValid {
            if !always { report(.notAllowed) }
            return
        }
        if let target = try node.target() { try check(value, target, &path, &out, &walk) }
        if case .null = value, node.nullable { return }

        // Type.
        if node.intOrString {
            switch value {
            case .string, .int: break
            case .float(let d) where d == d.rounded(): break
            default:
                report(.type(expected: ["integer", "string"], actual: value))
                return
            }
        } else if let types = node.types, !types.isEmpty, !types.contains(where: { $0.matches(value) }) {
            // Kubernetes' published schemas allow null almost everywhere; naming it only adds noise.
            let named = types.count > 1 ? types.filter { $0 != .null } : types
            report(.type(expected: named.map(\.rawValue), actual: value))
            return
        }
        if let options = node.enumValues, !options.contains(where: { JSONEquality.equal($0, value) }) {
            report(.enumeration(allowed: options, actual: value))
        }
        if let constant = node.constValue, !JSONEquality.equal(constant, value) {
            report(.constant(expected: constant, actual: value))
        }

        switch value {
        case .string(let s):
            try checkString(s, node, report)
        case .int, .float:
            checkNumber(value, node, report)
        case .object(let object):
            try walk.descending { walk throws(SchemaError) in try checkObject(object, node, &path, &out, &walk) }
        case .array(let items):
            try walk.descending { walk throws(SchemaError) in try checkArray(items, node, &path, &out, &walk) }
        default:
            break
        }

        for sub in node.allOf { try check(value, sub, &path, &out, &walk) }
        if !node.anyOf.isEmpty {
            var matched = false
            for sub in node.anyOf where try isValid(value, sub, &path, &walk) { matched = true; break }
            if !matched { try reportBranches(value, node.anyOf, "any", &path, &out, &walk) }
        }
        if !node.oneOf.isEmpty {
            var matches = 0
            for sub in node.oneOf where try isValid(value, sub, &path, &walk) { matches += 1 }
            if matches == 0 {
                try reportBranches(value, node.oneOf, "exactly one", &path, &out, &walk)
            } else if matches > 1 {
                report(.severalBranchesMatched(matches))
            }
        }
        if let not = node.not, try isValid(value, not, &path, &walk) {
            report(.notFailed)
        }
    }

    /// When no branch matches: the types the branches allow when they differ only in type, else
    /// the problems of the branch that got furthest.
    private func reportBranches(_ value: Value, _ branches: [SchemaNode], _ quantifier: String,
                                _ path: inout [PathElement], _ out: inout [SchemaViolation], _ walk: inout Walk) throws(SchemaError) {
        var best: [SchemaViolation]?
        for branch in branches {
            var problems: [SchemaViolation] = []
            try check(value, branch, &path, &problems, &walk)
            if best == nil || problems.count < best!.count || (problems.count == best!.count
                && (problems.first?.path.elements.count ?? 0) > (best!.first?.path.elements.count ?? 0)) {
                best = problems
            }
        }
        let typeOnly = branches.allSatisfy { $0.types != nil && $0.reference == nil }
        if typeOnly {
            var names: [String] = []
            for branch in branches { for type in branch.types ?? [] where type != .null && !names.contains(type.rawValue) { names.append(type.rawValue) } }
            out.append(SchemaViolation(path: FieldPath(path), problem: .type(expected: names, actual: value)))
        } else if let best, !best.isEmpty {
            out += best
        } else {
            out.append(SchemaViolation(path: FieldPath(path), problem: .noBranchMatched(quantifier)))
        }
    }

    private func checkString(_ s: String, _ node: SchemaNode, _ report: (SchemaProblem) -> Void) throws(SchemaError) {
        if node.minLength != nil || node.maxLength != nil {
            let length = s.unicodeScalars.count
            if let min = node.minLength, length < min { report(.minLength(min, actual: length)) }
            if let max = node.maxLength, length > max { report(.maxLength(max, actual: length)) }
        }
        if let pattern = node.pattern {
            let range = NSRange(s.startIndex..., in: s)
            if pattern.regex.firstMatch(in: s, range: range) == nil {
                report(.pattern(pattern.text, actual: s))
            }
        }
        if formats, let format = node.format, let detail = SchemaFormats.check(.string(s), format: format) {
            report(.format(format, detail: detail, actual: .string(s)))
        }
    }

    private func checkNumber(_ value: Value, _ node: SchemaNode, _ report: (SchemaProblem) -> Void) {
        let d: Double
        switch value {
        case .int(let i): d = Double(i)
        case .float(let f): d = f
        default: return
        }
        if let min = node.minimum, d < min { report(.minimum(min, actual: value)) }
        if let max = node.maximum, d > max { report(.maximum(max, actual: value)) }
        if let min = node.exclusiveMinimum, d <= min { report(.exclusiveMinimum(min, actual: value)) }
        if let max = node.exclusiveMaximum, d >= max { report(.exclusiveMaximum(max, actual: value)) }
        if formats, let format = node.format, let detail = SchemaFormats.check(value, format: format) {
            report(.format(format, detail: detail, actual: value))
        }
    }

    private func checkObject(_ object: ValueObject, _ node: SchemaNode, _ path: inout [PathElement],
                             _ out: inout [SchemaViolation], _ walk: inout Walk) throws(SchemaError) {
        let here = FieldPath(path)
        func report(_ problem: SchemaProblem) { out.append(SchemaViolation(path: here, problem: problem)) }
        for name in node.required where object[name] == nil { report(.required(name)) }
        if let min = node.minProperties, object.count < min { report(.minProperties(min, actual: object.count)) }
        if let max = node.maxProperties, object.count > max { report(.maxProperties(max, actual: object.count)) }
        if node.embeddedResource {
            for name in ["apiVersion", "kind"] where (object[name]?.stringValue ?? "").isEmpty {
                report(.embeddedResource(missing: name))
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
                try check(item, property, &path, &out, &walk)
            }
            for (regex, property) in node.patternProperties
            where regex.firstMatch(in: key, range: NSRange(key.startIndex..., in: key)) != nil {
                known = true
                try check(item, property, &path, &out, &walk)
            }
            if known { continue }
            if case .schema(let additional) = node.additionalProperties {
                try check(item, additional, &path, &out, &walk)
            } else if rejectUnknown {
                let suggestion = Suggestion.closest(to: key, in: Array(node.properties.keys).sorted())
                out.append(SchemaViolation(path: FieldPath(path), problem: .unknownField(key, suggestion: suggestion)))
            }
        }
    }

    private func checkArray(_ items: [Value], _ node: SchemaNode, _ path: inout [PathElement],
                            _ out: inout [SchemaViolation], _ walk: inout Walk) throws(SchemaError) {
        let here = FieldPath(path)
        func report(_ problem: SchemaProblem) { out.append(SchemaViolation(path: here, problem: problem)) }
        if let min = node.minItems, items.count < min { report(.minItems(min, actual: items.count)) }
        if let max = node.maxItems, items.count > max { report(.maxItems(max, actual: items.count)) }
        for (index, item) in items.enumerated() {
            let schema = index < node.prefixItems.count ? node.prefixItems[index] : node.items
            guard let schema else { continue }
            path.append(.index(index))
            try check(item, schema, &path, &out, &walk)
            path.removeLast()
        }
        if node.uniqueItems || node.listType == "set" {
            for (index, item) in items.enumerated() {
                if let first = items[..<index].firstIndex(where: { JSONEquality.equal($0, item) }) {
                    report(.duplicateItems(first, index))
                    break
                }
            }
        }
        if node.listType == "map", !node.listMapKeys.isEmpty {
            var seen: [String: Int] = [:]
            for (index, item) in items.enumerated() {
                guard case .object(let entry) = item else { continue }
                let key = node.listMapKeys.map { "\($0)=\(SchemaProblem.show(entry[$0] ?? .null))" }.joined(separator: ",")
                if let first = seen[key] {
                    path.append(.index(index))
                    out.append(SchemaViolation(path: FieldPath(path), problem: .duplicateMapEntry(key: key, first: first)))
                    path.removeLast()
                } else {
                    seen[key] = index
                }
            }
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
