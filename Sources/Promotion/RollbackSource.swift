import Basics
import Crypto
import Foundation
import RepoModel

/// Restores every file an environment renders from to its content at an earlier commit, whatever
/// the layout (files moved since are deleted from their new place and restored at the old one):
/// its folder, its charts and manifest folders and its values files, down to a values file kept
/// inside a chart other environments share. Files another environment also uses are left alone,
/// each named in a note.
public struct RollbackSource: ProposalSource {
    public var environment: String
    public var to: Snapshot
    /// The first line of the commit rolled back to.
    public var toSummary: String

    public init(environment: String, to: Snapshot, toSummary: String) {
        self.environment = environment
        self.to = to
        self.toSummary = toSummary
    }

    public func propose(on base: Snapshot) throws -> Proposal {
        guard let current = base.model.environment(named: environment) else {
            if let broken = base.model.brokenEnvironment(named: environment) { throw PromotionError("on the base branch, \(broken.summary)") }
            throw PromotionError("no environment '\(environment)' on the base branch")
        }
        guard let then = to.model.environment(named: environment) else {
            throw PromotionError("no environment '\(environment)' at \(to.commit.prefix(7)) (\(toSummary)); nothing to roll back to")
        }
        // Every file the environment renders from, then and now, whatever the layout: its folder,
        // its charts and manifest folders, its values files (also those kept inside a shared chart).
        let others = base.model.environments.filter { $0.name != environment }
        // (What it named as a values file then is its own too, even where nothing names it now.)
        let usage = FileUsage(others + [current, then])
        var files = Set<String>()
        for (environment, snapshot) in [(current, base), (then, to)] {
            for path in FileUsage.paths(of: environment) { files.formUnion(Self.files(at: path, in: snapshot.tree)) }
        }
        var edits: [String: [UInt8]?] = [:]
        var shared: [String: Set<String>] = [:]
        for file in files.sorted() {
            let old = try? to.tree.read(file), now = try? base.tree.read(file)
            guard old != now else { continue }
            let users = usage.users(of: file).subtracting([environment])
            if !users.isEmpty {
                shared[file] = users
                continue
            }
            edits[file] = .some(old)
        }
        var notes: [String] = []
        for (file, users) in shared.sorted(by: { $0.key < $1.key }) {
            notes.append("\(file) changed since \(to.commit.prefix(7)) but \(users.sorted().joined(separator: ", ")) also \(users.count == 1 ? "uses" : "use") it; left alone, so \(environment) may not render exactly as it did")
        }
        var fingerprint = "\(environment)@\(to.commit)"
        for (file, content) in edits.sorted(by: { $0.key < $1.key }) {
            fingerprint += "\n\(file)\u{1F}" + (content.map { SHA256.hash(data: $0).description } ?? "-")
        }
        let id = SHA256.hash(data: Array(fingerprint.utf8)).prefix(6).map { zeroPaddedHex(UInt64($0), width: 2, uppercase: false) }.joined()
        let lines = edits.keys.sorted().map { file in (edits[file]! == nil ? "delete " : "restore ") + file }
        return Proposal(kind: "rollback", target: environment, id: id, title: "rollback \(environment) to \(to.commit.prefix(7)): \(toSummary)",
                        lines: lines, trailers: [("Rolled-Back-To", to.commit), ("Environment", environment), ("Promotion-Id", id)], edits: edits, notes: notes)
    }

    /// The files at `path` (a folder's files, or the file itself) in `tree`; none when it is not there.
    static func files(at path: String, in tree: any FileTree) -> [String] {
        switch try? tree.kind(of: path) {
        case .directory?: return (try? tree.files(under: path)) ?? []
        case .file?: return [path]
        default: return []
        }
    }

    /// A rollback restores a known state: whatever the base did since is replaced, not a conflict.
    public func checkConflicts(planned: Snapshot, current: Snapshot) throws {}

    public func defaultBranch(for proposal: Proposal) -> String {
        "rollback/\(environment)/\(to.commit.prefix(7))"
    }
}

/// Which environments use a file: under their folder or a manifests folder, a values file they
/// name, or a file of a chart they render — except a values file some environment names, which
/// belongs to the environments naming it (`charts/app/values-staging.yaml` is staging's even
/// though production renders `charts/app`).
struct FileUsage {
    private var paths: [(environment: String, path: String)] = []
    private var valuesFiles: [String: Set<String>] = [:]

    init(_ environments: [Environment]) {
        for environment in environments {
            paths += [(environment.name, environment.folder)]
            for release in environment.releases {
                switch release.source {
                case .chart(let chart, let values, _, _):
                    paths.append((environment.name, chart))
                    for file in values { valuesFiles[file, default: []].insert(environment.name) }
                case .manifests(let folder):
                    paths.append((environment.name, folder))
                case .kustomize(_, let inputs, _):
                    paths += inputs.map { (environment.name, $0) }
                case .remoteChart(_, let values, _, _):
                    for file in values { valuesFiles[file, default: []].insert(environment.name) }
                }
            }
        }
    }

    /// The paths an environment renders from.
    static func paths(of environment: Environment) -> [String] {
        var paths = [environment.folder]
        for release in environment.releases {
            switch release.source {
            case .chart(let chart, let values, _, _): paths += [chart] + values
            case .manifests(let folder): paths.append(folder)
            case .kustomize(_, let inputs, _): paths += inputs
            case .remoteChart(_, let values, _, _): paths += values
            }
        }
        return paths
    }

    func users(of file: String) -> Set<String> {
        if let named = valuesFiles[file] { return named }
        return Set(paths.filter { file == $0.path || file.hasPrefix($0.path + "/") }.map(\.environment))
    }
}
