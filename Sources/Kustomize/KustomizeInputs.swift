import Basics
import YAML

/// The folders a kustomization reads: its own and, recursively, the kustomization folders its
/// `resources`, `bases` and `components` name (files come only from inside these folders). What
/// history and rollbacks watch for a kustomize release.
public enum KustomizeInputs {
    /// `folder` first, then every folder it reaches, each once; unreadable entries are skipped
    /// (the build reports them).
    public static func folders(of folder: String, tree: any FileTree) -> [String] {
        var found: [String] = []
        var pending = [folder]
        while let next = pending.popLast() {
            guard !found.contains(next) else { continue }
            found.append(next)
            guard let file = try? Kustomization.find(in: next, tree: tree), let bytes = try? tree.read(file),
                  let root = (try? YAMLParser.parse(bytes, file: file))?.first else { continue }
            for field in ["resources", "bases", "components"] {
                for item in root[field]?.items ?? [] {
                    guard let entry = item.scalar, let path = RepoPath.join(next, entry), (try? tree.kind(of: path)) == .directory else { continue }
                    pending.append(path)
                }
            }
        }
        return found
    }

    /// The kustomization file of `folder` (`kustomization.yaml`, `.yml` or `Kustomization`), nil
    /// when there is none.
    public static func kustomizationFile(in folder: String, tree: any FileTree) -> String? {
        (try? Kustomization.find(in: folder, tree: tree)) ?? nil
    }
}
