import ArgumentParser
import Basics
import ChartSources
import Cluster
import Drift
import Foundation
import Git
import KubeModel
import Render
import RepoModel
import YAML

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what would change in an environment: against its cluster, another revision, or a saved snapshot of live objects.",
        discussion: """
        Without --against or --live, compares with the environment's cluster (spec.cluster.context, or --kubeconfig and
        --context): each object as a server-side-apply dry run predicts it (the API server's defaults and mutating
        webhooks included; --no-server-side compares the rendered objects instead), against the live object; live
        objects labelled gitops/environment=<env> that Git no longer has are shown as prune.
        --against REV compares the render of the working tree (or --revision) with REV's: the pull-request preview.
        --live DIR compares with a snapshot (YAML files as `kubectl get -o yaml` writes them; List kinds accepted);
        live objects labelled gitops/environment=<env> that Git no longer has are shown as prune.
        Only the fields Git sets are compared, after normalising both sides; spec.ignoreDifferences and the
        gitops/ignore-differences annotation leave fields out. Exit codes: 0 no differences, 1 differences, 2 error.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The environment to compare.")
    var environment: String

    @Option(name: .long, help: "Compare with this revision's render of the environment.")
    var against: String?

    @Option(name: .long, help: "Compare with the live objects saved in this folder.")
    var live: String?

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var cluster: ClusterOptions

    @OptionGroup var charts: ChartCacheOptions

    @Flag(name: .long, inversion: .prefixedNo, help: "Compare with the API server's server-side-apply dry run of each object (cluster mode).")
    var serverSide = true

    @Option(name: .long, help: "Output format: text (a diff per object) or json.")
    var output: Format = .text

    /// The label that marks live objects as this environment's (set by the sync job).
    static let environmentLabel = LiveState.environmentLabel

    func run() throws {
        let (tree, model, environment) = try repository.load(environment: environment)
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
            let pruneGuard = Self.pruneGuard(environment, model: model, renderer: renderer)
            let state = try cluster.liveState(of: environment, desired: desired, serverSide: serverSide) { pruneGuard.ownerLabel(for: $0, live: $1) }
            report = Drift.compare(desired: state.desired, live: state.live, ignore: IgnoreRules(environment.ignoreDifferences)) {
                Self.prunable($0, environment: environment.name, guard: pruneGuard)
            }
        default:
            throw CommandFailure("use either --against or --live, not both")
        }
        switch output {
        case .text: Output.write(DiffOutput.text(report, colour: isatty(STDOUT_FILENO) != 0))
        case .json: Output.write(DiffOutput.json(report) + "\n")
        }
        if report.hasDifferences { throw ExitCode(1) }
    }

    /// What a sync of `environment` would not prune: objects the other environments render,
    /// data-holding kinds without an opt-in (as the sync job decides it).
    static func pruneGuard(_ environment: Environment, model: EnvironmentRepository, renderer: Renderer) -> PruneGuard {
        let shared = SharedObjects.of(environment, in: model, renderer: renderer)
        return PruneGuard(environment: environment.name, sharedWith: shared.renderedBy, unknownSiblings: shared.unknown)
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
        func paint(_ line: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(line)\u{1B}[0m" : line }
        var out = ""
        for entry in report.entries where entry.action != .unchanged {
            let sign = entry.action == .create ? "+" : entry.action == .prune ? "-" : "~"
            out += paint("\(sign) \(entry.title)", "1") + "\n"
            for line in entry.diff {
                if line.hasPrefix("+ ") { out += paint("  " + line, "32") + "\n" }
                else if line.hasPrefix("- ") { out += paint("  " + line, "31") + "\n" }
                else { out += "  " + line + "\n" }
            }
        }
        return out + report.summary + "\n"
    }

    static func json(_ report: DriftReport) -> String {
        let entries: [Value] = report.entries.map { entry in
            var object: ValueObject = [
                "action": .string(entry.action.rawValue), "group": .string(entry.key.groupKind.group), "kind": .string(entry.key.groupKind.kind),
                "namespace": .string(entry.key.namespace), "name": .string(entry.key.name),
            ]
            let secret = entry.key.groupKind.kind == "Secret" && entry.key.groupKind.group.isEmpty
            object["changes"] = .array(entry.changes.map { change in
                let mask = { (value: Value?) -> Value in
                    guard let value else { return .null }
                    return secret ? .string("***") : value
                }
                return .object(["path": .string(change.path.description), "desired": mask(change.desired), "live": mask(change.live)])
            })
            return .object(object)
        }
        return JSONWriter.write(.object(["summary": .string(report.summary), "objects": .array(entries)]))
    }
}
