import Basics
import ChartSources
import Foundation
import JSONSchema
import KubeModel
import Render
import RepoModel
import Secrets
import Validation

/// Why checks could not be set up (no schemas, an unreadable `--schemas` folder).
public struct CheckSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What checking environments found.
public struct CheckReport: Sendable {
    public var environments: Int
    public var objects: Int
    /// Sorted by file, line and column.
    public var findings: [Finding]

    public init(environments: Int, objects: Int, findings: [Finding]) {
        self.environments = environments
        self.objects = objects
        self.findings = findings
    }

    public var errors: [Finding] { findings.filter { $0.severity == .error } }
    public var passed: Bool { errors.isEmpty }

    /// `2 environments, 67 objects: 0 errors, 1 warning`.
    public var summary: String {
        let errors = self.errors.count, warnings = findings.count - errors
        return "\(environments) environment\(environments == 1 ? "" : "s"), \(objects) objects: "
            + "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
    }
}

/// Renders environments and checks every object against its schema and the repository's
/// policies: what `gitops validate` runs and what a promotion must pass before it merges.
public struct EnvironmentChecker: Sendable {
    public let tree: any FileTree
    public let model: EnvironmentRepository
    private let renderer: Renderer
    private let catalog: SchemaCatalog
    private let strict: Bool
    private let lenient: Bool
    private let crdFindings: [Finding]
    private let policyCheck: PolicyCheck

    /// - Parameters:
    ///   - strict: reject unknown fields and kinds without a schema (nil: `validation.strict`).
    ///   - lenient: unknown kinds and removed API versions of built-in groups are warnings, unknown
    ///     fields of built-in kinds pass (nil: `validation.lenient`).
    ///   - schemaFolders: `--schemas` folders, before `validation.schemaLocations` and the linked ones.
    public init(tree: any FileTree, model: EnvironmentRepository, renderTime: Date, seedSecret: String?, strict: Bool? = nil,
                lenient: Bool? = nil, schemaFolders: [String] = [], kubernetesVersion: String? = nil,
                chartCache: ChartCache = .standard()) throws {
        self.tree = tree
        self.model = model
        let strict = strict ?? model.settings.strictValidation
        self.strict = strict
        self.lenient = lenient ?? model.settings.lenientValidation
        let (folders, kubernetesFolder) = try Self.folders(schemaFolders, settings: model.settings, strict: strict,
                                                           kubernetesVersion: kubernetesVersion ?? model.settings.kubernetesVersion)
        let catalog = SchemaCatalog(store: SchemaStore(read: { path in
            path.hasPrefix("/") ? FileManager.default.contents(atPath: path).map(Array.init) : try? tree.read(path)
        }), folders: folders, kubernetesFolder: kubernetesFolder)
        renderer = Renderer(tree: tree, renderTime: renderTime, seedSecret: seedSecret, chartCache: chartCache)
        var crdFindings: [Finding] = []
        for folder in model.settings.crdPaths {
            for crd in try renderer.manifests(in: folder) where crd.kind == "CustomResourceDefinition" {
                for problem in catalog.add(crd: crd) {
                    crdFindings.append(Finding(severity: .error, location: crd.provenance.location, rule: "schema.crd",
                                               message: problem, object: crd.displayName))
                }
            }
        }
        self.catalog = catalog
        self.crdFindings = crdFindings
        policyCheck = PolicyCheck(policies: try PolicyLoader.load(tree, folders: model.settings.policyPaths))
    }

