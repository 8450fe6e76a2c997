// Chart loading: Chart.yaml, values.yaml, values.schema.json and a user's values (parts split at
// `@@@@` lines) load, coalesce, check against the schema and render, or fail with an error.
import Basics
import Charts
import Foundation
import YAML

let chartHarness = Harness(
    name: "chart",
    checks: "Chart.yaml, values.yaml, values.schema.json and user values load, coalesce and render or fail"
) { bytes in
    let input = parts(bytes, 4)
    var files: [String: [UInt8]] = [
        "c/Chart.yaml": Array(input[0].utf8),
        "c/values.yaml": Array(input[1].utf8),
        "c/templates/all.yaml": Array("values: {{ toYaml .Values | nindent 2 }}\nchart: {{ toYaml .Chart | nindent 2 }}\n".utf8),
        "c/charts/sub/Chart.yaml": Array("apiVersion: v2\nname: sub\nversion: 0.1.0\n".utf8),
        "c/charts/sub/values.yaml": Array("sub: {enabled: true}\nglobal: {g: 1}\n".utf8),
        "c/charts/sub/templates/s.yaml": Array("{{ toYaml .Values }}\n".utf8),
    ]
    if !input[2].isEmpty { files["c/values.schema.json"] = Array(input[2].utf8) }
    let tree = MemoryFileTree(displayName: "fuzz", files: files)
    guard let chart = try? ChartLoader.load(tree, path: "c") else { return }
    let user = (try? YAML.value(input[3])) ?? .object([:])
    _ = try? ChartRenderer.render(chart, options: ChartRenderOptions(releaseName: "r", namespace: "n", values: user,
                                                                      now: { Date(timeIntervalSince1970: 0) }))
}
