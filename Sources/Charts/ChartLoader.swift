import Basics
import Template
import YAML

/// Loads charts from a file tree: `Chart.yaml`, `values.yaml`, `templates/`, `crds/`, other files,
/// and subcharts in `charts/` (folders).
public enum ChartLoader {
    /// Where the archives of `Chart.lock` dependencies missing from `charts/` come from (the
    /// chart cache, set by the renderer); nil: such a chart does not render, as in Helm.
    @TaskLocal public static var dependencyArchives: (any DependencyArchives)?

    /// The chart at `path`: a folder, or a packaged chart (`.tgz`).
    public static func load(_ tree: any FileTree, path: String) throws(DiagnosticError) -> Chart {
        do {
            if path.hasSuffix(".tgz") || path.hasSuffix(".tar.gz"), try tree.kind(of: path) == .file { return try loadArchive(tree, path: path) }
            return try loadChart(tree, path: path)
        } catch let error as DiagnosticError {
            throw error
        } catch {
            throw DiagnosticError(code: "chart.read", at: SourceLocation(file: path, line: 1, column: 1), "\(error)")
        }
    }

    /// The chart folder at `path` without requiring its dependencies to be there (what
    /// `gitops chart lock` resolves).
    public static func loadDeclaringDependencies(_ tree: any FileTree, path: String) throws(DiagnosticError) -> Chart {
        do {
            return try loadChart(tree, path: path, isTop: false)
        } catch let error as DiagnosticError {
            throw error
        } catch {
            throw DiagnosticError(code: "chart.read", at: SourceLocation(file: path, line: 1, column: 1), "\(error)")
        }
    }

    /// A packaged chart: the archive's single top-level folder is the chart.
    private static func loadArchive(_ tree: any FileTree, path: String, isTop: Bool = true) throws -> Chart {
        let archive: MemoryFileTree
        do {
            archive = try ChartArchive.unpack(try tree.read(path), name: path)
        } catch {
            throw DiagnosticError(code: "chart.archive", at: SourceLocation(file: path, line: 1, column: 1),
                                  "cannot read the packaged chart: \(error)")
        }
        let folders = try archive.list("").filter { $0.kind == .directory }
        guard folders.count == 1 else {
            throw DiagnosticError(code: "chart.archive", at: SourceLocation(file: path, line: 1, column: 1),
                                  "a packaged chart must hold one top-level folder, found \(folders.count)")
        }
        var chart = try loadChart(archive, path: folders[0].name, isTop: isTop)
        chart.path = path + "/" + chart.path
        return chart
    }

