import ArgumentParser
import Basics
import ChartSources
import Cluster
import Drift
import Foundation
import KubeModel
import Render
import YAML

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Save an environment's live objects from its cluster, for `gitops diff ENV --live DIR` later or elsewhere.",
        discussion: """
        Saves the live counterpart of every object Git has for the environment and every live object labelled
        gitops/environment=<env>, one YAML file per object (<namespace>/<kind>.<group>-<name>.yaml), managedFields
        left out. Secret values are saved as SHA-256 digests (diff --live compares them by digest) unless
        --include-secret-values. The folder is written whole or not at all; it must not exist yet or be empty.
        """)

    @Argument(help: "The environment to save.")
    var environment: String

    @Option(name: .long, help: "The folder to write (created; must not exist or be empty).")
    var out: String

    @Flag(name: .long, help: "Save Secret values themselves instead of their digests.")
    var includeSecretValues = false

    @OptionGroup var repository: RepositoryOptions

    @OptionGroup var cluster: ClusterOptions

    @OptionGroup var charts: ChartCacheOptions

    func run() throws {
        let (tree, _, environment) = try repository.load(environment: environment)
        let target = URL(fileURLWithPath: out).standardizedFileURL
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: target.path), !existing.isEmpty {
            throw CommandFailure("--out '\(out)' is not empty; choose a new folder")
        }
        try charts.prefetch([environment], tree: tree)
        let desired = try Renderer(tree: tree, renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret, chartCache: charts.cache)
            .render(environment).objects
        let state = try cluster.liveState(of: environment, desired: desired, serverSide: false)
        let name = environment.name
        // Everything goes into a sibling folder first, renamed into place at the end.
        let staging = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())")
        try? FileManager.default.removeItem(at: staging)
        do {
            for saved in state.live {
                let object = includeSecretValues ? saved : SecretDigests.digested(saved)
                var content = object.content
                if var metadata = content["metadata"]?.objectValue {
                    metadata["managedFields"] = nil
                    content["metadata"] = .object(metadata)
                }
                let group = object.gvk.group.isEmpty ? "" : "." + object.gvk.group
                let folder = staging.appendingPathComponent(object.namespace.isEmpty ? "_cluster" : object.namespace)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let file = folder.appendingPathComponent("\(object.kind.lowercased())\(group)-\(object.name).yaml")
                try AtomicFile.write(Array(YAMLEmitter.emit(.object(content)).utf8), to: file.path)
            }
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: target)  // empty, checked above
            try FileManager.default.moveItem(at: staging, to: target)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw CommandFailure("cannot write the snapshot to '\(out)' (nothing was kept): \(error is AtomicFile.Failure ? "\(error)" : error.localizedDescription)")
        }
        Output.write("saved \(state.live.count) live objects of \(name) to \(out)\n")
    }
}
