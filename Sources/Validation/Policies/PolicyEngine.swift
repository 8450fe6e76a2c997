import Basics
import KubeModel

/// The result of one rule on one object, as Kyverno reports it.
public struct RuleResult: Sendable, Hashable {
    public enum Status: String, Sendable {
        case pass, fail, skip, error
    }

    public var policy: String
    public var rule: String
    public var status: Status
    public var message: String
    /// The field that failed (empty: the object, or not known).
    public var path: FieldPath
    public var action: Policy.Action
}

/// Applies validate rules to objects.
public struct PolicyEngine: Sendable {
    public var policies: [Policy]
    /// Labels of namespaces (for `namespaceSelector`), from the environment or a test's values.
    public var namespaceLabels: [String: ValueObject]
    /// Extra variables (a `kyverno test` values file's global and per-rule values).
    public var globalValues: ValueObject
    public var ruleValues: [String: ValueObject]
    /// The objects `context.apiCall` lookups answer from (the rendered environment: its desired state).
    public var environment: [Object] = []

    public init(policies: [Policy], namespaceLabels: [String: ValueObject] = [:], globalValues: ValueObject = ValueObject(),
                ruleValues: [String: ValueObject] = [:]) {
        self.policies = policies
        self.namespaceLabels = namespaceLabels
        self.globalValues = globalValues
        self.ruleValues = ruleValues
    }

    /// Every rule that applies to `object`, with its result (rules that do not match give none).
    public func evaluate(_ object: Object) -> [RuleResult] {
        let matcher = ResourceMatcher(namespaceLabels: namespaceLabels)
        var results: [RuleResult] = []
        for policy in policies {
            if let namespace = policy.namespace, namespace != object.namespace { continue }
            for rule in policy.rules where rule.validate != nil || rule.unsupported != nil {
                guard matcher.matches(rule.match, object), !matcher.excludes(rule.exclude, object) else { continue }
                results.append(evaluate(rule, of: policy, on: object))
            }
        }
        return results
    }

    func evaluate(_ rule: PolicyRule, of policy: Policy, on object: Object) -> RuleResult {
        func result(_ status: RuleResult.Status, _ message: String = "", _ path: FieldPath = FieldPath()) -> RuleResult {
            RuleResult(policy: policy.name, rule: rule.name, status: status, message: message, path: path, action: rule.action)
        }
        if let unsupported = rule.unsupported {
            return result(.error, "not supported by gitops: \(unsupported); the rule is not checked")
        }
        var context = self.context(for: object, rule: rule, policy: policy)
        do {
            for entry in rule.context { context = try addContextEntry(entry, to: context) }
            guard try Conditions.hold(rule.preconditions, context: context) else { return result(.skip, "preconditions not met") }
            let bindings = celBindings(resource: .object(object.content), context: context)
            for precondition in rule.celPreconditions {
                guard let expression = precondition["expression"]?.stringValue else { continue }
                guard case .bool(true) = try CEL(expression).evaluate(bindings) else { return result(.skip, "celPreconditions not met") }
            }
            guard let validate = rule.validate else { return result(.skip) }
            let outcome = try check(validate, resource: .object(object.content), context: &context)
            let message = (try? Variables.substitute(validate["message"] ?? .string(""), context: context))?.stringValue ?? ""
            switch outcome {
            case .pass: return result(.pass, message)
            case .skip(let why): return result(.skip, why)
            case .fail(let path, let reason):
                return result(.fail, message.isEmpty ? reason : message, path)
            }
        } catch {
            return result(.error, "\(error)")
        }
    }