    /// - Parameter ignoring: the `.helmignore` rules in force and the folder they are relative to:
    ///   as in Helm's directory loader, the top chart's rules cover its subchart folders too (a
    ///   subchart's own `.helmignore` is only a file); nil reads the chart's own.
    ///   `isTop`: the chart rendered, whose dependencies must all be there (not a subchart).
    private static func loadChart(_ tree: any FileTree, path: String, ignoring: (rules: HelmIgnore, root: String)? = nil,
                                  isTop: Bool = true) throws -> Chart {
        let chartFile = path + "/Chart.yaml"
        guard try tree.exists(chartFile) else {
            throw DiagnosticError(code: "chart.missing", at: SourceLocation(file: chartFile, line: 1, column: 1),
                                  "'\(path)' has no Chart.yaml; a chart folder needs one")
        }
        let metadataText = try tree.read(chartFile)
        let metadata = try YAML.values(metadataText, file: chartFile).first ?? .object([:])
        let metadataNode = try YAMLParser.parse(metadataText, file: chartFile).first
        func location(_ node: Node?) -> SourceLocation { node?.location(chartFile) ?? SourceLocation(file: chartFile, line: 1, column: 1) }
        // Chart.yaml is checked as Helm checks it (chart.Metadata.Validate), in its words and order.
        if stringField(metadata["apiVersion"]).map({ $0.isEmpty }) ?? true {
            throw DiagnosticError(code: "chart.metadata", at: location(metadataNode),
                                  "validation: chart.metadata.apiVersion is required; add 'apiVersion: v2' to Chart.yaml")
        }
        guard let name = stringField(metadata["name"]), !name.isEmpty else {
            throw DiagnosticError(code: "chart.name", at: location(metadataNode),
                                  "validation: chart.metadata.name is required; add 'name: <chart>' to Chart.yaml")
        }
        if name.contains("/") || name == "." || name == ".." {
            throw DiagnosticError(code: "chart.name", at: location(metadataNode?["name"]),
                                  "validation: chart.metadata.name \"\(name)\" is invalid; a chart name cannot be a path")
        }
        guard let version = stringField(metadata["version"]), !version.isEmpty else {
            throw DiagnosticError(code: "chart.version", at: location(metadataNode),
                                  "validation: chart.metadata.version is required; add 'version: 0.1.0' (a SemVer 2 version) to Chart.yaml")
        }
        guard Template.SemanticVersion(version) != nil else {
            throw DiagnosticError(code: "chart.version", at: location(metadataNode?["version"]),
                                  "validation: chart.metadata.version \"\(version)\" is invalid; use a SemVer 2 version such as 1.2.3")
        }
        if let type = stringField(metadata["type"]), !type.isEmpty, type != "application", type != "library" {
            throw DiagnosticError(code: "chart.type", at: location(metadataNode?["type"]),
                                  "validation: chart.metadata.type must be application or library, not '\(type)'")
        }
        var dependencies: [Chart.Dependency] = []
        var dependencyValues = metadata["dependencies"]?.arrayValue ?? []
        var dependencyNodes = metadataNode?["dependencies"]?.items ?? []
        if dependencyValues.isEmpty, try tree.exists(path + "/requirements.yaml") {
            let requirementsFile = path + "/requirements.yaml"
            let requirementsText = try tree.read(requirementsFile)
            let requirements = try YAML.values(requirementsText, file: requirementsFile).first
            dependencyValues = requirements?["dependencies"]?.arrayValue ?? []
            dependencyNodes = []
        }
        var dependencyLocations: [String: SourceLocation] = [:]
        for (index, dependency) in dependencyValues.enumerated() {
            let at = location(index < dependencyNodes.count ? dependencyNodes[index] : metadataNode?["dependencies"])
            guard let depName = stringField(dependency["name"]), !depName.isEmpty else {
                throw DiagnosticError(code: "chart.dependency", at: at,
                                      "validation: dependencies must not contain empty or null nodes; give each dependency a 'name'")
            }
            dependencyLocations[depName] = dependencyLocations[depName] ?? at
            dependencies.append(Chart.Dependency(
                name: depName, alias: stringField(dependency["alias"]), condition: stringField(dependency["condition"]),
                tags: dependency["tags"]?.arrayValue?.compactMap(stringField) ?? [],
                importValues: dependency["import-values"]?.arrayValue ?? [],
                enabled: dependency["enabled"] == .bool(true) ? true : nil, repository: stringField(dependency["repository"]),
                version: stringField(dependency["version"])))
        }
        var values: Value = .object([:])
        if try tree.exists(path + "/values.yaml") {
            let file = path + "/values.yaml"
            values = try HelmValues.read(try tree.read(file), file: file)
        }
        var templates: [(String, String)] = []
        var crds: [(String, String)] = []
        var files: [String: [UInt8]] = [:]
        var subcharts: [Chart] = []
        var schema: Value?
        let ignoring = ignoring ?? (HelmIgnore((try? tree.read(path + "/.helmignore")).map { String(decoding: $0, as: UTF8.self) } ?? ""), path)
        let ignore = ignoring.rules
        var ignoredFolders: [String: Bool] = [:]
        /// `relative` (to this chart) as the rules see it: relative to the top chart.
        func fromRoot(_ relative: String) -> String { path == ignoring.root ? relative : String(path.dropFirst(ignoring.root.count + 1)) + "/" + relative }
        // The chart's own files: subcharts (`charts/`) are loaded below, ignored folders not entered.
        let listed = try tree.listFiles(under: path, descend: { folder in
            let relative = String(folder.dropFirst(path.count + 1))
            return relative != "charts" && !ignore.ignoresFolder(fromRoot(relative), folders: &ignoredFolders)
        })
        for file in listed {
            let relative = String(file.path.dropFirst(path.count + 1))
            if ignore.ignoresFile(fromRoot(relative), folders: &ignoredFolders) { continue }
            if relative.hasPrefix("crds/") {
                // As Helm: CRD files are also chart files (`.Files.Get "crds/x.yaml"`).
                files[relative] = try tree.read(file)
            }
            if relative.hasPrefix("charts/") {
                continue
            } else if relative.hasPrefix("templates/") {
                templates.append((relative, String(decoding: try tree.read(file), as: UTF8.self)))
            } else if relative.hasPrefix("crds/") {
                crds.append((relative, String(decoding: try tree.read(file), as: UTF8.self)))
            } else if relative == "values.schema.json" {
                let text = String(decoding: try tree.read(file), as: UTF8.self)
                do { schema = try JSONReader.values(text).first } catch {
                    throw DiagnosticError(code: "chart.schema", at: SourceLocation(file: file.path, line: 1, column: 1),
                                          "values.schema.json is not valid JSON (\(error)); Helm would refuse this chart too")
                }
            } else if relative != "Chart.yaml" && relative != "values.yaml" && relative != "requirements.yaml" {
                files[relative] = try tree.read(file)
            }
        }
        if try tree.kind(of: path + "/charts") == .directory {
            for entry in try tree.list(path + "/charts") {
                let relative = fromRoot("charts/" + entry.name)
                let ignored = entry.kind == .directory ? ignore.ignoresFolder(relative, folders: &ignoredFolders)
                    : ignore.ignoresFile(relative, folders: &ignoredFolders)
                if ignored { continue }
                let child = path + "/charts/" + entry.name
                if try tree.kind(of: child) == .directory {
                    subcharts.append(try loadChart(tree, path: child, ignoring: ignoring, isTop: false))
                } else if entry.name.hasSuffix(".tgz") || entry.name.hasSuffix(".tar.gz") {
                    subcharts.append(try loadArchive(tree, path: child, isTop: false))
                }
            }
        }
        // As `helm template`: only the chart rendered is checked for its dependencies; a subchart
        // missing one of its own renders without it.
        if isTop {
            subcharts += try missingDependencies(dependencies, present: subcharts, chartPath: path, tree: tree, locations: dependencyLocations)
        }
        return Chart(metadata: metadata, name: name, version: version,
                     apiVersion: stringField(metadata["apiVersion"]) ?? "v1",
                     isLibrary: stringField(metadata["type"]) == "library", dependencies: dependencies,
                     values: values, path: path, templates: templates.sorted { $0.0 < $1.0 }, crds: crds.sorted { $0.0 < $1.0 },
                     files: files, subcharts: subcharts.enumerated().sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }.map(\.element), valuesSchema: schema)
    }
}

