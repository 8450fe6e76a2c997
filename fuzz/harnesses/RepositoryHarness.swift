// Repository loading: gitops.yaml and environment.yaml files (parts split at `@@@@` lines) load
// into the model or fail with a diagnostic that names a file of the repository.
import Basics
import RepoModel

let repositoryHarness = Harness(
    name: "repository",
    checks: "gitops.yaml and environment.yaml load or fail with a diagnostic naming the file"
) { bytes in
    let input = parts(bytes, 3)
    var files: [String: [UInt8]] = [
        "environments/dev/environment.yaml": Array(input[1].utf8),
        "environments/dev/manifests/cm.yaml": Array("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n".utf8),
        "charts/app/Chart.yaml": Array("apiVersion: v2\nname: app\nversion: 1.0.0\n".utf8),
    ]
    if !input[0].isEmpty { files["gitops.yaml"] = Array(input[0].utf8) }
    if !input[2].isEmpty { files["environments/prod/environment.yaml"] = Array(input[2].utf8) }
    let tree = MemoryFileTree(displayName: "fuzz", files: files)
    do throws(DiagnosticError) {
        _ = try RepositoryLoader.load(from: tree)
    } catch {
        for diagnostic in error.diagnostics {
            if let file = diagnostic.location?.file, !files.keys.contains(file), !file.hasPrefix("environments"), !file.hasPrefix("charts") {
                failed("a diagnostic names a file the repository does not have", "\(diagnostic)")
            }
        }
    }
}
