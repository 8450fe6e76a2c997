import Basics
import YAML

/// One kustomization file (`kustomization.yaml`, `kustomization.yml` or `Kustomization`), its fields
/// as kustomize v5 reads them, each with where it was written.
struct Kustomization {
    /// The folder holding the file (repository-relative) and the file's own path.
    var folder: String
    var file: String
    var root: Node
    var value: ValueObject
    /// The file's bytes.
    var text: [UInt8] = []

    static let fileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"]

    /// Fields this build carries out.
    static let supported: Set<String> = [
        "apiVersion", "kind", "metadata", "resources", "bases", "crds", "namespace", "namePrefix",
        "nameSuffix", "commonLabels", "labels", "commonAnnotations", "images", "replicas", "configMapGenerator",
        "secretGenerator", "generatorOptions", "sortOptions", "patches", "patchesStrategicMerge", "patchesJson6902", "imageTags", "components", "replacements", "helmCharts", "helmGlobals", "vars", "generators", "transformers", "configurations", "buildMetadata", "openapi", "helmChartInflationGenerator",
    ]
    /// Fields kustomize knows that this build does not carry out yet: refused by name, never ignored.
    static let notYet: Set<String> = [
        "validators",
    ]

    /// The kustomization file in `folder`, nil when there is none.
    static func find(in folder: String, tree: any FileTree) throws -> String? {
        var found: [String] = []
        for name in fileNames {
            let path = folder.isEmpty ? name : folder + "/" + name
            if try tree.kind(of: path) == .file { found.append(path) }
        }
        if found.count > 1 {
            throw KustomizeError(found[1], 1, 1, "found multiple kustomization files in '\(folder.isEmpty ? "." : folder)' (\(found.joined(separator: ", "))); keep one")
        }
        return found.first
    }

