import Basics

/// A chart that lives outside the repository: in a Helm HTTP repository (`https://...`) or an OCI
/// registry (`oci://host/path/name`), at an exact version or a semver range.
public struct RemoteChart: Sendable, Hashable, CustomStringConvertible {
    /// `https://charts.example.com/stable` (a Helm repository) or `oci://registry.example.com/charts`.
    public var repository: String
    public var name: String
    /// Exact (`16.2.1`) or a range (`^16.2`, `~1.4`, `>=1.2 <2`).
    public var version: String

    public init(repository: String, name: String, version: String) {
        self.repository = repository.hasSuffix("/") ? String(repository.dropLast()) : repository
        self.name = name
        self.version = version
    }

    /// `oci://host/path/name` with its version.
    public init?(oci reference: String, version: String) {
        guard reference.hasPrefix("oci://"), let slash = reference.lastIndex(of: "/"), slash > reference.index(reference.startIndex, offsetBy: 6) else { return nil }
        self.init(repository: String(reference[..<slash]), name: String(reference[reference.index(after: slash)...]), version: version)
    }

    public var isOCI: Bool { repository.hasPrefix("oci://") }

    public var description: String { isOCI ? "\(repository)/\(name) \(version)" : "\(name) \(version) from \(repository)" }
}
