import Basics
import Foundation

/// Identifies a loaded schema document: a file path, or a name for in-memory schemas (CRDs).
public struct SchemaDocumentID: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    /// The folder whose files cross-file `$ref`s resolve in (nil for in-memory documents).
    public var folder: String?

    public var description: String { name }
}

/// Loads and compiles schema documents, and resolves `$ref`s between them: `#/json/pointer` in
/// the same document, `file.json#/pointer` (or a URL ending in `/file.json`) in the same folder,
/// as kubeconform's and kubernetes-validate's folders use them. Thread-safe; compiled schemas
/// are shared.
public final class SchemaStore: @unchecked Sendable {
    private let lock = NSLock()
    private var documents: [SchemaDocumentID: Value] = [:]
    private var compiled: [String: SchemaNode] = [:]
    private var missingFiles: Set<String> = []

    private let read: @Sendable (String) -> [UInt8]?

    /// `read` returns a file's bytes (nil when there is none): the file system by default; the
    /// CLI also reads repository-relative paths from the revision's tree.
    public init(read: @escaping @Sendable (String) -> [UInt8]? = { FileManager.default.contents(atPath: $0).map(Array.init) }) {
        self.read = read
    }

    /// Loads (once) the JSON schema file at `path`; nil when there is no such file.
    public func file(_ path: String) throws(SchemaError) -> SchemaDocumentID? {
        let id = SchemaDocumentID(name: path, folder: (path as NSString).deletingLastPathComponent)
        lock.lock()
        if documents[id] != nil { lock.unlock(); return id }
        if missingFiles.contains(path) { lock.unlock(); return nil }
        lock.unlock()
        guard let data = read(path) else {
            lock.lock(); missingFiles.insert(path); lock.unlock()
            return nil
        }
        let value: Value
        do {
            let values = try JSONReader.values(String(decoding: data, as: UTF8.self))
            guard values.count == 1 else { throw SchemaError("\(path): not a single JSON value") }
            value = values[0]
        } catch let error as SchemaError {
            throw error
        } catch {
            throw SchemaError("\(path): invalid JSON: \(error)")
        }
        lock.lock()
        documents[id] = value
        lock.unlock()
        return id
    }

    /// Registers an in-memory schema (a CRD version's `openAPIV3Schema`) under `name`.
    @discardableResult
    public func register(_ value: Value, name: String) -> SchemaDocumentID {
        let id = SchemaDocumentID(name: name, folder: nil)
        lock.lock()
        documents[id] = value
        lock.unlock()
        return id
    }

    /// The compiled root schema of a document.
    public func root(_ id: SchemaDocumentID) throws(SchemaError) -> SchemaNode {
        try node(id, pointer: "")
    }

    /// The compiled schema at a JSON pointer of a document.
    func node(_ id: SchemaDocumentID, pointer: String) throws(SchemaError) -> SchemaNode {
        let key = id.name + "#" + pointer
        lock.lock()
        if let node = compiled[key] { lock.unlock(); return node }
        let document = documents[id]
        lock.unlock()
        guard let document else { throw SchemaError("schema \(id.name) is not loaded") }
        guard let value = Self.follow(pointer, in: document) else {
            throw SchemaError("\(id.name): no '\(pointer)' in the schema")
        }
        let node = try compile(value, in: id, at: pointer)
        lock.lock()
        if let existing = compiled[key] { lock.unlock(); return existing }
        compiled[key] = node
        lock.unlock()
        return node
    }

    /// Resolves a `$ref` found in document `base`.
    func resolve(_ reference: String, from base: SchemaDocumentID) throws(SchemaError) -> SchemaNode {
        let hash = reference.firstIndex(of: "#")
        let filePart = String(hash.map { reference[..<$0] } ?? reference[...])
        let pointer = hash.map { String(reference[reference.index(after: $0)...]) } ?? ""
        guard pointer.isEmpty || pointer.hasPrefix("/") else {
            throw SchemaError("\(base.name): '$ref: \(reference)' has an invalid JSON pointer after '#' (it must be empty or start with '/')")
        }
        var document = base
        if !filePart.isEmpty {
            let fileName = filePart.split(separator: "/").last.map(String.init) ?? filePart
            guard let folder = base.folder else {
                throw SchemaError("\(base.name): cannot resolve '\(reference)' (an in-memory schema can only refer to itself)")
            }
            guard let id = try file((folder as NSString).appendingPathComponent(fileName)) else {
                throw SchemaError("\(base.name): '\(reference)' refers to \(fileName), which is not in \(folder)")
            }
            document = id
        }
        return try node(document, pointer: pointer.removingPercentEncoding ?? pointer)
    }

