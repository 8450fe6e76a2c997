// Go's text/template (lexer, parser, executor) with Sprig and Helm's functions, driven the way a
// chart drives it: the input is a template (and values after a `@@@@` line) of a chart with a
// helper file. Every template renders or fails with an error, within the engine's limits, and
// renders the same twice (renders must be reproducible: drift and diffs compare them).
import Basics
import Charts
import Foundation
import YAML

let templateHarness = Harness(
    name: "template",
    checks: "templates with Sprig and Helm functions render or fail, never crash or hang, and render the same twice"
) { bytes in
    let input = parts(bytes, 2)
    let files: [String: [UInt8]] = [
        "c/Chart.yaml": Array("apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: \"2.1\"\n".utf8),
        "c/values.yaml": Array(input[1].utf8),
        "c/templates/_helpers.tpl": Array("""
            {{- define "c.name" -}}{{ .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
            {{- define "c.labels" -}}app: {{ include "c.name" . }}
            release: {{ .Release.Name }}{{- end -}}
            {{- define "c.recurse" -}}{{ include "c.recurse" . }}{{- end -}}
            """.utf8),
        "c/templates/t.yaml": Array(input[0].utf8),
    ]
    let tree = MemoryFileTree(displayName: "fuzz", files: files)
    guard let chart = try? ChartLoader.load(tree, path: "c") else { return }
    let options = ChartRenderOptions(releaseName: "r", namespace: "n", now: { Date(timeIntervalSince1970: 1_700_000_000) })
    let first = Result { try ChartRenderer.render(chart, options: options) }
    let second = Result { try ChartRenderer.render(chart, options: options) }
    switch (first, second) {
    case let (.success(a), .success(b)) where a.map(\.content) != b.map(\.content):
        failed("two renders differ", "template:\n\(input[0])\n--- first\n\(a.map(\.content))\n--- second\n\(b.map(\.content))")
    case (.success, .failure), (.failure, .success):
        failed("one render failed and the other did not", "template:\n\(input[0])")
    default: break
    }
}
