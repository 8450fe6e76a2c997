import Basics
import Foundation

/// JSON types as JSON Schema names them.
enum JSONType: String, Sendable, CaseIterable {
    case null, boolean, integer, number, string, array, object

    /// Whether `value` has this type (an integral float counts as an integer, as in JSON Schema).
    func matches(_ value: Value) -> Bool {
        switch (self, value) {
        case (.null, .null), (.boolean, .bool), (.string, .string), (.array, .array), (.object, .object): return true
        case (.integer, .int): return true
        case (.integer, .float(let d)): return d.isFinite && d == d.rounded()
        case (.number, .int), (.number, .float): return true
        default: return false
        }
    }

    static func of(_ value: Value) -> JSONType {
        switch value {
        case .null: return .null
        case .bool: return .boolean
        case .int: return .integer
        case .float(let d): return d.isFinite && d == d.rounded() ? .integer : .number
        case .string: return .string
        case .array: return .array
        case .object: return .object
        }
    }
}

/// One compiled schema (a JSON Schema object or boolean), with the keywords Kubernetes schemas
/// use. `$ref`s are resolved on first use through the store, so recursive schemas are fine.
/// Opaque outside this module: get one from a `SchemaCatalog` and check values with `SchemaCheck` or `validate(_:against:strict:)`.
public final class SchemaNode: @unchecked Sendable {
    enum AdditionalProperties {
        /// Not given: allowed, except in strict mode.
        case unspecified
        case allowed(Bool)
        case schema(SchemaNode)
    }

    /// `true`/`false` schemas.
    var alwaysValid: Bool?
    var types: [JSONType]?
    var properties: [String: SchemaNode] = [:]
    var patternProperties: [(NSRegularExpression, SchemaNode)] = []
    var additionalProperties: AdditionalProperties = .unspecified
    var items: SchemaNode?
    var prefixItems: [SchemaNode] = []
    var required: [String] = []
    var enumValues: [Value]?
    var constValue: Value?
    var format: String?
    var pattern: (text: String, regex: NSRegularExpression)?
    var minimum: Double?, maximum: Double?
    var exclusiveMinimum: Double?, exclusiveMaximum: Double?
    var minLength: Int?, maxLength: Int?
    var minItems: Int?, maxItems: Int?
    var minProperties: Int?, maxProperties: Int?
    var uniqueItems = false
    var allOf: [SchemaNode] = []
    var anyOf: [SchemaNode] = []
    var oneOf: [SchemaNode] = []
    var not: SchemaNode?
    /// OpenAPI's `nullable: true`.
    var nullable = false
    // Kubernetes extensions.
    var intOrString = false
    var preserveUnknownFields = false
    var embeddedResource = false
    var listType: String?
    var listMapKeys: [String] = []

    /// An unresolved `$ref` and how to resolve it.
    var reference: String?
    weak var store: SchemaStore?
    var referenceBase: SchemaDocumentID?
    private var resolved: SchemaNode?
    private let lock = NSLock()

    /// The schema a `$ref` points at (nil when it cannot be found).
    func target() throws(SchemaError) -> SchemaNode? {
        guard let reference else { return nil }
        lock.lock()
        if let resolved { lock.unlock(); return resolved }
        lock.unlock()
        guard let store, let referenceBase else { return nil }
        let node = try store.resolve(reference, from: referenceBase)
        lock.lock()
        resolved = node
        lock.unlock()
        return node
    }
}

/// A problem with a schema itself (unreadable file, bad `$ref`, invalid regular expression).
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
