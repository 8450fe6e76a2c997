import Basics
import KubeModel
import Testing
import YAML
@testable import Rollouts

@Suite struct RolloutSpecTests {
    static func parse(_ text: String) throws(DiagnosticError) -> RolloutSpec {
        let node = try YAMLParser.parse(Array(text.utf8), file: "environment.yaml").first!
        return try RolloutSpec.parse(node, file: "environment.yaml")
    }

    static let analysis = """
        analysis:
          - name: error-rate
            prometheus: {address: "http://prometheus:9090", query: "up"}
            successCondition: "< 0.01"
          - name: smoke
            http: {url: "http://blog-preview/healthz"}
        """

    @Test func aCanaryWithStepsTrafficAndAnalysis() throws {
        let spec = try Self.parse("""
            workload: blog
            strategy: canary
            canary:
              steps:
                - setWeight: 10
                - analysis: [error-rate]
                - pause: 60s
                - setWeight: 50
                - pause: {}
              traffic: {nginx: {ingress: blog}}
            rollback: {git: true}
            \(Self.analysis)

            """)
        #expect(spec.workload == "blog" && spec.service == "blog" && spec.rollbackInGit)
        #expect(spec.strategy == .canary(steps: [.setWeight(10), .analysis(["error-rate"]), .pause(60), .setWeight(50), .pause(nil)], traffic: .nginx(ingress: "blog")))
        #expect(spec.analysis.map(\.name) == ["error-rate", "smoke"])
    }

    @Test func aBlueGreenWithItsServices() throws {
        let spec = try Self.parse("""
            workload: blog
            strategy: blueGreen
            blueGreen: {previewService: blog-preview, prePromotionAnalysis: [smoke], scaleDownDelay: 5m}
            \(Self.analysis)

            """)
        #expect(spec.strategy == .blueGreen(activeService: "blog", previewService: "blog-preview", prePromotionAnalysis: ["smoke"], scaleDownDelay: 300))
    }

