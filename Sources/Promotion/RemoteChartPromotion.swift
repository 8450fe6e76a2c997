import Basics
import ChartSources
import RepoModel
import YAML

/// Promoting a remote chart's version (`promote: [chart.version]`): the target release's version
/// in environment.yaml takes the source's, format preserved, and the source's pin in its
/// `charts.lock` is copied into the target's, so the promoted revision renders exactly the archive
/// the source environment was tested with.
enum RemoteChartPromotion {
    /// The reserved promote path: the chart's version, not a value.
    static let versionPath = ValuePath([.key("chart"), .key("version")])

    static func plan(release: Release, index: Int, chart: RemoteChart, sourceRelease: Release, source: Environment, target: Environment,
                     sourceTree: any FileTree, targetTree: any FileTree,
                     plan: inout PromotionPlan, texts: inout [String: String]) throws {
        guard case .remoteChart(let sourceChart, _, _, _) = sourceRelease.source else {
            plan.notes.append("\(source.name)'s release '\(release.name)' is not a remote chart; its chart version is left as it is")
            return
        }
        guard sourceChart.repository == chart.repository, sourceChart.name == chart.name else {
            plan.notes.append("\(source.name) takes '\(release.name)' from \(sourceChart.repository)/\(sourceChart.name), \(target.name) from \(chart.repository)/\(chart.name); the chart version is promoted only between the same chart")
            return
        }
        let sourceLockPath = ChartLock.path(environmentFolder: source.folder)
        guard let sourceLockBytes = try? sourceTree.read(sourceLockPath),
              let sourceEntry = try ChartLock(sourceLockBytes, file: sourceLockPath).entry(release: release.name),
              sourceEntry.repository == sourceChart.repository, sourceEntry.name == sourceChart.name, sourceEntry.constraint == sourceChart.version else {
            throw PromotionError("\(source.name) does not pin '\(release.name)' \(sourceChart) in \(sourceLockPath): run `gitops chart lock \(source.name)` and commit the lock, then promote")
        }
        // The lock's text as this promotion leaves it (other releases' pins kept).
        let targetLockPath = ChartLock.path(environmentFolder: target.folder)
        let lockText = texts[targetLockPath] ?? ((try? targetTree.read(targetLockPath)).map { String(decoding: $0, as: UTF8.self) })
        var lock = try lockText.map { try ChartLock(Array($0.utf8), file: targetLockPath) } ?? ChartLock(entries: [])
        let pinned = lock.entry(release: release.name)
        if chart.version == sourceChart.version, pinned == sourceEntry { return }
        if chart.version != sourceChart.version {
            let file = target.file
            let text = try texts[file] ?? String(decoding: try targetTree.read(file), as: UTF8.self)
            let document = try YAML.values(Array(text.utf8), file: file).first ?? .null
            let releasePath: [ValuePath.Component] = [.key("spec"), .key("releases"), .index(index)]
            // `chart: {repository, name, version}`, or `chart: oci://...` with the release's `version:`.
            let inChart = ValuePath(releasePath + [.key("chart"), .key("version")])
            let path = inChart.lookup(in: document) != nil ? inChart : ValuePath(releasePath + [.key("version")])
            texts[file] = try YAMLEdit.setScalar(in: text, file: file, path: path, to: .string(sourceChart.version))
            plan.changes.append(PromotionChange(release: release.name, path: versionPath, from: .string(chart.version), to: .string(sourceChart.version), file: file))
        }
        lock.entries.removeAll { $0.release == release.name }
        lock.entries.append(sourceEntry)
        texts[targetLockPath] = lock.yaml
        if chart.version == sourceChart.version {
            plan.changes.append(PromotionChange(release: release.name, path: ValuePath([.key("chart"), .key("digest")]),
                                                from: pinned.map { .string("sha256:" + $0.digest.prefix(12)) }, to: .string("sha256:" + sourceEntry.digest.prefix(12)), file: targetLockPath))
        }
    }
}
