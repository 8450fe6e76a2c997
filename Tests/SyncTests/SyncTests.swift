import Basics
import KubeModel
import Testing
import YAML
@testable import Sync

@Suite struct SyncPlanTests {
    static func objects(_ yaml: String) throws -> [Object] {
        try YAML.values(Array(yaml.utf8), file: "t.yaml").enumerated().map { index, value in
            Object(content: value.objectValue!, provenance: Provenance(release: "r", file: "t.yaml", documentIndex: index, line: 1))
        }
    }

    @Test func hooksFoundationsAndWavesInOrder() throws {
        let plan = try SyncPlan(try Self.objects("""
            {apiVersion: v1, kind: ConfigMap, metadata: {name: late, annotations: {gitops/sync-wave: "5"}}}
            ---
            {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}}
            ---
            {apiVersion: batch/v1, kind: Job, metadata: {name: migrate, annotations: {gitops/hook: pre-sync}}}
            ---
            {apiVersion: batch/v1, kind: Job, metadata: {name: smoke, annotations: {"helm.sh/hook": post-install,post-upgrade}}}
            ---
            {apiVersion: v1, kind: Namespace, metadata: {name: shop}}
            ---
            {apiVersion: v1, kind: ConfigMap, metadata: {name: early, annotations: {gitops/sync-wave: "-1"}}}
            ---
            {apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: widgets.example.com}}
            """))
        #expect(plan.steps.map(\.object.name) == ["migrate", "shop", "widgets.example.com", "early", "web", "late", "smoke"])
        #expect(plan.waves.map { $0.map(\.name) } == [["shop", "widgets.example.com"], ["early"], ["web"], ["late"]])
        #expect(plan.hooks.map(\.name) == ["migrate", "smoke"])
    }

    @Test func helmTestDeleteAndRollbackHooksAreNeverApplied() throws {
        let plan = try SyncPlan(try Self.objects("""
            {apiVersion: v1, kind: Pod, metadata: {name: test-connection, annotations: {"helm.sh/hook": test}}}
            ---
            {apiVersion: v1, kind: Pod, metadata: {name: old-test, annotations: {"helm.sh/hook": test-success}}}
            ---
            {apiVersion: batch/v1, kind: Job, metadata: {name: cleanup, annotations: {"helm.sh/hook": pre-delete}}}
            ---
            {apiVersion: batch/v1, kind: Job, metadata: {name: migrate, annotations: {"helm.sh/hook": "pre-upgrade, pre-rollback"}}}
            ---
            {apiVersion: v1, kind: ConfigMap, metadata: {name: app}}
            """))
        #expect(plan.steps.map(\.object.name) == ["migrate", "app"])
        #expect(plan.skipped.map(\.name) == ["test-connection", "old-test", "cleanup"])
        #expect(HelmHook.isTest(try Self.objects("{apiVersion: v1, kind: Pod, metadata: {name: t, annotations: {helm.sh/hook: test}}}")[0]))
    }

    @Test func badAnnotationsAreErrorsNamingTheObject() throws {
        let wave = #expect(throws: SyncError.self) {
            try SyncPlan(try Self.objects("{apiVersion: v1, kind: ConfigMap, metadata: {name: a, annotations: {gitops/sync-wave: soon}}}"))
        }
        #expect(wave?.description.contains("ConfigMap a: gitops/sync-wave is 'soon', not an integer (t.yaml:1:1)") == true, "\(String(describing: wave))")
        let hook = #expect(throws: SyncError.self) {
            try SyncPlan(try Self.objects("{apiVersion: batch/v1, kind: Job, metadata: {name: j, annotations: {gitops/hook: before}}}"))
        }
        #expect(hook?.description.contains("use pre-sync or post-sync") == true)
    }
}

@Suite struct HealthTests {
    static func value(_ yaml: String) throws -> ValueObject { try #require(try YAML.value(yaml).objectValue) }

    @Test func deploymentsAsRolloutStatusJudgesThem() throws {
        let base = "metadata: {generation: 3}\nspec: {replicas: 3}\n"
        #expect(Health.of(try Self.value(base + "status: {observedGeneration: 2}"), kind: "Deployment") == .progressing("waiting for the rollout to be observed"))
        #expect(Health.of(try Self.value(base + "status: {observedGeneration: 3, replicas: 3, updatedReplicas: 1, availableReplicas: 3}"), kind: "Deployment")
                == .progressing("1 of 3 replicas updated"))
        #expect(Health.of(try Self.value(base + "status: {observedGeneration: 3, replicas: 4, updatedReplicas: 3, availableReplicas: 3}"), kind: "Deployment")
                == .progressing("1 old replicas pending termination"))
        #expect(Health.of(try Self.value(base + "status: {observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 3}"), kind: "Deployment") == .healthy)
        let stuck = base + "status: {observedGeneration: 3, conditions: [{type: Progressing, status: 'False', reason: ProgressDeadlineExceeded}]}"
        #expect(Health.of(try Self.value(stuck), kind: "Deployment") == .degraded("rollout exceeded its progress deadline"))
    }

    @Test func jobsClaimsServicesAndCustomResources() throws {
        #expect(Health.of(try Self.value("status: {conditions: [{type: Failed, status: 'True', reason: BackoffLimitExceeded}]}"), kind: "Job").isFinal)
        #expect(!Health.of(try Self.value("status: {conditions: [{type: Failed, status: 'True'}]}"), kind: "Job").isHealthy)
        #expect(Health.of(try Self.value("status: {conditions: [{type: Complete, status: 'True'}]}"), kind: "Job") == .healthy)
        #expect(Health.of(try Self.value("status: {phase: Pending}"), kind: "PersistentVolumeClaim") == .progressing("waiting for the claim to be bound"))
        #expect(Health.of(try Self.value("spec: {type: LoadBalancer}"), kind: "Service") == .progressing("waiting for a load balancer address"))
        #expect(Health.of(try Self.value("spec: {type: ClusterIP}"), kind: "Service") == .healthy)
        #expect(Health.of(try Self.value("status: {conditions: [{type: Ready, status: 'False', reason: Reconciling}]}"), kind: "Widget")
                == .progressing("Ready is False: Reconciling"))
        #expect(Health.of(try Self.value("status: {conditions: [{type: Ready, status: 'False', reason: InstallFailed, message: boom}]}"), kind: "Widget")
                == .degraded("InstallFailed: boom"))
        #expect(Health.of(try Self.value("spec: {}"), kind: "Widget") == .healthy)
    }
}
