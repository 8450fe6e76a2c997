import Basics

/// RFC 6902 JSON patches (add, remove, replace, move, copy, test) on objects, as the json-patch
/// library kustomize uses applies them: missing parents are errors, `-` appends to a list.
struct JSONPatch {
    struct Operation {
        var op: String
        var path: String
        var from: String?
        var value: Value?
        /// Index of the operation in the patch (0-based), for messages.
        var index: Int
        /// Where the operation was written, when known.
        var location: SourceLocation?
    }

    struct Failure: Error { var message: String }

    var operations: [Operation]

    /// The operations of a decoded patch document (a list of `{op, path, from?, value?}`).
    init(_ document: Value) throws(Failure) {
        guard case .array(let items) = document else { throw Failure(message: "a JSON patch is a list of operations") }
        var operations: [Operation] = []
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else { throw Failure(message: "operation \(index + 1) of the JSON patch is not a mapping") }
            guard let op = object["op"]?.stringValue else { throw Failure(message: "operation \(index + 1) of the JSON patch has no 'op'") }
            guard let path = object["path"]?.stringValue else { throw Failure(message: "operation \(index + 1) (\(op)) of the JSON patch has no 'path'") }
            operations.append(Operation(op: op, path: path, from: object["from"]?.stringValue, value: object["value"], index: index))
        }
        self.operations = operations
    }

    func apply(to document: Value) throws(Failure) -> Value {
        var document = document
        for operation in operations {
            let path = try Self.pointer(operation.path, operation)
            switch operation.op {
            case "add":
                document = try Self.add(operation.value ?? .null, at: path[...], in: document, operation)
            case "remove":
                document = try Self.remove(at: path[...], in: document, operation).0
            case "replace":
                guard try Self.get(path[...], in: document) != nil else {
                    throw Failure(message: "replace operation does not apply: doc is missing key: \(operation.path)")
                }
                document = try Self.remove(at: path[...], in: document, operation).0
                document = try Self.add(operation.value ?? .null, at: path[...], in: document, operation)
            case "move", "copy":
                guard let fromText = operation.from else { throw Failure(message: "\(operation.op) operation \(operation.index + 1) has no 'from'") }
                let from = try Self.pointer(fromText, operation)
                guard let value = try Self.get(from[...], in: document) else {
                    throw Failure(message: "\(operation.op) operation does not apply: doc is missing from path: \(fromText)")
                }
                if operation.op == "move" { document = try Self.remove(at: from[...], in: document, operation).0 }
                document = try Self.add(value, at: path[...], in: document, operation)
            case "test":
                let current = try Self.get(path[...], in: document)
                guard let current, Self.equal(current, operation.value ?? .null) else {
                    throw Failure(message: "testing value \(operation.path) failed: test failed")
                }
            default:
                throw Failure(message: "unexpected operation '\(operation.op)' (operation \(operation.index + 1)): use add, remove, replace, move, copy or test")
            }
        }
        return document
    }

    /// The tokens of a JSON pointer (`~1` is `/`, `~0` is `~`).
    static func pointer(_ text: String, _ operation: Operation) throws(Failure) -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else { throw Failure(message: "JSON pointer '\(text)' of operation \(operation.index + 1) must start with '/'") }
        return tokens(text)
    }

    /// The unescaped tokens of a pointer that starts with `/`.
    static func tokens(_ pointer: String) -> [String] {
        pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func get(_ path: ArraySlice<String>, in value: Value) throws(Failure) -> Value? {
        guard let token = path.first else { return value }
        switch value {
        case .object(let object): return try object[token].flatMap { v throws(Failure) in try get(path.dropFirst(), in: v) }
        case .array(let items):
            guard let index = Int(token), index >= 0, index < items.count else { return nil }
            return try get(path.dropFirst(), in: items[index])
        default: return nil
        }
    }

    static func add(_ new: Value, at path: ArraySlice<String>, in value: Value, _ operation: Operation) throws(Failure) -> Value {
        guard let token = path.first else { return new }
        let last = path.count == 1
        switch value {
        case .object(var object):
            if last {
                object[token] = new
            } else {
                guard let inner = object[token] else {
                    throw Failure(message: "\(operation.op) operation does not apply: doc is missing path: \"\(operation.path)\": missing value")
                }
                object[token] = try add(new, at: path.dropFirst(), in: inner, operation)
            }
            return .object(object)
        case .array(var items):
            if last {
                if token == "-" {
                    items.append(new)
                } else {
                    guard let index = Int(token), index >= 0, index <= items.count else {
                        throw Failure(message: "\(operation.op) operation does not apply: index \(token) is out of bounds of a list of \(items.count) at \"\(operation.path)\"")
                    }
                    items.insert(new, at: index)
                }
            } else {
                guard let index = Int(token), index >= 0, index < items.count else {
                    throw Failure(message: "\(operation.op) operation does not apply: doc is missing path: \"\(operation.path)\": missing value")
                }
                items[index] = try add(new, at: path.dropFirst(), in: items[index], operation)
            }
            return .array(items)
        default:
            throw Failure(message: "\(operation.op) operation does not apply: doc is missing path: \"\(operation.path)\": missing value")
        }
    }

    static func remove(at path: ArraySlice<String>, in value: Value, _ operation: Operation) throws(Failure) -> (Value, Value) {
        guard let token = path.first else { return (.null, value) }
        let last = path.count == 1
        switch value {
        case .object(var object):
            guard let inner = object[token] else {
                throw Failure(message: "\(operation.op) operation does not apply: doc is missing path: \"\(operation.path)\": missing value")
            }
            if last {
                object[token] = nil
                return (.object(object), inner)
            }
            let (changed, removed) = try remove(at: path.dropFirst(), in: inner, operation)
            object[token] = changed
            return (.object(object), removed)
        case .array(var items):
            guard let index = Int(token), index >= 0, index < items.count else {
                throw Failure(message: "\(operation.op) operation does not apply: index \(token) is out of bounds of a list of \(items.count) at \"\(operation.path)\"")
            }
            if last {
                let removed = items.remove(at: index)
                return (.array(items), removed)
            }
            let (changed, removed) = try remove(at: path.dropFirst(), in: items[index], operation)
            items[index] = changed
            return (.array(items), removed)
        default:
            throw Failure(message: "\(operation.op) operation does not apply: doc is missing path: \"\(operation.path)\": missing value")
        }
    }

    /// JSON equality: numbers by value (1 equals 1.0).
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case let (.int(x), .float(y)), let (.float(y), .int(x)): return Double(x) == y
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy(equal)
        case let (.object(x), .object(y)): return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default: return a == b
        }
    }
}
