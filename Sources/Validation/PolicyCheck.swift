import Basics
import KubeModel

/// Applies the repository's Kyverno policies to an environment's objects and turns failures into
/// findings: `Enforce` failures are errors, `Audit` ones warnings. A rule gitops cannot check is
/// reported once, at the policy, with the policy's severity — never passed silently.
public struct PolicyCheck: Sendable {
    public var policies: [Policy]

    public init(policies: [Policy]) { self.policies = policies }

    public func check(_ objects: [Object], environment: String = "") -> [Finding] {
        var namespaceLabels: [String: ValueObject] = [:]
        for object in objects where object.kind == "Namespace" && object.gvk.group.isEmpty {
            namespaceLabels[object.name] = object.content["metadata"]?["labels"]?.objectValue ?? ValueObject()
        }
        var engine = PolicyEngine(policies: policies, namespaceLabels: namespaceLabels)
        engine.environment = objects
        var findings: [Finding] = []
        var reportedErrors: Set<String> = []
        for object in objects {
            for result in engine.evaluate(object) {
                let rule = "\(result.policy)/\(result.rule)"
                let severity: Finding.Severity = result.action == .enforce ? .error : .warning
                switch result.status {
                case .pass, .skip:
                    continue
                case .fail:
                    findings.append(Finding(severity: severity, location: object.provenance.location(of: result.path), rule: rule,
                                            message: result.message, object: object.displayName, path: result.path,
                                            environment: environment))
                case .error:
                    guard reportedErrors.insert(rule + "\u{0}" + result.message).inserted else { continue }
                    let policy = policies.first { $0.name == result.policy }
                    let location = policy?.rules.first { $0.name == result.rule }?.location ?? policy?.location ?? object.provenance.location
                    findings.append(Finding(severity: severity, location: location, rule: rule,
                                            message: "cannot check this rule: \(result.message)", object: object.displayName,
                                            environment: environment))
                }
            }
        }
        return findings
    }
}
