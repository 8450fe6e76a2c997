import Basics

/// What is wrong with a value, with the details to word it either way: gitops' own words
/// (`message`) or Helm's (`helmMessage`, as Helm v4 prints values.schema.json failures).
public enum SchemaProblem: Hashable, Sendable {
    case notAllowed
    case type(expected: [String], actual: Value)
    case enumeration(allowed: [Value], actual: Value)
    case constant(expected: Value, actual: Value)
    case minLength(Int, actual: Int)
    case maxLength(Int, actual: Int)
    case pattern(String, actual: String)
    case format(String, detail: String, actual: Value)
    case minimum(Double, actual: Value)
    case maximum(Double, actual: Value)
    case exclusiveMinimum(Double, actual: Value)
    case exclusiveMaximum(Double, actual: Value)
    case required(String)
    case minProperties(Int, actual: Int)
    case maxProperties(Int, actual: Int)
    case unknownField(String, suggestion: String?)
    case minItems(Int, actual: Int)
    case maxItems(Int, actual: Int)
    case duplicateItems(Int, Int)
    case duplicateMapEntry(key: String, first: Int)
    case embeddedResource(missing: String)
    case noBranchMatched(String)
    case severalBranchesMatched(Int)
    case notFailed
    case tooDeep(Int)

    public var message: String {
        switch self {
        case .notAllowed: return "no value is allowed here"
        case .type(let expected, let actual): return "expected \(expected.joined(separator: " or ")), but got \(Self.typeName(actual))"
        case .enumeration(let allowed, let actual):
            let shown = allowed.prefix(12).map(Self.show).joined(separator: ", ")
            return "must be one of \(shown)\(allowed.count > 12 ? ", …" : ""), not \(Self.show(actual))"
        case .constant(let expected, let actual): return "must be \(Self.show(expected)), not \(Self.show(actual))"
        case .minLength(let limit, let actual): return "must be at least \(limit) characters long, not \(actual)"
        case .maxLength(let limit, let actual): return "must be at most \(limit) characters long, not \(actual)"
        case .pattern(let pattern, let actual): return "\(Self.show(.string(actual))) does not match the pattern '\(pattern)'"
        case .format(_, let detail, _): return detail
        case .minimum(let limit, let actual): return "must be at least \(GoFloat.format(limit)), not \(Self.show(actual))"
        case .maximum(let limit, let actual): return "must be at most \(GoFloat.format(limit)), not \(Self.show(actual))"
        case .exclusiveMinimum(let limit, let actual): return "must be greater than \(GoFloat.format(limit)), not \(Self.show(actual))"
        case .exclusiveMaximum(let limit, let actual): return "must be less than \(GoFloat.format(limit)), not \(Self.show(actual))"
        case .required(let field): return "missing required field '\(field)'"
        case .minProperties(let limit, let actual): return "must have at least \(limit) fields, not \(actual)"
        case .maxProperties(let limit, let actual): return "must have at most \(limit) fields, not \(actual)"
        case .unknownField(let name, let suggestion):
            return "unknown field '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .minItems(let limit, let actual): return "must have at least \(limit) items, not \(actual)"
        case .maxItems(let limit, let actual): return "must have at most \(limit) items, not \(actual)"
        case .duplicateItems(let first, let second): return "items \(first) and \(second) are equal; the items must be unique"
        case .duplicateMapEntry(let key, let first): return "duplicate entry with \(key) (the same as item \(first))"
        case .embeddedResource(let missing): return "an embedded resource needs '\(missing)'"
        case .noBranchMatched(let quantifier): return "must match \(quantifier) of the allowed schemas"
        case .severalBranchesMatched(let count): return "matches \(count) of the schemas where exactly one is allowed (oneOf)"
        case .notFailed: return "must not match the schema given in 'not'"
        case .tooDeep(let limit): return "nested more than \(limit) levels deep"
        }
    }

    /// Helm v4's wording (its JSON-schema library's), for `values.schema.json` failures.
    public var helmMessage: String {
        func number(_ value: Value) -> String { Self.show(value) }
        switch self {
        case .notAllowed: return "false schema"
        case .type(let expected, let actual):
            // Helm's values are float64: every number is a "number" there.
            let got: String
            switch actual {
            case .int, .float: got = "number"
            default: got = Self.typeName(actual)
            }
            return "got \(got), want \(expected.joined(separator: " or "))"
        case .enumeration(let allowed, _): return "value must be one of " + allowed.map(Self.helmShow).joined(separator: ", ")
        case .constant(let expected, _): return "value must be \(Self.helmShow(expected))"
        case .minLength(let limit, let actual): return "minLength: got \(actual), want \(limit)"
        case .maxLength(let limit, let actual): return "maxLength: got \(actual), want \(limit)"
        case .pattern(let pattern, let actual): return "'\(actual)' does not match pattern '\(pattern)'"
        case .format(let format, _, let actual): return "\(Self.helmShow(actual)) is not valid \(format)"
        case .minimum(let limit, let actual): return "minimum: got \(number(actual)), want \(GoFloat.format(limit))"
        case .maximum(let limit, let actual): return "maximum: got \(number(actual)), want \(GoFloat.format(limit))"
        case .exclusiveMinimum(let limit, let actual): return "exclusiveMinimum: got \(number(actual)), want \(GoFloat.format(limit))"
        case .exclusiveMaximum(let limit, let actual): return "exclusiveMaximum: got \(number(actual)), want \(GoFloat.format(limit))"
        case .required(let field): return "missing property '\(field)'"
        case .minProperties(let limit, let actual): return "minProperties: got \(actual), want \(limit)"
        case .maxProperties(let limit, let actual): return "maxProperties: got \(actual), want \(limit)"
        case .unknownField(let name, _): return "additional properties '\(name)' not allowed"
        case .minItems(let limit, let actual): return "minItems: got \(actual), want \(limit)"
        case .maxItems(let limit, let actual): return "maxItems: got \(actual), want \(limit)"
        case .duplicateItems(let first, let second): return "items at \(first) and \(second) are equal"
        case .noBranchMatched(let quantifier): return quantifier == "any" ? "'anyOf' failed" : "'oneOf' failed, none matched"
        case .severalBranchesMatched: return "'oneOf' failed, more than one matched"
        case .notFailed: return "'not' failed"
        default: return message
        }
    }

    static func typeName(_ value: Value) -> String { JSONType.of(value).rawValue }

    /// A short display of a value for messages: scalars as JSON (long strings shortened), lists
    /// and objects by size.
    public static func show(_ value: Value) -> String {
        switch value {
        case .string(let s) where s.count > 60: return JSONWriter.compact(.string(String(s.prefix(57)) + "..."))
        case .array(let items): return "a list of \(items.count)"
        case .object: return "an object"
        default: return JSONWriter.compact(value)
        }
    }

    static func helmShow(_ value: Value) -> String {
        if case .string(let s) = value { return "'\(s)'" }
        return show(value)
    }
}
