import ArgumentParser
import Foundation
import Git
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

    @Option(name: .long, help: "Output format: yaml (a document per object, with its source) or json (one array).")
    var output: Format = .yaml

    func run() throws {
        let (tree, _, environment) = try repository.load(environment: environment)
        let rendered = try Renderer(tree: tree, renderTime: repository.renderTime(of: tree), seedSecret: RandomSeed.secret).render(environment)
        switch output {
        case .yaml: Output.write(RenderOutput.yaml(rendered.objects))
        case .json: Output.write(RenderOutput.json(rendered.objects))
        }
    }
}
