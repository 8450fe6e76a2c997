import Basics
import Foundation
import Synchronization

/// A value during template execution, keeping the distinctions Go's text/template makes.
public enum TemplateValue: Sendable {
    /// No value at all (Go's invalid `reflect.Value`): a missing map key, an empty pipeline.
    /// Printed as `<no value>`.
    case missing
    /// Go's `nil` (a nil `interface{}`).
    case null
    case bool(Bool)
    /// Go `int`.
    case int(Int64)
    /// Go `float64`.
    case float(Double)
    /// Go `complex128` (boxed: rare, and two doubles would double every value's size).
    indirect case complex(Double, Double)
    case string(String)
    /// Go `[]interface{}`.
    case list([TemplateValue])
    /// Go `map[string]interface{}`; iterated and printed in sorted key order, as Go does.
    case map(TemplateMap)
    /// Bytes (Go `[]byte`), as some functions return.
    case bytes([UInt8])
    /// A host object with fields and methods (`.Files.Get`, `.Capabilities.APIVersions.Has`);
    /// boxed, so a value stays small and copies with a single retain.
    indirect case object(any TemplateObject)

    /// Converts a data value (numbers: integral ones become `int`, others `float64`, as Go's JSON
    /// decoding into `interface{}` with integer detection does).
    public init(_ value: Value, integersAsInt: Bool = true) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = integersAsInt ? .int(i) : .float(Double(i))
        case .float(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map { TemplateValue($0, integersAsInt: integersAsInt) })
        case .object(let object):
            let map = TemplateMap()
            for (key, item) in object { map[key] = TemplateValue(item, integersAsInt: integersAsInt) }
            self = .map(map)
        }
    }

    /// Go's name of the value's type, as `%T` prints it.
    public var typeName: String {
        switch self {
        case .missing, .null: return "<nil>"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float64"
        case .complex: return "complex128"
        case .string: return "string"
        case .list: return "[]interface {}"
        case .map: return "map[string]interface {}"
        case .bytes: return "[]uint8"
        case .object(let object): return object.typeName
        }
    }

    /// Truth as Go's text/template defines it: false, 0, nil, and empty strings, lists and maps are false.
    public var isTrue: Bool {
        switch self {
        case .missing, .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .complex(let r, let i): return r != 0 || i != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .map(let m): return !m.isEmpty
        case .bytes(let b): return !b.isEmpty
        // A Go slice or map behind the object (Helm's Files, VersionSet) is true when not empty.
        case .object:
            if case .object = collectionView { return true }
            return collectionView.isTrue
        }
    }

    /// An object that is a Go slice or map (Helm's VersionSet, Files) as that slice or map, for
    /// `range`, `len`, truth and the list functions; any other value as it is.
    var collectionView: TemplateValue {
        guard case .object(let object) = self else { return self }
        if let elements = object.elements { return .list(elements) }
        if let entries = object.entries { return .map(TemplateMap(entries.map { ($0.key, $0.value) })) }
        return self
    }

    /// Whether this is Go's nil or no value.
    public var isNil: Bool {
        switch self {
        case .missing, .null: return true
        default: return false
        }
    }

    /// The data value this holds, for functions that serialize (toJson, toYaml); nil for objects.
    public var dataValue: Value? {
        switch self {
        case .missing, .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .complex: return nil
        case .string(let s): return .string(s)
        case .bytes(let b): return .string(String(decoding: b, as: UTF8.self))
        case .list(let items):
            var values: [Value] = []
            for item in items {
                guard let value = item.dataValue else { return nil }
                values.append(value)
            }
            return .array(values)
        case .map(let map):
            var object = ValueObject()
            for (key, item) in map.sorted {
                guard let value = item.dataValue else { return nil }
                object.appendUnchecked(key, value)
            }
            return .object(object)
        case .object(let object): return object.dataValue
        }
    }
}

/// A string-keyed map of template values with Go's reference semantics: copies of a
/// `TemplateMap` share their entries, so `set` on one is seen by every holder (as Go maps are).
public struct TemplateMap: Sendable {
    private final class Storage: Sendable {
        let entries: Mutex<[String: TemplateValue]>
        init(_ entries: [String: TemplateValue]) { self.entries = Mutex(entries) }
    }

    private let storage: Storage

    public init() { storage = Storage([:]) }

    public init(_ pairs: [(String, TemplateValue)]) {
        var entries: [String: TemplateValue] = [:]
        for (key, value) in pairs { entries[key] = value }
        storage = Storage(entries)
    }

    public init(entries: [String: TemplateValue]) { storage = Storage(entries) }

    /// Reading and writing go to the shared entries.
    public subscript(key: String) -> TemplateValue? {
        get { storage.entries.withLock { $0[key] } }
        nonmutating set { storage.entries.withLock { $0[key] = newValue } }
    }

    /// A snapshot of the entries.
    public var entries: [String: TemplateValue] { storage.entries.withLock { $0 } }

    public var count: Int { storage.entries.withLock { $0.count } }
    public var isEmpty: Bool { count == 0 }
    public var keys: [String] { entries.keys.sorted() }

    /// Entries in sorted key order.
    public var sorted: [(key: String, value: TemplateValue)] {
        entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A new map with the same entries (not shared).
    public func copy() -> TemplateMap { TemplateMap(entries: entries) }

    /// Whether both are the same map (Go's map identity).
    public func isSame(as other: TemplateMap) -> Bool { storage === other.storage }
}

/// A host object exposed to templates: named fields and methods.
public protocol TemplateObject: Sendable {
    /// Go's type name for `%T` and messages.
    var typeName: String { get }
    /// The field `name`, nil when the object has none.
    func field(_ name: String) -> TemplateValue?
    /// Calls method `name` with `arguments`; nil when the object has no such method.
    func method(_ name: String) -> (@Sendable ([TemplateValue]) throws -> TemplateValue)?
    /// What `%v` prints.
    var printed: String { get }
    /// The object's data form, when it has one.
    var dataValue: Value? { get }
    /// For an object that is a Go slice (Helm's VersionSet): its elements, for `range`, `len` and
    /// the list functions.
    var elements: [TemplateValue]? { get }
    /// For an object that is a Go map (Helm's Files): its entries in key order, for `range` and `len`.
    var entries: [(key: String, value: TemplateValue)]? { get }
}

extension TemplateObject {
    public var dataValue: Value? { nil }
    public var elements: [TemplateValue]? { nil }
    public var entries: [(key: String, value: TemplateValue)]? { nil }
}
