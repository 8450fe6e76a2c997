// Kyverno's expression languages: JMESPath and CEL expressions parse and evaluate against any
// data, or fail with an error.
import Basics
@testable import Validation
import YAML

let jmesPathHarness = Harness(
    name: "jmespath",
    checks: "JMESPath expressions (Kyverno's functions too) parse and evaluate or fail"
) { bytes in
    let input = parts(bytes, 2)
    guard let expression = try? JMESPath(input[0]) else { return }
    let data = (try? YAML.value(input[1])) ?? .null
    _ = try? expression.evaluate(data)
}

let celHarness = Harness(
    name: "cel",
    checks: "CEL expressions parse and evaluate against object/oldObject/params or fail"
) { bytes in
    let input = parts(bytes, 2)
    guard let expression = try? CEL(input[0]) else { return }
    let object = (try? YAML.value(input[1])) ?? .null
    _ = try? expression.evaluate(["object": object, "oldObject": .null, "params": .object(["max": .int(3)])])
}
