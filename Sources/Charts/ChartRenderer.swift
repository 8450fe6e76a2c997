import Basics
import Foundation
import Template
import YAML

/// How to render a chart: release, namespace, values and cluster capabilities.
public struct ChartRenderOptions: Sendable {
    public var releaseName: String
    public var namespace: String
    /// User values (values files read with `HelmValues.read`, `--set` values), over the chart's defaults.
    public var values: Value
    public var capabilities: Capabilities
    /// Whether a missing value is an error (Helm's `--strict`).
    public var strict: Bool
    /// Record where each part of the output came from (`RenderedTemplate.origins`), for findings
    /// that point at template lines. Off by default: it costs a little per render.
    public var mapOutput = false
    /// The clock `now` reads (fixed for reproducible renders).
    public var now: @Sendable () -> Date
    /// Where random functions draw from; nil seeds them from namespace, release and chart (and each
    /// template's name) so that every render of the same release gives the same values.
    public var random: RandomSource?
    /// A private value mixed into that default seed (the CLI reads `GITOPS_RANDOM_SEED`). Without
    /// one, seeded passwords and keys can be recomputed by anyone who can read the repository.
    public var seedSecret: String?
    /// The values files behind `values`, in merge order (the chart's values.yaml first): a render
    /// error then notes where the values its action read are set, or that none sets them.
    public var valuesSources: [SourceText] = []
    /// Values set over every file (an environment's inline values, `--set`): what they are called
    /// in a note (`this release's inline values`) and where they are declared, if in a file.
    public var valuesOverride: (values: Value, name: String, location: SourceLocation?)?

    public init(releaseName: String, namespace: String, values: Value = .object([:]),
                capabilities: Capabilities = Capabilities(), strict: Bool = false,
                now: @escaping @Sendable () -> Date = { Date() }, random: RandomSource? = nil, seedSecret: String? = nil) {
        self.releaseName = releaseName
        self.namespace = namespace
        self.values = values
        self.capabilities = capabilities
        self.strict = strict
        self.now = now
        self.random = random
        self.seedSecret = seedSecret
    }
}

/// One rendered template file.
public struct RenderedTemplate: Sendable, Hashable {
    /// Helm's name: `<chart>/templates/<file>` (subcharts: `<chart>/charts/<sub>/templates/<file>`).
    public var name: String
    /// Repository-relative path of the template's source file.
    public var sourcePath: String
    public var content: String
    /// Where each part of `content` came from (with `ChartRenderOptions.mapOutput`).
    public var origins: RenderedOrigins?

    public init(name: String, sourcePath: String, content: String, origins: RenderedOrigins? = nil) {
        self.name = name
        self.sourcePath = sourcePath
        self.content = content
        self.origins = origins
    }

    public static func == (a: RenderedTemplate, b: RenderedTemplate) -> Bool {
        a.name == b.name && a.sourcePath == b.sourcePath && a.content == b.content
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(sourcePath)
        hasher.combine(content)
    }
}

/// The template file and line behind each byte of a rendered template.
public struct RenderedOrigins: Sendable {
    let map: TemplateOutputMap
    /// Template names (`blog/templates/_helpers.tpl`) to repository paths.
    let paths: [String: String]

    /// Where output byte `offset` of the rendered template was written in a template file.
    public func location(ofOutputOffset offset: Int) -> SourceLocation? {
        guard let origin = map.origin(ofOutputOffset: offset) else { return nil }
        return SourceLocation(file: paths[origin.template] ?? origin.template, line: origin.line, column: origin.column)
    }

    /// The `.Values` path whose value the template printed at output byte `offset`, when the
    /// action there prints it straight (`{{ .Values.replicaCount }}`).
    public func valuesPath(ofOutputOffset offset: Int) -> [String]? {
        map.origin(ofOutputOffset: offset)?.valuesPath
    }
}

/// Renders charts as Helm's engine does.
public enum ChartRenderer {
    /// Every function Helm offers; each render swaps in its own clock and random source.
    static let baseSet = TemplateSet(functions: HelmFunctions.all)

    public static func render(_ chart: Chart, options: ChartRenderOptions) throws(DiagnosticError) -> [RenderedTemplate] {
        if chart.isLibrary {
            throw DiagnosticError(code: "chart.library", at: SourceLocation(file: chart.path + "/Chart.yaml", line: 1, column: 1),
                                  "library charts are not installable: '\(chart.name)' only provides templates for other charts")
        }
        // Parse and execute every template on one thread with a large stack.
        let result = TemplateSet.onLargeStack { () -> Result<[RenderedTemplate], DiagnosticError> in
            Result { () throws(DiagnosticError) -> [RenderedTemplate] in try renderInPlace(chart, options: options) }
        }
        return try result.get()
    }

