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

    public struct Dependency: Sendable {
        public var name: String
        public var alias: String?
        public var condition: String?
        public var tags: [String]
        public var importValues: [Value]
        public var enabled: Bool?
    }
}