    /// The value at a JSON pointer (`/a/b/0`, with `~0`/`~1` escapes).
    static func follow(_ pointer: String, in value: Value) -> Value? {
        var current = value
        for raw in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    // MARK: Compiling

    private func compile(_ value: Value, in document: SchemaDocumentID, at pointer: String) throws(SchemaError) -> SchemaNode {
        let node = SchemaNode()
        if case .bool(let b) = value {
            node.alwaysValid = b
            return node
        }
        guard case .object(let schema) = value else {
            throw SchemaError("\(document.name)#\(pointer): a schema must be an object or a boolean")
        }
        func sub(_ value: Value, _ path: String) throws(SchemaError) -> SchemaNode {
            try compile(value, in: document, at: pointer + "/" + path)
        }
        func subs(_ key: String) throws(SchemaError) -> [SchemaNode] {
            guard case .array(let items)? = schema[key] else { return [] }
            var nodes: [SchemaNode] = []
            for (index, item) in items.enumerated() { nodes.append(try sub(item, "\(key)/\(index)")) }
            return nodes
        }
        func number(_ key: String) -> Double? {
            switch schema[key] {
            case .int(let i)?: return Double(i)
            case .float(let d)?: return d
            default: return nil
            }
        }
        // A count beyond Int's range (maxLength: 1e300) means "no limit" in effect; it must not trap.
        func count(_ key: String) -> Int? { number(key).map { $0 >= 0x1p62 ? 1 << 62 : ($0 <= -0x1p62 ? -(1 << 62) : Int($0)) } }

        for (key, item) in schema {
            switch key {
            case "$ref":
                node.reference = item.stringValue
                node.store = self
                node.referenceBase = document
            case "type":
                switch item {
                case .string(let name): node.types = JSONType(rawValue: name).map { [$0] } ?? []
                case .array(let names): node.types = names.compactMap { $0.stringValue.flatMap(JSONType.init) }
                default: break
                }
            case "properties":
                if case .object(let properties) = item {
                    for (name, property) in properties { node.properties[name] = try sub(property, "properties/" + name) }
                }
            case "patternProperties":
                if case .object(let patterns) = item {
                    for (pattern, property) in patterns {
                        node.patternProperties.append((try Self.regex(pattern, document), try sub(property, "patternProperties/" + pattern)))
                    }
                }
            case "additionalProperties":
                if case .bool(let allowed) = item { node.additionalProperties = .allowed(allowed) } else {
                    node.additionalProperties = .schema(try sub(item, key))
                }
            case "items":
                if case .array = item { node.prefixItems = try subs(key) } else { node.items = try sub(item, key) }
            case "prefixItems": node.prefixItems = try subs(key)
            case "required": node.required = item.arrayValue?.compactMap(\.stringValue) ?? []
            case "enum": node.enumValues = item.arrayValue
            case "const": node.constValue = item
            case "format": node.format = item.stringValue
            case "pattern":
                if let text = item.stringValue { node.pattern = (text, try Self.regex(text, document)) }
            case "minimum": node.minimum = number(key)
            case "maximum": node.maximum = number(key)
            case "exclusiveMinimum":
                // Draft 4: a boolean qualifying `minimum` (handled below); later drafts: a number.
                if case .bool = item {} else { node.exclusiveMinimum = number(key) }
            case "exclusiveMaximum":
                if case .bool = item {} else { node.exclusiveMaximum = number(key) }
            case "minLength": node.minLength = count(key)
            case "maxLength": node.maxLength = count(key)
            case "minItems": node.minItems = count(key)
            case "maxItems": node.maxItems = count(key)
            case "minProperties": node.minProperties = count(key)
            case "maxProperties": node.maxProperties = count(key)
            case "uniqueItems": node.uniqueItems = item == .bool(true)
            case "allOf": node.allOf = try subs(key)
            case "anyOf": node.anyOf = try subs(key)
            case "oneOf": node.oneOf = try subs(key)
            case "not": node.not = try sub(item, key)
            case "nullable": node.nullable = item == .bool(true)
            case "x-kubernetes-int-or-string": node.intOrString = item == .bool(true)
            case "x-kubernetes-preserve-unknown-fields": node.preserveUnknownFields = item == .bool(true)
            case "x-kubernetes-embedded-resource": node.embeddedResource = item == .bool(true)
            case "x-kubernetes-list-type": node.listType = item.stringValue
            case "x-kubernetes-list-map-keys": node.listMapKeys = item.arrayValue?.compactMap(\.stringValue) ?? []
            default: break
            }
        }
        if case .bool(true)? = schema["exclusiveMinimum"] {
            node.exclusiveMinimum = number("minimum"); node.minimum = nil
        }
        if case .bool(true)? = schema["exclusiveMaximum"] {
            node.exclusiveMaximum = number("maximum"); node.maximum = nil
        }
        return node
    }

    private static let regexLock = NSLock()
    nonisolated(unsafe) private static var regexes: [String: NSRegularExpression] = [:]

    /// ECMA-262 patterns through ICU (close enough for the patterns schemas use), cached.
    static func regex(_ pattern: String, _ document: SchemaDocumentID) throws(SchemaError) -> NSRegularExpression {
        regexLock.lock()
        defer { regexLock.unlock() }
        if let cached = regexes[pattern] { return cached }
        guard let regex = try? NSRegularExpression(pattern: pattern) else {
            throw SchemaError("\(document.name): invalid pattern '\(pattern)'")
        }
        regexes[pattern] = regex
        return regex
    }
}
