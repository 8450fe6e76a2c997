import Basics
import YAML

/// A Helm chart as loaded from a file tree.
public struct Chart: Sendable {
    /// `Chart.yaml` as data (every field, for `.Chart`).
    public var metadata: Value
    public var name: String
    public var version: String
    public var apiVersion: String
    public var isLibrary: Bool
    public var dependencies: [Dependency]
    /// `values.yaml`, with numbers as Helm sees them (float64).
    public var values: Value
    /// Repository-relative folder of the chart.
    public var path: String
    /// Templates, by path relative to the chart (`templates/deployment.yaml`), with their text.
    public var templates: [(path: String, text: String)]
    /// Files under `crds/`, relative to the chart.
    public var crds: [(path: String, text: String)]
    /// Every other file of the chart, relative to it, for `.Files`.
    public var files: [String: [UInt8]]
    /// Subcharts from `charts/`, by folder name.
    public var subcharts: [Chart]
    /// `values.schema.json`, which the values must meet before rendering (as Helm checks it).
    public var valuesSchema: Value? = nil
    /// Parsed templates, kept with the loaded chart so rendering it again does not parse again.
    let parsed = ParsedTemplates()

    public struct Dependency: Sendable {
        public var name: String
        public var alias: String?
        public var condition: String?
        public var tags: [String]
        public var importValues: [Value]
        public var enabled: Bool?
        /// `repository:` (`https://...`, `oci://...`, `file://...`, or an `@alias`); nil when not set.
        public var repository: String? = nil
        /// `version:`, a constraint (`7.x.x`, `^1.2`) the vendored chart's version must meet for
        /// this entry to apply to it (Helm's IsCompatibleRange).
        public var version: String? = nil
    }
}

import Synchronization
import Template

/// What rendering a loaded chart again can reuse: parse results of its templates (by rendered
/// name and function-set identity) and its `.Chart` and `.Files` objects.
final class ParsedTemplates: Sendable {
    private let entries = Mutex<[String: TemplateSet.Parsed]>([:])
    private let objects = Mutex<[String: TemplateValue]>([:])

    /// `name` is the name the chart renders under (an alias shares the loaded chart).
    func chartObject(name: String, _ make: () -> TemplateValue) -> TemplateValue { cached("chart\u{0}" + name, make) }
    func filesObject(_ make: () -> TemplateValue) -> TemplateValue { cached("files", make) }

    private func cached(_ key: String, _ make: () -> TemplateValue) -> TemplateValue {
        if let value = objects.withLock({ $0[key] }) { return value }
        let value = make()
        objects.withLock { $0[key] = value }
        return value
    }

    func get(_ name: String, fingerprint: Int) -> TemplateSet.Parsed? {
        entries.withLock { $0["\(fingerprint)\u{0}" + name] }
    }

    func put(_ name: String, fingerprint: Int, _ parsed: TemplateSet.Parsed) {
        entries.withLock { $0["\(fingerprint)\u{0}" + name] = parsed }
    }
}
