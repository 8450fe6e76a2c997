import Basics
import Charts
import Foundation
import Testing

/// Each case renders a chart with gitops and compares every template's output, byte for byte, with
/// what Helm's own SDK rendered (the committed goldens; `scripts/helm-differential --write`
/// regenerates them when helm-python-sdk is installed).
@Suite struct DifferentialTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    static var cases: [Value] {
        let text = (try? String(contentsOf: here.appendingPathComponent("cases.json"), encoding: .utf8)) ?? "[]"
        return (try? JSONReader.values(text).first?.arrayValue) ?? nil ?? []
    }

    @Test(arguments: cases.compactMap { $0["name"]?.stringValue })
    func matchesHelm(_ name: String) throws {
        let testCase = try #require(Self.cases.first { $0["name"]?.stringValue == name })
        let chartPath = try #require(testCase["chart"]?.stringValue)
        let tree = WorkingTree(root: Self.root)
        let chart = try ChartLoader.load(tree, path: chartPath)
        var values: Value = .object([:])
        for file in testCase["values_files"]?.arrayValue ?? [] {
            let path = try #require(file.stringValue)
            values = HelmValues.merge(values, try HelmValues.read(try tree.read(path), file: path))
        }
        if let inline = testCase["values"] {
            values = HelmValues.merge(values, try HelmValues.read(Array(JSONWriter.write(inline).utf8), file: "inline"))
        }
        let options = ChartRenderOptions(releaseName: testCase["release"]?.stringValue ?? "release-name",
                                         namespace: testCase["namespace"]?.stringValue ?? "default", values: values)
        let rendered = try ChartRenderer.render(chart, options: options)
        let goldenText = try String(contentsOf: Self.here.appendingPathComponent("Goldens/\(name).json"), encoding: .utf8)
        let expected = try #require(try JSONReader.values(goldenText).first?.objectValue)
        #expect(Set(rendered.map(\.name)) == Set(expected.keys), "templates rendered for \(name)")
        for template in rendered {
            #expect(template.content == expected[template.name]?.stringValue, "\(name): \(template.name)")
        }
    }

    @Test func requiredFailsLikeHelm() throws {
        let tree = WorkingTree(root: Self.root)
        let chart = try ChartLoader.load(tree, path: "charts/blog")
        let values = try HelmValues.read(Array("database: {existingSecret: \"\"}".utf8), file: "v.yaml")
        let error = #expect(throws: DiagnosticError.self) {
            try ChartRenderer.render(chart, options: ChartRenderOptions(releaseName: "blog", namespace: "x", values: values))
        }
        // Helm executes templates in reverse name order, so the migration job fails first; the text is Helm's.
        #expect(error?.diagnostics.first?.location == SourceLocation(file: "charts/blog/templates/migration-job.yaml", line: 36, column: 17))
        #expect(error?.diagnostics.first?.message
                == "execution error at (blog/templates/migration-job.yaml:36:16): database.existingSecret must name the Secret holding the credentials")
    }

    @Test func setValuesFollowHelmTypes() throws {
        var values: Value = .object([:])
        values = try SetValues.apply("a.b=1,c=true,d=null,e=0x10,f=007,list[1]=x,esc=a\\,b", to: values, forceString: false)
        values = try SetValues.apply("s=123", to: values, forceString: true)
        values = try SetValues.apply("names={a,b,3},after=x", to: values, forceString: false)
        #expect(values == .object([
            "a": .object(["b": .int(1)]), "c": .bool(true), "d": .null, "e": .string("0x10"), "f": .string("007"),
            "list": .array([.null, .string("x")]), "esc": .string("a,b"), "s": .string("123"),
            "names": .array([.string("a"), .string("b"), .int(3)]), "after": .string("x"),
        ]))
    }
}

@Suite struct ArchiveTests {
    /// A subchart packaged as .tgz (what `helm dependency update` leaves in charts/) renders like a folder.
    @Test func packagedSubchartsRender() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gitops-tgz-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/pack/lib/templates", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/app/charts", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/app/templates", withIntermediateDirectories: true)
        try "apiVersion: v2\nname: lib\nversion: 0.1.0\n".write(toFile: root + "/pack/lib/Chart.yaml", atomically: true, encoding: .utf8)
        try "greeting: hello\n".write(toFile: root + "/pack/lib/values.yaml", atomically: true, encoding: .utf8)
        try "{{ define \"lib.say\" }}{{ .Values.lib.greeting }} from lib{{ end }}\nkind: ConfigMap\nvalue: {{ .Values.greeting }}\n"
            .write(toFile: root + "/pack/lib/templates/cm.yaml", atomically: true, encoding: .utf8)
        try "apiVersion: v2\nname: app\nversion: 1.0.0\n".write(toFile: root + "/app/Chart.yaml", atomically: true, encoding: .utf8)
        try "said: {{ include \"lib.say\" . }}\n".write(toFile: root + "/app/templates/use.yaml", atomically: true, encoding: .utf8)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-czf", root + "/app/charts/lib-0.1.0.tgz", "-C", root + "/pack", "lib"]
        try tar.run()
        tar.waitUntilExit()
        let chart = try ChartLoader.load(WorkingTree(root: root), path: "app")
        #expect(chart.subcharts.map(\.name) == ["lib"])
        #expect(chart.subcharts.first?.path == "app/charts/lib-0.1.0.tgz/lib")
        let rendered = try ChartRenderer.render(chart, options: ChartRenderOptions(releaseName: "r", namespace: "n"))
        let byName = Dictionary(uniqueKeysWithValues: rendered.map { ($0.name, $0.content) })
        #expect(byName["app/templates/use.yaml"] == "said: hello from lib\n")
        #expect(byName["app/charts/lib/templates/cm.yaml"] == "\nkind: ConfigMap\nvalue: hello\n")
    }

    @Test func corruptArchivesAreErrorsAtTheFile() throws {
        let tree = MemoryFileTree(displayName: "t", files: [
            "app/Chart.yaml": Array("apiVersion: v2\nname: app\nversion: 1.0.0\n".utf8),
            "app/charts/bad-1.0.0.tgz": Array("not gzip".utf8),
        ])
        let error = #expect(throws: DiagnosticError.self) { try ChartLoader.load(tree, path: "app") }
        #expect(error?.diagnostics.first?.location?.file == "app/charts/bad-1.0.0.tgz")
    }
}
