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
    let charts: LoadedCharts
    /// Record where each field was written (the template or values line); off, objects point at their document.
    let fieldPositions: Bool

    /// `loaded`: a chart already loaded (a remote chart's archive); `path` then only names it.
    func render(release: Release, chart path: String, loaded: Chart? = nil, valuesFiles: [String], values: Value, namespace: String,
                into collector: inout DiagnosticCollector) -> [Object] {
        guard let chart = loaded ?? collector.capture({ () throws(DiagnosticError) -> Chart in try charts.chart(at: path, in: tree) }) else {
            return []
        }
        var userValues: Value = .object([:])
        // Where each value is set, for findings about fields printed straight from a value: the
        // chart's values.yaml, then the release's values files (later ones win).
        var valuesSources: [(file: String, positions: FieldPositions)] = []
        var valuesTexts: [SourceText] = []
        if let bytes = try? tree.read(path + "/values.yaml") {
            valuesSources.append((path + "/values.yaml", fieldPositions ? Self.positions(bytes, path + "/values.yaml") : FieldPositions()))
            valuesTexts.append(SourceText(path: path + "/values.yaml", bytes: bytes))
        }
        for file in valuesFiles {
            guard let bytes = collector.capture({ try tree.read(file) }),
                  let fileValues = collector.capture({ () throws(DiagnosticError) -> Value in try HelmValues.read(bytes, file: file) })
            else { continue }
            userValues = HelmValues.merge(userValues, fileValues)
            valuesSources.append((file, fieldPositions ? Self.positions(bytes, file) : FieldPositions()))
            valuesTexts.append(SourceText(path: file, bytes: bytes))
        }
        userValues = HelmValues.merge(userValues, HelmValues.asFloats(values))
        let time = renderTime
        var options = ChartRenderOptions(releaseName: release.name, namespace: namespace, values: userValues,
                                         now: { time }, seedSecret: seedSecret)
        options.mapOutput = fieldPositions
        options.valuesSources = valuesTexts
        if values.objectValue?.isEmpty == false { options.valuesOverride = (values, "the release's inline values", release.location) }
        guard let rendered = collector.capture({ () throws(DiagnosticError) -> [RenderedTemplate] in
            try ChartRenderer.render(chart, options: options)
        }) else { return [] }
        var objects: [Object] = []
        // CRDs first, untemplated, as Helm installs them.
        for crd in chart.crds {
            objects += documents(RenderedTemplate(name: crd.path, sourcePath: path + "/" + crd.path, content: crd.text),
                                 release: release.name, chart: chart.name, valuesSources: [], inlineValues: .null, into: &collector)
        }
        for template in rendered where !template.name.hasSuffix("NOTES.txt") {
            objects += documents(template, release: release.name, chart: chart.name, valuesSources: valuesSources,
                                 inlineValues: values, into: &collector)
        }
        return objects
    }

    /// Positions of a values file's keys (empty when it does not parse; reading it reports that).
    static func positions(_ bytes: [UInt8], _ file: String) -> FieldPositions {
        guard let node = (try? YAMLParser.parse(bytes, file: file))?.first else { return FieldPositions() }
        return FieldPositionIndex.positions(of: node)
    }

    private func documents(_ template: RenderedTemplate, release: String, chart: String,
                           valuesSources: [(file: String, positions: FieldPositions)], inlineValues: Value,
                           into collector: inout DiagnosticCollector) -> [Object] {
        // Values paths map to values files only for the chart's own templates (a subchart sees
        // its part of the values under another path).
        let ownTemplate = template.name.hasPrefix(chart + "/templates/")
        let file = template.sourcePath
        var objects: [Object] = []
        for (index, document) in HelmTemplateOutput.documents(template.content).enumerated() {
            let node: Node
            let value: Value
            do {
                let nodes = try YAMLParser.parse(Array(document.text.utf8), file: file + " (rendered)")
                guard let first = nodes.first(where: { !$0.isNull }) else { continue }
                node = first
                value = try node.value(file: file + " (rendered)")
            } catch {
                let (at, rendered) = Self.origin(of: error.diagnostics.first?.location, in: document, template: template)
                collector.error("render.chartOutput", at: at,
                                "the template renders invalid YAML in document \(index + 1): \(error.diagnostics.first?.message ?? "\(error)")"
                                    + (rendered.map { "; the rendered line is: \($0)" } ?? ""))
                continue
            }
            guard case .object(let content) = value else {
                if value == .null { continue }
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
            // Fields point at the template line (or helper) that wrote them; in untemplated files
            // (crds/), at their own line.
            let lines = template.origins == nil ? LineTable(template.content) : nil
            let place = { (mark: Mark, value: Node?) -> SourcePosition? in
                let offset = document.offset + mark.offset
                if let lines { return lines.position(of: offset) }
                // (Inline `values` of environment.yaml win over every file; those stay at the template line.)
                if ownTemplate, let value, let keys = template.origins?.valuesPath(ofOutputOffset: document.offset + value.start.offset),
                   keys.reduce(Optional(inlineValues), { $0?[$1] }) == nil {
                    let path = FieldPath(keys.map { .key($0) })
                    for source in valuesSources.reversed() {
                        if let position = source.positions[path] {
                            return SourcePosition(line: position.line, column: position.column, file: source.file)
                        }
                    }
                }
                guard let location = template.origins?.location(ofOutputOffset: offset) else { return nil }
                return SourcePosition(line: location.line, column: location.column, file: location.file == file ? nil : location.file)
            }
            let start = place(node.start, nil)
            var provenance = Provenance(release: release, file: file, documentIndex: index,
                                        line: start?.file == nil ? start?.line ?? 1 : 1, column: start?.file == nil ? start?.column ?? 1 : 1)
            if fieldPositions { provenance.fields = FieldPositionIndex.positions(of: node, place: place) }
            objects.append(Object(content: content, provenance: provenance))
        }
        return objects
    }
}

