import Basics
import ChartSources
import Foundation
import Kustomize
import RepoModel
import Secrets
import YAML

/// Plans a promotion: for every release of the target that names `promote:` paths and exists in
/// the source, the effective values at those paths on both sides (chart defaults ← values files ←
/// inline values) and, where they differ, the format-preserving edit of the file where the
/// target's value is defined.
public enum PromotionPlanner {
    /// - Parameters:
    ///   - sourceTree, sourceModel: the repository at the source's revision.
    ///   - targetTree, targetModel: the repository at the base the promotion is built on.
    ///   - releases: only these releases (nil: all).
    public static func plan(source: String, target: String, sourceCommit: String,
                            sourceTree: any FileTree, sourceModel: EnvironmentRepository,
                            targetTree: any FileTree, targetModel: EnvironmentRepository,
                            releases only: [String]? = nil, force: Bool = false) throws -> PromotionPlan {
        guard let sourceEnvironment = sourceModel.environment(named: source) else {
            if let broken = sourceModel.brokenEnvironment(named: source) { throw PromotionError("at the source revision, \(broken.summary)") }
            throw PromotionError("no environment '\(source)' at the source revision")
        }
        guard let targetEnvironment = targetModel.environment(named: target) else {
            if let broken = targetModel.brokenEnvironment(named: target) { throw PromotionError("on the base branch, \(broken.summary)") }
            throw PromotionError("no environment '\(target)' on the base branch")
        }
        if !force, let problem = orderProblem(source: source, target: targetEnvironment, settings: targetModel.settings) {
            throw PromotionError(problem + "; pass --force to promote \(source) into \(target) anyway (the commit says so)")
        }
        if let only {
            for name in only where !targetEnvironment.releases.contains(where: { $0.name == name }) {
                throw PromotionError("\(target) has no release '\(name)' (it has \(targetEnvironment.releases.map(\.name).joined(separator: ", ")))")
            }
        }
        var plan = PromotionPlan(source: source, target: target, sourceCommit: sourceCommit, changes: [], edits: [:], notes: [])
        var texts: [String: String] = [:]
        for (index, release) in targetEnvironment.releases.enumerated() {
            if let only, !only.contains(release.name) { continue }
            if case .kustomize(let folder, _, let promote) = release.source, !promote.isEmpty {
                try planKustomize(release: release.name, folder: folder, promote: promote, source: source, sourceEnvironment: sourceEnvironment,
                                  sourceTree: sourceTree, targetTree: targetTree, plan: &plan, texts: &texts)
                continue
            }
            let chart: String?, valuesFiles: [String], inline: Value, promote: [ValuePath]
            switch release.source {
            case .chart(let path, let files, let values, let paths): (chart, valuesFiles, inline, promote) = (path, files, values, paths)
            case .remoteChart(_, let files, let values, let paths): (chart, valuesFiles, inline, promote) = (nil, files, values, paths)
            default: continue
            }
            if promote.isEmpty { continue }
            guard let sourceRelease = sourceEnvironment.releases.first(where: { $0.name == release.name }),
                  sourceRelease.source.isChart else {
                plan.notes.append("\(source) has no chart release '\(release.name)'; nothing to promote for it")
                continue
            }
            let targetLayers = try layers(targetTree, chart: chart, valuesFiles: valuesFiles, inline: inline)
            let sourceLayers = try layers(sourceTree, release: sourceRelease)
            for path in promote {
                // Never copy ciphertext between environments, never write plaintext into an encrypted file.
                for (layers, side) in [(sourceLayers, source), (targetLayers, target)] {
                    if let file = layers.encrypted.sorted().first(where: { layers.files[$0].flatMap { path.lookup(in: $0) } != nil }) {
                        throw PromotionError("\(release.name) \(path) is set in \(file), which is SOPS-encrypted (\(side)); promotions do not copy encrypted values: keep promoted values in plaintext values files, and change secrets with `gitops secret edit`")
                    }
                }
                if path == RemoteChartPromotion.versionPath, case .remoteChart(let targetChart, _, _, _) = release.source {
                    try RemoteChartPromotion.plan(release: release, index: index, chart: targetChart, sourceRelease: sourceRelease,
                                                  source: sourceEnvironment, target: targetEnvironment,
                                                  sourceTree: sourceTree, targetTree: targetTree, plan: &plan, texts: &texts)
                    continue
                }
                guard let wanted = effective(path, sourceLayers) else {
                    plan.notes.append("\(source) does not set \(release.name) \(path); left as it is")
                    continue
                }
                guard case .some = YAMLEmitter.inlineValue(wanted) ?? wanted.stringValue else {
                    throw PromotionError("\(release.name) \(path) is a \(wanted.typeName) in \(source); only scalar values can be promoted")
                }
                let current = effective(path, targetLayers)
                if current == wanted { continue }
                let file = try edit(path, to: wanted, release: index, of: targetEnvironment, layers: targetLayers, tree: targetTree, texts: &texts)
                plan.changes.append(PromotionChange(release: release.name, path: path, from: current, to: wanted, file: file))
            }
        }
        plan.edits = texts.mapValues { Array($0.utf8) }
        return plan
    }

