import Basics
import Foundation
import KubeModel
import YAML

/// A `kyverno test` file (`kyverno-test.yaml`): policies, resources, optional variables, and the
/// expected result per policy, rule and resource.
public struct PolicyTest: Sendable {
    public struct Row: Sendable, Hashable {
        public var policy: String
        public var rule: String
        public var kind: String
        public var resource: String
        public var expected: String
        public var actual: String
        public var message: String
        public var passed: Bool { expected == actual || (expected == "warn" && actual == "fail") }
    }

    public var name: String
    public var file: String
    public var rows: [Row]
    public var passed: Int { rows.filter(\.passed).count }
    public var failed: Int { rows.count - passed }

    /// Runs the test in `file`; `read` reads files by path (relative paths resolve against the
    /// test file's folder).
    public static func run(file: String, read: (String) throws -> [UInt8]) throws -> PolicyTest {
        let folder = (file as NSString).deletingLastPathComponent
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path) }
        guard let spec = try YAML.values(try read(file), file: file).first else {
            throw DiagnosticError(code: "policy.test", at: SourceLocation(file: file, line: 1, column: 1), "an empty test file")
        }
        var policies: [Policy] = []
        for path in spec["policies"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            policies += try PolicyLoader.policies(in: try read(resolve(path)), file: resolve(path))
        }
        var objects: [Object] = []
        for path in spec["resources"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            for (index, value) in try YAML.values(try read(resolve(path)), file: resolve(path)).enumerated() {
                for item in value["kind"]?.stringValue?.hasSuffix("List") == true ? (value["items"]?.arrayValue ?? []) : [value] {
                    guard case .object(let content) = item else { continue }
                    objects.append(Object(content: content, provenance: Provenance(release: "", file: resolve(path), documentIndex: index, line: 1)))
                }
            }
        }
        var engine = PolicyEngine(policies: policies)
        engine.environment = objects
        if let variables = spec["variables"]?.stringValue, let values = try YAML.values(try read(resolve(variables)), file: resolve(variables)).first {
            Self.apply(values, to: &engine)
        }
        var rows: [Row] = []
        let resultsByObject = objects.map { ($0, engine.evaluate($0)) }
        for expectation in spec["results"]?.arrayValue ?? [] {
            let policy = expectation["policy"]?.stringValue ?? ""
            let rule = expectation["rule"]?.stringValue ?? ""
            let kind = expectation["kind"]?.stringValue ?? ""
            let expected = expectation["result"]?.stringValue ?? ""
            var names = expectation["resources"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if let single = expectation["resource"]?.stringValue { names.append(single) }
            for name in names {
                // `namespace/name` names a namespaced resource.
                let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
                let (namespace, bare) = parts.count == 2 ? (parts[0], parts[1]) : (nil, name)
                let candidates = resultsByObject.filter { object, _ in
                    object.name == bare && (namespace == nil || (object.namespace.isEmpty ? "default" : object.namespace) == namespace)
                        && (kind.isEmpty || ResourceMatcher.kindMatches(kind, object.gvk))
                }
                // Rows name Kyverno's rules for Pod controllers by the Pod rule's name (or their own).
                let names: Set<String> = [rule, "autogen-" + rule, "autogen-cronjob-" + rule]
                let results = candidates.flatMap { $0.1 }.filter { $0.policy == policy && names.contains($0.rule) }
                let actual = results.first.map(\.status.rawValue) ?? (candidates.isEmpty ? "missing resource" : "skip")
                rows.append(Row(policy: policy, rule: rule, kind: kind, resource: name, expected: expected, actual: actual,
                                message: results.first?.message ?? ""))
            }
        }
        return PolicyTest(name: spec["metadata"]?["name"]?.stringValue ?? spec["name"]?.stringValue ?? file, file: file, rows: rows)
    }

    /// A `kyverno test` values file: `globalValues`, per-rule `values`, `namespaceSelector` labels.
    static func apply(_ values: Value, to engine: inout PolicyEngine) {
        if case .object(let global)? = values["globalValues"] { engine.globalValues = nested(global) }
        for policy in values["policies"]?.arrayValue ?? [] {
            guard let policyName = policy["name"]?.stringValue else { continue }
            for rule in policy["rules"]?.arrayValue ?? [] {
                guard let ruleName = rule["name"]?.stringValue, case .object(let ruleValues)? = rule["values"] else { continue }
                engine.ruleValues[policyName + "/" + ruleName] = nested(ruleValues)
            }
        }
        for entry in values["namespaceSelector"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, case .object(let labels)? = entry["labels"] else { continue }
            engine.namespaceLabels[name] = labels
        }
    }

    /// `request.operation: UPDATE` → `{request: {operation: UPDATE}}`.
    static func nested(_ flat: ValueObject) -> ValueObject {
        var out = ValueObject()
        for (key, value) in flat {
            let parts = key.split(separator: ".").map(String.init)
            out = setting(out, parts[...], value)
        }
        return out
    }

    private static func setting(_ object: ValueObject, _ path: ArraySlice<String>, _ value: Value) -> ValueObject {
        var object = object
        guard let first = path.first else { return object }
        if path.count == 1 {
            object[first] = value
        } else {
            object[first] = .object(setting(object[first]?.objectValue ?? ValueObject(), path.dropFirst(), value))
        }
        return object
    }
}
