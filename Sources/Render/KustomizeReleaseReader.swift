import Basics
import Foundation
import KubeModel
import Kustomize

/// Builds a `kustomize:` release with gitops' own kustomize build: each object keeps the file and
/// line it was read from, and the fields a patch set point at the patch.
struct KustomizeReleaseReader {
    let tree: any FileTree
    let release: String
    let renderTime: Date
    let seedSecret: String?

    func read(folder: String, into collector: inout DiagnosticCollector) -> [Object] {
        let resources: [KustomizeResource]
        do {
            resources = try KustomizeBuilder(tree: tree, renderTime: renderTime, seedSecret: seedSecret).build(folder)
        } catch {
            for diagnostic in error.diagnostics { collector.append(diagnostic) }
            return []
        }
        return resources.map { resource in
            var provenance = Provenance(release: release, file: resource.source.file, documentIndex: resource.documentIndex,
                                        line: resource.source.line, column: resource.source.column)
            provenance.fields = resource.fields
            return Object(content: resource.object, provenance: provenance)
        }
    }
}