extension ChartLoader {
    /// The declared dependencies not in `charts/`: `file://` ones are loaded from their folder in the
    /// tree (as `helm dependency build` would copy them); any other missing one is an error, as
    /// Helm refuses to render a chart whose dependencies are not there.
    static func missingDependencies(_ dependencies: [Chart.Dependency], present: [Chart], chartPath: String, tree: any FileTree,
                                    locations: [String: SourceLocation]) throws -> [Chart] {
        var loaded: [Chart] = []
        var missing: [Chart.Dependency] = []
        for dependency in dependencies where !(present + loaded).contains(where: { $0.name == dependency.name }) {
            guard let repository = dependency.repository, repository.hasPrefix("file://") else {
                missing.append(dependency)
                continue
            }
            let relative = String(repository.dropFirst("file://".count))
            let at = locations[dependency.name] ?? SourceLocation(file: chartPath + "/Chart.yaml", line: 1, column: 1)
            guard !relative.hasPrefix("/"), let folder = RepoPath.join(chartPath, relative) else {
                throw DiagnosticError(code: "chart.dependency", at: at,
                                      "dependency '\(dependency.name)': \(repository) is outside the repository; keep file:// dependencies inside it, relative to the chart")
            }
            guard try tree.kind(of: folder) == .directory else {
                throw DiagnosticError(code: "chart.dependency", at: at,
                                      "dependency '\(dependency.name)': \(repository) is \(folder), which is not a folder of the repository; fix the path (relative to \(chartPath))")
            }
            let chart = try loadChart(tree, path: folder)
            guard chart.name == dependency.name else {
                throw DiagnosticError(code: "chart.dependency", at: at,
                                      "dependency '\(dependency.name)': the chart at \(folder) is named '\(chart.name)'; the names must match")
            }
            loaded.append(chart)
        }
        if !missing.isEmpty, try tree.exists(chartPath + "/Chart.lock") {
            (loaded, missing) = try lockedDependencies(missing, all: dependencies, loaded: loaded, chartPath: chartPath, tree: tree, locations: locations)
        }
        guard missing.isEmpty else {
            let first = missing[0]
            let list = missing.map { "\($0.name)" + ($0.repository.map { " (\($0))" } ?? "") }.joined(separator: ", ")
            throw DiagnosticError(code: "chart.dependencyMissing", at: locations[first.name] ?? SourceLocation(file: chartPath + "/Chart.yaml", line: 1, column: 1),
                                  "found in Chart.yaml, but missing in charts/ directory: \(list); run `gitops chart lock \(chartPath)` to pin them in Chart.lock (gitops fetches what it pins), or 'helm dependency build \(chartPath)' and commit \(chartPath)/charts/")
        }
        return loaded
    }
}

