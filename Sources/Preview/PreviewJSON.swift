import Basics
import Drift
import Validation

/// A preview as JSON for other tools: both sides, then per environment its counts, findings,
/// problems and changed objects (each with its changed fields and diff lines; Secret values
/// masked; the command's output is redacted of decrypted values as all output is).
public enum PreviewJSON {
    public static func encode(_ previews: [EnvironmentPreview], base: String, head: String) -> String {
        let environments: [Value] = previews.map { preview in
            var object: ValueObject = [
                "name": .string(preview.name),
                "presence": .string(preview.presence.rawValue),
                "changed": .bool(preview.changed),
                "failed": .bool(preview.failed),
            ]
            if let report = preview.report {
                object["counts"] = .object(["create": .int(Int64(report.count(.create))), "update": .int(Int64(report.count(.update))),
                                            "prune": .int(Int64(report.count(.prune))), "unchanged": .int(Int64(report.count(.unchanged)))])
                object["objects"] = .array(report.entries.filter { $0.action != .unchanged }.map(entry))
            }
            if !preview.problems.isEmpty { object["problems"] = .array(preview.problems.map { .string($0) }) }
            if let baseProblem = preview.baseProblem { object["baseProblem"] = .string(baseProblem) }
            object["findings"] = preview.findings.map { findings in .array(findings.map(\.jsonValue)) } ?? .null
            return .object(object)
        }
        return JSONWriter.write(.object(["base": .string(base), "head": .string(head), "environments": .array(environments)]))
    }

    /// One changed object: action, identity, changed fields (Secret values as `***`), diff lines.
    public static func entry(_ entry: DriftReport.Entry) -> Value {
        let secret = entry.key.groupKind.kind == "Secret" && entry.key.groupKind.group.isEmpty
        func mask(_ value: Value?) -> Value {
            guard let value else { return .null }
            return secret ? .string("***") : value
        }
        return .object([
            "action": .string(entry.action.rawValue), "group": .string(entry.key.groupKind.group), "kind": .string(entry.key.groupKind.kind),
            "namespace": .string(entry.key.namespace), "name": .string(entry.key.name),
            "changes": .array(entry.changes.map { .object(["path": .string($0.path.description), "desired": mask($0.desired), "live": mask($0.live)]) }),
            "diff": .array(entry.diff.map { .string($0) }),
        ])
    }
}