    static func load(folder: String, file: String, tree: any FileTree) throws -> Kustomization {
        let bytes = try tree.read(file)
        // As kustomize (Go's JSON decoding underneath): a key written twice takes the last value.
        let nodes = try YAMLParser.parse(bytes, file: file, options: ParseOptions(schema: .core, allowDuplicateKeys: true))
        guard let root = nodes.first, nodes.count == 1 else {
            throw KustomizeError(file, 1, 1, nodes.isEmpty ? "the kustomization is empty" : "a kustomization holds one YAML document")
        }
        guard let pairs = root.pairs else {
            throw KustomizeError(file, root.start.line, root.start.column, "a kustomization is a mapping of fields")
        }
        // Field names match case-insensitively (`nameprefix` is `namePrefix`), as Go's JSON decoding
        // into kustomize's types matches them.
        let known = supported.union(notYet)
        let canonical = Dictionary(known.map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        var renamed = root
        renamed.content = .mapping(pairs.map { pair in
            guard let key = pair.key.scalar, !known.contains(key), let name = canonical[key.lowercased()] else { return pair }
            var named = pair
            named.key.content = .scalar(name, .plain)
            return named
        })
        guard case .object(let value) = try renamed.value(schema: .core, file: file) else {
            throw KustomizeError(file, root.start.line, root.start.column, "a kustomization is a mapping of fields")
        }
        let kustomization = Kustomization(folder: folder, file: file, root: renamed, value: value, text: bytes)
        try kustomization.checkFields()
        return kustomization
    }

    /// Every field problem of the file at once.
    func checkFields() throws {
        var problems: [KustomizeError] = []
        for pair in root.pairs ?? [] {
            guard let key = pair.key.scalar else { continue }
            if key == "validators" {
                problems.append(KustomizeError(file, pair.key.start.line, pair.key.start.column,
                                               "'validators' run KRM functions (kustomize has no built-in validator): gitops builds without running programs from the repository; validate the output with `gitops validate` and Kyverno policies instead"))
            } else if Self.notYet.contains(key) {
                problems.append(KustomizeError(file, pair.key.start.line, pair.key.start.column,
                                               "'\(key)' is not supported by gitops' kustomize build yet; render this overlay with `kubectl kustomize` until it is"))
            } else if !Self.supported.contains(key) {
                let near = Self.supported.min { Self.distance($0.lowercased(), key.lowercased()) < Self.distance($1.lowercased(), key.lowercased()) }
                let hint = near.map { Self.distance($0.lowercased(), key.lowercased()) <= 3 ? "; did you mean '\($0)'?" : "" } ?? ""
                problems.append(KustomizeError(file, pair.key.start.line, pair.key.start.column, "unknown field '\(key)' in a kustomization\(hint)"))
            }
        }
        try KustomizeErrors.throwIfAny(problems)
        if let kind = value["kind"]?.stringValue, kind != "Kustomization" && kind != "Component" {
            throw at(["kind"], "kind must be Kustomization or Component, not '\(kind)'")
        }
    }

    /// A string list field (`resources`, ...), each entry with its node.
    func strings(_ field: String) throws -> [(String, Node)] {
        guard let node = root[field], !node.isNull else { return [] }
        guard let items = node.items else { throw at([field], "'\(field)' is a list of strings") }
        return try items.map { item in
            guard let text = item.scalar else { throw KustomizeError(file, item.start.line, item.start.column, "'\(field)' entries are strings") }
            return (text, item)
        }
    }

    /// The repository path of a file this kustomization reads (a resource file, patch or generator
    /// input): inside the kustomization's folder, as kustomize's default load restrictor demands.
    /// Nil when it does not exist.
    func file(_ entry: String, what: String, at here: KustomizeError, tree: any FileTree) throws -> String? {
        var error = here
        guard let path = RepoPath.join(folder, entry) else {
            error.message = "\(what) '\(entry)' points outside the repository"
            throw error
        }
        guard folder.isEmpty || path.hasPrefix(folder + "/") else {
            error.message = "security; \(what) '\(entry)' is not in or below '\(folder)': kustomize reads files only inside the kustomization's folder; move the file there, or make its folder a kustomization and list that"
            throw error
        }
        return (try? tree.kind(of: path)) == .file ? path : nil
    }

    /// An error at the node of `path` (or the nearest node above it).
    func at(_ path: [String], _ message: String) -> KustomizeError {
        var node = root
        for key in path {
            guard let next = node[key] else { break }
            node = next
        }
        return KustomizeError(file, node.start.line, node.start.column, message)
    }

    /// A mapping of strings (`commonLabels`, `commonAnnotations`).
    func stringMap(_ field: String) throws -> [(String, String)] {
        guard let value = value[field], value != .null else { return [] }
        guard case .object(let object) = value else { throw at([field], "'\(field)' is a mapping of strings") }
        return try object.map { key, value in (key, try Self.text(value) ?? { throw at([field, key], "'\(field).\(key)' must be a string") }()) }
    }

    /// Edit distance, for suggesting the field a misspelt one meant.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }

    /// A scalar as kustomize reads it into a string field (numbers and booleans as written).
    static func text(_ value: Value) -> String? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .float(let d): return GoFloat.format(d)
        case .null: return ""
        default: return nil
        }
    }
}

/// Several problems found together (all the unknown fields of a file, every resource that does
/// not load, every patch that fails), reported at once.
struct KustomizeErrors: Error {
    var errors: [KustomizeError]

    static func throwIfAny(_ errors: [KustomizeError]) throws {
        if errors.count == 1 { throw errors[0] }
        if !errors.isEmpty { throw KustomizeErrors(errors: errors) }
    }

    /// The problems of an error thrown by a step, for collecting.
    static func problems(of error: Error) -> [KustomizeError]? {
        if let one = error as? KustomizeError { return [one] }
        if let many = error as? KustomizeErrors { return many.errors }
        return nil
    }
}

/// A kustomize build problem at a file, line and column.
struct KustomizeError: Error {
    var location: SourceLocation
    var message: String

    init(_ file: String, _ line: Int, _ column: Int, _ message: String) {
        location = SourceLocation(file: file, line: line, column: column)
        self.message = message
    }

    /// The first problem of a diagnostic error (a YAML parse error), at `fallback` when it has no place.
    init(diagnostic error: DiagnosticError, fallback: KustomizeError) {
        let first = error.diagnostics.first
        location = first?.location ?? fallback.location
        message = first?.message ?? "\(error)"
    }

    var diagnostic: Diagnostic { Diagnostic(code: "kustomize.build", location: location, message: message) }
}
