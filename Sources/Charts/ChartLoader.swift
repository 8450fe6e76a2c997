import Basics
import YAML

/// Loads charts from a file tree: `Chart.yaml`, `values.yaml`, `templates/`, `crds/`, other files,
/// and subcharts in `charts/` (folders).
public enum ChartLoader {
    public static func load(_ tree: any FileTree, path: String) throws(DiagnosticError) -> Chart {
        do {
            return try loadChart(tree, path: path)
        } catch let error as DiagnosticError {
            throw error
        } catch {
            throw DiagnosticError(code: "chart.read", at: SourceLocation(file: path, line: 1, column: 1), "\(error)")
        }
    }

    /// A packaged chart: the archive's single top-level folder is the chart.
    private static func loadArchive(_ tree: any FileTree, path: String) throws -> Chart {
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
        var chart = try loadChart(archive, path: folders[0].name)
        chart.path = path + "/" + chart.path
        return chart
    }

    private static func loadChart(_ tree: any FileTree, path: String) throws -> Chart {
        let chartFile = path + "/Chart.yaml"
        guard try tree.exists(chartFile) else {
            throw DiagnosticError(code: "chart.missing", at: SourceLocation(file: chartFile, line: 1, column: 1),
                                  "'\(path)' has no Chart.yaml; a chart folder needs one")
        }
        let metadataText = try tree.read(chartFile)
        let metadata = try YAML.values(metadataText, file: chartFile).first ?? .object([:])
        let metadataNode = try YAMLParser.parse(metadataText, file: chartFile).first
        guard let name = stringField(metadata["name"]), !name.isEmpty else {
            throw DiagnosticError(code: "chart.name", at: metadataNode?.location(chartFile) ?? SourceLocation(file: chartFile, line: 1, column: 1),
                                  "Chart.yaml needs a 'name'")
        }
        if let type = stringField(metadata["type"]), !type.isEmpty, type != "application", type != "library" {
            throw DiagnosticError(code: "chart.type", at: metadataNode?["type"]?.location(chartFile) ?? SourceLocation(file: chartFile, line: 1, column: 1),
                                  "validation: chart.metadata.type must be application or library, not '\(type)'")
        }
        var dependencies: [Chart.Dependency] = []
        var dependencyValues = metadata["dependencies"]?.arrayValue ?? []
        if dependencyValues.isEmpty, try tree.exists(path + "/requirements.yaml") {
            let requirements = try YAML.values(try tree.read(path + "/requirements.yaml"), file: path + "/requirements.yaml").first
            dependencyValues = requirements?["dependencies"]?.arrayValue ?? []
        }
        for dependency in dependencyValues {
            guard let depName = stringField(dependency["name"]) else { continue }
            dependencies.append(Chart.Dependency(
                name: depName, alias: stringField(dependency["alias"]), condition: stringField(dependency["condition"]),
                tags: dependency["tags"]?.arrayValue?.compactMap(stringField) ?? [],
                importValues: dependency["import-values"]?.arrayValue ?? [],
                enabled: nil))
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
        for file in try tree.files(under: path) {
            let relative = String(file.dropFirst(path.count + 1))
            if relative.hasPrefix("charts/") {
                continue
            } else if relative.hasPrefix("templates/") {
                templates.append((relative, String(decoding: try tree.read(file), as: UTF8.self)))
            } else if relative.hasPrefix("crds/") {
                crds.append((relative, String(decoding: try tree.read(file), as: UTF8.self)))
            } else if relative == "values.schema.json" {
                let text = String(decoding: try tree.read(file), as: UTF8.self)
                do { schema = try JSONReader.values(text).first } catch {
                    throw DiagnosticError(code: "chart.schema", at: SourceLocation(file: file, line: 1, column: 1),
                                          "values.schema.json is not valid JSON (\(error)); Helm would refuse this chart too")
                }
            } else if relative != "Chart.yaml" && relative != "values.yaml" && relative != "requirements.yaml" {
                files[relative] = try tree.read(file)
            }
        }
        if try tree.kind(of: path + "/charts") == .directory {
            for entry in try tree.list(path + "/charts") {
                let child = path + "/charts/" + entry.name
                if try tree.kind(of: child) == .directory {
                    subcharts.append(try loadChart(tree, path: child))
                } else if entry.name.hasSuffix(".tgz") || entry.name.hasSuffix(".tar.gz") {
                    subcharts.append(try loadArchive(tree, path: child))
                }
            }
        }
        return Chart(metadata: metadata, name: name, version: stringField(metadata["version"]) ?? "",
                     apiVersion: stringField(metadata["apiVersion"]) ?? "v1",
                     isLibrary: stringField(metadata["type"]) == "library", dependencies: dependencies,
                     values: values, path: path, templates: templates.sorted { $0.0 < $1.0 }, crds: crds.sorted { $0.0 < $1.0 },
                     files: files, subcharts: subcharts.sorted { $0.name < $1.name }, valuesSchema: schema)
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