    /// A `context` entry: a `variable`, an `apiCall` or a `configMap`, the latter two answered from
    /// the environment's objects (the desired state, not a cluster).
    private func addContextEntry(_ entry: Value, to context: Value) throws -> Value {
        guard let name = entry["name"]?.stringValue, case .object(var root) = context else { return context }
        var value: Value
        if let variable = entry["variable"] {
            value = try Variables.substitute(variable["value"] ?? .null, context: context)
            if let path = variable["jmesPath"]?.stringValue {
                let source = variable["value"] == nil ? context : value
                value = try Variables.evaluate(try Variables.substitute(path, context: context).stringValue ?? path, context: source)
            }
            if value == .null, let fallback = variable["default"] { value = try Variables.substitute(fallback, context: context) }
        } else if let call = entry["apiCall"] {
            let path = try Variables.substitute(call["urlPath"] ?? .string(""), context: context).stringValue ?? ""
            value = try EnvironmentAPI(objects: environment).get(path)
            if let query = call["jmesPath"]?.stringValue {
                value = try Variables.evaluate(try Variables.substitute(query, context: context).stringValue ?? query, context: value)
            }
        } else if let configMap = entry["configMap"] {
            let mapName = try Variables.substitute(configMap["name"] ?? .null, context: context).stringValue ?? ""
            let namespace = try Variables.substitute(configMap["namespace"] ?? .string("default"), context: context).stringValue ?? ""
            guard let found = environment.first(where: { $0.kind == "ConfigMap" && $0.name == mapName && $0.namespace == namespace }) else {
                throw Conditions.Unsupported(description: "ConfigMap \(namespace)/\(mapName) is not in the environment")
            }
            value = .object(found.content)
        } else {
            throw Conditions.Unsupported(description: "the context entry '\(name)' is of a kind gitops does not support")
        }
        root[name] = value
        return .object(root)
    }

    /// One validate block (the rule's, or a foreach's on an element).
    private func check(_ validate: Value, resource: Value, context: inout Value, base: FieldPath = FieldPath())
        throws -> PatternMatcher.Outcome {
        if let pattern = validate["pattern"] {
            return rebase(PatternMatcher.match(resource, try Variables.substitute(pattern, context: context)), base)
        }
        if case .array(let patterns)? = validate["anyPattern"] {
            var skips = 0
            var firstFailure: PatternMatcher.Outcome?
            for pattern in patterns {
                switch PatternMatcher.match(resource, try Variables.substitute(pattern, context: context)) {
                case .pass: return .pass
                case .skip: skips += 1
                case let failure: if firstFailure == nil { firstFailure = failure }
                }
            }
            if skips == patterns.count { return .skip("no pattern of anyPattern applies") }
            return rebase(firstFailure ?? .pass, base)
        }
        if let deny = validate["deny"] {
            return try Conditions.hold(deny["conditions"] ?? .object([:]), context: context) ? .fail(path: base, reason: "denied") : .pass
        }
        if case .array(let loops)? = validate["foreach"] {
            var applied = 0, skips = 0
            for loop in loops {
                guard let listExpression = loop["list"]?.stringValue else { continue }
                let list = try Variables.evaluate(listExpression, context: context)
                guard case .array(let elements) = list else { continue }
                let listPath = Self.fieldPath(of: listExpression)
                for (index, element) in elements.enumerated() {
                    var elementContext = context
                    if case .object(var root) = elementContext {
                        root["element"] = element
                        root["elementIndex"] = .int(Int64(index))
                        elementContext = .object(root)
                    }
                    guard try Conditions.hold(loop["preconditions"], context: elementContext) else { skips += 1; continue }
                    let elementPath = listPath.map { FieldPath($0.elements + [.index(index)]) } ?? base
                    switch try check(loop, resource: element, context: &elementContext, base: elementPath) {
                    case .pass: applied += 1
                    case .skip: skips += 1
                    case let failure: return failure
                    }
                }
            }
            if applied == 0, skips > 0 { return .skip("no element applies") }
            return .pass
        }
        if let cel = validate["cel"] {
            return try checkCEL(cel, resource: resource, context: context, base: base)
        }
        if let settings = validate["podSecurity"] {
            return PodSecurity.check(settings, resource: resource)
        }
        throw Conditions.Unsupported(description: "the validate rule has none of pattern, anyPattern, deny, foreach or cel")
    }

    /// What CEL expressions see: `object`, `oldObject`, `request`, and `namespaceObject` (the
    /// environment's Namespace, or one carrying just the name, as `kyverno test` provides it).
    func celBindings(resource: Value, context: Value) -> [String: Value] {
        var namespace = resource["metadata"]?["namespace"]?.stringValue ?? ""
        if namespace.isEmpty { namespace = "default" }
        let found = environment.first { $0.kind == "Namespace" && $0.gvk.group.isEmpty && $0.name == namespace }
        let namespaceObject: Value = found.map { .object($0.content) }
            ?? .object(["apiVersion": .string("v1"), "kind": .string("Namespace"), "metadata": .object(["name": .string(namespace)])])
        return ["object": resource, "oldObject": .null, "request": context["request"] ?? .null, "namespaceObject": namespaceObject]
    }

