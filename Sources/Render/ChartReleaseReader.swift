import Basics
import Charts
import Foundation
import KubeModel
import RepoModel
import YAML

/// Renders a `chart:` release: chart defaults ← values files in order ← inline values, release
/// name and namespace from the environment, each rendered document an object that points back
/// at its template file.
struct ChartReleaseReader {
    let tree: any FileTree
    let renderTime: Date
    let seedSecret: String?

    func render(release: Release, chart path: String, valuesFiles: [String], values: Value, namespace: String,
                into collector: inout DiagnosticCollector) -> [Object] {
        guard let chart = collector.capture({ () throws(DiagnosticError) -> Chart in try ChartLoader.load(tree, path: path) }) else {
            return []
        }
        var userValues: Value = .object([:])
        for file in valuesFiles {
            guard let bytes = collector.capture({ try tree.read(file) }),
                  let fileValues = collector.capture({ () throws(DiagnosticError) -> Value in try HelmValues.read(bytes, file: file) })
            else { continue }
            userValues = HelmValues.merge(userValues, fileValues)
        }
        userValues = HelmValues.merge(userValues, HelmValues.asFloats(values))
        let time = renderTime
        let options = ChartRenderOptions(releaseName: release.name, namespace: namespace, values: userValues,
                                         now: { time }, seedSecret: seedSecret)
        guard let rendered = collector.capture({ () throws(DiagnosticError) -> [RenderedTemplate] in
            try ChartRenderer.render(chart, options: options)
        }) else { return [] }
        var objects: [Object] = []
        // CRDs first, untemplated, as Helm installs them.
        for crd in chart.crds {
            objects += documents(crd.text, file: path + "/" + crd.path, release: release.name, into: &collector)
        }
        for template in rendered where !template.name.hasSuffix("NOTES.txt") {
            objects += documents(template.content, file: template.sourcePath, release: release.name, into: &collector)
        }
        return objects
    }

    private func documents(_ text: String, file: String, release: String, into collector: inout DiagnosticCollector) -> [Object] {
        var objects: [Object] = []
        for (index, document) in HelmTemplateOutput.split(text).enumerated() {
            let value: Value
            do {
                value = try YAML.value(document, file: file + " (rendered)")
            } catch {
                collector.error("render.chartOutput", at: SourceLocation(file: file, line: 1, column: 1),
                                "the template renders invalid YAML in document \(index + 1): \(error.diagnostics.first?.message ?? "\(error)")")
                continue
            }
            guard case .object(let content) = value else {
                collector.error("render.chartOutput", at: SourceLocation(file: file, line: 1, column: 1),
                                "document \(index + 1) of the rendered template is a \(value.typeName), not a Kubernetes object")
                continue
            }
            let missing = ["apiVersion", "kind"].filter { content[$0]?.stringValue?.isEmpty ?? true }
                + ((Value.object(content)["metadata"]?["name"]?.stringValue?.isEmpty ?? true) ? ["metadata.name"] : [])
            if !missing.isEmpty {
                collector.error("render.incompleteObject", at: SourceLocation(file: file, line: 1, column: 1),
                                "document \(index + 1) rendered from this template has no \(missing.joined(separator: ", "))")
                continue
            }
            objects.append(Object(content: content, provenance: Provenance(release: release, file: file, documentIndex: index, line: 1)))
        }
        return objects
    }
}