    /// Sets `path` of the chart release at `index` to `value` in the file where the environment's
    /// value is defined: the release's inline values in environment.yaml, else the last values file
    /// that sets it; where nothing sets it, the first values file (or the inline values when there
    /// is none). Edits accumulate in `texts` (path → text); returns the file edited.
    static func edit(_ path: ValuePath, to value: Value, release index: Int, of environment: Environment, layers: Layers,
                     tree: any FileTree, texts: inout [String: String]) throws -> String {
        let valuesFiles: [String], inline: Value
        switch environment.releases[index].source {
        case .chart(_, let files, let values, _), .remoteChart(_, let files, let values, _): (valuesFiles, inline) = (files, values)
        default: throw PromotionError("\(environment.releases[index].name) is not a chart release")
        }
        let file: String, editPath: ValuePath
        if path.lookup(in: inline) != nil || valuesFiles.isEmpty {
            file = environment.file
            editPath = ValuePath([.key("spec"), .key("releases"), .index(index), .key("values")] + path.components)
        } else {
            file = valuesFiles.last { layers.files[$0].flatMap { path.lookup(in: $0) } != nil } ?? valuesFiles[0]
            editPath = path
        }
        let text = try texts[file] ?? String(decoding: try tree.read(file), as: UTF8.self)
        texts[file] = try YAMLEdit.setScalar(in: text, file: file, path: editPath, to: value)
        return file
    }

    /// A kustomize release: each `images[name=..]`/`replicas[name=..]` entry of the target's
    /// kustomization takes the source kustomization's value, edited in place in the target's file.
    static func planKustomize(release: String, folder: String, promote: [ValuePath], source: String, sourceEnvironment: Environment,
                              sourceTree: any FileTree, targetTree: any FileTree,
                              plan: inout PromotionPlan, texts: inout [String: String]) throws {
        guard let sourceRelease = sourceEnvironment.releases.first(where: { $0.name == release }),
              case .kustomize(let sourceFolder, _, _) = sourceRelease.source else {
            plan.notes.append("\(source) has no kustomize release '\(release)'; nothing to promote for it")
            return
        }
        guard let sourceFile = KustomizeInputs.kustomizationFile(in: sourceFolder, tree: sourceTree),
              let targetFile = KustomizeInputs.kustomizationFile(in: folder, tree: targetTree) else {
            throw PromotionError("\(release): no kustomization file in '\(sourceFolder)' (\(source)) or '\(folder)'")
        }
        let sourceValue = try YAML.values(try sourceTree.read(sourceFile), file: sourceFile).first ?? .null
        let text = try texts[targetFile] ?? String(decoding: try targetTree.read(targetFile), as: UTF8.self)
        let targetValue = try YAML.values(Array(text.utf8), file: targetFile).first ?? .null
        var edited = text
        for path in promote {
            guard let wanted = path.lookup(in: sourceValue), wanted != .null else {
                plan.notes.append("\(source) does not set \(release) \(path) in \(sourceFile); left as it is")
                continue
            }
            guard YAMLEmitter.inlineValue(wanted) != nil || wanted.stringValue != nil else {
                throw PromotionError("\(release) \(path) is a \(wanted.typeName) in \(source); only scalar values can be promoted")
            }
            let entry = ValuePath(Array(path.components.prefix(2)))
            guard entry.lookup(in: targetValue) != nil else {
                plan.notes.append("\(targetFile) has no \(entry) entry; add one to promote \(release) \(path)")
                continue
            }
            let current = path.lookup(in: targetValue)
            if current == wanted { continue }
            edited = try YAMLEdit.setScalar(in: edited, file: targetFile, path: path, to: wanted)
            plan.changes.append(PromotionChange(release: release, path: path, from: current, to: wanted, file: targetFile))
        }
        if edited != text || texts[targetFile] != nil { texts[targetFile] = edited }
    }

