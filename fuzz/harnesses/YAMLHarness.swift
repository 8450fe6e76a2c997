// A libFuzzer harness for the YAML parser and composer (aliases, merge keys, deep nesting) and the
// emitter round trip: every input must parse or be refused with an error, never crash or hang,
// and a value that parses must read back equal after it is emitted.
import Basics
import Foundation
import YAML

let yamlHarness = Harness(
    name: "yaml",
    checks: "the YAML parser and composer never crash or hang; parse(emit(v)) == v"
) { bytes in
    guard let documents = try? YAMLParser.parse(bytes, file: "input.yaml") else { return }
    for document in documents {
        guard let value = try? document.value(file: "input.yaml") else { continue }
        let emitted = YAMLEmitter.emit(value)
        guard let back = try? YAML.value(emitted) else {
            failed("the emitter wrote YAML the parser refuses", emitted)
        }
        if back != value && !containsNaN(value) {
            failed("the round trip changed the value", "\(value)\nemitted:\n\(emitted)\nread back:\n\(back)")
        }
    }
}

func containsNaN(_ value: Value) -> Bool {
    switch value {
    case .float(let d): return d.isNaN
    case .array(let items): return items.contains(where: containsNaN)
    case .object(let object): return object.contains { containsNaN($0.value) }
    default: return false
    }
}

