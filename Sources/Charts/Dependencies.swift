import Basics

/// Subchart handling as Helm does it: conditions and tags decide which subcharts are enabled;
/// each enabled subchart's values are its defaults coalesced under the parent's `<name>` key,
/// with the parent's `global` values copied in.
enum Dependencies {
    /// Enabled subcharts with the name they render under (their alias, if any).
    static func enabledSubcharts(_ chart: Chart, values: Value) -> [(Chart, String)] {
        var result: [(Chart, String)] = []
        for sub in chart.subcharts {
            let declared = chart.dependencies.filter { $0.name == sub.name }
            if declared.isEmpty {
                result.append((sub, sub.name))
                continue
            }
            for dependency in declared where isEnabled(dependency, values: values) {
                result.append((sub, dependency.alias ?? sub.name))
            }
        }
        return result
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
        return .object(values)
    }
}

import Foundation
