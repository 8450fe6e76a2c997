import ArgumentParser
import Basics
import ChartSources
import Cluster
import Drift
import Foundation
import Gates
import Git
import KubeModel
import Preview
import Render
import RepoModel
import YAML

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what would change in environments: against a cluster, another revision, or a saved snapshot of live objects.",
        discussion: """
        Without --against or --live, compares with the environment's cluster (spec.cluster.context, or --kubeconfig and
        --context): each object as a server-side-apply dry run predicts it (the API server's defaults and mutating
        webhooks included; --no-server-side compares the rendered objects instead), against the live object; live
        objects labelled gitops/environment=<env> that Git no longer has are shown as prune.
        --against REV compares the render of the working tree (or --revision) with REV's: the pull-request preview.
        With several environments or --all (--against only), every environment is compared in one process, in
        parallel: a summary table (created, updated, pruned, unchanged, schema and policy findings), then each
        changed environment's diff; one that does not render is reported while the others are still compared.
        --output markdown writes it as a pull-request comment within --comment-limit characters.
        --live DIR compares with a snapshot (YAML files as `kubectl get -o yaml` writes them; List kinds accepted);
        live objects labelled gitops/environment=<env> that Git no longer has are shown as prune.
        Only the fields Git sets are compared, after normalising both sides; spec.ignoreDifferences and the
        gitops/ignore-differences annotation leave fields out. Exit codes: 0 no differences, 1 differences, 2 error
        (an environment that does not render included).
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown
    }

    @Argument(help: "The environments to compare (several only with --against).")
    var environments: [String] = []

    @Flag(name: .long, help: "Compare every environment (with --against).")
    var all = false

    @Option(name: .long, help: "Compare with this revision's render of the environment.")
    var against: String?

    @Option(name: .long, help: "Compare with the live objects saved in this folder.")
    var live: String?

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var cluster: ClusterOptions

    @OptionGroup var charts: ChartCacheOptions

    @Flag(name: .long, inversion: .prefixedNo, help: "Compare with the API server's server-side-apply dry run of each object (cluster mode).")
    var serverSide = true

    @Option(name: .long, help: "Output format: text (a diff per object), json, or markdown (a pull-request comment).")
    var output: Format = .text

    @Option(name: .long, help: "The most characters of --output markdown (GitHub refuses comments over 65536); what does not fit is named.")
    var commentLimit = PreviewMarkdown.githubLimit

    @Flag(name: .long, inversion: .prefixedNo, help: "Check each environment's objects against schemas and policies (--against; skipped with a warning when no schemas are linked).")
    var checks = true

    /// The label that marks live objects as this environment's (set by the sync job).
    static let environmentLabel = LiveState.environmentLabel

    func run() throws {
        if let revision = against, all || environments.count > 1 || output == .markdown {
            guard live == nil else { throw CommandFailure("use either --against or --live, not both") }
            return try preview(against: revision)
        }
        guard !all else { throw CommandFailure("--all compares revisions: pass --against REV (a cluster or a snapshot is compared one environment at a time)") }
        guard environments.count == 1 else {
            throw CommandFailure(environments.isEmpty ? "name the environment to compare, or pass --all --against REV"
                                 : "several environments are compared against a revision only: pass --against REV, or name one environment")
        }
        let (tree, model, environment) = try repository.load(environment: environments[0])
        // This environment's charts, and the others' (a prune never takes what they render).
        try charts.prefetch(model.environments, tree: tree)
        let renderer = Renderer(tree: tree, renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret, chartCache: charts.cache)
        let rendered = try renderer.render(environment).objects
        SecretWarnings.print(renderer.lockedSecrets)
        // What a sync applies: Helm test, delete and rollback hooks never reach the cluster.
        let desired = against != nil ? rendered : rendered.filter { HelmHook.syncRole(of: $0) != .notApplied }
        let report: DriftReport
        switch (against, live) {
        case (let revision?, nil):
            let baseline = try baselineObjects(revision: revision, environment: environment.name)
            report = Drift.compare(desired: desired, live: baseline, ignore: IgnoreRules(environment.ignoreDifferences)) { _ in true }
        case (nil, let folder?):
            let snapshot = try SnapshotReader.objects(in: folder)
            let pruneGuard = Self.pruneGuard(environment, model: model, renderer: renderer)
            report = Drift.compare(desired: desired, live: snapshot, ignore: IgnoreRules(environment.ignoreDifferences)) {
                Self.prunable($0, environment: environment.name, guard: pruneGuard)
            }
        case (nil, nil):
            let pruneGuard = Self.pruneGuard(environment, model: model, renderer: renderer, own: desired)
            let state = try cluster.liveState(of: environment, desired: desired, serverSide: serverSide) { pruneGuard.ownerLabel(for: $0, live: $1) }
            report = Drift.compare(desired: state.desired, live: state.live, ignore: IgnoreRules(environment.ignoreDifferences)) {
                Self.prunable($0, environment: environment.name, guard: pruneGuard)
            }
            for contested in pruneGuard.contested(report, desired: desired, owners: state.owners, label: LiveState.environmentLabel) {
                Output.error("warning: \(contested), which renders it differently; a sync of \(environment.name) is refused until they agree")
            }
        default:
            throw CommandFailure("use either --against or --live, not both")
        }
        switch output {
        case .text: Output.write(DiffOutput.text(report, colour: isatty(STDOUT_FILENO) != 0))
        case .json: Output.write(DiffOutput.json(report) + "\n")
        case .markdown:
            let base = live.map { "the snapshot in \($0)" } ?? "the cluster"
            let markdown = PreviewMarkdown(base: base, head: Self.label(of: tree), revision: "", command: "gitops diff \(environment.name)", limit: commentLimit)
            Output.write(markdown.render([EnvironmentPreview(name: environment.name, presence: .both, report: report)]))
        }
        if report.hasDifferences { throw ExitCode(1) }
    }

    /// Several environments (or --all) against a revision: each side loaded once, every
    /// environment rendered, compared and checked in parallel.
    private func preview(against revision: String) throws {
        let (tree, model) = try repository.load()
        let git = try Repository(discoveringFrom: repository.repo ?? FileManager.default.currentDirectoryPath)
        let baseTree = try git.tree(at: revision)
        let baseModel = try RepositoryLoader.loadEach(from: baseTree)
        let head = PreviewSide(label: Self.label(of: tree), model: model,
                               renderer: Renderer(tree: tree, renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret,
                                                  chartCache: charts.cache, fieldPositions: checks))
        let base = PreviewSide(label: Self.label(of: baseTree), model: baseModel,
                               renderer: Renderer(tree: baseTree, renderTime: repository.renderTime(of: baseTree), seedSecret: RandomSeed.secret,
                                                  chartCache: charts.cache, fieldPositions: false))
        let names: [String]
        if all {
            guard environments.isEmpty else { throw CommandFailure("pass environment names or --all, not both") }
            names = PreviewBuilder.allNames(head, base)
        } else {
            guard !environments.isEmpty else { throw CommandFailure("name the environments to compare, or pass --all") }
            let known = Set(PreviewBuilder.allNames(head, base))
            for name in environments where !known.contains(name) {
                throw CommandFailure("no environment '\(name)' in the \(tree.displayName) or at \(revision); known environments: \(known.sorted().joined(separator: ", "))")
            }
            names = environments
        }
        try charts.prefetch(model.environments.filter { names.contains($0.name) }, tree: tree)
        try charts.prefetch(baseModel.environments.filter { names.contains($0.name) }, tree: baseTree)
        let previews = PreviewBuilder.build(names, head: head, base: base, checker: try checker(tree: tree, model: model))
        SecretWarnings.print(head.renderer.lockedSecrets + base.renderer.lockedSecrets)
        switch output {
        case .text:
            Output.write(PreviewOutput.text(previews, colour: isatty(STDOUT_FILENO) != 0))
        case .json:
            Output.write(PreviewJSON.encode(previews, base: base.label, head: head.label) + "\n")
        case .markdown:
            let command = "gitops diff " + (all ? "--all" : environments.joined(separator: " ")) + " --against \(revision)"
            Output.write(PreviewMarkdown(base: base.label, head: head.label, revision: revision, command: command, limit: commentLimit).render(previews))
        }
        let failed = previews.filter(\.failed).map(\.name)
        if !failed.isEmpty {
            Output.error("error: \(failed.joined(separator: ", ")) \(failed.count == 1 ? "does" : "do") not render at \(head.label) (see above)")
            throw ExitCode(2)
        }
        if previews.contains(where: \.changed) { throw ExitCode(1) }
    }

    /// The schema and policy checker of the head, nil with a warning when it cannot be set up.
    private func checker(tree: any FileTree, model: EnvironmentRepository) throws -> EnvironmentChecker? {
        guard checks else { return nil }
        do {
            return try EnvironmentChecker(tree: tree, model: model, renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret,
                                          chartCache: charts.cache)
        } catch let error as CheckSetupError {
            Output.error("warning: findings not checked: \(error.description) (or pass --no-checks)")
            return nil
        }
    }

    /// `main (1a2b3c4)` for a revision, `the working tree` for uncommitted files.
    static func label(of tree: any FileTree) -> String {
        tree is GitTree ? tree.displayName : "the working tree"
    }

    /// What a sync of `environment` would not prune: objects the other environments render,
    /// data-holding kinds without an opt-in (as the sync job decides it).
    static func pruneGuard(_ environment: Environment, model: EnvironmentRepository, renderer: Renderer, own: [Object] = []) -> PruneGuard {
        let shared = SharedObjects.of(environment, in: model, renderer: renderer, own: own)
        return PruneGuard(environment: environment.name, sharedWith: shared.renderedBy, unknownSiblings: shared.unknown, versions: shared.versions)
    }

    /// A live object Git no longer has that a sync would delete; one it would keep is said so.
    static func prunable(_ object: Object, environment: String, guard pruneGuard: PruneGuard) -> Bool {
        guard object.label(environmentLabel) == environment else { return false }
        if case .keep(let why) = pruneGuard.decide(object) {
            Output.error("note: \(object.displayName) is not in Git but a sync keeps it: \(why)")
            return false
        }
        return true
    }

    /// The environment rendered at `revision` (empty when the environment does not exist there).
    private func baselineObjects(revision: String, environment name: String) throws -> [Object] {
        let folder = repository.repo ?? FileManager.default.currentDirectoryPath
        let git = try Repository(discoveringFrom: folder)
        let tree = try git.tree(at: revision)
        let model = try RepositoryLoader.loadEach(from: tree)
        guard let environment = model.environment(named: name) else { return [] }
        try charts.prefetch([environment], tree: tree)
        return try Renderer(tree: tree, renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret, chartCache: charts.cache)
            .render(environment).objects
    }
}

/// Reads a snapshot folder: every `*.yaml`/`*.yml`/`*.json` file below it, every document,
/// `List` kinds flattened.
enum SnapshotReader {
    static func objects(in folder: String) throws -> [Object] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure("--live '\(folder)' is not a folder")
        }
        let tree = WorkingTree(root: URL(fileURLWithPath: folder).standardizedFileURL.path)
        var objects: [Object] = []
        let files = try tree.files(under: "") { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }
        for file in files {
            for (index, value) in try YAML.values(try tree.read(file), file: file).enumerated() {
                let items = value["kind"]?.stringValue?.hasSuffix("List") == true ? (value["items"]?.arrayValue ?? []) : [value]
                for item in items {
                    guard case .object(let content) = item, content["kind"] != nil else { continue }
                    objects.append(Object(content: content, provenance: Provenance(release: "", file: file, documentIndex: index, line: 1)))
                }
            }
        }
        return objects
    }
}

/// How `gitops diff` prints a report.
enum DiffOutput {
    static func text(_ report: DriftReport, colour: Bool) -> String {
        entries(report, colour: colour) + report.summary + "\n"
    }

    /// Each changed object: its header in bold, its diff with additions green and removals red.
    static func entries(_ report: DriftReport, colour: Bool) -> String {
        func paint(_ line: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(line)\u{1B}[0m" : line }
        var out = ""
        for entry in report.entries where entry.action != .unchanged {
            let (header, diff) = PreviewText.lines(of: entry)
            out += paint(header, "1") + "\n"
            for line in diff {
                if line.hasPrefix("  + ") { out += paint(line, "32") + "\n" }
                else if line.hasPrefix("  - ") { out += paint(line, "31") + "\n" }
                else { out += line + "\n" }
            }
        }
        return out
    }

    static func json(_ report: DriftReport) -> String {
        JSONWriter.write(.object(["summary": .string(report.summary), "objects": .array(report.entries.map(PreviewJSON.entry))]))
    }
}

/// How `gitops diff` prints several environments: the table, then each changed one.
enum PreviewOutput {
    static func text(_ previews: [EnvironmentPreview], colour: Bool) -> String {
        var out = PreviewText.table(previews)
        for preview in previews where preview.changed || preview.findings?.isEmpty == false {
            out += "\n== \(preview.name): \(preview.changeSummary)\n"
            if preview.failed {
                out += preview.problems.map { $0 + "\n" }.joined()
                continue
            }
            out += (preview.findings ?? []).map { $0.description + "\n" }.joined()
            if let report = preview.report { out += DiffOutput.entries(report, colour: colour) }
        }
        return out
    }
}
