// Helm's --set syntax (strvals): any expression is applied or refused with an error; with
// --set-string every value it sets is a string.
import Basics
import Charts

let setValuesHarness = Harness(
    name: "set",
    checks: "--set and --set-string expressions apply or fail, never crash or blow up memory"
) { bytes in
    guard let flag = bytes.first else { return }
    let expression = String(decoding: bytes.dropFirst(), as: UTF8.self)
    let base: Value = .object(["image": .object(["tag": .string("1.0")]), "list": .array([.int(1), .string("x")])])
    guard let result = try? SetValues.apply(expression, to: base, forceString: flag & 1 == 1) else { return }
    if flag & 1 == 1, let bad = nonStringLeaf(result, skipping: base) {
        failed("--set-string set a value that is not a string", "\(expression)\n\(bad)")
    }
}

/// A leaf of `value` that is neither a string nor unchanged from `base`.
private func nonStringLeaf(_ value: Value, skipping base: Value?) -> Value? {
    if value == base { return nil }
    switch value {
    case .object(let object):
        for (key, child) in object { if let bad = nonStringLeaf(child, skipping: base?[key]) { return bad } }
        return nil
    case .array(let items):
        for (index, item) in items.enumerated() {
            let old = base?.arrayValue.flatMap { index < $0.count ? $0[index] : nil }
            if let bad = nonStringLeaf(item, skipping: old) { return bad }
        }
        return nil
    case .string: return nil
    case .null: return nil  // list padding, as Helm pads it
    default: return value
    }
}
