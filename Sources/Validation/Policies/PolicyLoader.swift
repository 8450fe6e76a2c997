import Basics
import KubeModel
import YAML

/// Reads the Kyverno policies of folders in a file tree: every `*.yaml`/`*.yml` document that is a
/// `ClusterPolicy` or `Policy` (other documents, such as `kyverno test` files, are skipped).
public enum PolicyLoader {
    public static func load(_ tree: any FileTree, folders: [String]) throws(DiagnosticError) -> [Policy] {
        var policies: [Policy] = []
        var problems: [Diagnostic] = []
        for folder in folders {
            let files: [String]
            do { files = try tree.files(under: folder) { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") } } catch {
                throw DiagnosticError(code: "policy.read", at: SourceLocation(file: folder, line: 1, column: 1), "\(error)")
            }
            for file in files {
                do {
                    policies += try Self.policies(in: try tree.read(file), file: file)
                } catch let error as DiagnosticError {
                    problems += error.diagnostics
                } catch {
                    problems.append(Diagnostic(code: "policy.read", severity: .error,
                                               location: SourceLocation(file: file, line: 1, column: 1), message: "\(error)"))
                }
            }
        }
        if !problems.isEmpty { throw DiagnosticError(problems) }
        return policies
    }

    /// The policies among the documents of one file.
    public static func policies(in bytes: [UInt8], file: String) throws(DiagnosticError) -> [Policy] {
        var policies: [Policy] = []
        for node in try YAMLParser.parse(bytes, file: file) where !node.isNull {
            let value = try node.value(file: file)
            // Each rule's place: its unsupported part (mutate:, generate:, ...) when it has one, else the rule.
            let ruleLocations = (node["spec"]?["rules"]?.items ?? []).map { rule -> SourceLocation in
                let key = rule.pairs?.first { ["mutate", "generate", "verifyImages"].contains($0.key.scalar ?? "") }?.key
                    ?? rule["validate"]?.pairs?.first { ["manifests", "assert"].contains($0.key.scalar ?? "") }?.key ?? rule
                return SourceLocation(file: file, line: key.start.line, column: key.start.column)
            }
            if let policy = Policy(value, location: SourceLocation(file: file, line: node.start.line, column: node.start.column),
                                   ruleLocations: ruleLocations) {
                policies.append(policy)
            }
        }
        return policies
    }
}