/// Line starts of a text, to turn byte offsets into lines and columns.
extension ChartReleaseReader {
    /// Where a YAML error at `location` of a rendered document comes from: the template line that
    /// wrote that output (or, for a file not templated, its own line), and the rendered line.
    static func origin(of location: SourceLocation?, in document: (text: String, offset: Int),
                       template: RenderedTemplate) -> (SourceLocation, String?) {
        let fallback = SourceLocation(file: template.sourcePath, line: 1, column: 1)
        guard let location else { return (fallback, nil) }
        let bytes = Array(document.text.utf8)
        var line = 1, start = 0
        while line < location.line, start < bytes.count {
            if bytes[start] == 0x0A { line += 1 }
            start += 1
        }
        var end = start
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        // An error at the end of the output (an unclosed bracket or quote): the last line written.
        while start > 0, String(decoding: bytes[start..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces).isEmpty {
            end = start - 1
            start = end
            while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
        }
        let rendered = String(decoding: bytes[start..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        let offset = document.offset + min(start + max(location.column - 1, 0), end)
        if let origins = template.origins {
            return (origins.location(ofOutputOffset: offset) ?? fallback, rendered.isEmpty ? nil : rendered)
        }
        let position = LineTable(template.content).position(of: offset)
        return (SourceLocation(file: template.sourcePath, line: position.line, column: position.column), rendered.isEmpty ? nil : rendered)
    }
}

struct LineTable {
    private var starts: [Int] = [0]

    init(_ text: String) {
        for (index, byte) in text.utf8.enumerated() where byte == 0x0A { starts.append(index + 1) }
    }

    func position(of offset: Int) -> SourcePosition {
        var low = 0, high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= offset { low = middle + 1 } else { high = middle }
        }
        return SourcePosition(line: low, column: offset - starts[low - 1] + 1)
    }
}