/// A Chart.yaml string field as Helm reads it: sigs.k8s.io/yaml gives the scalar's string form
/// for string fields (`name: off` is the name "false"; floats print as 32-bit floats).
func stringField(_ value: Value?) -> String? {
    switch value {
    case .string(let s)?: return s
    case .bool(let b)?: return b ? "true" : "false"
    case .int(let i)?: return String(i)
    case .float(let d)?: return GoFloat.format(Double(Float(d)))
    default: return nil
    }
}

/// Values as Helm reads them: YAML (duplicate keys allowed, the last wins) converted through JSON,
/// so every number is a float64.
public enum HelmValues {
    public static func read(_ bytes: [UInt8], file: String) throws(DiagnosticError) -> Value {
        let options = ParseOptions(schema: .kubernetes, allowDuplicateKeys: true)
        guard let value = try YAML.values(bytes, file: file, options: options).first, value != .null else {
            return .object([:])
        }
        guard case .object = value else {
            throw DiagnosticError(code: "chart.values", at: SourceLocation(file: file, line: 1, column: 1),
                                  "values must be a mapping, not a \(value.typeName)")
        }
        return asFloats(value)
    }

    /// Numbers become floats, as they do after Helm's YAML → JSON → interface{} round trip.
    public static func asFloats(_ value: Value) -> Value {
        switch value {
        case .int(let i): return .float(Double(i))
        case .array(let items): return .array(items.map(asFloats))
        case .object(let object):
            var result = ValueObject()
            for (key, item) in object { result.appendUnchecked(key, asFloats(item)) }
            return .object(result)
        default: return value
        }
    }

    /// Helm's coalescing of user values over chart defaults: maps merge recursively, user values
    /// win, a user `null` deletes the key; a `null` among the defaults is just unset (it deletes
    /// nothing, not even a subchart's default — Helm issue 9027).
    public static func coalesce(_ user: Value, over defaults: Value) -> Value {
        guard case .object(let userObject) = user, case .object(let defaultObject) = defaults else { return user }
        var result = userObject
        for (key, defaultValue) in defaultObject {
            if let userValue = userObject[key] {
                if userValue == .null {
                    result[key] = nil
                } else if case .object = userValue, case .object = defaultValue {
                    result[key] = coalesce(userValue, over: defaultValue)
                }
            } else if defaultValue != .null {
                result[key] = withoutNulls(defaultValue)
            }
        }
        return .object(result)
    }

    /// A default value with its `null` map entries removed.
    static func withoutNulls(_ value: Value) -> Value {
        guard case .object(let object) = value else { return value }
        var result = ValueObject()
        for (key, item) in object where item != .null { result.appendUnchecked(key, withoutNulls(item)) }
        return .object(result)
    }

    /// Merges later values files over earlier ones (`-f a.yaml -f b.yaml`): maps merge, the later
    /// value wins otherwise; a `null` is kept so that it deletes the default when coalescing.
    public static func merge(_ base: Value, _ override: Value) -> Value {
        guard case .object(var baseObject) = base, case .object(let overrideObject) = override else { return override }
        for (key, value) in overrideObject {
            if let existing = baseObject[key], case .object = existing, case .object = value {
                baseObject[key] = merge(existing, value)
            } else {
                baseObject[key] = value
            }
        }
        return .object(baseObject)
    }
}

