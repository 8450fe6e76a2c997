import Basics
import ChartSources
import Charts
import Foundation
import KubeModel
import RepoModel
import Rollouts
import Secrets
import YAML

/// Renders environments: each release to objects, namespaces defaulted, duplicates refused,
/// everything in install order.
public struct Renderer: Sendable {
    public let tree: any FileTree
    /// What charts' `now` returns: the commit time of the revision rendered (the current time
    /// for a working tree), so that a revision always renders the same bytes.
    public let renderTime: Date
    /// Mixed into the seed of charts' random functions (see `ChartRenderOptions.seedSecret`).
    public let seedSecret: String?

    /// Where remote charts' pinned archives are read from.
    public let chartCache: ChartCache

    /// Where SOPS-encrypted files are decrypted (in memory): the tree every reader uses.
    private let decrypting: DecryptingTree
    /// Chart folders loaded so far, shared by the environments this renderer renders.
    private let loadedCharts = LoadedCharts()

    /// Whether chart output's fields record the template or values line that wrote them (what
    /// findings point at); a render only compared, never checked, does without.
    public let fieldPositions: Bool

    /// - Parameters:
    ///   - secretKeys: the age keys for SOPS-encrypted files (default: as sops finds them).
    ///   - fieldPositions: record where each field of chart output was written (for findings).
    public init(tree: any FileTree, renderTime: Date = Date(), seedSecret: String? = nil, chartCache: ChartCache = .standard(),
                secretKeys: SecretKeys = .standard(), fieldPositions: Bool = true) {
        self.fieldPositions = fieldPositions
        let decrypting = (tree as? DecryptingTree) ?? DecryptingTree(tree, keys: secretKeys)
        self.decrypting = decrypting
        self.tree = decrypting
        self.renderTime = renderTime
        self.seedSecret = seedSecret
        self.chartCache = chartCache
    }

    /// The annotation on objects read from a SOPS-encrypted file (set by the renderer only: one
    /// written in a plain file is removed), so policies can tell encrypted Secrets from literal ones.
    public static let encryptedAnnotation = "gitops/sops"

    static func markEncrypted(_ objects: inout [Object], files: Set<String>) {
        for index in objects.indices {
            var metadata = objects[index].content["metadata"]?.objectValue ?? [:]
            var annotations = metadata["annotations"]?.objectValue ?? [:]
            let encrypted = files.contains(objects[index].provenance.file)
            guard encrypted || annotations[encryptedAnnotation] != nil else { continue }
            annotations[encryptedAnnotation] = encrypted ? .string("encrypted") : nil
            metadata["annotations"] = annotations.isEmpty ? nil : .object(annotations)
            objects[index].content["metadata"] = .object(metadata)
        }
    }

    /// Encrypted files rendered so far that no key opened (their values read as a marker).
    public var lockedSecrets: [DecryptingTree.Locked] { decrypting.locked }

    /// The plaintext values decrypted so far (to mask output; never print them).
    public var decryptedSecrets: Set<String> { decrypting.secrets }

