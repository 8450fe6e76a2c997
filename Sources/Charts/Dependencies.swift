import Basics
import Template

/// Subchart handling as Helm does it: conditions and tags decide which subcharts are enabled;
/// each enabled subchart's values are its defaults coalesced under the parent's `<name>` key,
/// with the parent's `global` values copied in.
enum Dependencies {
    /// Enabled subcharts with the name they render under (their alias, if any), as Helm's
    /// processDependencyEnabled decides: a vendored chart no Chart.yaml entry applies to (by name
    /// and a compatible version) stays as it is; each entry takes the first vendored chart it
    /// applies to (a copy under its alias when it has one), so of two vendored versions an entry
    /// admits only the first renders; then every chart whose name is that of a disabled entry (its
    /// alias, else its name) is left out — a disabled `memcached` entry also removes a `memcached`
    /// chart it did not apply to.
    static func enabledSubcharts(_ chart: Chart, values: Value) -> [(Chart, String)] {
        var candidates: [(Chart, String)] = []
        for sub in chart.subcharts where !chart.dependencies.contains(where: { $0.name == sub.name && isCompatible($0.version, sub.version) }) {
            candidates.append((sub, sub.name))
        }
        for dependency in chart.dependencies {
            if let sub = chart.subcharts.first(where: { $0.name == dependency.name && isCompatible(dependency.version, $0.version) }) {
                candidates.append((sub, dependency.alias ?? sub.name))
            }
        }
        let disabled = Set(chart.dependencies.filter { !isEnabled($0, values: values) }.map { $0.alias ?? $0.name })
        return candidates.filter { !disabled.contains($0.1) }
    }

    /// Helm's IsCompatibleRange: the constraint parses and the version (parsed loosely) meets it.
    static func isCompatible(_ constraint: String?, _ version: String) -> Bool {
        guard let constraint, let range = SemverConstraint(constraint), let parsed = SemanticVersion(version) else { return false }
        return range.check(parsed)
    }

    static func isEnabled(_ dependency: Chart.Dependency, values: Value) -> Bool {
        if let condition = dependency.condition {
            for path in condition.split(separator: ",") {
                let keys = path.trimmingCharacters(in: .whitespaces).split(separator: ".").map(String.init)
                var current: Value? = values
                for key in keys { current = current?[key] }
                if case .bool(let enabled)? = current { return enabled }
            }
        }
        if !dependency.tags.isEmpty, let tags = values["tags"]?.objectValue {
            var anySet = false
            for tag in dependency.tags {
                if case .bool(let enabled)? = tags[tag] {
                    if enabled { return true }
                    anySet = true
                }
            }
            if anySet { return false }
        }
        return true
    }

    /// Coalesces user values over the chart's defaults, then each enabled subchart's defaults under
    /// its key, propagating `global`.
    static func coalesce(_ chart: Chart, user: Value) -> Value {
        guard case .object(var values) = HelmValues.coalesce(user, over: chart.values) else { return user }
        for (sub, name) in enabledSubcharts(chart, values: .object(values)) {
            var subUser = values[name] ?? .object([:])
            if case .object(var subObject) = subUser, let parentGlobal = values["global"] {
                let existing = subObject["global"] ?? .object([:])
                subObject["global"] = HelmValues.merge(existing, parentGlobal)
                subUser = .object(subObject)
            }
            values[name] = coalesce(sub, user: subUser)
        }
        var result = Value.object(values)
        for (sub, name) in enabledSubcharts(chart, values: result) {
            for dependency in chart.dependencies where dependency.name == sub.name && (dependency.alias ?? sub.name) == name {
                result = importValues(dependency.importValues, from: name, into: result)
            }
        }
        return result
    }

    /// Helm's `import-values`: a string `X` imports the child's `exports.X` into the parent's root;
    /// `{child: a.b, parent: c}` imports the child's `a.b` at the parent's `c`. Values the parent
    /// already has take precedence over imported ones.
    static func importValues(_ imports: [Value], from child: String, into values: Value) -> Value {
        var result = values
        for entry in imports {
            let childPath: [String], parentPath: [String]
            if let name = entry.stringValue {
                childPath = ["exports"] + name.split(separator: ".").map(String.init)
                parentPath = []
            } else if let childText = entry["child"]?.stringValue, let parentText = entry["parent"]?.stringValue {
                childPath = childText.split(separator: ".").map(String.init)
                parentPath = parentText.split(separator: ".").map(String.init)
            } else {
                continue
            }
            var imported: Value? = values[child]
            for key in childPath { imported = imported?[key] }
            guard let imported else { continue }
            var wrapped = imported
            for key in parentPath.reversed() { wrapped = .object([key: wrapped]) }
            if case .object = wrapped {
                result = HelmValues.coalesce(result, over: wrapped)
            }
        }
        return result
    }
}

import Foundation
