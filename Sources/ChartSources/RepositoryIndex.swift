import Basics
import RepoModel
import Template
import YAML

/// A Helm repository's `index.yaml`: each chart's versions with their archive URLs and digests.
public struct RepositoryIndex: Sendable {
    public struct Entry: Sendable {
        public var version: String
        public var urls: [String]
        /// The archive's sha256, hex (Helm writes it for every packaged chart).
        public var digest: String?
    }

    public var entries: [String: [Entry]]

    /// Parses `index.yaml` (thousands of entries are common).
    public init(_ bytes: [UInt8], source: String) throws(DiagnosticError) {
        let document = try YAML.values(bytes, file: source).first ?? .null
        guard case .object(let top) = document, case .object(let charts)? = top["entries"] else {
            throw DiagnosticError(code: "chart.index", at: SourceLocation(file: source, line: 1, column: 1),
                                  "\(source) is not a Helm repository index (no 'entries')")
        }
        var entries: [String: [Entry]] = [:]
        for (name, list) in charts {
            entries[name] = (list.arrayValue ?? []).compactMap { item in
                guard let version = item["version"].flatMap({ $0.stringValue ?? ($0 == .null ? nil : "\($0)") }) else { return nil }
                let urls = (item["urls"]?.arrayValue ?? []).compactMap(\.stringValue)
                return Entry(version: version, urls: urls, digest: item["digest"]?.stringValue)
            }
        }
        self.entries = entries
    }

    /// The entry of the newest version `chart` admits; an error naming the versions there are.
    public func resolve(_ chart: RemoteChart) throws(ChartSourceError) -> Entry {
        guard let versions = entries[chart.name], !versions.isEmpty else {
            throw ChartSourceError("chart '\(chart.name)' is not in \(chart.repository) (its index lists \(entries.count) charts)")
        }
        let matching = chart.matching(versions.map(\.version))
        guard let best = matching.first, let entry = versions.first(where: { $0.version == best }) else {
            let sorted = versions.compactMap { SemanticVersion($0.version) }.sorted(by: >).prefix(8).map(\.original)
            throw ChartSourceError("no version of '\(chart.name)' in \(chart.repository) satisfies '\(chart.version)' (newest: \(sorted.joined(separator: ", ")))")
        }
        return entry
    }
}

/// A chart that cannot be found, fetched or verified, with what to do.
public struct ChartSourceError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
