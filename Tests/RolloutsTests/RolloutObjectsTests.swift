import Basics
import KubeModel
import Testing
@testable import Rollouts

/// The steady form a release with a rollout renders in, and the objects each recorded state holds.
@Suite struct RolloutObjectsTests {
    typealias Fixture = CanaryObjectsTests

    static let ingress = Fixture.object("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: blog, namespace: prod}
        spec: {rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: blog, port: {number: 80}}}}]}}]}

        """)
    static let preview = Fixture.object("""
        apiVersion: v1
        kind: Service
        metadata: {name: blog-preview, namespace: prod}
        spec: {selector: {app: blog}, ports: [{port: 80}]}

        """)

    static func spec(_ strategy: RolloutSpec.Strategy) -> RolloutSpec { RolloutSpec(workload: "blog", service: "blog", strategy: strategy) }
    static let nginx = spec(.canary(steps: [.setWeight(25), .setWeight(100)], traffic: .nginx(ingress: "blog")))
    static let blueGreen = spec(.blueGreen(activeService: "blog", previewService: "blog-preview", prePromotionAnalysis: [], scaleDownDelay: 60))

    static func selector(_ objects: [Object], _ name: String) -> Value? {
        objects.first { $0.kind == "Service" && $0.name == name }.flatMap { Value.object($0.content)["spec"]?["selector"] }
    }

    static func podRole(_ object: Object) -> Value? { Value.object(object.content)["spec"]?["template"]?["metadata"]?["labels"]?["gitops/rollout-role"] }

    @Test func theSteadyFormMarksWhatARouterOrBlueGreenMustTellApart() {
        let release = [Fixture.deployment(image: "blog:1.4"), Fixture.service, Self.ingress]
        // By replicas: one Service for both versions, so only the template digest is added.
        let replicas = RolloutObjects.steady(release, spec: Self.spec(.canary(steps: [.setWeight(10)], traffic: .replicas)))
        #expect(Self.podRole(replicas[0]) == nil && Self.selector(replicas, "blog") == .object(["app": "blog"]))
        #expect(RolloutObjects.recordedHash(of: replicas[0].content) == RolloutObjects.templateHash(of: release[0]))
        // Behind a router the stable Service selects the stable pods only.
        let routed = RolloutObjects.steady(release, spec: Self.nginx)
        #expect(Self.podRole(routed[0]) == "stable")
        #expect(Self.selector(routed, "blog") == .object(["app": "blog", "gitops/rollout-role": "stable"]))
        // Blue-green: the active and the preview Service.
        let blueGreen = RolloutObjects.steady(release + [Self.preview], spec: Self.blueGreen)
        #expect(Self.selector(blueGreen, "blog-preview") == .object(["app": "blog", "gitops/rollout-role": "stable"]))
        #expect(Self.selector(blueGreen, "blog") == .object(["app": "blog", "gitops/rollout-role": "stable"]))
    }

    @Test func theTemplateDigestFollowsThePodTemplateOnly() {
        let a = Fixture.deployment(image: "blog:1.4", replicas: 2), b = Fixture.deployment(image: "blog:1.4", replicas: 9)
        #expect(RolloutObjects.templateHash(of: a) == RolloutObjects.templateHash(of: b), "replicas are not the version")
        #expect(RolloutObjects.templateHash(of: a) != RolloutObjects.templateHash(of: Fixture.deployment(image: "blog:1.5")))
        // Key order does not matter.
        var reordered = a
        var template = ValueObject()
        for (key, value) in (a.content["spec"]?["template"]?.objectValue ?? [:]).reversed() { template[key] = value }
        var spec = a.content["spec"]?.objectValue ?? [:]
        spec["template"] = .object(template)
        reordered.content["spec"] = .object(spec)
        #expect(RolloutObjects.templateHash(of: reordered) == RolloutObjects.templateHash(of: a))
        #expect(RolloutObjects.templateHash(of: a).count == 16)
    }

    @Test func aCanaryInProgressHoldsBothVersionsAndAnAbortOnlyTheStableOne() throws {
        let release = RolloutObjects.steady([Fixture.deployment(image: "blog:1.5"), Fixture.service, Self.ingress], spec: Self.nginx)
        let stable = RolloutObjects.steady([Fixture.deployment(image: "blog:1.4")], spec: Self.nginx)[0]
        var state = RolloutState(revision: "b", stableRevision: "a")
        state.weight = 25
        let objects = try RolloutObjects.desired(release, spec: Self.nginx, state: state, stable: stable)
        #expect(objects.map { "\($0.kind) \($0.name)" } == ["Deployment blog", "Service blog", "Ingress blog", "Deployment blog-canary", "Service blog-canary", "Ingress blog-canary"])
        #expect(Value.object(objects[0].content)["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "blog:1.4")
        #expect(Fixture.replicas(objects[3]) == 1 && Self.podRole(objects[3]) == "canary")
        #expect(Self.selector(objects, "blog-canary") == .object(["app": "blog", "gitops/rollout-role": "canary"]))
        #expect(Set(RolloutObjects.extras(of: Self.nginx, namespace: "prod").map(\.name)) == ["blog-canary"])
        #expect(RolloutObjects.extras(of: Self.nginx, namespace: "prod").count == 3)

        state.phase = .aborted
        let aborted = try RolloutObjects.desired(release, spec: Self.nginx, state: state, stable: stable)
        #expect(aborted.map(\.name) == ["blog", "blog", "blog"] && Fixture.replicas(aborted[0]) == 4)
        #expect(Value.object(aborted[0].content)["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "blog:1.4")
        state.phase = .completed
        #expect(try RolloutObjects.desired(release, spec: Self.nginx, state: state, stable: stable) == release)
    }

    @Test func anAutoscaledWorkloadIsLeftToItsAutoscaler() throws {
        var new = Fixture.deployment(image: "blog:1.5")
        var spec = new.content["spec"]?.objectValue ?? [:]
        spec["replicas"] = nil
        new.content["spec"] = .object(spec)
        let stable = Fixture.deployment(image: "blog:1.4", replicas: 6)
        var state = RolloutState(revision: "b", stableRevision: "a")
        state.weight = 50
        let objects = try RolloutObjects.desired([new, Fixture.service, Self.ingress], spec: Self.nginx, state: state, stable: stable, autoscaled: 6)
        #expect(Fixture.replicas(objects[0]) == 6, "the stable version as the autoscaler sized it")
        #expect(Fixture.replicas(objects.first { $0.name == "blog-canary" && $0.kind == "Deployment" }!) == 3, "half of what runs")
        state.phase = .aborted
        let aborted = try RolloutObjects.desired([new, Fixture.service, Self.ingress], spec: Self.nginx, state: state, stable: stable, autoscaled: 6)
        #expect(Fixture.replicas(aborted[0]) == nil, "replicas left to the autoscaler")
    }

    @Test func blueGreenSwitchesTheActiveServiceAtItsThirdStage() throws {
        let release = RolloutObjects.steady([Fixture.deployment(image: "blog:1.5"), Fixture.service, Self.preview], spec: Self.blueGreen)
        let stable = RolloutObjects.steady([Fixture.deployment(image: "blog:1.4")], spec: Self.blueGreen)[0]
        var state = RolloutState(revision: "b", stableRevision: "a")
        let checking = try RolloutObjects.desired(release, spec: Self.blueGreen, state: state, stable: stable)
        let preview = try #require(checking.first { $0.name == "blog-preview" && $0.kind == "Deployment" })
        #expect(Fixture.replicas(preview) == 4 && Self.podRole(preview) == "preview")
        #expect(Self.selector(checking, "blog") == .object(["app": "blog", "gitops/rollout-role": "stable"]))
        #expect(Self.selector(checking, "blog-preview") == .object(["app": "blog", "gitops/rollout-role": "preview"]))
        state.step = 3
        let switched = try RolloutObjects.desired(release, spec: Self.blueGreen, state: state, stable: stable)
        #expect(Self.selector(switched, "blog") == .object(["app": "blog", "gitops/rollout-role": "preview"]))
        #expect(Value.object(switched[0].content)["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "blog:1.4",
                "the old version kept for an instant way back")
        #expect(RolloutObjects.newVersionName(of: Self.blueGreen) == "blog-preview")
    }
}
