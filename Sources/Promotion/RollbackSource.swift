import Basics
import Crypto
import Foundation
import RepoModel

/// Restores an environment's own files to their content at an earlier commit: its folder, and
/// the charts and manifest folders no other environment uses. Shared ones are left alone (noted).
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
            throw PromotionError("no environment '\(environment)' on the base branch")
        }
        // The environment's own paths, and the ones it shares.
        var own = [current.folder]
        var shared: [String: [String]] = [:]
        for release in current.releases {
            let path: String
            switch release.source {
            case .chart(let chart, _, _, _): path = chart
            case .manifests(let folder): path = folder
            }
            if path == current.folder || path.hasPrefix(current.folder + "/") { continue }
            let users = base.model.environments.filter { other in
                other.name != environment && other.releases.contains { release in
                    switch release.source {
                    case .chart(let chart, _, _, _): return chart == path
                    case .manifests(let folder): return folder == path
                    }
                }
            }.map(\.name)
            if users.isEmpty { own.append(path) } else { shared[path] = users }
        }
        var edits: [String: [UInt8]?] = [:]
        for folder in own {
            let now = Set((try? base.tree.files(under: folder)) ?? [])
            let then = Set((try? to.tree.files(under: folder)) ?? [])
            for file in then {
                let old = try to.tree.read(file)
                let changed = try !now.contains(file) || base.tree.read(file) != old
                if changed { edits[file] = old }
            }
            for file in now.subtracting(then) { edits[file] = .some(nil) }
        }
        var notes: [String] = []
        for (path, users) in shared.sorted(by: { $0.key < $1.key }) {
            let now = (try? base.tree.files(under: path)) ?? [], then = (try? to.tree.files(under: path)) ?? []
            var differs = now != then
            for file in now where !differs { differs = try base.tree.read(file) != to.tree.read(file) }
            if differs {
                notes.append("\(path) changed since \(to.commit.prefix(7)) but is shared with \(users.joined(separator: ", ")); left alone")
            }
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

    /// A rollback restores a known state: whatever the base did since is replaced, not a conflict.
    public func checkConflicts(planned: Snapshot, current: Snapshot) throws {}

    public func defaultBranch(for proposal: Proposal) -> String {
        "rollback/\(environment)/\(to.commit.prefix(7))"
    }
}