extension ChartLoader {
    /// The dependencies `charts/` lacks, from the archives `Chart.lock` pins: the lock must match
    /// Chart.yaml (its digest, as `helm dependency build` checks it); each archive comes from
    /// `dependencyArchives`. Returns the charts loaded and what is still missing.
    static func lockedDependencies(_ missing: [Chart.Dependency], all: [Chart.Dependency], loaded: [Chart], chartPath: String, tree: any FileTree,
                                   locations: [String: SourceLocation]) throws -> ([Chart], [Chart.Dependency]) {
        let lockFile = chartPath + "/Chart.lock"
        let lock = try DependencyLock(try tree.read(lockFile), file: lockFile)
        let expected = DependencyLock.hash(requested: all, locked: lock.dependencies)
        guard expected == lock.digest else {
            throw DiagnosticError(code: "chart.lockOutOfSync", at: SourceLocation(file: lockFile, line: 1, column: 1),
                                  "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml): run `gitops chart lock \(chartPath)` (or `helm dependency update \(chartPath)`) and commit Chart.lock")
        }
        guard let archives = dependencyArchives else { return (loaded, missing) }
        var loaded = loaded
        var still: [Chart.Dependency] = []
        for dependency in missing {
            guard let entry = lock.entry(for: dependency, in: all), !entry.repository.isEmpty else {
                still.append(dependency)
                continue
            }
            if loaded.contains(where: { $0.name == entry.name && $0.version == entry.version }) { continue }
            let at = locations[dependency.name] ?? SourceLocation(file: chartPath + "/Chart.yaml", line: 1, column: 1)
            guard let bytes = try archives.archive(entry) else {
                throw DiagnosticError(code: "chart.cache", at: at,
                                      "dependency '\(entry.name)' \(entry.version) from \(entry.repository), pinned by \(lockFile), is not in the chart cache: render without --offline (or run `gitops chart lock \(chartPath)`) to fetch it")
            }
            let name = "\(entry.name)-\(entry.version).tgz"
            let archive = MemoryFileTree(displayName: name, files: [name: bytes])
            var chart = try loadArchive(archive, path: name, isTop: false)
            chart.path = chartPath + "/charts/" + name + String(chart.path.dropFirst(name.count))
            guard chart.name == entry.name else {
                throw DiagnosticError(code: "chart.dependency", at: at, "dependency '\(entry.name)': the archive pinned by \(lockFile) holds the chart '\(chart.name)'")
            }
            loaded.append(chart)
        }
        // In the order `helm dependency build` leaves them in charts/: by file name.
        loaded.sort { "\($0.name)-\($0.version).tgz" < "\($1.name)-\($1.version).tgz" }
        return (loaded, still)
    }
}

extension ChartLoader {
    /// The Chart.lock entries a render of the chart folder at `path` would need from
    /// `dependencyArchives`: its dependencies from repositories that `charts/` lacks.
    public static func lockedDependenciesMissing(_ tree: any FileTree, path: String) throws(DiagnosticError) -> [DependencyLock.Entry] {
        let lockFile = path + "/Chart.lock"
        guard let bytes = try? tree.read(lockFile) else { return [] }
        let chart = try loadDeclaringDependencies(tree, path: path)
        let lock = try DependencyLock(bytes, file: lockFile)
        var entries: [DependencyLock.Entry] = []
        for dependency in chart.dependencies where !chart.subcharts.contains(where: { $0.name == dependency.name }) {
            guard let repository = dependency.repository, !repository.hasPrefix("file://"),
                  let entry = lock.entry(for: dependency, in: chart.dependencies), !entry.repository.isEmpty,
                  !entries.contains(entry) else { continue }
            entries.append(entry)
        }
        return entries
    }
}

extension DependencyLock {
    /// The entry pinning `dependency`: the lock lists Chart.yaml's dependencies in order (an
    /// alias has its own entry), else the first of its name and repository.
    func entry(for dependency: Chart.Dependency, in all: [Chart.Dependency]) -> Entry? {
        let index = all.firstIndex { $0.name == dependency.name && $0.alias == dependency.alias && $0.repository == dependency.repository }
        return index.flatMap { $0 < dependencies.count && dependencies[$0].name == dependency.name ? dependencies[$0] : nil }
            ?? dependencies.first { $0.name == dependency.name && $0.repository == (dependency.repository ?? "") }
    }
}
