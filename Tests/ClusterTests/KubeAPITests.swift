import Basics
import Foundation
import Testing
import YAML
@testable import KubeTestServer

/// The in-memory API server the client and `gitops diff` are tested against.
@Suite struct KubeAPITests {
    let api = KubeAPI(token: "t0ken")

    func request(_ method: String, _ uri: String, _ body: String = "", contentType: String = "application/json", token: String = "t0ken") -> (Int, Value) {
        var headers = ["authorization": "Bearer " + token, "content-type": contentType]
        if token.isEmpty { headers["authorization"] = nil }
        let response = api.handle(APIRequest(method: method, uri: uri, headers: headers, body: Array(body.utf8)))
        let value = (try? JSONReader.values(String(decoding: response.body, as: UTF8.self)).first) ?? .null
        return (response.status, value)
    }

    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, labels: {app: web}}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: web, image: "web:1", ports: [{containerPort: 80}]}]
        """

    @Test func authDiscoveryAndErrors() {
        #expect(request("GET", "/api", token: "").0 == 401)
        #expect(request("GET", "/api", token: "wrong").0 == 401)
        let (status, groups) = request("GET", "/apis")
        #expect(status == 200 && groups["groups"]?.arrayValue?.contains { $0["name"] == "apps" } == true)
        let (_, resources) = request("GET", "/apis/apps/v1")
        #expect(resources["resources"]?.arrayValue?.contains { $0["name"] == "deployments" && $0["namespaced"] == true } == true)
        let (missing, status404) = request("GET", "/apis/apps/v1/namespaces/shop/deployments/nope")
        #expect(missing == 404 && status404["reason"] == "NotFound" && status404["kind"] == "Status")
        #expect(request("GET", "/apis/example.com/v1/widgets").0 == 404)
    }

    @Test func applyFillsDefaultsAndBookkeeping() throws {
        let (status, created) = request("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=gitops", Self.deployment,
                                        contentType: "application/apply-patch+yaml")
        #expect(status == 201)
        #expect(created["spec"]?["revisionHistoryLimit"] == 10 && created["spec"]?["progressDeadlineSeconds"] == 600)
        #expect(created["spec"]?["strategy"]?["rollingUpdate"]?["maxSurge"] == "25%")
        let container = created["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first
        #expect(container?["imagePullPolicy"] == "IfNotPresent" && container?["terminationMessagePath"] == "/dev/termination-log")
        #expect(container?["ports"]?.arrayValue?.first?["protocol"] == "TCP")
        #expect(created["spec"]?["template"]?["spec"]?["dnsPolicy"] == "ClusterFirst")
        #expect(created["metadata"]?["uid"] != nil && created["metadata"]?["generation"] == 1)
        #expect(created["metadata"]?["managedFields"]?.arrayValue?.first?["manager"] == "gitops")
        let version = created["metadata"]?["resourceVersion"]
        // The same apply again changes nothing.
        let (_, again) = request("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=gitops", Self.deployment,
                                 contentType: "application/apply-patch+yaml")
        #expect(again["metadata"]?["resourceVersion"] == version && again["metadata"]?["generation"] == 1)
        // A dry run predicts without storing.
        let changed = Self.deployment.replacingOccurrences(of: "replicas: 2", with: "replicas: 3")
        let (_, predicted) = request("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=gitops&dryRun=All", changed,
                                     contentType: "application/apply-patch+yaml")
        #expect(predicted["spec"]?["replicas"] == 3 && predicted["metadata"]?["generation"] == 2)
        #expect(request("GET", "/apis/apps/v1/namespaces/shop/deployments/web").1["spec"]?["replicas"] == 2)
    }

    @Test func aCrashLoopingTemplateNeverBecomesAvailable() {
        let crashing = Self.deployment.replacingOccurrences(of: "metadata: {labels: {app: web}}",
                                                            with: "metadata: {labels: {app: web}, annotations: {kube-test-server/crashloop: \"true\"}}")
        let (status, created) = request("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=gitops", crashing,
                                        contentType: "application/apply-patch+yaml")
        #expect(status == 201)
        #expect(created["status"]?["availableReplicas"] == 0 && created["status"]?["readyReplicas"] == 0)
        let progressing = created["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Progressing" }
        #expect(progressing?["reason"] == "ProgressDeadlineExceeded" && progressing?["status"] == "False")
        // A good template again: every replica ready.
        let (_, fixed) = request("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=gitops", Self.deployment,
                                 contentType: "application/apply-patch+yaml")
        #expect(fixed["status"]?["availableReplicas"] == 2)
    }

    @Test func conflictsBetweenManagersAndForce() {
        _ = request("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=gitops", Self.deployment, contentType: "application/apply-patch+yaml")
        let scaler = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec: {replicas: 5}
            """
        let (status, conflict) = request("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=hpa", scaler,
                                         contentType: "application/apply-patch+yaml")
        #expect(status == 409 && conflict["reason"] == "Conflict")
        #expect(conflict["message"]?.stringValue?.contains("conflict with \"gitops\"") == true)
        #expect(conflict["details"]?["causes"]?.arrayValue?.first?["field"]?.stringValue?.contains("replicas") == true)
        let (forced, object) = request("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=hpa&force=true", scaler,
                                       contentType: "application/apply-patch+yaml")
        #expect(forced == 200 && object["spec"]?["replicas"] == 5)
        // gitops no longer owns replicas: applying without them keeps the scaler's value.
        let withoutReplicas = Self.deployment.replacingOccurrences(of: "  replicas: 2\n", with: "")
        let (_, kept) = request("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=gitops", withoutReplicas,
                                contentType: "application/apply-patch+yaml")
        #expect(kept["spec"]?["replicas"] == 5)
        // A label gitops stops applying goes away.
        let unlabelled = withoutReplicas.replacingOccurrences(of: ", labels: {app: web}}", with: "}")
        let (_, pruned) = request("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=gitops", unlabelled,
                                  contentType: "application/apply-patch+yaml")
        #expect(pruned["metadata"]?["labels"] == nil)
    }

    @Test func listsWithSelectorsAndPagesDeleteAndFaults() {
        for (name, tier) in [("a", "front"), ("b", "back"), ("c", "front")] {
            let body = #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "\#(name)", "labels": {"tier": "\#(tier)"}}}"#
            #expect(request("POST", "/api/v1/namespaces/shop/configmaps", body).0 == 201)
        }
        #expect(request("POST", "/api/v1/namespaces/shop/configmaps", #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}"#).0 == 409)
        let (_, invalid) = request("POST", "/api/v1/namespaces/shop/configmaps", #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}"#)
        #expect(invalid["reason"] == "Invalid" && invalid["details"]?["causes"]?.arrayValue?.first?["field"] == "metadata.name")
        let (_, fronts) = request("GET", "/api/v1/namespaces/shop/configmaps?labelSelector=tier%3Dfront")
        #expect(fronts["items"]?.arrayValue?.map { $0["metadata"]?["name"] } == ["a", "c"])
        let (_, page1) = request("GET", "/api/v1/configmaps?limit=2")
        #expect(page1["items"]?.arrayValue?.count == 2)
        let token = page1["metadata"]?["continue"]?.stringValue ?? ""
        let (_, page2) = request("GET", "/api/v1/configmaps?limit=2&continue=\(token)")
        #expect(page2["items"]?.arrayValue?.map { $0["metadata"]?["name"] } == ["c"] && page2["metadata"]?["continue"] == nil)
        #expect(request("DELETE", "/api/v1/namespaces/shop/configmaps/b").0 == 200)
        #expect(request("GET", "/api/v1/namespaces/shop/configmaps/b").0 == 404)
        api.injectFaults([KubeAPI.fault(429, retryAfter: 1), KubeAPI.fault(500)])
        #expect(request("GET", "/api/v1/namespaces/shop/configmaps/a").0 == 429)
        #expect(request("GET", "/api/v1/namespaces/shop/configmaps/a").0 == 500)
        #expect(request("GET", "/api/v1/namespaces/shop/configmaps/a").0 == 200)
    }

    @Test func customResourceDefinitionsServeTheirKind() {
        let crd = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec:
              group: example.com
              scope: Namespaced
              names: {kind: Widget, plural: widgets}
              versions: [{name: v1, served: true, storage: true}]
            """
        #expect(request("PATCH", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com?fieldManager=gitops", crd,
                        contentType: "application/apply-patch+yaml").0 == 201)
        let (_, resources) = request("GET", "/apis/example.com/v1")
        #expect(resources["resources"]?.arrayValue?.first?["kind"] == "Widget")
        let widget = #"{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 3}}"#
        #expect(request("POST", "/apis/example.com/v1/namespaces/shop/widgets", widget).0 == 201)
    }
}
