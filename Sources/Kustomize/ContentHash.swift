import Basics
import Crypto
import Foundation

/// kustomize's name suffix for generated ConfigMaps and Secrets: the SHA-256 of the object's kind
/// and data (and type, for Secrets) as Go's json.Marshal writes them, its first ten hex digits with
/// 0, 1, 3, a and e swapped for letters (so it never reads as a number or a word). kustomize looks
/// the name up as one field called `metadata/name`, finds none and hashes an empty name: names do
/// not change the hash, and neither do labels or annotations.
enum ContentHash {
    static func suffix(of object: ValueObject) -> String {
        let isSecret = object["kind"]?.stringValue == "Secret"
        // A field that is absent is hashed as an empty string.
        var fields: [(String, Value)] = [
            ("kind", .string(isSecret ? "Secret" : "ConfigMap")), ("name", .string("")), ("data", object["data"] ?? .string("")),
        ]
        if isSecret {
            fields.append(("type", object["type"] ?? .string("")))
            if case .object? = object["stringData"] { fields.append(("stringData", object["stringData"]!)) }
        } else if case .object? = object["binaryData"] {
            fields.append(("binaryData", object["binaryData"]!))
        }
        let json = GoJSONText.encode(.object(ValueObject(fields)))
        let digest = SHA256.hash(data: Array(json.utf8))
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        let swapped: [Character: Character] = ["0": "g", "1": "h", "3": "k", "a": "m", "e": "t"]
        return String(hex.prefix(10).map { swapped[$0] ?? $0 })
    }
}

/// Go's json.Marshal of maps, strings and lists: keys sorted, `<`, `>` and `&` escaped.
enum GoJSONText {
    static func encode(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return GoFloat.format(d)
        case .string(let s): return string(s)
        case .array(let items): return "[" + items.map(encode).joined(separator: ",") + "]"
        case .object(let object):
            let keys = object.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            return "{" + keys.map { string($0) + ":" + encode(object[$0]!) }.joined(separator: ",") + "}"
        }
    }

    static func string(_ s: String) -> String {
        var out = ""
        JSONWriter.quote(s, escapeHTML: true, into: &out)
        return out
    }
}
