import Basics
import Foundation
import Git
import KubeModel
import RepoModel
import Render
import Testing

/// The repository's own environments render to the committed goldens, byte for byte.
/// Regenerate with `GITOPS_UPDATE_GOLDENS=1 swift test --filter GoldenTests`.
@Suite struct GoldenTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")

    @Test(arguments: ["dev", "staging", "production"])
    func ownEnvironment(_ name: String) throws {
        let tree = WorkingTree(root: Self.repositoryRoot)
        let model = try RepositoryLoader.load(from: tree)
        let environment = try #require(model.environment(named: name))
        let rendered = try Renderer(tree: tree).render(environment)
        let text = RenderOutput.yaml(rendered.objects)
        let golden = Self.goldens.appendingPathComponent("\(name).yaml")
        if ProcessInfo.processInfo.environment["GITOPS_UPDATE_GOLDENS"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldens, withIntermediateDirectories: true)
            try text.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(text == expected, "render of \(name) differs from \(golden.path); rerun with GITOPS_UPDATE_GOLDENS=1 if intended")
        // Install order: the Namespace first, every object before the ones it may not follow.
        #expect(rendered.objects.first?.kind == "Namespace")
        for (a, b) in zip(rendered.objects, rendered.objects.dropFirst()) {
            #expect(!InstallOrder.precedes(b, a), "\(b.key) should not follow \(a.key)")
        }
        #expect(Set(rendered.objects.map(\.provenance.release)) == ["platform", "network", "postgresql", "redis", "blog", "gitops-sync"])
        let clusterScoped: Set<String> = ["Namespace", "ClusterRole", "ClusterRoleBinding"]
        #expect(rendered.objects.filter { !clusterScoped.contains($0.kind) }.allSatisfy { $0.namespace == "blog-\(name)" })
        #expect(rendered.objects.filter { clusterScoped.contains($0.kind) }.allSatisfy { $0.namespace.isEmpty })
    }

    @Test func productionBudgetIsLargerThanDev() throws {
        let tree = WorkingTree(root: Self.repositoryRoot)
        let model = try RepositoryLoader.load(from: tree)
        func quota(_ env: String) throws -> Value? {
            let rendered = try Renderer(tree: tree).render(try #require(model.environment(named: env)))
            return Value.object(try #require(rendered.objects.first { $0.kind == "ResourceQuota" }).content)["spec"]?["hard"]
        }
        let dev = try quota("dev"), production = try quota("production")
        #expect(dev?["requests.memory"] == .string("2Gi") && production?["requests.memory"] == .string("8Gi"))
    }

    @Test func renderingIsDeterministic() throws {
        let tree = WorkingTree(root: Self.repositoryRoot)
        let model = try RepositoryLoader.load(from: tree)
        let environment = try #require(model.environment(named: "production"))
        let a = RenderOutput.yaml(try Renderer(tree: tree).render(environment).objects)
        let b = RenderOutput.yaml(try Renderer(tree: tree).render(environment).objects)
        #expect(a == b)
        #expect(RenderOutput.json(try Renderer(tree: tree).render(environment).objects).hasPrefix("[\n  {\n    \"apiVersion\": \"v1\""))
    }
}
