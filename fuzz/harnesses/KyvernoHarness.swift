// Kyverno policies: any policy file loads or fails with a diagnostic, evaluating any loaded policy
// against any resource gives results, and the pattern matcher judges any resource by any pattern.
import Basics
import KubeModel
@testable import Validation
import YAML

let kyvernoHarness = Harness(
    name: "kyverno",
    checks: "policies load and evaluate against resources; the pattern matcher takes any pattern"
) { bytes in
    let input = parts(bytes, 3)
    let resource = (try? YAML.value(input[1])) ?? .null
    if let pattern = try? YAML.value(input[2]) { _ = PatternMatcher.match(resource, pattern) }
    guard let policies = try? PolicyLoader.policies(in: Array(input[0].utf8), file: "policy.yaml"),
          let content = resource.objectValue else { return }
    let object = Object(content: content, provenance: Provenance(release: "r", file: "m.yaml", documentIndex: 0, line: 1))
    _ = PolicyEngine(policies: policies).evaluate(object)
}
