// The format-preserving scalar edit (promotions and `gitops set` write through it): for any YAML
// and any path into it, an edit either fails with an error or writes text that parses, holds the
// new value at the path, and leaves every other value and document as it was.
import Basics
import YAML

/// Values a promotion writes, chosen to tempt every quoting rule.
private let newValues: [Value] = [
    .string("1.6.0"), .string("true"), .string("2001-12-14"), .string(""), .string("a: b"), .string("#x"),
    .string("line\nbreak"), .int(42), .float(1.5), .null, .bool(true), .string("'q'"), .string("\"dq\""),
    .string("  lead"), .string("0x1F"), .string("~"), .string("- item"), .string("é ✓"), .string("12:30:00"),
    .string("*alias"), .string("&anchor"), .string("!tag"), .string("%"), .string("@"), .string("`"),
]

let yamlEditHarness = Harness(
    name: "yaml-edit",
    checks: "YAMLEdit.setScalar writes text that parses, holds the new value and changes nothing else"
) { bytes in
    guard bytes.count >= 2 else { return }
    let source = String(decoding: bytes[2...], as: UTF8.self)
    guard let before = try? YAML.values(Array(source.utf8), file: "v.yaml"), let document = before.first else { return }
    var paths = leafPaths(document)
    paths.append(ValuePath([.key("added")]))
    if let first = paths.first { paths.append(ValuePath(first.components.dropLast() + [.key("added"), .key("nested")])) }
    let path = paths[Int(bytes[0]) % paths.count]
    let value = newValues[Int(bytes[1]) % newValues.count]
    guard let edited = try? YAMLEdit.setScalar(in: source, file: "v.yaml", path: path, to: value) else { return }
    guard let after = try? YAML.values(Array(edited.utf8), file: "v.yaml") else {
        failed("the edit wrote YAML that does not parse", "path \(path) = \(value)\n--- before\n\(source)\n--- after\n\(edited)")
    }
    guard let changed = after.first, path.lookup(in: changed) == value else {
        failed("the edit did not write the value", "path \(path) = \(value)\n--- before\n\(source)\n--- after\n\(edited)")
    }
    // Every other document and every other leaf keep their values (an anchored scalar's aliases
    // change with it, so sources with anchors only check the edited path).
    guard after.count == before.count, Array(after.dropFirst()) == Array(before.dropFirst()) else {
        failed("the edit changed another document", "path \(path) = \(value)\n--- before\n\(source)\n--- after\n\(edited)")
    }
    guard !source.contains("&") else { return }
    for other in leafPaths(document) where !isPrefix(other, of: path) && !isPrefix(path, of: other) {
        if other.lookup(in: changed) != other.lookup(in: document) {
            failed("the edit changed \(other)", "path \(path) = \(value)\n--- before\n\(source)\n--- after\n\(edited)")
        }
    }
}

/// Paths to every scalar under `value` (mapping keys and list indexes), at most a few hundred.
func leafPaths(_ value: Value, prefix: [ValuePath.Component] = []) -> [ValuePath] {
    var result: [ValuePath] = []
    func walk(_ value: Value, _ prefix: [ValuePath.Component]) {
        guard result.count < 256 else { return }
        switch value {
        case .object(let object): for (key, child) in object { walk(child, prefix + [.key(key)]) }
        case .array(let items): for (index, item) in items.enumerated() { walk(item, prefix + [.index(index)]) }
        default: if !prefix.isEmpty { result.append(ValuePath(prefix)) }
        }
    }
    walk(value, prefix)
    return result
}

private func isPrefix(_ a: ValuePath, of b: ValuePath) -> Bool {
    a.components.count <= b.components.count && Array(b.components.prefix(a.components.count)) == a.components
}