    /// The environment that promotes into `target`: its `spec.promotion.from`, else the one before
    /// it in gitops.yaml's `promotion.order`; nil when neither says.
    public static func expectedSource(of target: Environment, settings: RepositorySettings) -> (name: String, declaredIn: String)? {
        if let from = target.promotionSource { return (from, "spec.promotion.from in \(target.file)") }
        if let index = settings.promotionOrder.firstIndex(of: target.name), index > 0 {
            return (settings.promotionOrder[index - 1], "promotion.order in gitops.yaml")
        }
        return nil
    }

    /// Why promoting `source` into `target` goes against the declared order; nil when it does not.
    static func orderProblem(source: String, target: Environment, settings: RepositorySettings) -> String? {
        if let expected = expectedSource(of: target, settings: settings) {
            guard expected.name != source else { return nil }
            return "\(target.name) promotes from \(expected.name) (\(expected.declaredIn)), not from \(source)"
        }
        if settings.promotionOrder.first == target.name, settings.promotionOrder.contains(source) {
            return "\(target.name) comes first in promotion.order (gitops.yaml): nothing promotes into it, \(source) included"
        }
        return nil
    }

    /// A release's values, lowest precedence first: chart defaults, values files, inline values.
    struct Layers {
        var ordered: [Value]
        var files: [String: Value]
        /// Values files that are SOPS-encrypted (their values here are ciphertext).
        var encrypted: Set<String> = []
    }

    static func layers(_ tree: any FileTree, release: Release) throws -> Layers {
        switch release.source {
        case .chart(let chart, let valuesFiles, let inline, _): return try layers(tree, chart: chart, valuesFiles: valuesFiles, inline: inline)
        case .remoteChart(_, let valuesFiles, let inline, _): return try layers(tree, chart: nil, valuesFiles: valuesFiles, inline: inline)
        default: return Layers(ordered: [], files: [:])
        }
    }

    /// `chart`: the chart folder whose values.yaml holds the defaults; nil for a remote chart
    /// (its defaults are in the archive: only what the repository sets is compared).
    static func layers(_ tree: any FileTree, chart: String?, valuesFiles: [String], inline: Value) throws -> Layers {
        var ordered: [Value] = []
        var files: [String: Value] = [:]
        if let chart, let bytes = try? tree.read(chart + "/values.yaml") {
            ordered.append(try YAML.values(bytes, file: chart + "/values.yaml").first ?? .null)
        }
        var encrypted: Set<String> = []
        for file in valuesFiles {
            let bytes = try tree.read(file)
            if SopsFile.isEncrypted(bytes) { encrypted.insert(file) }
            let value = try YAML.values(bytes, file: file).first ?? .null
            ordered.append(value)
            files[file] = value
        }
        ordered.append(inline)
        return Layers(ordered: ordered, files: files, encrypted: encrypted)
    }

    /// The value the chart sees at `path`: the last layer that sets it (a `null` unsets it, as in Helm).
    static func effective(_ path: ValuePath, _ layers: Layers) -> Value? {
        var result: Value?
        for layer in layers.ordered {
            guard let value = path.lookup(in: layer) else { continue }
            result = value == .null ? nil : value
        }
        return result
    }
}

/// A promotion that cannot be planned or written, with what to do.
public struct PromotionError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
