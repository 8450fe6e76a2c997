import Basics
import JSONSchema

/// Helm's check of the coalesced values against `values.schema.json`, for the chart and each
/// enabled subchart (with its own part of the values), with Helm's message.
enum ValuesSchemaCheck {
    static func check(_ chart: Chart, values: Value) throws(DiagnosticError) {
        var failures: [(chart: Chart, lines: [String])] = []
        collect(chart, values: values, into: &failures)
        guard let first = failures.first else { return }
        var message = "values don't meet the specifications of the schema(s) in the following chart(s):\n"
        for failure in failures {
            message += failure.chart.name + ":\n" + failure.lines.map { $0 + "\n" }.joined()
        }
        throw DiagnosticError(code: "chart.values.schema",
                              at: SourceLocation(file: first.chart.path + "/values.schema.json", line: 1, column: 1), message)
    }

    private static func collect(_ chart: Chart, values: Value, into failures: inout [(chart: Chart, lines: [String])]) {
        if let schema = chart.valuesSchema {
            let store = SchemaStore(read: { _ in nil })
            do {
                let root = try store.root(store.register(schema, name: chart.path + "/values.schema.json"))
                let violations = try SchemaValidator().violations(values, root)
                if !violations.isEmpty { failures.append((chart, lines(violations))) }
            } catch {
                failures.append((chart, ["- the schema cannot be used: \(error.message)"]))
            }
        }
        for (sub, alias) in Dependencies.enabledSubcharts(chart, values: values) {
            var renamed = sub
            renamed.name = alias
            collect(renamed, values: values[alias] ?? .object([:]), into: &failures)
        }
    }

    /// Helm's lines, sorted by path (Helm's own order varies from run to run): unknown fields are
    /// reported once per object, at the object.
    static func lines(_ violations: [SchemaViolation]) -> [String] {
        var entries: [(pointer: String, text: String)] = []
        var unknown: [String: [String]] = [:]
        for violation in violations {
            if case .unknownField(let name, _) = violation.problem {
                unknown[violation.path.parent?.jsonPointer ?? "", default: []].append(name)
            } else {
                entries.append((violation.path.jsonPointer, violation.problem.helmMessage))
            }
        }
        for (pointer, names) in unknown {
            entries.append((pointer, "additional properties " + names.map { "'\($0)'" }.joined(separator: ", ") + " not allowed"))
        }
        return entries.enumerated().sorted { ($0.element.pointer, $0.offset) < ($1.element.pointer, $1.offset) }
            .map { "- at '\($0.element.pointer)': \($0.element.text)" }
    }
}