    /// `validate.cel`: every expression must be true, with `object`, `oldObject`, `request`,
    /// `namespaceObject` and the rule's `variables`.
    private func checkCEL(_ cel: Value, resource: Value, context: Value, base: FieldPath) throws -> PatternMatcher.Outcome {
        var bindings = celBindings(resource: resource, context: context)
        var variables = ValueObject()
        for variable in cel["variables"]?.arrayValue ?? [] {
            guard let name = variable["name"]?.stringValue, let expression = variable["expression"]?.stringValue else { continue }
            bindings["variables"] = .object(variables)
            // A variable that fails stays undefined; an expression that uses it fails then.
            if let value = try? CEL(expression).evaluate(bindings) { variables[name] = value }
        }
        bindings["variables"] = .object(variables)
        for check in cel["expressions"]?.arrayValue ?? [] {
            guard let expression = check["expression"]?.stringValue else { continue }
            let result: Value
            do { result = try CEL(expression).evaluate(bindings) } catch let error as CEL.Failure where !error.description.contains("not supported") {
                // An evaluation error denies, as Kubernetes' validating admission policies do.
                return .fail(path: base, reason: "CEL expression '\(expression)' failed to evaluate: \(error)")
            } catch {
                throw Conditions.Unsupported(description: "CEL expression '\(expression)': \(error)")
            }
            guard case .bool(let holds) = result else {
                return .fail(path: base, reason: "CEL expression '\(expression)' is not a bool")
            }
            if !holds {
                var message = check["message"]?.stringValue ?? "failed expression: \(expression)"
                if let messageExpression = check["messageExpression"]?.stringValue,
                   case .string(let text)? = try? CEL(messageExpression).evaluate(bindings) { message = text }
                return .fail(path: base, reason: message)
            }
        }
        return .pass
    }

    private func rebase(_ outcome: PatternMatcher.Outcome, _ base: FieldPath) -> PatternMatcher.Outcome {
        guard case .fail(let path, let reason) = outcome, !base.elements.isEmpty else { return outcome }
        return .fail(path: FieldPath(base.elements + path.elements), reason: reason)
    }

    /// `request.object.spec.containers` → spec.containers (for pointing at foreach elements).
    static func fieldPath(of expression: String) -> FieldPath? {
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("request.object.") else { return nil }
        let rest = trimmed.dropFirst("request.object.".count)
        guard rest.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }) else { return nil }
        return FieldPath(rest.split(separator: ".").map { .key(String($0)) })
    }

    /// The variables a rule sees: `request` (CREATE of the object), `images`, the service account
    /// (none offline) and values given to the test.
    func context(for object: Object, rule: PolicyRule, policy: Policy) -> Value {
        var root = ValueObject()
        root["request"] = .object([
            "object": .object(object.content), "oldObject": .null, "operation": .string("CREATE"),
            "namespace": .string(object.namespace), "name": .string(object.name),
            "kind": .object(["group": .string(object.gvk.group), "version": .string(object.gvk.version), "kind": .string(object.kind)]),
            "userInfo": .object(["username": .string(""), "groups": .array([])]),
        ])
        root["serviceAccountName"] = root["serviceAccountName"] ?? .string("")
        root["serviceAccountNamespace"] = root["serviceAccountNamespace"] ?? .string("")
        root["images"] = ImageReferences.context(of: object)
        // Values given to a test override (and add to) what the request provides.
        var merged = Value.object(root)
        merged = Self.merge(merged, .object(globalValues))
        if let values = ruleValues[policy.name + "/" + rule.name] { merged = Self.merge(merged, .object(values)) }
        return merged
    }

    static func merge(_ base: Value, _ overlay: Value) -> Value {
        guard case .object(var result) = base, case .object(let top) = overlay else { return overlay }
        for (key, value) in top { result[key] = result[key].map { merge($0, value) } ?? value }
        return .object(result)
    }
}

