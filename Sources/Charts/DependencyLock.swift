import Basics
import Crypto
import Foundation
import Template
import YAML

/// A chart's `Chart.lock` as Helm writes it (`helm dependency update`): the version each
/// dependency resolved to and a digest of Chart.yaml's dependencies with the lock's, which tells a
/// lock that no longer matches Chart.yaml. gitops adds each archive's sha256 (`archiveDigest`, a
/// field Helm ignores) so that a dependency renders the same bytes forever.
public struct DependencyLock: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var repository: String
        public var version: String
        /// The archive's sha256, hex (nil in a lock Helm wrote).
        public var archiveDigest: String?

        public init(name: String, repository: String, version: String, archiveDigest: String? = nil) {
            self.name = name
            self.repository = repository
            self.version = version
            self.archiveDigest = archiveDigest
        }
    }

    public var dependencies: [Entry]
    /// `sha256:<hex>` of Chart.yaml's dependencies and the lock's (Helm's HashReq).
    public var digest: String
    /// Helm's `generated` timestamp, kept as it is when the lock does not change.
    public var generated: String

    public init(dependencies: [Entry], digest: String, generated: String) {
        self.dependencies = dependencies
        self.digest = digest
        self.generated = generated
    }

    public init(_ bytes: [UInt8], file: String) throws(DiagnosticError) {
        let document = try YAML.values(bytes, file: file).first ?? .null
        guard let digest = document["digest"]?.stringValue else {
            throw DiagnosticError(code: "chart.lock", at: SourceLocation(file: file, line: 1, column: 1),
                                  "\(file) has no digest; regenerate it with `gitops chart lock` (or `helm dependency update`)")
        }
        self.digest = digest
        generated = document["generated"]?.stringValue ?? ""
        dependencies = (document["dependencies"]?.arrayValue ?? []).map { item in
            Entry(name: stringField(item["name"]) ?? "", repository: stringField(item["repository"]) ?? "", version: stringField(item["version"]) ?? "",
                  archiveDigest: item["archiveDigest"]?.stringValue.map { $0.hasPrefix("sha256:") ? String($0.dropFirst(7)) : $0 })
        }
    }

    /// Helm's HashReq: sha256 of `json.Marshal([2][]*chart.Dependency{requested, locked})`, the
    /// struct's fields in their declared order, empty ones left out, `<>&` escaped.
    public static func hash(requested: [Chart.Dependency], locked: [Entry]) -> String {
        func dependency(name: String, version: String?, repository: String, condition: String? = nil, tags: [String] = [],
                        enabled: Bool? = nil, importValues: [Value] = [], alias: String? = nil) -> String {
            var out = "{\"name\":"
            JSONWriter.quote(name, escapeHTML: true, into: &out)
            if let version, !version.isEmpty { out += ",\"version\":"; JSONWriter.quote(version, escapeHTML: true, into: &out) }
            out += ",\"repository\":"
            JSONWriter.quote(repository, escapeHTML: true, into: &out)
            if let condition, !condition.isEmpty { out += ",\"condition\":"; JSONWriter.quote(condition, escapeHTML: true, into: &out) }
            if !tags.isEmpty {
                out += ",\"tags\":[" + tags.map { var t = ""; JSONWriter.quote($0, escapeHTML: true, into: &t); return t }.joined(separator: ",") + "]"
            }
            if enabled == true { out += ",\"enabled\":true" }
            if !importValues.isEmpty {
                out += ",\"import-values\":[" + importValues.map { (try? GoJSON.encode(TemplateValue($0), escapeHTML: true)) ?? "null" }.joined(separator: ",") + "]"
            }
            if let alias, !alias.isEmpty { out += ",\"alias\":"; JSONWriter.quote(alias, escapeHTML: true, into: &out) }
            return out + "}"
        }
        let requestedJSON = requested.map {
            dependency(name: $0.name, version: $0.version, repository: $0.repository ?? "", condition: $0.condition, tags: $0.tags,
                       enabled: $0.enabled, importValues: $0.importValues, alias: $0.alias)
        }
        let lockedJSON = locked.map { dependency(name: $0.name, version: $0.version, repository: $0.repository) }
        // Go marshals a nil slice as null, an empty one as [].
        func list(_ items: [String]) -> String { items.isEmpty ? "null" : "[" + items.joined(separator: ",") + "]" }
        let json = "[" + list(requestedJSON) + "," + list(lockedJSON) + "]"
        return "sha256:" + SHA256.hash(data: Array(json.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The file's text as Helm writes it (keys sorted), with gitops' archive digests.
    public var yaml: String {
        var text = "dependencies:\n"
        for entry in dependencies {
            if let archiveDigest = entry.archiveDigest { text += "- archiveDigest: sha256:\(archiveDigest)\n  name: \(YAMLEmitter.inlineScalar(entry.name))\n" } else { text += "- name: \(YAMLEmitter.inlineScalar(entry.name))\n" }
            text += "  repository: \(YAMLEmitter.inlineScalar(entry.repository))\n"
            text += "  version: \(YAMLEmitter.inlineScalar(entry.version))\n"
        }
        if dependencies.isEmpty { text = "dependencies: []\n" }
        text += "digest: \(digest)\n"
        text += "generated: \"\(generated)\"\n"
        return text
    }

    /// Helm's `generated` format (RFC 3339 with nanoseconds).
    public static func timestamp(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'"
        return formatter.string(from: date)
    }
}

/// The archives of dependencies a `Chart.lock` pins, supplied by whoever keeps them (the chart
/// cache): the loader asks for the ones `charts/` lacks.
public protocol DependencyArchives: Sendable {
    /// The archive of `entry`, nil when it is not at hand (not fetched yet).
    func archive(_ entry: DependencyLock.Entry) throws -> [UInt8]?
}
