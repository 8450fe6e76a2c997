import Basics
import Foundation
import Kustomize

/// kustomize's own `api/krusty` tests, re-packaged: each case's files built in memory and compared
/// with the expected YAML (or expected to fail). Counted: the cases on which `kubectl kustomize`
/// v5.5.0 itself agrees with the expectation.
struct KustomizeKrustySuite: Suite {
    let totalled: Set<String> = ["kubectl-agrees"]

    func run(folder: URL, verbose: Bool) throws -> [Group] {
        let data = try Data(contentsOf: folder.appendingPathComponent("krusty_cases.json"))
        guard let cases = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw RunnerError("krusty_cases.json is not a list of cases")
        }
        var agrees = Group(name: "kubectl-agrees")
        var others = Group(name: "kubectl-differs")
        for testCase in cases {
            let id = testCase["id"] as? String ?? "?"
            var files: [String: [UInt8]] = [:]
            for (path, text) in testCase["files"] as? [String: String] ?? [:] {
                files[RepoPath.normalize(String(path.drop { $0 == "/" })) ?? path] = Array(text.utf8)
            }
            let buildDir = RepoPath.normalize(String((testCase["build_dir"] as? String ?? ".").drop { $0 == "/" })) ?? ""
            let expected = testCase["expected"] as? String
            let expectError = testCase["expect_error"] as? Bool ?? false
            let outcome: Outcome
            do {
                let output = KustomizeOutput.yaml(try KustomizeBuilder(tree: MemoryFileTree(displayName: id, files: files)).build(buildDir))
                if expectError {
                    outcome = .fail("expected an error, got output")
                } else {
                    let want = (expected ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                    let got = output.trimmingCharacters(in: .whitespacesAndNewlines)
                    outcome = got == want ? .pass : .fail(verbose ? "output differs:\n\(got)\n--- expected:\n\(want)" : "output differs")
                }
            } catch {
                outcome = expectError ? .pass : .fail("unexpected error: \(String("\(error)".prefix(300)))")
            }
            let kubectl = testCase["kubectl_kustomize_v5_5_0"] as? [String: Any]
            if kubectl?["oracle_match"] as? Bool == true { agrees.record(id, outcome) } else { others.record(id, outcome) }
        }
        return [agrees, others]
    }
}