    static func renderInPlace(_ chart: Chart, options: ChartRenderOptions) throws(DiagnosticError) -> [RenderedTemplate] {
        let values = Dependencies.coalesce(chart, user: options.values)
        try ValuesSchemaCheck.check(chart, values: values)
        let secret = options.seedSecret.map { $0 + "\u{0}" } ?? ""
        let random = options.random ?? .seeded(secret + "\(options.namespace)/\(options.releaseName)/\(chart.name)")
        var set = baseSet
        set.now = options.now
        set.randomSource = random
        set.missingKey = options.strict ? .error : .zero
        var entries: [Entry] = []
        collect(chart, prefix: chart.name, values: values, top: values, options: options, into: &entries, isRoot: true)
        // Helm parses deeper paths first, and names of equal depth in reverse order.
        let keys = entries.map { entry -> (Int, [UInt8]) in
            let bytes = Array(entry.name.utf8)
            return (bytes.lazy.filter { $0 == UInt8(ascii: "/") }.count, bytes)
        }
        let order = keys.indices.sorted { a, b in
            keys[a].0 != keys[b].0 ? keys[a].0 > keys[b].0 : keys[b].1.lexicographicallyPrecedes(keys[a].1)
        }
        entries = order.map { entries[$0] }
        // Templates not parsed by an earlier render are parsed together, on every core; they are
        // added in Helm's order, so the first error reported is the one Helm reports.
        let fingerprint = set.functionsFingerprint
        let unparsed = entries.indices.filter { chart.parsed.get(entries[$0].name, fingerprint: fingerprint) == nil }
        for (index, result) in zip(unparsed, set.parseAll(unparsed.map { (entries[$0].name, entries[$0].text) })) {
            if case .success(let parsed) = result { chart.parsed.put(entries[index].name, fingerprint: fingerprint, parsed) }
        }
        for entry in entries {
            if let parsed = chart.parsed.get(entry.name, fingerprint: fingerprint) {
                set.add(parsed)
                continue
            }
            do {
                set.add(try set.parseOnly(name: entry.name, text: entry.text))
            } catch {
                throw DiagnosticError(code: "chart.parse", at: location(error, source: entry.source), Self.message(error))
            }
        }
        var rendered: [RenderedTemplate] = []
        let paths = options.mapOutput ? Dictionary(entries.map { ($0.name, $0.source) }, uniquingKeysWith: { a, _ in a }) : [:]
        for entry in entries where entry.render {
            let base = entry.name.split(separator: "/").last.map(String.init) ?? entry.name
            if base.hasPrefix("_") { continue }
            guard case .map(let scoped) = entry.data else { continue }
            // As Helm: the templates of a chart share one top-level map, `Template` set in it for
            // each (so `set $ "Values" ...` in one template, as istio's zzz_profile does, holds for
            // the templates executed after it).
            scoped["Template"] = .map(TemplateMap([("Name", .string(entry.name)), ("BasePath", .string(entry.basePath))]))
            do {
                if options.mapOutput {
                    let (output, map) = try set.executeInPlaceMapped(entry.name, data: .map(scoped))
                    let removed = SprigStrings.byteOffsets(of: "<no value>", in: output)
                    rendered.append(RenderedTemplate(
                        name: entry.name, sourcePath: entry.source, content: SprigStrings.replaceAll(output, "<no value>", ""),
                        origins: RenderedOrigins(map: map.removing(length: 10, at: removed), paths: paths)))
                    continue
                }
                let output = try set.executeInPlace(entry.name, data: .map(scoped))
                rendered.append(RenderedTemplate(name: entry.name, sourcePath: entry.source,
                                                 content: SprigStrings.replaceAll(output, "<no value>", "")))
            } catch {
                throw DiagnosticError([Diagnostic(code: "chart.render", location: location(error, source: entry.source), message: Self.message(error))]
                                      + ValuesProvenance.notes(for: error, sources: options.valuesSources, override: options.valuesOverride))
            }
        }
        return rendered.map { (Array($0.name.utf8), $0) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }.map(\.1)
    }

    /// The CRD files of a chart and its subcharts, named as `helm template --include-crds` prints them.
    public static func crds(_ chart: Chart, prefix: String? = nil) -> [(name: String, content: String)] {
        let prefix = prefix ?? chart.name
        var result = chart.crds.map { (prefix + "/" + $0.path, $0.text) }
        for sub in chart.subcharts { result += crds(sub, prefix: prefix + "/charts/" + sub.name) }
        return result
    }

    /// Helm prints `required`/`fail` messages as `execution error at (file:line:col): message`.
    static func message(_ error: TemplateError) -> String {
        if let range = error.message.range(of: HelmFunctions.userErrorMarker) {
            let line = error.column.map { "\(error.template):\(error.line):\($0)" } ?? error.template
            return "execution error at (\(line)): " + error.message[range.upperBound...]
        }
        return summarized(error.description)
    }

