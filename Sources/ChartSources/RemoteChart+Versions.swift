import Basics
import RepoModel
import Template

extension RemoteChart {
    /// The versions of `available` the version admits, newest first (pre-releases only when the
    /// range names one, as Helm resolves ranges).
    public func matching(_ available: [String]) -> [String] {
        if isExactVersion, let exact = SemanticVersion(version) {
            return available.filter { SemanticVersion($0).map { $0 == exact } ?? ($0 == version) }
        }
        guard let range = SemverConstraint(version) else { return available.filter { $0 == version } }
        return available.compactMap { text in SemanticVersion(text).map { (text, $0) } }
            .filter { range.check($0.1) }
            .sorted { $0.1 > $1.1 }
            .map(\.0)
    }

    /// A version, not a range (`16.2.1`, `v1.0.0-rc.1`).
    public var isExactVersion: Bool {
        SemanticVersion(version) != nil && !version.contains(where: { "^~<>=*xX| ,".contains($0) })
    }
}
