import Basics
import Charts
import Foundation
import Template

/// Helm's `helm template` goldens (pkg/cmd/testdata) and engine function rows: each `helm template`
/// argument list is run through gitops' chart renderer in-process and compared with the golden text.
struct HelmGoldensSuite: Suite {
    let totalled: Set<String> = ["template", "funcs"]

    func run(folder: URL, verbose: Bool) throws -> [Group] {
        var template = Group(name: "template")
        let cases = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("template_cases.json"))) as? [[String: Any]] ?? []
        for testCase in cases {
            let name = testCase["name"] as? String ?? "?"
            let args = Self.shellSplit(testCase["helm_args"] as? String ?? "")
            let wantError = testCase["want_error"] as? Bool ?? false
            let golden = (try? String(contentsOf: folder.appendingPathComponent("testdata/" + (testCase["golden"] as? String ?? "")),
                                      encoding: .utf8)) ?? ""
            let outcome: Outcome
            do {
                let output = try Self.helmTemplate(args, root: folder.appendingPathComponent("testdata").path)
                if wantError {
                    outcome = .fail("expected an error")
                } else {
                    outcome = output == golden ? .pass : .fail("output differs:\n" + Self.firstDifference(golden, output))
                }
            } catch {
                outcome = wantError ? .pass : .fail("unexpected error: \(error)")
            }
            template.record("\(name): \(args.joined(separator: " "))", outcome)
        }
        var funcs = Group(name: "funcs")
        let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("engine_funcs_cases.json"))) as? [[String: Any]] ?? []
        for row in rows {
            let text = row["template"] as? String ?? ""
            let expected = row["expected"] as? String
            let vars = (try? JSONSerialization.data(withJSONObject: row["vars"] ?? NSNull(), options: [.fragmentsAllowed]))
                .flatMap { try? JSONReader.values(String(decoding: $0, as: UTF8.self)).first } ?? .null
            var set = TemplateSet(functions: HelmFunctions.all)
            set.missingKey = .zero
            let outcome: Outcome
            do {
                try set.parse(name: "test", text: text)
                let output = try set.execute("test", data: TemplateValue(vars)).replacingOccurrences(of: "<no value>", with: "")
                if let expected {
                    outcome = output == expected ? .pass : .fail("expected \(expected.debugDescription), got \(output.debugDescription)")
                } else {
                    outcome = (row["expect_error_if_no_expected"] as? Bool ?? false) ? .fail("expected an error") : .pass
                }
            } catch {
                outcome = expected == nil ? .pass : .fail("unexpected error: \(error)")
            }
            funcs.record("\(row["test_func"] as? String ?? "?"):\(row["line"] ?? ""): \(text)", outcome)
        }
        return [template, funcs]
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs `helm template ARGS` with gitops' renderer; paths are relative to `root`'s parent.
    static func helmTemplate(_ args: [String], root: String) throws -> String {
        var args = Array(args.dropFirst())  // "template"
        var chartPath: String?
        var userValues: Value = .object([:])
        var releaseName = "release-name"
        var nameTemplate: String?
        // Helm's command tests (which produced these goldens) run with Kubernetes v1.20.0 as the default.
        var kubeVersion = "v1.20.0"
        var apiVersions: [String] = []
        var outputOptions = HelmTemplateOutput.Options()
        var includeCRDs = false
        let base = URL(fileURLWithPath: root).deletingLastPathComponent()
        func value(_ flag: String) throws -> String {
            if let eq = flag.firstIndex(of: "=") { return String(flag[flag.index(after: eq)...]) }
            guard !args.isEmpty else { throw Failure(description: "\(flag) needs a value") }
            return args.removeFirst()
        }
        while !args.isEmpty {
            let arg = args.removeFirst()
            let flag = arg.split(separator: "=", maxSplits: 1).first.map(String.init) ?? arg
            switch flag {
            case "--set": userValues = try SetValues.apply(try value(arg), to: userValues, forceString: false)
            case "--set-string": userValues = try SetValues.apply(try value(arg), to: userValues, forceString: true)
            case "--values", "-f":
                let path = base.appendingPathComponent(try value(arg)).path
                userValues = HelmValues.merge(userValues, try HelmValues.read(Array(try Data(contentsOf: URL(fileURLWithPath: path))), file: path))
            case "--name-template": nameTemplate = try value(arg)
            case "--kube-version": kubeVersion = try value(arg)
            case "--api-versions": apiVersions += try value(arg).split(separator: ",").map(String.init)
            case "--include-crds": includeCRDs = true
            case "--show-only", "-s": outputOptions.showOnly.append(try value(arg))
            case "--skip-tests": outputOptions.skipTests = true
            case "--debug": continue
            default:
                if arg.hasPrefix("-") { throw Failure(description: "unsupported flag \(arg)") }
                chartPath = arg
            }
        }
        guard let chartPath else { throw Failure(description: "a chart path is required") }
        if let nameTemplate {
            var set = TemplateSet(functions: HelmFunctions.all)
            try set.parse(name: "name", text: nameTemplate)
            releaseName = try set.execute("name", data: .null)
        }
        let url = base.appendingPathComponent(chartPath).standardizedFileURL
        let tree = WorkingTree(root: url.deletingLastPathComponent().path)
        let chart = try ChartLoader.load(tree, path: url.lastPathComponent)
        let options = ChartRenderOptions(releaseName: releaseName, namespace: "default", values: userValues,
                                         capabilities: Capabilities(kubeVersion: kubeVersion, extraAPIVersions: apiVersions))
        let rendered = try ChartRenderer.render(chart, options: options)
        if includeCRDs { outputOptions.crds = ChartRenderer.crds(chart) }
        return try HelmTemplateOutput.format(rendered, options: outputOptions)
    }

    static func shellSplit(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character? = nil
        var hasToken = false
        for c in text {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
                hasToken = true
            } else if c == " " {
                if hasToken || !current.isEmpty { parts.append(current); current = ""; hasToken = false }
            } else {
                current.append(c)
            }
        }
        if hasToken || !current.isEmpty { parts.append(current) }
        return parts
    }

    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(e.count, a.count) where (i < e.count ? e[i] : nil) != (i < a.count ? a[i] : nil) {
            return "  line \(i + 1): expected \((i < e.count ? String(e[i]) : "<end>").debugDescription), got \((i < a.count ? String(a[i]) : "<end>").debugDescription)"
        }
        return "  (same lines)"
    }
}
