import Basics
import YAML

/// What `kubectl kustomize` prints: each object's fields in sorted order, block style with lists
/// not indented under their key, scalars quoted as go-yaml quotes them, documents separated by `---`.
public enum KustomizeOutput {
    public static func yaml(_ resources: [KustomizeResource]) -> String {
        resources.map { GoYAMLEmitter.emit(sortedKeys(.object($0.object))) }.joined(separator: "---\n")
    }

    /// Keys in go-yaml's order at every level, as kustomize's encoding of a map writes them.
    static func sortedKeys(_ value: Value) -> Value {
        switch value {
        case .object(let object):
            let keys = object.keys.map { ($0, Array($0.unicodeScalars)) }.sorted { goYAMLLess($0.1, $1.1) }.map(\.0)
            return .object(ValueObject(keys.map { ($0, sortedKeys(object[$0]!)) }))
        case .array(let items): return .array(items.map(sortedKeys))
        default: return value
        }
    }

    /// go-yaml's map key order: letters by code point, a non-letter before a letter, runs of digits
    /// by their number ("a2" before "a10").
    static func goYAMLLess(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Bool {
        var i = 0
        while i < a.count && i < b.count {
            defer { i += 1 }
            if a[i] == b[i] { continue }
            let al = isLetter(a[i]), bl = isLetter(b[i])
            if al && bl { return a[i].value < b[i].value }
            if al || bl { return bl }
            var an: Int64 = 0, bn: Int64 = 0
            if a[i] == "0" || b[i] == "0" {
                var j = i - 1
                while j >= 0 && isDigit(a[j]) {
                    if a[j] != "0" {
                        an = 1
                        bn = 1
                        break
                    }
                    j -= 1
                }
            }
            var ai = i, bi = i
            while ai < a.count && isDigit(a[ai]) {
                an = an &* 10 &+ Int64(a[ai].value - 48)
                ai += 1
            }
            while bi < b.count && isDigit(b[bi]) {
                bn = bn &* 10 &+ Int64(b[bi].value - 48)
                bi += 1
            }
            if an != bn { return an < bn }
            if ai != bi { return ai < bi }
            return a[i].value < b[i].value
        }
        return a.count < b.count
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return (scalar.value | 0x20) >= 0x61 && (scalar.value | 0x20) <= 0x7A }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// Go's unicode.IsDigit (decimal digits); the number is read from ASCII digits as go-yaml does.
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value >= 0x30 && scalar.value <= 0x39 }
        return scalar.properties.generalCategory == .decimalNumber
    }
}