/// Kyverno's `images` variable: each container's image split into registry, path, name, tag and digest.
enum ImageReferences {
    static func context(of object: Object) -> Value {
        var podSpec: Value? = object.content["spec"]
        if object.kind == "CronJob" { podSpec = podSpec?["jobTemplate"]?["spec"]?["template"]?["spec"] }
        else if object.kind != "Pod" { podSpec = podSpec?["template"]?["spec"] }
        var out = ValueObject()
        for (field, name) in [("containers", "containers"), ("initContainers", "initContainers"), ("ephemeralContainers", "ephemeralContainers")] {
            var group = ValueObject()
            for container in podSpec?[field]?.arrayValue ?? [] {
                guard let containerName = container["name"]?.stringValue, let image = container["image"]?.stringValue else { continue }
                group[containerName] = parse(image)
            }
            if !group.isEmpty { out[name] = .object(group) }
        }
        return .object(out)
    }

    static func parse(_ reference: String) -> Value {
        var rest = reference
        var digest = ""
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = String(rest[..<at])
        }
        var tag = ""
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = String(rest[..<colon])
        }
        var registry = "docker.io"
        var path = rest
        if let slash = rest.firstIndex(of: "/") {
            let first = String(rest[..<slash])
            if first.contains(".") || first.contains(":") || first == "localhost" {
                registry = first
                path = String(rest[rest.index(after: slash)...])
            }
        }
        if registry == "docker.io" && !path.contains("/") { path = "library/" + path }
        if tag.isEmpty && digest.isEmpty { tag = "latest" }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var value: ValueObject = ["registry": .string(registry), "path": .string(path), "name": .string(name), "tag": .string(tag)]
        if !digest.isEmpty { value["digest"] = .string(digest) }
        value["reference"] = .string(reference)
        return .object(value)
    }
}

/// Answers Kyverno `apiCall` GETs from the rendered environment: lists
/// (`/apis/policy/v1/namespaces/ns/poddisruptionbudgets`) and single objects (`.../name`).
struct EnvironmentAPI {
    var objects: [Object]

    func get(_ urlPath: String) throws -> Value {
        var parts = urlPath.split(separator: "?").first.map { $0.split(separator: "/").map(String.init) } ?? []
        var group = "", version = ""
        if parts.first == "api", parts.count >= 2 {
            version = parts[1]
            parts.removeFirst(2)
        } else if parts.first == "apis", parts.count >= 3 {
            group = parts[1]
            version = parts[2]
            parts.removeFirst(3)
        } else {
            throw Conditions.Unsupported(description: "the apiCall path '\(urlPath)' is not a Kubernetes API path")
        }
        var namespace: String?
        if parts.first == "namespaces", parts.count >= 3 {
            namespace = parts[1]
            parts.removeFirst(2)
        }
        guard let plural = parts.first else {
            throw Conditions.Unsupported(description: "the apiCall path '\(urlPath)' names no resource")
        }
        let name = parts.count > 1 ? parts[1] : nil
        let matching = objects.filter { object in
            object.gvk.group == group && object.gvk.version == version && Self.plural(of: object.kind) == plural
                && (namespace == nil || object.namespace == namespace) && (name == nil || object.name == name)
        }
        if name != nil {
            guard let object = matching.first else { return .null }
            return .object(object.content)
        }
        return .object(["apiVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "kind": .string("List"),
                        "items": .array(matching.map { .object($0.content) })])
    }

    /// The resource name of a kind, as the API server forms it.
    static func plural(of kind: String) -> String {
        let lower = kind.lowercased()
        let irregular = ["endpoints": "endpoints", "ingress": "ingresses", "networkpolicy": "networkpolicies",
                         "podsecuritypolicy": "podsecuritypolicies", "priorityclass": "priorityclasses",
                         "storageclass": "storageclasses", "ingressclass": "ingressclasses"]
        if let plural = irregular[lower] { return plural }
        if lower.hasSuffix("s") || lower.hasSuffix("x") || lower.hasSuffix("ch") || lower.hasSuffix("sh") { return lower + "es" }
        if lower.hasSuffix("y"), let last = lower.dropLast().last, !"aeiou".contains(last) { return lower.dropLast() + "ies" }
        return lower + "s"
    }
}
