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
        abstract: "Render environments and check their objects against Kubernetes and CRD schemas.",
        discussion: """
        Exit codes: 0 no error-level findings, 1 findings at error level, 2 the check could not run.
        Kubernetes schemas come from --schemas folders, validation.schemaLocations in gitops.yaml, and
        the per-version folders linked by scripts/link-schemas (GITOPS_SCHEMA_HOME, default
        ~/.local/share/gitops/kubernetes-json-schema); CRDs in the rendered environment add theirs.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
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

    @Option(name: .long, help: "Output format: text (one finding per line) or json.")
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
        var objectCount = 0
        for name in names {
            guard let environment = model.environment(named: name) else {
                let known = model.environments.map(\.name).joined(separator: ", ")
                throw CommandFailure("no environment '\(name)' in the \(tree.displayName); known environments: \(known.isEmpty ? "none" : known)")
            }
            let objects = try renderer.render(environment).objects
            objectCount += objects.count
            findings += SchemaCheck(catalog: catalog, strict: strict).check(objects, environment: name)
        }
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
        return JSONWriter.write(.array(values), indent: 2)
    }
}
