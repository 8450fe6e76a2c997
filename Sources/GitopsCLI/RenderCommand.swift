import ArgumentParser
import Foundation
import Git
import KubeModel
import Render

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

    func run() throws {
        let (tree, _, environment) = try repository.load(environment: environment)
        try charts.prefetch([environment], tree: tree)
        var objects = try Renderer(tree: tree, renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret,
                                   chartCache: charts.cache).render(environment).objects
        if skipTests { objects.removeAll(where: HelmHook.isTest) }
        switch output {
        case .yaml: Output.write(RenderOutput.yaml(objects))
        case .json: Output.write(RenderOutput.json(objects))
        }
    }
}