    @Test func mistakesAreNamedAtTheirLine() {
        #expect { try Self.parse("""
            workload: blog
            strategy: canary
            canary:
              steps:
                - setWeight: 110
                - analysis: [error-rates]
                - wait: 5s
              traffic: {istio: {}}
            rollbak: {git: true}
            \(Self.analysis)

            """) } throws: { error in
            let text = "\(error)"
            // In the order of the file.
            return text.hasPrefix("environment.yaml:5:18") && text.contains("environment.yaml:5:18: error: setWeight is a percentage from 0 to 100")
                && text.contains("environment.yaml:6:18: error: no analysis check 'error-rates' in this rollout's analysis:; did you mean 'error-rate'?")
                && text.contains("environment.yaml:7:7: error: unknown canary step 'wait'")
                && text.contains("environment.yaml:8:12: error: traffic is replicas,")
                && text.contains("environment.yaml:9:1: error: unknown field 'rollbak' in rollout:; did you mean 'rollback'?")
        }
        #expect { try Self.parse("workload: blog\nstrategy: linear\n") } throws: { "\($0)".contains("environment.yaml:2:11: error: strategy is canary or blueGreen, not 'linear'") }
    }
}

@Suite struct CanaryObjectsTests {
    static func object(_ yaml: String) -> Object {
        guard case .object(let content)? = try? YAML.values(Array(yaml.utf8), file: "t").first else { fatalError("not an object") }
        return Object(content: content, provenance: Provenance(release: "blog", file: "t", documentIndex: 0, line: 1))
    }

    static func deployment(image: String, replicas: Int = 4) -> Object {
        object("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: blog, namespace: prod, labels: {app: blog}}
            spec:
              replicas: \(replicas)
              selector: {matchLabels: {app: blog}}
              template:
                metadata: {labels: {app: blog}}
                spec: {containers: [{name: blog, image: "\(image)"}]}

            """)
    }

    static let service = object("""
        apiVersion: v1
        kind: Service
        metadata: {name: blog, namespace: prod}
        spec: {selector: {app: blog}, clusterIP: 10.0.0.7, ports: [{port: 80}]}

        """)

    static func replicas(_ object: Object) -> Int64? {
        if case .int(let count)? = object.content["spec"]?["replicas"] { return count }
        return nil
    }

    @Test func withoutARouterTheSplitIsTheReplicaRatio() throws {
        let stable = Self.deployment(image: "blog:1.4"), new = Self.deployment(image: "blog:1.5")
        for (weight, expected) in [(0, (4, 0)), (10, (3, 1)), (50, (2, 2)), (75, (1, 3)), (100, (0, 4))] {
            let objects = try CanaryObjects.at(weight, stable: stable, new: new, traffic: .replicas, service: nil, router: nil)
            #expect(objects.count == 2)
            #expect(objects[0].name == "blog" && Self.replicas(objects[0]) == Int64(expected.0), "\(weight)")
            #expect(objects[1].name == "blog-canary" && Self.replicas(objects[1]) == Int64(expected.1), "\(weight)")
        }
        let canary = try CanaryObjects.at(10, stable: stable, new: new, traffic: .replicas, service: nil, router: nil)[1]
        let value = Value.object(canary.content)
        #expect(value["spec"]?["selector"]?["matchLabels"] == .object(["app": "blog", "gitops/rollout-role": "canary"]))
        #expect(value["spec"]?["template"]?["metadata"]?["labels"]?["gitops/rollout-role"] == "canary")
        #expect(value["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "blog:1.5")
        // The stable Deployment keeps Git's selector (immutable in Kubernetes) and its old template.
        let stableValue = Value.object(try CanaryObjects.at(10, stable: stable, new: new, traffic: .replicas, service: nil, router: nil)[0].content)
        #expect(stableValue["spec"]?["selector"]?["matchLabels"] == .object(["app": "blog"]))
        #expect(stableValue["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "blog:1.4")
    }

    @Test func ingressNginxGetsACanaryIngressWithTheWeight() throws {
        let ingress = Self.object("""
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: blog, namespace: prod, annotations: {cert-manager.io/cluster-issuer: letsencrypt}}
            spec:
              rules:
                - host: blog.example.org
                  http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: blog, port: {number: 80}}}}]}

            """)
        let objects = try CanaryObjects.at(25, stable: Self.deployment(image: "blog:1.4"), new: Self.deployment(image: "blog:1.5"),
                                           traffic: .nginx(ingress: "blog"), service: Self.service, router: ingress)
        #expect(objects.map(\.name) == ["blog", "blog-canary", "blog-canary", "blog-canary"])
        #expect(objects.map(\.kind) == ["Deployment", "Deployment", "Service", "Ingress"])
        #expect(Self.replicas(objects[0]) == 4 && Self.replicas(objects[1]) == 1, "the stable version keeps its size behind a router")
        let service = Value.object(objects[2].content)
        #expect(service["spec"]?["selector"] == .object(["app": "blog", "gitops/rollout-role": "canary"]) && service["spec"]?["clusterIP"] == nil)
        let canaryIngress = Value.object(objects[3].content)
        #expect(canaryIngress["metadata"]?["annotations"]?["nginx.ingress.kubernetes.io/canary"] == "true")
        #expect(canaryIngress["metadata"]?["annotations"]?["nginx.ingress.kubernetes.io/canary-weight"] == "25")
        #expect(canaryIngress["spec"]?["rules"]?.arrayValue?.first?["http"]?["paths"]?.arrayValue?.first?["backend"]?["service"]?["name"] == "blog-canary")
    }

    @Test func gatewayAPIRoutesSplitTheirBackendReferences() throws {
        let route = Self.object("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: blog, namespace: prod}
            spec:
              parentRefs: [{name: public}]
              rules: [{backendRefs: [{name: blog, port: 80}]}]

            """)
        let objects = try CanaryObjects.at(10, stable: Self.deployment(image: "blog:1.4"), new: Self.deployment(image: "blog:1.5"),
                                           traffic: .gatewayAPI(httpRoute: "blog"), service: Self.service, router: route)
        let routed = Value.object(objects[3].content)
        #expect(objects[3].name == "blog")
        #expect(routed["spec"]?["rules"]?.arrayValue?.first?["backendRefs"] == .array([
            .object(["name": "blog", "port": 80, "weight": 90]), .object(["name": "blog-canary", "port": 80, "weight": 10]),
        ]))
        #expect { try CanaryObjects.at(10, stable: Self.deployment(image: "a"), new: Self.deployment(image: "b"), traffic: .gatewayAPI(httpRoute: "blog"),
                                        service: Self.object("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}}\n"), router: route) }
            throws: { "\($0)".contains("has no backendRef to the Service 'web'") }
    }
}
