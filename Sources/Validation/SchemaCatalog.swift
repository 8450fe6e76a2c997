import Basics
import Foundation
import JSONSchema
import KubeModel

/// Finds the schema for a kind, in order: CRDs (from the rendered environment or the
/// repository), then folders in kubeconform's layout (`<kind>-<group>-<version>.json`,
/// `<kind>-<version>.json` for the core group, or the CRDs-catalog's `<group>/<kind>_<version>.json`).
public final class SchemaCatalog: @unchecked Sendable {
    public let store: SchemaStore
    public let folders: [String]
    private let lock = NSLock()
    private var crdSchemas: [GroupVersionKind: SchemaDocumentID] = [:]

    /// The Kubernetes version's own kinds, when its schema folder is known: unknown kinds and
    /// removed API versions of built-in groups are then errors that say what to write.
    public let builtIn: BuiltInAPIs?

    /// Where scripts/link-schemas links the Kubernetes schemas: $GITOPS_SCHEMA_HOME, by default
    /// ~/.local/share/gitops/kubernetes-json-schema.
    public static var linkedHome: String {
        ProcessInfo.processInfo.environment["GITOPS_SCHEMA_HOME"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share/gitops/kubernetes-json-schema")
    }

    public init(store: SchemaStore = SchemaStore(), folders: [String], kubernetesFolder: String? = nil) {
        self.store = store
        self.folders = folders
        builtIn = kubernetesFolder.map(BuiltInAPIs.init(folder:))
    }



    /// Registers the schema of every served version of a CustomResourceDefinition. Returns the
    /// problems of the CRD itself (a served version without a schema is not one: it validates nothing).
    @discardableResult
    public func add(crd object: Object) -> [String] {
        guard object.kind == "CustomResourceDefinition", object.apiVersion.hasPrefix("apiextensions.k8s.io/"),
              case .object(let spec)? = object.content["spec"] else { return [] }
        guard let group = spec["group"]?.stringValue, let kind = spec["names"]?["kind"]?.stringValue else {
            return ["CustomResourceDefinition \(object.name) has no spec.group or spec.names.kind"]
        }
        var problems: [String] = []
        for version in spec["versions"]?.arrayValue ?? [] {
            guard let name = version["name"]?.stringValue else { continue }
            if version["served"] == .bool(false) { continue }
            guard case .object(var schema)? = version["schema"]?["openAPIV3Schema"] else { continue }
            // The object's own fields, which CRD schemas usually leave out.
            var properties = schema["properties"]?.objectValue ?? ValueObject()
            for (field, type) in [("apiVersion", "string"), ("kind", "string"), ("metadata", "object")] where properties[field] == nil {
                properties[field] = .object(["type": .string(type)])
            }
            schema["properties"] = .object(properties)
            let gvk = GroupVersionKind(group: group, version: name, kind: kind)
            let id = store.register(.object(schema), name: "CustomResourceDefinition \(object.name) version \(name)")
            do { _ = try store.root(id) } catch {
                problems.append(error.message)
                continue
            }
            lock.lock()
            crdSchemas[gvk] = id
            lock.unlock()
        }
        return problems
    }

    /// The schema for `gvk`, nil when no source has one.
    public func schema(for gvk: GroupVersionKind) throws(SchemaError) -> SchemaNode? {
        try lookup(gvk)?.schema
    }

    /// The schema for `gvk` and whether it is the Kubernetes version's own (not a CRD's, nor one
    /// from another schema folder).
    public func lookup(_ gvk: GroupVersionKind) throws(SchemaError) -> (schema: SchemaNode, kubernetes: Bool)? {
        lock.lock()
        let crd = crdSchemas[gvk]
        lock.unlock()
        if let crd { return (try store.root(crd), false) }
        for folder in folders {
            for name in Self.fileNames(for: gvk) {
                if let id = try store.file((folder as NSString).appendingPathComponent(name)) { return (try store.root(id), folder == builtIn?.folder) }
            }
        }
        return nil
    }

    /// Candidate file names of a kind's schema in a folder.
    static func fileNames(for gvk: GroupVersionKind) -> [String] {
        let kind = gvk.kind.lowercased(), version = gvk.version.lowercased()
        if gvk.group.isEmpty { return ["\(kind)-\(version).json"] }
        let group = gvk.group.lowercased()
        let firstLabel = group.split(separator: ".").first.map(String.init) ?? group
        return ["\(kind)-\(firstLabel)-\(version).json", "\(group)/\(kind)_\(version).json"]
    }

    /// The folder for a Kubernetes version in a folder of per-version folders (as
    /// kubernetes-validate and kubeconform ship them: `v1.31.0-local`, `v1.31.0-standalone-strict`,
    /// ...): the newest version not newer than `version`. A folder that holds schema files itself
    /// is returned as it is.
    public static func versionFolder(in home: String, kubernetesVersion version: String?, strict: Bool) -> String? {
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(atPath: home) else { return nil }
        if entries.contains(where: { $0.hasSuffix(".json") }) { return home }
        let wanted = version.flatMap(Self.versionNumbers) ?? [Int.max]
        var best: (numbers: [Int], name: String)?
        for entry in entries {
            guard entry.hasPrefix("v") else { continue }
            let parts = entry.dropFirst().split(separator: "-", maxSplits: 1).map(String.init)
            guard parts.count == 2, let numbers = Self.versionNumbers(parts[0]) else { continue }
            let flavour = parts[1]
            guard flavour == (strict ? "local-strict" : "local") || flavour == (strict ? "standalone-strict" : "standalone") else { continue }
            guard numbers.prefix(2).lexicographicallyPrecedes(wanted.prefix(2)) || Array(numbers.prefix(2)) == Array(wanted.prefix(2)) else { continue }
            if best == nil || best!.numbers.lexicographicallyPrecedes(numbers) || (best!.numbers == numbers && flavour.hasPrefix("local")) {
                best = (numbers, entry)
            }
        }
        return best.map { (home as NSString).appendingPathComponent($0.name) }
    }

    /// The oldest Kubernetes version (`1.25`) with per-version schema folders under `home`.
    public static func oldestVersion(in home: String, strict: Bool) -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: home) else { return nil }
        let versions = entries.compactMap { entry -> [Int]? in
            guard entry.hasPrefix("v"), entry.hasSuffix(strict ? "-local-strict" : "-local") else { return nil }
            return versionNumbers(String(entry.dropFirst().split(separator: "-", maxSplits: 1)[0]))
        }
        return versions.min { $0.lexicographicallyPrecedes($1) }.map { $0.prefix(2).map(String.init).joined(separator: ".") }
    }

    public static func versionNumbers(_ text: String) -> [Int]? {
        let trimmed = text.hasPrefix("v") ? String(text.dropFirst()) : text
        let numbers = trimmed.split(separator: ".").map { Int($0) }
        guard !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) else { return nil }
        return numbers.map { $0! }
    }
}