    /// Renders and checks the environments `names` (in parallel). An environment that does not load
    /// or render is reported as error findings (the rule is the problem's code, such as
    /// `yaml.syntax` or `chart.version`), so every output format carries them.
    public func check(_ names: [String]) -> CheckReport {
        let check = SchemaCheck(catalog: catalog, strict: strict, lenient: lenient)
        let results = ParallelResults<Result<(objects: Int, findings: [Finding]), DiagnosticError>>(count: names.count)
        let model = self.model, renderer = self.renderer
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            if let broken = model.brokenEnvironment(named: names[index]) {
                results[index] = .failure(DiagnosticError(broken.problems))
                return
            }
            guard let environment = model.environment(named: names[index]) else { return }
            results[index] = Result { () throws(DiagnosticError) -> (objects: Int, findings: [Finding]) in
                let objects = try renderer.render(environment).objects
                return (objects.count, findings(objects, environment: environment.name, schemas: check) + RolloutFindings.check(objects, of: environment))
            }
        }
        var report = CheckReport(environments: names.count, objects: 0, findings: crdFindings)
        for (name, result) in zip(names, results.values) {
            switch result {
            case .success(let (count, found)):
                report.objects += count
                report.findings += found
            case .failure(let error):
                report.findings += error.diagnostics.map { Finding(diagnostic: $0, environment: name) }
            case nil:
                break
            }
        }
        // Encrypted files no key opened: everything else was checked; their values were not.
        for locked in renderer.lockedSecrets {
            report.findings.append(Finding(severity: .warning, location: SourceLocation(file: locked.file, line: 1, column: 1), rule: "secret.locked",
                                           message: "SOPS-encrypted for \(locked.recipients.joined(separator: ", ")) and no key given opens it; its encrypted values were checked as \(DecryptingTree.marker) (give the key with SOPS_AGE_KEY_FILE, SOPS_AGE_KEY or ~/.config/sops/age/keys.txt)",
                                           object: ""))
        }
        report.findings.sort(by: Finding.ordered)
        return report
    }

    /// Checks objects already rendered for `environment`: one render serves both the check and
    /// what is done with the objects afterwards (the sync job applies them).
    public func check(_ objects: [Object], of environment: Environment) -> CheckReport {
        var report = CheckReport(environments: 1, objects: objects.count,
                                 findings: crdFindings + findings(objects, environment: environment.name, schemas: SchemaCheck(catalog: catalog, strict: strict, lenient: lenient))
                                    + RolloutFindings.check(objects, of: environment))
        report.findings.sort(by: Finding.ordered)
        return report
    }

    /// Schema and policy findings for one environment's objects.
    private func findings(_ objects: [Object], environment: String, schemas: SchemaCheck) -> [Finding] {
        schemas.check(objects, environment: environment) + policyCheck.check(objects, environment: environment)
    }

    /// `--schemas`, then `validation.schemaLocations`, then the linked Kubernetes schemas.
    /// The schema folders in order, and the Kubernetes version's own folder among them.
    private static func folders(_ schemas: [String], settings: RepositorySettings, strict: Bool, kubernetesVersion version: String?) throws -> ([String], String?) {
        if let version, SchemaCatalog.versionNumbers(version).map({ $0.count >= 2 && $0.count <= 3 }) != true {
            throw CheckSetupError("the Kubernetes version '\(version)' is not a version such as 1.31 or v1.31.0 (--kubernetes-version or validation.kubernetesVersion)")
        }
        var folders: [String] = []
        for folder in schemas {
            let path = URL(fileURLWithPath: folder).standardizedFileURL.path
            guard let chosen = SchemaCatalog.versionFolder(in: path, kubernetesVersion: version, strict: strict) else {
                throw CheckSetupError("--schemas '\(folder)' has no JSON schemas (nor per-version folders of them)")
            }
            folders.append(chosen)
        }
        folders += settings.schemaLocations
        let home = SchemaCatalog.linkedHome
        var kubernetes: String?
        if let linked = SchemaCatalog.versionFolder(in: home, kubernetesVersion: version, strict: strict) {
            folders.append(linked)
            kubernetes = linked
        } else if let oldest = SchemaCatalog.oldestVersion(in: home, strict: strict), let version {
            throw CheckSetupError("no schemas for Kubernetes \(version): the oldest version at \(home) is \(oldest); pass --kubernetes-version \(oldest) or later (or --schemas DIR with older ones)")
        } else if schemas.isEmpty {
            throw CheckSetupError("no Kubernetes schemas at \(home): run scripts/link-schemas (it installs kubernetes-validate's schemas and links them there), or pass --schemas DIR")
        }
        return (folders, kubernetes)
    }
}
