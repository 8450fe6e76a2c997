import Basics
import Dispatch
import Drift
import Foundation
import Gates
import KubeModel
import Render
import RepoModel
import Validation

/// One side of a preview: a revision's (or the working tree's) loaded repository and the renderer
/// that reads it. Every environment of the side is rendered by this one renderer, so files,
/// decrypted secrets and charts are read once for all of them. The base's renderer needs no
/// field positions (`Renderer(fieldPositions: false)`): only the head's objects are checked.
public struct PreviewSide: Sendable {
    /// `main (1a2b3c4)`, `the working tree`.
    public let label: String
    public let model: EnvironmentRepository
    public let renderer: Renderer

    public init(label: String, model: EnvironmentRepository, renderer: Renderer) {
        self.label = label
        self.model = model
        self.renderer = renderer
    }

    /// Every environment's name, the broken ones included.
    var names: Set<String> { Set(model.environments.map(\.name) + model.broken.map(\.name)) }

    /// What the environment renders here: nil when it does not exist here.
    func render(_ name: String) throws(DiagnosticError) -> [Object]? {
        if let broken = model.brokenEnvironment(named: name) { throw DiagnosticError(broken.problems) }
        guard let environment = model.environment(named: name) else { return nil }
        return try renderer.render(environment).objects
    }
}

/// Compares environments between two sides, every environment at once.
public enum PreviewBuilder {
    /// The environments both sides know (broken ones included), sorted.
    public static func allNames(_ head: PreviewSide, _ base: PreviewSide) -> [String] {
        head.names.union(base.names).sorted()
    }

    /// Previews `names` (in parallel, in the given order): each head render compared with the
    /// base's, the head's objects checked by `checker` (nil: no checks). An environment that fails
    /// is reported on its own; the others are still compared.
    public static func build(_ names: [String], head: PreviewSide, base: PreviewSide, checker: EnvironmentChecker?) -> [EnvironmentPreview] {
        let results = ParallelResults<EnvironmentPreview>(count: names.count)
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            results[index] = preview(names[index], head: head, base: base, checker: checker)
        }
        return results.values.compactMap { $0 }
    }

    static func preview(_ name: String, head: PreviewSide, base: PreviewSide, checker: EnvironmentChecker?) -> EnvironmentPreview {
        let presence: EnvironmentPreview.Presence = !base.names.contains(name) ? .added : !head.names.contains(name) ? .removed : .both
        var preview = EnvironmentPreview(name: name, presence: presence)
        let desired: [Object]
        do {
            desired = try head.render(name) ?? []
        } catch {
            preview.problems = error.diagnostics.filter { $0.severity == .error }.map(\.description)
            if preview.problems.isEmpty { preview.problems = error.diagnostics.map(\.description) }
            preview.findings = error.diagnostics.map { Finding(diagnostic: $0, environment: name) }
            return preview
        }
        if let checker, let environment = head.model.environment(named: name) {
            preview.findings = checker.check(desired, of: environment).findings.filter { $0.environment == name }
        } else if presence == .removed {
            preview.findings = []
        }
        let previous: [Object]
        do {
            previous = try base.render(name) ?? []
        } catch {
            preview.baseProblem = error.firstProblem
            return preview
        }
        let ignore = IgnoreRules(head.model.environment(named: name)?.ignoreDifferences ?? [])
        preview.report = Drift.compare(desired: desired, live: previous, ignore: ignore) { _ in true }
        return preview
    }
}
