import Basics
import YAML

/// `environments/<env>/charts.lock`: the exact chart each remote release renders — the version
/// its reference resolved to and the archive's digest — so that a revision renders the same bytes
/// forever. Written by `gitops chart lock ENV`; read by every render.
public struct ChartLock: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var release: String
        public var repository: String
        public var name: String
        /// The reference as written in environment.yaml (exact or a range), to notice an edit.
        public var constraint: String
        public var version: String
        public var digest: String
        public var url: String

        public init(release: String, repository: String, name: String, constraint: String, version: String, digest: String, url: String) {
            self.release = release
            self.repository = repository
            self.name = name
            self.constraint = constraint
            self.version = version
            self.digest = digest
            self.url = url
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public static func path(environmentFolder: String) -> String { environmentFolder + "/charts.lock" }

    public init(_ bytes: [UInt8], file: String) throws(DiagnosticError) {
        let document = try YAML.values(bytes, file: file).first ?? .null
        var entries: [Entry] = []
        for item in document["charts"]?.arrayValue ?? [] {
            guard let release = item["release"]?.stringValue, let repository = item["repository"]?.stringValue,
                  let name = item["name"]?.stringValue, let version = item["version"]?.stringValue,
                  let digest = item["digest"]?.stringValue, digest.hasPrefix("sha256:") else {
                throw DiagnosticError(code: "chart.lock", at: SourceLocation(file: file, line: 1, column: 1),
                                      "\(file) has an entry without release, repository, name, version and a sha256: digest; run `gitops chart lock` to rewrite it")
            }
            entries.append(Entry(release: release, repository: repository, name: name, constraint: item["constraint"]?.stringValue ?? version,
                                 version: version, digest: String(digest.dropFirst("sha256:".count)), url: item["url"]?.stringValue ?? ""))
        }
        self.entries = entries
    }

    public func entry(release: String) -> Entry? { entries.first { $0.release == release } }

    /// The file's text (stable order: by release).
    public var yaml: String {
        var text = "# Written by `gitops chart lock`: the exact chart each remote release of this environment\n"
        text += "# renders. Commit it; a render whose chart does not match its digest fails.\ncharts:\n"
        for entry in entries.sorted(by: { $0.release < $1.release }) {
            text += "  - release: \(YAMLEmitter.inlineScalar(entry.release))\n"
            text += "    repository: \(YAMLEmitter.inlineScalar(entry.repository))\n"
            text += "    name: \(YAMLEmitter.inlineScalar(entry.name))\n"
            text += "    constraint: \(YAMLEmitter.inlineScalar(entry.constraint))\n"
            text += "    version: \(YAMLEmitter.inlineScalar(entry.version))\n"
            text += "    digest: sha256:\(entry.digest)\n"
            text += "    url: \(YAMLEmitter.inlineScalar(entry.url))\n"
        }
        return text
    }
}
