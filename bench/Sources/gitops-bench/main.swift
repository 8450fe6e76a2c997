import Basics
import Charts
import ChartSources
import Template
import Foundation
import Git
import Drift
import JSONSchema
import KubeModel
import Kustomize
import Render
import RepoModel
import Validation
import YAML

/// `gitops-bench yaml FILE [REPEAT]`: parse FILE into node values, best of REPEAT runs.
/// `gitops-bench git REPO REVISION [REPEAT]`: read every file of REVISION's tree from Git objects.
/// Prints one line: `<what> <seconds> <detail>`.

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func countNodes(_ node: Node) -> Int {
    switch node.content {
    case .scalar: return 1
    case .sequence(let items): return 1 + items.reduce(0) { $0 + countNodes($1) }
    case .mapping(let pairs): return 1 + pairs.reduce(0) { $0 + countNodes($1.key) + countNodes($1.value) }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "yaml" where arguments.count >= 2:
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[1])))
        let repeats = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
        var best = Double.infinity
        var documents = 0
        var nodes = 0
        var parsed: [Node] = []
        for _ in 0..<repeats {
            parsed = []  // free the previous tree outside the timed part
            best = min(best, try seconds { parsed = try YAMLParser.parse(bytes, file: arguments[1]) })
            documents = parsed.count
            nodes = parsed.reduce(0) { $0 + countNodes($1) }
        }
        let megabytes = Double(bytes.count) / 1_000_000
        print(String(format: "swift-nodes %.3f s %.1f MB/s (%d documents, %d nodes)", best, megabytes / best, documents, nodes))
    case "git" where arguments.count >= 3:
        let repository = try Repository(discoveringFrom: arguments[1])
        let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
        var best = Double.infinity
        var files = 0
        var bytes = 0
        for _ in 0..<repeats {
            best = min(best, try seconds {
                let tree = try repository.tree(at: arguments[2])
                let paths = try tree.files(under: "")
                files = paths.count
                bytes = 0
                for path in paths { bytes += try tree.read(path).count }
            })
        }
        print(String(format: "swift-gittree %.3f s (%d files, %d bytes)", best, files, bytes))
    case "chart" where arguments.count >= 4:
        // gitops-bench chart CHART_DIR VALUES_FILE COUNT: load once, render COUNT times.
        let url = URL(fileURLWithPath: arguments[1]).standardizedFileURL
        let tree = WorkingTree(root: url.deletingLastPathComponent().path)
        let chart = try ChartLoader.load(tree, path: url.lastPathComponent)
        let valuesPath = arguments[2]
        let values = try HelmValues.read(Array(try Data(contentsOf: URL(fileURLWithPath: valuesPath))), file: valuesPath)
        let count = Int(arguments[3]) ?? 1000
        let options = ChartRenderOptions(releaseName: "blog", namespace: "blog-production", values: values)
        // By default the loop runs on one of the engine's large-stack threads, as a caller rendering
        // many charts (the sync job, a whole environment) does; `per-call` makes every render hop
        // to that thread and back, as a single `ChartRenderer.render` call from the main thread does.
        let perCall = arguments.count > 4 && arguments[4] == "per-call"
        var templates = 0
        let elapsed = try seconds {
            if perCall {
                for _ in 0..<count { templates = try ChartRenderer.render(chart, options: options).count }
            } else {
                templates = try TemplateSet.onLargeStack { () -> Result<Int, DiagnosticError> in
                    Result { () throws(DiagnosticError) -> Int in
                        var rendered = 0
                        for _ in 0..<count { rendered = try ChartRenderer.render(chart, options: options).count }
                        return rendered
                    }
                }.get()
            }
        }
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        print(String(format: "swift-chart\(perCall ? "-per-call" : "") %.3f s %.1f renders/s (%d templates each) peak-rss %.1f MiB",
                     elapsed, Double(count) / elapsed, templates, Double(usage.ru_maxrss) / 1024))
    case "kustomize" where arguments.count >= 3:
        // gitops-bench kustomize ROOT OVERLAY...: build every overlay (folders relative to ROOT) in
        // one process, each once, and print the total; the output of each is written next to it
        // as `.gitops.yaml` for a byte comparison.
        let tree = WorkingTree(root: arguments[1])
        var objects = 0
        let elapsed = try seconds {
            for overlay in arguments.dropFirst(2) {
                let built = try KustomizeBuilder(tree: tree).build(overlay)
                objects += built.count
                try KustomizeOutput.yaml(built).write(toFile: arguments[1] + "/" + overlay + "/.gitops.yaml", atomically: true, encoding: .utf8)
            }
        }
        print(String(format: "swift-kustomize %.4f s for %d overlays (%d objects)", elapsed, arguments.count - 2, objects))
    case "index" where arguments.count >= 2:
        // gitops-bench index INDEX_YAML [REPEAT]: parse a Helm repository index and resolve a
        // range in it, best of REPEAT.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[1])))
        let repeats = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
        var best = Double.infinity
        var versions = 0
        for _ in 0..<repeats {
            best = min(best, try seconds {
                let index = try RepositoryIndex(bytes, source: arguments[1])
                versions = index.entries.values.reduce(0) { $0 + $1.count }
                if let name = index.entries.keys.sorted().first { _ = try index.resolve(RemoteChart(repository: "https://example", name: name, version: ">=0")) }
            })
        }
        print(String(format: "swift-index %.3f s (%d versions, %.1f MB)", best, versions, Double(bytes.count) / 1e6))
    case "render" where arguments.count >= 4:
        // gitops-bench render ROOT ENV CACHE [COUNT] [cold]: render an environment in process,
        // best of COUNT; `cold` empties the chart cache first each time and fetches what the
        // locks pin (OCI over plain HTTP), as a first render on a new machine does.
        let tree = WorkingTree(root: arguments[1])
        let model = try RepositoryLoader.loadEach(from: tree)
        guard let environment = model.environment(named: arguments[2]) else { throw CocoaError(.fileNoSuchFile) }
        let cache = ChartCache(root: arguments[3])
        let count = arguments.count > 4 ? Int(arguments[4]) ?? 5 : 5
        let cold = arguments.count > 5 && arguments[5] == "cold"
        var best = Double.infinity
        var objects = 0
        for _ in 0..<count {
            if cold { try? FileManager.default.removeItem(atPath: cache.root) }
            best = min(best, try seconds {
                if cold {
                    let access = ChartAccess(cache: cache, plainHTTP: true)
                    try Blocking.run { try await ChartPrefetch.ensure([environment], tree: tree, access: access) }
                }
                objects = try Renderer(tree: tree, renderTime: Date(timeIntervalSince1970: 0), chartCache: cache).render(environment).objects.count
            })
        }
        print(String(format: "swift-render %.4f s (%d objects%@)", best, objects, cold ? ", cold" : ""))
    case "chart-load" where arguments.count >= 2:
        // gitops-bench chart-load CHART_DIR [COUNT]: load the chart (files, archives, Chart.yaml,
        // values) COUNT times.
        let url = URL(fileURLWithPath: arguments[1]).standardizedFileURL
        let tree = WorkingTree(root: url.deletingLastPathComponent().path)
        let count = arguments.count > 2 ? Int(arguments[2]) ?? 20 : 20
        let elapsed = try seconds { for _ in 0..<count { _ = try ChartLoader.load(tree, path: url.lastPathComponent) } }
        print(String(format: "swift-chart-load %.1f ms per load", elapsed * 1000 / Double(count)))
    case "chart-phases" where arguments.count >= 3:
        // gitops-bench chart-phases CHART_DIR VALUES_FILE: what one `gitops chart template` run
        // spends in each step (load, first render with parsing, a second render, Helm's output format).
        let url = URL(fileURLWithPath: arguments[1]).standardizedFileURL
        let tree = WorkingTree(root: url.deletingLastPathComponent().path)
        var chart: Chart?
        let load = try seconds { chart = try ChartLoader.load(tree, path: url.lastPathComponent) }
        let values = try HelmValues.read(Array(try Data(contentsOf: URL(fileURLWithPath: arguments[2]))), file: arguments[2])
        let options = ChartRenderOptions(releaseName: "blog", namespace: "blog-production", values: values)
        var rendered: [RenderedTemplate] = []
        let first = try seconds { rendered = try ChartRenderer.render(chart!, options: options) }
        let second = try seconds { rendered = try ChartRenderer.render(chart!, options: options) }
        var bytes = 0
        let format = try seconds { bytes = try HelmTemplateOutput.format(rendered).utf8.count }
        print(String(format: "load %.1f ms, first render %.1f ms (parse %.1f ms), render %.1f ms, format %.1f ms (%d bytes)",
                     load * 1000, first * 1000, (first - second) * 1000, second * 1000, format * 1000, bytes))
    case "validate" where arguments.count >= 3:
        // gitops-bench validate OBJECTS.jsonl SCHEMA_FOLDER [REPEAT]: validate every object (one JSON
        // object per line) against its kind's schema; schemas load on first use inside the timing.
        let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: arguments[1])), as: UTF8.self)
            .split(separator: "\n")
        let objects = try lines.map { line -> (GroupVersionKind, Value) in
            let value = try JSONReader.values(String(line))[0]
            return (GroupVersionKind(apiVersion: value["apiVersion"]?.stringValue ?? "", kind: value["kind"]?.stringValue ?? ""), value)
        }
        let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
        var best = Double.infinity
        var invalid = 0
        for _ in 0..<repeats {
            let catalog = SchemaCatalog(folders: [arguments[2]])
            let validator = SchemaValidator()
            best = min(best, try seconds {
                invalid = 0
                for (gvk, value) in objects {
                    guard let schema = try catalog.schema(for: gvk) else { continue }
                    if !(try validator.violations(value, schema)).isEmpty { invalid += 1 }
                }
            })
        }
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        print(String(format: "swift-validate %.3f s %.0f objects/s (%d objects, %d invalid) peak-rss %.1f MiB",
                     best, Double(objects.count) / best, objects.count, invalid, Double(usage.ru_maxrss) / 1024))
    case "drift" where arguments.count >= 3:
        // gitops-bench drift DESIRED.jsonl LIVE.jsonl: compare an environment with a snapshot.
        func load(_ path: String) throws -> [Object] {
            try String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).split(separator: "\n").map { line in
                Object(content: try JSONReader.values(String(line))[0].objectValue ?? ValueObject(),
                       provenance: Provenance(release: "", file: path, documentIndex: 0, line: 1))
            }
        }
        let desired = try load(arguments[1]), live = try load(arguments[2])
        var report: DriftReport?
        let elapsed = seconds { report = Drift.compare(desired: desired, live: live) { _ in true } }
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        print(String(format: "swift-drift %.3f s (%d objects: %@) peak-rss %.1f MiB",
                     elapsed, desired.count, report?.summary ?? "", Double(usage.ru_maxrss) / 1024))
    default:
        FileHandle.standardError.write(Data("usage: gitops-bench yaml FILE [REPEAT] | git REPO REVISION [REPEAT] | chart DIR VALUES COUNT [per-call] | validate OBJECTS.jsonl SCHEMAS [REPEAT] | drift DESIRED.jsonl LIVE.jsonl\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("gitops-bench: \(error)\n".utf8))
    exit(2)
}
