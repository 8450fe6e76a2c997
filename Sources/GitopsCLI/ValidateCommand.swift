import ArgumentParser
import Basics
import ChartSources
import Foundation
import Gates
import Git
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

    @Option(name: .long, help: "Only the environments whose inputs (folder, charts, values, manifests, policies, gitops.yaml) changed since this revision.")
    var changedSince: String?

    @Flag(name: .long, help: "Reject unknown fields and kinds without a schema (default: validation.strict in gitops.yaml).")
    var strict = false

    @Flag(name: .long, help: "Only warn about unknown kinds and removed API versions of Kubernetes' own groups, and let unknown fields of built-in kinds pass (default: validation.lenient in gitops.yaml).")
    var lenient = false

    @Option(name: .long, help: "A folder of JSON schemas in kubeconform's layout, or of per-version folders (repeatable).")
    var schemas: [String] = []

    @Option(name: .long, help: "The Kubernetes version whose schemas apply (default: validation.kubernetesVersion, else the newest).")
    var kubernetesVersion: String?

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var charts: ChartCacheOptions

    @Option(name: .long, help: "Output format: text (one finding per line), json, or sarif (SARIF 2.1.0, for GitHub code scanning).")
    var output: Format = .text

    func run() throws {
        let (tree, model) = try repository.load()
        var names: [String]
        if all {
            // Every environment, the broken ones included: their problems are error findings.
            names = (model.environments.map(\.name) + model.broken.map(\.name)).sorted()
        } else if environments.isEmpty {
            throw CommandFailure("name the environments to check, or pass --all")
        } else {
            names = environments
            for name in names where model.brokenEnvironment(named: name) == nil { _ = try RepositoryOptions.environment(name, in: model, tree: tree) }
            RepositoryOptions.warnAboutBroken(model, except: Set(names))
        }
        if let changedSince {
            names = try Self.affected(names, model: model, since: changedSince, repository: repository)
            guard !names.isEmpty else {
                Output.error("note: no environment's inputs changed since \(changedSince); nothing to check")
                if output == .sarif { Output.write(FindingsSARIF.encode([]) + "\n") } else if output == .json { Output.write("[]\n") }
                return
            }
        }
        try charts.prefetch(model.environments.filter { names.contains($0.name) }, tree: tree)
        let checker: EnvironmentChecker
        do {
            checker = try EnvironmentChecker(tree: tree, model: model, renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret,
                                             strict: strict ? true : nil, lenient: lenient ? true : nil, schemaFolders: schemas, kubernetesVersion: kubernetesVersion,
                                             chartCache: charts.cache)
        } catch let error as CheckSetupError {
            throw CommandFailure(error.description)
        }
        let report = checker.check(names)
        let findings = report.findings
        switch output {
        case .text:
            Output.write(findings.map { $0.description + "\n" }.joined() + report.summary + "\n")
        case .json:
            Output.write(FindingsJSON.encode(findings) + "\n")
        case .sarif:
            Output.write(FindingsSARIF.encode(findings) + "\n")
        }
        if findings.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }
}

extension ValidateCommand {
    /// Those of `names` whose inputs differ between `revision` and the tree read (a broken
    /// environment when anything under its folder changed), with a note naming them.
    static func affected(_ names: [String], model: EnvironmentRepository, since revision: String, repository: RepositoryOptions) throws -> [String] {
        let git = try Repository(discoveringFrom: repository.repo ?? FileManager.default.currentDirectoryPath)
        let changed = try git.changedPaths(since: revision, to: repository.revision)
        let affected = names.filter { name in
            guard let environment = model.environment(named: name) else {
                return changed.contains { $0.hasPrefix("environments/\(name)/") }
            }
            return model.isAffected(environment, byChangesTo: changed)
        }
        if !affected.isEmpty {
            Output.error("note: checking \(affected.count) of \(names.count) environment\(names.count == 1 ? "" : "s"), whose inputs changed since \(revision): \(affected.joined(separator: ", "))")
        }
        return affected
    }
}

/// Findings as a JSON array (file, line, column, severity, rule, message, object, path, environment).
enum FindingsJSON {
    static func encode(_ findings: [Finding]) -> String {
        JSONWriter.write(.array(findings.map(\.jsonValue)))
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
                "message": .object(["text": .string(finding.message + (subject.isEmpty ? "" : " (\(subject))"))]),
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
        case _ where rule.hasPrefix("yaml."): return "The file is not valid YAML."
        case _ where rule.hasPrefix("model."): return "environment.yaml or gitops.yaml is not valid."
        case _ where rule.hasPrefix("chart.") || rule.hasPrefix("template.") || rule.hasPrefix("render."):
            return "The environment does not render."
        default: return rule.contains("/") ? "Policy rule \(rule)." : "The environment does not load or render (\(rule))."
        }
    }
}
