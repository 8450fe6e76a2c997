import ArgumentParser
import Foundation
import Git
import KubeModel
import Drift
import Render
import Secrets

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render an environment's objects in install order.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case yaml, json
    }

    @Argument(help: "The environment to render (a folder under environments/).")
    var environment: String

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var charts: ChartCacheOptions

    @Option(name: .long, help: "Output format: yaml (a document per object, with its source) or json (one array).")
    var output: Format = .yaml

    @Flag(name: .customLong("skip-tests"), help: "Leave out Helm test hooks (helm.sh/hook: test), as helm template --skip-tests does; a sync never applies them.")
    var skipTests = false

    @Flag(name: .customLong("show-secrets"), help: "Print Secret values and decrypted SOPS values as they are (default: Secret data as digests, decrypted values as <secret>).")
    var showSecrets = false

    func run() throws {
        let (tree, _, environment) = try repository.load(environment: environment)
        try charts.prefetch([environment], tree: tree)
        let renderer = Renderer(tree: tree, renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret, chartCache: charts.cache)
        var objects = try renderer.render(environment).objects
        if skipTests { objects.removeAll(where: HelmHook.isTest) }
        SecretWarnings.print(renderer.lockedSecrets)
        if showSecrets {
            Redaction.disable()
        } else {
            objects = objects.map(SecretDigests.digested)
        }
        switch output {
        case .yaml: Output.write(RenderOutput.yaml(objects))
        case .json: Output.write(RenderOutput.json(objects))
        }
    }
}

/// Warnings for SOPS files no key opened: which file, and for whom it is encrypted.
enum SecretWarnings {
    /// One warning per file (the same file locked in two revisions is named once).
    static func print(_ locked: [DecryptingTree.Locked]) {
        var seen = Set<String>()
        for file in locked where seen.insert(file.file).inserted {
            Output.error("warning: \(file.file) is SOPS-encrypted for \(file.recipients.isEmpty ? "no age recipient" : file.recipients.joined(separator: ", ")) and no key given opens it; its encrypted values render as \(DecryptingTree.marker) (give the key with SOPS_AGE_KEY_FILE, SOPS_AGE_KEY or ~/.config/sops/age/keys.txt)")
        }
    }
}