    /// An error through nested `include`/`tpl` calls, with each run of the same call said once
    /// (a runaway recursion's chain is a thousand identical frames, megabytes of text).
    static func summarized(_ message: String) -> String {
        let separator = ": error calling "
        let frames = message.components(separatedBy: separator)
        guard frames.count > 3 else { return message }
        var out: [String] = []
        var index = 0
        while index < frames.count {
            var run = 1
            while index + run < frames.count - 1, frames[index + run] == frames[index] { run += 1 }
            out.append(run > 1 ? frames[index] + " (and the same call \(run - 1) more time\(run == 2 ? "" : "s") within it)" : frames[index])
            index += run
        }
        return out.joined(separator: separator)
    }

    static func location(_ error: TemplateError, source: String) -> SourceLocation {
        SourceLocation(file: source, line: max(1, error.line), column: (error.column ?? 0) + 1)
    }

    /// A template to parse (and maybe execute), with the data it executes with.
    struct Entry {
        var name: String
        var source: String
        var text: String
        var data: TemplateValue
        var render: Bool
        var basePath: String
    }

    /// Every template with the data it executes with (Helm's allTemplates/recAllTpls); returns the
    /// chart's data, which its parent exposes as `.Subcharts.<name>`.
    @discardableResult
    static func collect(_ chart: Chart, prefix: String, values: Value, top: Value, options: ChartRenderOptions,
                        into entries: inout [Entry],
                        isRoot: Bool) -> TemplateMap {
        let enabled = Dependencies.enabledSubcharts(chart, values: values)
        let subchartData = TemplateMap()
        for (sub, alias) in enabled {
            let subValues = values[alias] ?? .object([:])
            var renamed = sub
            renamed.name = alias
            subchartData[alias] = .map(collect(renamed, prefix: prefix + "/charts/" + alias, values: subValues, top: top,
                                               options: options, into: &entries, isRoot: false))
        }
        let data = TemplateMap([
            ("Values", TemplateValue(values, integersAsInt: false)),
            ("Release", .map(TemplateMap([
                ("Name", .string(options.releaseName)), ("Namespace", .string(options.namespace)),
                ("IsInstall", .bool(true)), ("IsUpgrade", .bool(false)), ("Revision", .int(1)), ("Service", .string("Helm")),
            ]))),
            ("Chart", Self.fresh(chart.parsed.chartObject(name: chart.name) { chartObject(chart) })),
            ("Capabilities", options.capabilities.templateValue),
            ("Files", chart.parsed.filesObject { .object(FilesObject(files: chart.files)) }),
            ("Subcharts", .map(subchartData)),
        ])
        for template in chart.templates {
            entries.append(Entry(name: prefix + "/" + template.path, source: chart.path + "/" + template.path,
                                 text: template.text, data: .map(data), render: !chart.isLibrary, basePath: prefix + "/templates"))
        }
        return data
    }

    /// A map value not shared with earlier renders (templates may `set` into it).
    static func fresh(_ value: TemplateValue) -> TemplateValue {
        if case .map(let map) = value { return .map(map.copy()) }
        return value
    }

    /// `.Chart`: Chart.yaml's fields under Helm's Go field names.
    static func chartObject(_ chart: Chart) -> TemplateValue {
        let names = ["apiVersion": "APIVersion", "appVersion": "AppVersion", "kubeVersion": "KubeVersion"]
        let map = TemplateMap()
        // Helm's chart.Metadata is a Go struct: a field Chart.yaml leaves out is its zero value
        // (`{{ .Chart.AppVersion | quote }}` prints `""`, `{{ .Chart.Keywords }}` prints `[]`).
        for field in ["Name", "Home", "Version", "Description", "Icon", "APIVersion", "Condition", "Tags", "AppVersion", "KubeVersion", "Type"] {
            map[field] = .string("")
        }
        for field in ["Sources", "Keywords", "Maintainers", "Dependencies"] { map[field] = .list([]) }
        map["Deprecated"] = .bool(false)
        map["Annotations"] = .map(TemplateMap())
        for (key, value) in chart.metadata.objectValue ?? [:] {
            let goName = names[key] ?? (key.prefix(1).uppercased() + key.dropFirst())
            if let text = stringField(value), ["name", "version", "appVersion", "apiVersion", "description", "type",
                                               "kubeVersion", "home", "icon", "condition", "tags"].contains(key) {
                map[goName] = .string(text)
            } else {
                map[goName] = TemplateValue(value, integersAsInt: false)
            }
        }
        map["Name"] = .string(chart.name)
        return .map(map)
    }
}
