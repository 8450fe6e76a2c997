import Basics

extension Node {
    /// What the node means: scalars resolved under `schema`, mapping keys turned into strings as
    /// sigs.k8s.io/yaml does when it converts YAML to JSON.
    /// Throws for a scalar whose explicit tag does not fit it and for collection keys.
    public func value(schema: ScalarSchema = .kubernetes, file: String) throws(DiagnosticError) -> Value {
        switch content {
        case let .scalar(text, style):
            guard let value = Resolver.resolve(text, style: style, tag: tag, schema: schema) else {
                throw DiagnosticError(code: "yaml.tag", at: location(file),
                                      "'\(text)' cannot be read as \(tag ?? "a value"); remove the tag or fix the value")
            }
            return value
        case .sequence(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try item.value(schema: schema, file: file)) }
            return .array(values)
        case .mapping(let pairs):
            var object = ValueObject()
            var seen: Set<String>? = pairs.count > 16 ? Set(minimumCapacity: pairs.count) : nil
            for pair in pairs {
                guard let key = Resolver.keyString(pair.key, schema: schema) else {
                    throw DiagnosticError(code: "yaml.complexKey", at: pair.key.location(file),
                                          "a \(pair.key.kindName) cannot be a mapping key here; use a string key")
                }
                let value = try pair.value.value(schema: schema, file: file)
                if seen == nil {
                    object[key] = value
                } else if seen!.insert(key).inserted {
                    object.appendUnchecked(key, value)
                } else {
                    object[key] = value
                }
            }
            return .object(object)
        }
    }

    /// The node's start as a source location in `file`.
    public func location(_ file: String) -> SourceLocation {
        SourceLocation(file: file, line: start.line, column: start.column, offset: start.offset)
    }
}

/// Whole-stream helpers.
public enum YAML {
    /// Parses a stream and resolves every document into a value.
    public static func values(_ bytes: [UInt8], file: String,
                              options: ParseOptions = .kubernetes) throws(DiagnosticError) -> [Value] {
        var values: [Value] = []
        for node in try YAMLParser.parse(bytes, file: file, options: options) {
            values.append(try node.value(schema: options.schema, file: file))
        }
        return values
    }

    /// Parses a single-document text into a value (null for an empty text).
    public static func value(_ text: String, file: String = "<input>",
                             options: ParseOptions = .kubernetes) throws(DiagnosticError) -> Value {
        let values = try values(Array(text.utf8), file: file, options: options)
        return values.first ?? .null
    }
}