    public func render(_ environment: Environment) throws(DiagnosticError) -> RenderedEnvironment {
        // Chart.lock dependencies that charts/ lacks come from the cache.
        let result: Result<RenderedEnvironment, DiagnosticError> = ChartLoader.$dependencyArchives.withValue(CachedDependencyArchives(cache: chartCache)) {
            do throws(DiagnosticError) { return .success(try renderWithArchives(environment)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func renderWithArchives(_ environment: Environment) throws(DiagnosticError) -> RenderedEnvironment {
        var collector = DiagnosticCollector()
        var objects: [Object] = []
        var releaseNamespaces: [String: String] = [:]
        for release in environment.releases {
            releaseNamespaces[release.name] = release.namespace ?? environment.namespace
            switch release.source {
            case .manifests(let path):
                objects += ManifestReader(tree: tree, release: release.name).read(folder: path, into: &collector)
            case .kustomize(let path, _, _):
                objects += KustomizeReleaseReader(tree: tree, release: release.name, renderTime: renderTime, seedSecret: seedSecret)
                    .read(folder: path, into: &collector)
            case .chart(let path, let valuesFiles, let values, _):
                let reader = ChartReleaseReader(tree: tree, renderTime: renderTime, seedSecret: seedSecret, charts: loadedCharts, fieldPositions: fieldPositions)
                objects += reader.render(release: release, chart: path, valuesFiles: valuesFiles, values: values,
                                         namespace: release.namespace ?? environment.namespace, into: &collector)
            case .remoteChart(let chart, let valuesFiles, let values, _):
                // The archive the environment's charts.lock pins, from the cache, verified.
                guard let (bytes, display) = collector.capture({ () throws(DiagnosticError) in
                    try LockedCharts.archive(chart, release: release, environment: environment, tree: tree, cache: chartCache)
                }) else { continue }
                guard let loaded = collector.capture({ () throws(DiagnosticError) -> Chart in
                    try ChartLoader.load(MemoryFileTree(displayName: display, files: [display: bytes]), path: display)
                }) else { continue }
                let reader = ChartReleaseReader(tree: tree, renderTime: renderTime, seedSecret: seedSecret, charts: loadedCharts, fieldPositions: fieldPositions)
                objects += reader.render(release: release, chart: display, loaded: loaded, valuesFiles: valuesFiles, values: values,
                                         namespace: release.namespace ?? environment.namespace, into: &collector)
            }
        }
        let scopes = Self.scopes(declaredBy: objects)
        for index in objects.indices {
            switch scopes.scope(of: objects[index].gvk.groupKind) {
            case .cluster:
                objects[index].namespace = ""
            case .namespaced:
                if objects[index].namespace.isEmpty {
                    objects[index].namespace = releaseNamespaces[objects[index].provenance.release] ?? environment.namespace
                }
            }
        }
        // A release that rolls out progressively renders in its steady form (what the sync applies).
        for release in environment.releases {
            guard let rollout = release.rollout else { continue }
            let positions = objects.indices.filter { objects[$0].provenance.release == release.name }
            let steady = RolloutObjects.steady(positions.map { objects[$0] }, spec: rollout)
            for (position, object) in zip(positions, steady) { objects[position] = object }
        }
        Self.markEncrypted(&objects, files: decrypting.encryptedFiles)
        Self.checkDuplicates(objects, into: &collector)
        try collector.throwIfErrors()
        return RenderedEnvironment(environment: environment, objects: InstallOrder.sorted(objects))
    }

    /// The objects of the plain manifests under `folder` (every `*.yaml`/`*.yml`), as a manifest
    /// release reads them; problems are thrown together.
    public func manifests(in folder: String, release: String = "") throws(DiagnosticError) -> [Object] {
        var collector = DiagnosticCollector()
        let objects = ManifestReader(tree: tree, release: release).read(folder: folder, into: &collector)
        try collector.throwIfErrors()
        return objects
    }

    /// Built-in scopes plus those that CustomResourceDefinitions among `objects` declare.
    static func scopes(declaredBy objects: [Object]) -> ScopeTable {
        var table = ScopeTable()
        for object in objects where object.kind == "CustomResourceDefinition" && object.gvk.group == "apiextensions.k8s.io" {
            let spec = Value.object(object.content)["spec"]
            guard let group = spec?["group"]?.stringValue, let kind = spec?["names"]?["kind"]?.stringValue else { continue }
            let scope: Scope = spec?["scope"]?.stringValue == "Cluster" ? .cluster : .namespaced
            table.define(GroupKind(group: group, kind: kind), scope: scope)
        }
        return table
    }

    static func checkDuplicates(_ objects: [Object], into collector: inout DiagnosticCollector) {
        var first: [ResourceKey: Object] = [:]
        for object in objects {
            if let earlier = first[object.key] {
                let p = earlier.provenance
                collector.error("render.duplicateObject", at: object.provenance.location,
                                "\(object.key) is defined twice: here (release '\(object.provenance.release)') and at \(p.location) (release '\(p.release)'); remove one or rename it")
            } else {
                first[object.key] = object
            }
        }
    }
}
