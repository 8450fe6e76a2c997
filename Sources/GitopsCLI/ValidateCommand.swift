import ArgumentParser
import Basics
import Foundation
import JSONSchema
import KubeModel
import Render
import RepoModel
import Validation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Render environments, check their objects against Kubernetes and CRD schemas, and apply the repository's Kyverno policies.",
        discussion: """
        Exit codes: 0 no error-level findings, 1 findings at error level, 2 the check could not run.
        Kubernetes schemas come from --schemas folders, validation.schemaLocations in gitops.yaml, and
        the per-version folders linked by scripts/link-schemas (GITOPS_SCHEMA_HOME, default
        ~/.local/share/gitops/kubernetes-json-schema); CRDs in the rendered environment add theirs.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, sarif
    }

    @Argument(help: "Environments to check (folders under environments/).")
    var environments: [String] = []

    @Flag(name: .long, help: "Check every environment.")
    var all = false

    @Flag(name: .long, help: "Reject unknown fields and kinds without a schema (default: validation.strict in gitops.yaml).")
    var strict = false

    @Option(name: .long, help: "A folder of JSON schemas in kubeconform's layout, or of per-version folders (repeatable).")
    var schemas: [String] = []

    @Option(name: .long, help: "The Kubernetes version whose schemas apply (default: validation.kubernetesVersion, else the newest).")
    var kubernetesVersion: String?

    @OptionGroup var repository: RepositoryOptions

    @Option(name: .long, help: "Output format: text (one finding per line), json, or sarif (SARIF 2.1.0, for GitHub code scanning).")
    var output: Format = .text

    func run() throws {
        let (tree, model) = try repository.load()
        let names: [String]
        if all {
            names = model.environments.map(\.name)
        } else if environments.isEmpty {
            throw CommandFailure("name the environments to check, or pass --all")
        } else {
            names = environments
        }
        let strict = self.strict || model.settings.strictValidation
        let folders = try schemaFolders(settings: model.settings, strict: strict)
        let catalog = SchemaCatalog(store: SchemaStore(read: { path in
            path.hasPrefix("/") ? FileManager.default.contents(atPath: path).map(Array.init) : try? tree.read(path)
        }), folders: folders)
        let renderer = Renderer(tree: tree, renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret)
        var findings: [Finding] = []
        for folder in model.settings.crdPaths {
            for crd in try renderer.manifests(in: folder) where crd.kind == "CustomResourceDefinition" {
                for problem in catalog.add(crd: crd) {
                    findings.append(Finding(severity: .error, location: crd.provenance.location, rule: "schema.crd",
                                            message: problem, object: crd.displayName))
                }
            }
        }
        for name in names { _ = try RepositoryOptions.environment(name, in: model, tree: tree) }
        let policies = try PolicyLoader.load(tree, folders: model.settings.policyPaths)
        let policyCheck = PolicyCheck(policies: policies)
        // Environments render and validate in parallel, on all cores.
        let check = SchemaCheck(catalog: catalog, strict: strict)
        let results = ParallelResults<Result<(objects: Int, findings: [Finding]), DiagnosticError>>(count: names.count)
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            let environment = model.environment(named: names[index])!
            results[index] = Result { () throws(DiagnosticError) -> (objects: Int, findings: [Finding]) in
                let objects = try renderer.render(environment).objects
                return (objects.count, check.check(objects, environment: environment.name)
                    + policyCheck.check(objects, environment: environment.name))
            }
        }
        var objectCount = 0
        var renderErrors: [Diagnostic] = []
        for result in results.values {
            switch result {
            case .success(let (count, found)):
                objectCount += count
                findings += found
            case .failure(let error):
                renderErrors += error.diagnostics
            case nil:
                break
            }
        }
        if !renderErrors.isEmpty { throw DiagnosticError(renderErrors) }
        findings.sort(by: Finding.ordered)
        switch output {
        case .text:
            var text = findings.map { $0.description + "\n" }.joined()
            let errors = findings.filter { $0.severity == .error }.count, warnings = findings.count - errors
            text += "\(names.count) environment\(names.count == 1 ? "" : "s"), \(objectCount) objects: "
                + "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n"
            Output.write(text)
        case .json:
            Output.write(FindingsJSON.encode(findings) + "\n")
        case .sarif:
            Output.write(FindingsSARIF.encode(findings) + "\n")
        }
        if findings.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }

    /// `--schemas`, then `validation.schemaLocations`, then the linked Kubernetes schemas.
    private func schemaFolders(settings: RepositorySettings, strict: Bool) throws -> [String] {
        let version = kubernetesVersion ?? settings.kubernetesVersion
        var folders: [String] = []
        for folder in schemas {
            let path = URL(fileURLWithPath: folder).standardizedFileURL.path
            guard let chosen = SchemaCatalog.versionFolder(in: path, kubernetesVersion: version, strict: strict) else {
                throw CommandFailure("--schemas '\(folder)' has no JSON schemas (nor per-version folders of them)")
            }
            folders.append(chosen)
        }
        folders += settings.schemaLocations
        let home = ProcessInfo.processInfo.environment["GITOPS_SCHEMA_HOME"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share/gitops/kubernetes-json-schema")
        if let linked = SchemaCatalog.versionFolder(in: home, kubernetesVersion: version, strict: strict) {
            folders.append(linked)
        } else if schemas.isEmpty {
            throw CommandFailure("no Kubernetes schemas at \(home): run scripts/link-schemas (it installs kubernetes-validate's schemas and links them there), or pass --schemas DIR")
        }
        return folders
    }
}

/// Findings as a JSON array (file, line, column, severity, rule, message, object, path, environment).
enum FindingsJSON {
    static func encode(_ findings: [Finding]) -> String {
        let values: [Value] = findings.map { finding in
            .object([
                "file": .string(finding.location.file), "line": .int(Int64(finding.location.line)),
                "column": .int(Int64(finding.location.column)), "severity": .string(finding.severity.rawValue),
                "rule": .string(finding.rule), "message": .string(finding.message), "object": .string(finding.object),
                "path": .string(finding.path.description), "environment": .string(finding.environment),
            ])
        }
        return JSONWriter.write(.array(values))
    }
}

/// Findings as SARIF 2.1.0, the format GitHub code scanning uploads.
enum FindingsSARIF {
    static func encode(_ findings: [Finding]) -> String {
        let ruleIDs = Array(Set(findings.map(\.rule))).sorted()
        let rules: [Value] = ruleIDs.map { id in
            .object(["id": .string(id), "shortDescription": .object(["text": .string(description(of: id))])])
        }
        let results: [Value] = findings.map { finding in
            let subject = finding.path.elements.isEmpty ? finding.object : "\(finding.object), \(finding.path)"
            return .object([
                "ruleId": .string(finding.rule),
                "level": .string(finding.severity == .error ? "error" : "warning"),
                "message": .object(["text": .string("\(finding.message) (\(subject))")]),
                "locations": .array([.object(["physicalLocation": .object([
                    "artifactLocation": .object(["uri": .string(finding.location.file)]),
                    "region": .object(["startLine": .int(Int64(finding.location.line)),
                                       "startColumn": .int(Int64(finding.location.column))]),
                ])])]),
            ])
        }
        let log: Value = .object([
            "$schema": .string("https://json.schemastore.org/sarif-2.1.0.json"),
            "version": .string("2.1.0"),
            "runs": .array([.object([
                "tool": .object(["driver": .object([
                    "name": .string("gitops"),
                    "rules": .array(rules),
                ])]),
                "results": .array(results),
            ])]),
        ])
        return JSONWriter.write(log)
    }

    static func description(of rule: String) -> String {
        switch rule {
        case "schema": return "The object does not match its kind's schema."
        case "schema.missing": return "No schema is known for the object's kind."
        case "schema.crd": return "A CustomResourceDefinition's schema cannot be used."
        case "schema.unreadable": return "A schema file cannot be read or resolved."
        default: return "Policy rule \(rule)."
        }
    }
}

/// Slots written by concurrent iterations, read afterwards.
final class ParallelResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    subscript(index: Int) -> T? {
        get { lock.withLock { slots[index] } }
        set { lock.withLock { slots[index] = newValue } }
    }

    var values: [T?] { lock.withLock { slots } }
}
