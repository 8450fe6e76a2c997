import ArgumentParser
import Basics
import Charts
import ChartSources
import Foundation

struct ChartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chart",
        abstract: "Work with Helm charts directly.",
        subcommands: [ChartTemplateCommand.self, ChartLockCommand.self, ChartPullCommand.self, ChartPushCommand.self])
}

struct ChartTemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render a chart and print what `helm template` prints for the same arguments.")

    @Argument(help: "The chart folder.")
    var chart: String

    @Option(name: .long, help: "Release name.")
    var name: String = "release-name"

    @Option(name: .long, help: "Release namespace.")
    var namespace: String = "default"

    @Option(name: [.customShort("f"), .long], help: "A values file (may be repeated; later files win).")
    var values: [String] = []

    @Option(name: .long, help: "Set a value: key=value[,key=value] (Helm's --set syntax).")
    var set: [String] = []

    @Option(name: .customLong("set-string"), help: "Set a string value: key=value.")
    var setString: [String] = []

    @Option(name: .customLong("set-file"), help: "Set a value from a file's contents: key=path.")
    var setFile: [String] = []

    @Option(name: .customLong("kube-version"), help: "Kubernetes version for .Capabilities (default v1.36.0).")
    var kubeVersion: String = Capabilities.defaultKubeVersion

    @Option(name: .customLong("api-versions"), help: "An extra API version for .Capabilities (may be repeated).")
    var apiVersions: [String] = []

    @Flag(name: .customLong("include-crds"), help: "Print the chart's crds/ files too, first.")
    var includeCRDs = false

    @Option(name: [.short, .customLong("show-only")], help: "Print only this template (a path like templates/service.yaml, or a glob).")
    var showOnly: [String] = []

    @Flag(name: .customLong("skip-tests"), help: "Leave out test hooks.")
    var skipTests = false

    @Flag(name: .long, help: "Random functions (randAlphaNum, uuidv4, ...) use real randomness, as Helm does (default: seeded from namespace, release and template, so renders repeat).")
    var random = false

    enum Format: String, ExpressibleByArgument, CaseIterable { case helm, json }

    @Option(name: .long, help: "helm: what `helm template` prints; json: each template's rendered text by name.")
    var output: Format = .helm

    @OptionGroup var charts: ChartCacheOptions

    func run() throws {
        guard Capabilities.isValidKubeVersion(kubeVersion) else {
            throw CommandFailure("--kube-version '\(kubeVersion)' is not a Kubernetes version such as 1.31 or v1.31.0")
        }
        let url = URL(fileURLWithPath: chart).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw CommandFailure("'\(chart)': no such chart folder or archive")
        }
        let tree = WorkingTree(root: url.deletingLastPathComponent().path)
        // Dependencies Chart.lock pins and charts/ lacks: fetched into the cache, loaded from it.
        if !charts.offline, isDirectory.boolValue, FileManager.default.fileExists(atPath: url.path + "/Chart.lock") {
            let access = try charts.access()
            let path = url.lastPathComponent
            try charts.run { () async throws(ChartSourceError) in try await DependencyResolver.ensure(chart: path, tree: tree, access: access) }
        }
        let loaded = try ChartLoader.$dependencyArchives.withValue(CachedDependencyArchives(cache: charts.cache)) {
            try ChartLoader.load(tree, path: url.lastPathComponent)
        }
        var userValues: Value = .object([:])
        // The values files, for errors that say where a value they read was set.
        var sources: [SourceText] = []
        if let defaults = try? tree.read(url.lastPathComponent + "/values.yaml") {
            sources.append(SourceText(path: chart + "/values.yaml", bytes: defaults))
        }
        for file in values {
            let bytes = try Self.read(file, flag: "-f")
            userValues = HelmValues.merge(userValues, try HelmValues.read(bytes, file: file))
            sources.append(SourceText(path: file, bytes: bytes))
        }
        // --set values go over the files; what they set alone is kept for error notes.
        var commandLine: Value = .object([:])
        func apply(_ expression: String, forceString: Bool) throws {
            userValues = try SetValues.apply(expression, to: userValues, forceString: forceString)
            commandLine = try SetValues.apply(expression, to: commandLine, forceString: forceString)
        }
        for expression in set { try apply(expression, forceString: false) }
        for expression in setString { try apply(expression, forceString: true) }
        for expression in setFile {
            guard let equals = expression.firstIndex(of: "=") else { throw CommandFailure("--set-file needs key=path, got '\(expression)'") }
            let contents = String(decoding: try Self.read(String(expression[expression.index(after: equals)...]), flag: "--set-file"), as: UTF8.self)
            let escaped = String(expression[..<equals]) + "=" + contents.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: ",", with: "\\,")
            try apply(escaped, forceString: true)
        }
        var options = ChartRenderOptions(releaseName: name, namespace: namespace, values: userValues,
                                         capabilities: Capabilities(kubeVersion: kubeVersion, extraAPIVersions: apiVersions),
                                         random: random ? .system : nil, seedSecret: RandomSeed.secret)
        options.valuesSources = sources
        if !(set.isEmpty && setString.isEmpty && setFile.isEmpty) { options.valuesOverride = (commandLine, "--set", nil) }
        let rendered = try ChartRenderer.render(loaded, options: options)
        switch output {
        case .helm:
            var outputOptions = HelmTemplateOutput.Options()
            if includeCRDs { outputOptions.crds = ChartRenderer.crds(loaded) }
            outputOptions.showOnly = showOnly
            outputOptions.skipTests = skipTests
            Output.write(try HelmTemplateOutput.format(rendered, options: outputOptions))
        case .json:
            var object = ValueObject()
            for template in rendered { object[template.name] = .string(template.content) }
            Output.write(JSONWriter.write(.object(object)) + "\n")
        }
    }

    /// A file named on the command line; a missing or unreadable one said in plain words.
    static func read(_ path: String, flag: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw CommandFailure("\(flag) \(path): \(exists ? "cannot be read (permissions, or a folder)" : "no such file")")
        }
        return Array(data)
    }
}
