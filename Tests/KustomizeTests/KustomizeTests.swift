import Basics
import Foundation
import Kustomize
import Testing
import TestSupport

/// Kustomizations written for this project, built by gitops and — where `kubectl kustomize` v5 or
/// later is installed — by kubectl, compared byte for byte.
@Suite struct KustomizeTests {
    static let corpus: [String: [String: String]] = [
        "overlay-with-generators": [
            "base/kustomization.yaml": """
            resources: [deployment.yaml, service.yaml]
            configMapGenerator:
            - name: settings
              literals: [LOG_LEVEL=info, "GREETING=hello world"]
            secretGenerator:
            - name: credentials
              literals: [password=s3cr3t-but-long-enough-to-wrap-the-base64-line-that-kustomize-writes-at-seventy]
            """,
            "base/deployment.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: blog}
            spec:
              replicas: 1
              selector: {matchLabels: {app: blog}}
              template:
                metadata: {labels: {app: blog}}
                spec:
                  serviceAccountName: blog
                  containers:
                  - name: web
                    image: ghcr.io/me/blog:1.0
                    envFrom: [{configMapRef: {name: settings}}]
                    env:
                    - name: PASSWORD
                      valueFrom: {secretKeyRef: {name: credentials, key: password}}
                  initContainers:
                  - name: migrate
                    image: ghcr.io/me/blog:1.0
                  volumes:
                  - name: config
                    configMap: {name: settings}
            """,
            "base/service.yaml": """
            apiVersion: v1
            kind: Service
            metadata: {name: blog}
            spec:
              selector: {app: blog}
              ports: [{port: 80, targetPort: 8080}]
            """,
            "overlays/production/kustomization.yaml": """
            resources: [../../base, namespace.yaml]
            namespace: blog-production
            namePrefix: prod-
            nameSuffix: -v2
            commonLabels: {env: production}
            commonAnnotations: {team: web, "note": "yes"}
            images:
            - name: ghcr.io/me/blog
              newTag: "2.0"
            replicas:
            - name: blog
              count: 3
            configMapGenerator:
            - name: settings
              behavior: merge
              literals: [LOG_LEVEL=warn, "CRON=* * * * *"]
            """,
            "overlays/production/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: blog-production}\n",
        ],
        "every-patch-form": [
            "base/kustomization.yaml": """
            resources: [app.yaml, crd-object.yaml]
            """,
            "base/app.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
              labels: {app: api, team: core}
              finalizers: [example.com/a]
            spec:
              selector: {matchLabels: {app: api}}
              strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}
              template:
                metadata: {labels: {app: api}}
                spec:
                  containers:
                  - name: api
                    image: api:1.0
                    args: [--a, --b]
                    ports:
                    - {containerPort: 8080, protocol: TCP}
                    - {containerPort: 9090}
                    env:
                    - {name: A, value: "1"}
                    - {name: B, value: "2"}
                  - name: sidecar
                    image: proxy:1.0
                  volumes:
                  - name: data
                    emptyDir: {}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: api, labels: {app: api}}
            spec:
              selector: {app: api}
              ports: [{name: http, port: 80, targetPort: 8080}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: obsolete}
            data: {x: "1"}
            """,
            "base/crd-object.yaml": """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}
            spec:
              items: [{name: a, size: 1}, {name: b, size: 2}]
            """,
            "overlay/kustomization.yaml": """
            namePrefix: prod-
            resources: [../base]
            patchesStrategicMerge:
            - sm.yaml
            - |-
              apiVersion: v1
              kind: ConfigMap
              metadata: {name: obsolete}
              $patch: delete
            patches:
            - path: widget.yaml
            - target: {kind: Deployment, labelSelector: "team=core"}
              patch: |-
                - op: replace
                  path: /spec/template/spec/containers/0/image
                  value: proxy:2.0
                - op: copy
                  from: /metadata/labels/app
                  path: /metadata/labels/copied
                - op: test
                  path: /spec/selector/matchLabels/app
                  value: api
                - op: move
                  from: /metadata/labels/team
                  path: /metadata/labels/owner
            - target: {kind: "Serv.*", name: "a.i"}
              patch: |-
                [{"op": "add", "path": "/spec/ports/-", "value": {"name": "admin", "port": 81}}]
            - target: {group: apps, version: v1, kind: Deployment, name: api}
              patch: |-
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: ignored-with-a-target}
                spec:
                  template:
                    metadata:
                      annotations: {checked: "yes"}
            patchesJson6902:
            - target: {group: apps, version: v1, kind: Deployment, name: api}
              path: json.yaml
            """,
            "overlay/sm.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
              labels: {team: null}
              finalizers: [example.com/b]
            spec:
              replicas: 3
              strategy:
                $patch: replace
                type: Recreate
              template:
                spec:
                  containers:
                  - name: sidecar
                    image: proxy:1.1
                    resources: {limits: {cpu: 100m}}
                  - name: api
                    args: [--c]
                    ports:
                    - {containerPort: 9090, protocol: TCP, name: metrics}
                    env:
                    - {name: B, $patch: delete}
                    - {name: C, value: "3"}
                  volumes:
                  - name: cache
                    emptyDir: {medium: Memory}
            """,
            "overlay/widget.yaml": """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}
            spec:
              items: [{name: b, size: 3}]
            """,
            "overlay/json.yaml": """
            - op: add
              path: /spec/template/spec/containers/1/env/0
              value: {name: FIRST, value: "0"}
            - op: remove
              path: /spec/template/spec/containers/1/args
            """,
        ],
        "components": [
            "base/app.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: app}
            spec:
              template:
                spec:
                  containers:
                  - name: app
                    image: app:1
                    envFrom: [{configMapRef: {name: settings}}]
            """,
            "base/kustomization.yaml": """
            resources: [app.yaml]
            configMapGenerator:
            - name: settings
              literals: [A=1]
            """,
            "comp/ha/kustomization.yaml": """
            apiVersion: kustomize.config.k8s.io/v1alpha1
            kind: Component
            replicas:
            - name: app
              count: 3
            """,
            "comp/monitoring/kustomization.yaml": """
            apiVersion: kustomize.config.k8s.io/v1alpha1
            kind: Component
            resources: [monitor.yaml]
            configMapGenerator:
            - name: settings
              behavior: merge
              literals: [METRICS=on]
            patches:
            - patch: |-
                - op: add
                  path: /metadata/annotations
                  value: {prometheus.io/scrape: "true"}
              target: {kind: Deployment}
            commonLabels: {monitored: "yes"}
            """,
            "comp/monitoring/monitor.yaml": """
            apiVersion: v1
            kind: Service
            metadata: {name: metrics}
            spec: {ports: [{port: 9090}]}
            """,
            "overlay/kustomization.yaml": """
            namePrefix: prod-
            resources: [../base]
            components: [../comp/monitoring, ../comp/ha]
            images: [{name: app, newTag: "2"}]
            """,
        ],
        "replacements": [
            "app/app.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 2
              template:
                spec:
                  containers:
                  - name: web
                    image: shop/web:1.2
                    env:
                    - {name: DB_HOST, value: placeholder}
                  - name: webhook
                    image: shop/hook:1
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: worker}
            spec:
              template:
                spec:
                  containers:
                  - name: worker
                    image: shop/worker:0.1
                    args: [--db, placeholder.example, --verbose]
                  - name: helper
                    image: shop/helper:0.1
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: db}
            spec:
              ports:
              - {name: db, port: 1}
            """,
            "app/kustomization.yaml": """
            namePrefix: shop-
            resources: [app.yaml]
            configMapGenerator:
            - name: settings
              literals: [HOST=db.internal.example.com, PORT="5432"]
            replacements:
            - source: {kind: ConfigMap, name: settings, fieldPath: data.HOST}
              targets:
              - select: {kind: Deployment}
                reject: [{name: worker}]
                fieldPaths:
                - spec.template.spec.containers.[name=web].env.[name=DB_HOST].value
                - metadata.annotations.db-host
                options: {create: true}
            - source: {kind: ConfigMap, name: settings, fieldPath: data.HOST, options: {delimiter: ".", index: 1}}
              targets:
              - select: {kind: Deployment, name: worker}
                fieldPaths: [spec.template.spec.containers.0.args.1]
            - source: {kind: ConfigMap, name: settings, fieldPath: data.PORT}
              targets:
              - select: {kind: Service}
                fieldPaths:
                - spec.ports.[name=db].port
            - path: more.yaml
            """,
            "app/more.yaml": """
            - source:
                kind: Deployment
                name: web
                fieldPath: spec.template.spec.containers.[name=web].image
              targets:
              - select: {kind: Deployment, name: worker}
                fieldPaths:
                - spec.template.spec.containers.*.image
              - select: {kind: Service}
                fieldPaths:
                - metadata.annotations.image
                options: {create: true, delimiter: ":", index: 5}
            """,
        ],
        "vars-and-namespaces": [
            "base/app.yaml": """
            apiVersion: v1
            kind: Namespace
            metadata: {name: placeholder}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: runner}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: runner}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            subjects:
            - {kind: ServiceAccount, name: runner}
            - {kind: ServiceAccount, name: default}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: api}
            spec:
              ports: [{port: 8080, name: http}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: client
              annotations: {target: "$(SERVICE_NAME)"}
            spec:
              template:
                spec:
                  serviceAccountName: runner
                  containers:
                  - name: client
                    image: client:1
                    command: [client, "--url=http://$(SERVICE_NAME):$(SERVICE_PORT)", "$$(NOT_A_VAR)", "$(UNKNOWN)"]
                    env:
                    - {name: PORT, value: "$(SERVICE_PORT)"}
            """,
            "base/kustomization.yaml": """
            resources: [app.yaml]
            vars:
            - name: SERVICE_NAME
              objref: {kind: Service, name: api, apiVersion: v1}
            - name: SERVICE_PORT
              objref: {kind: Service, name: api, apiVersion: v1}
              fieldref: {fieldpath: "spec.ports[0].port"}
            """,
            "overlay/kustomization.yaml": """
            namespace: team-a
            namePrefix: a-
            resources: [../base]
            """,
        ],
        "builtin-plugins": [
            "app/app.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: app}
            spec:
              template:
                spec:
                  containers:
                  - name: app
                    image: app:1.0
                    envFrom: [{configMapRef: {name: settings}}, {secretRef: {name: creds}}]
            """,
            "app/kustomization.yaml": """
            resources: [app.yaml]
            generators:
            - |-
              apiVersion: builtin
              kind: ConfigMapGenerator
              metadata: {name: settings}
              literals: [A=1]
            - secrets.yaml
            transformers:
            - |-
              apiVersion: builtin
              kind: LabelTransformer
              metadata: {name: labels}
              labels: {team: shop}
              fieldSpecs:
              - {path: metadata/labels, create: true}
              - {path: spec/template/metadata/labels, kind: Deployment, create: true}
            - prefix.yaml
            - |-
              apiVersion: builtin
              kind: ImageTagTransformer
              metadata: {name: images}
              imageTag: {name: app, newTag: "2.0"}
            - |-
              apiVersion: builtin
              kind: PatchTransformer
              metadata: {name: patch}
              target: {kind: Deployment}
              patch: |-
                - op: add
                  path: /spec/replicas
                  value: 3
            """,
            "app/prefix.yaml": """
            apiVersion: builtin
            kind: PrefixSuffixTransformer
            metadata: {name: prefix}
            prefix: shop-
            suffix: -v1
            fieldSpecs:
            - path: metadata/name
            """,
            "app/secrets.yaml": """
            apiVersion: builtin
            kind: SecretGenerator
            metadata: {name: creds}
            literals: [password=x]
            """,
        ],
        "configurations": [
            "app/app.yaml": """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}
            spec:
              runner: {image: widget:1.0}
              settingsRef: {name: widget-settings}
              greeting: hello
            """,
            "app/kustomization.yaml": """
            namePrefix: prod-
            commonLabels: {app: shop}
            resources: [app.yaml]
            configurations: [widget-config.yaml]
            images:
            - name: widget
              newTag: "3.1"
            configMapGenerator:
            - name: widget-settings
              literals: [SIZE=large]
            """,
            "app/widget-config.yaml": """
            nameReference:
            - kind: ConfigMap
              version: v1
              fieldSpecs:
              - path: spec/settingsRef/name
                kind: Widget
            commonLabels:
            - path: spec/selector/matchLabels
              kind: Widget
              create: true
            images:
            - path: spec/runner/image
              kind: Widget
            varReference:
            - path: spec/greeting
              kind: Widget
            """,
        ],
        "build-metadata": [
            "base/kustomization.yaml": """
            resources: [s.yaml]
            configMapGenerator:
            - name: c
              literals: [x=1]
            """,
            "base/s.yaml": """
            apiVersion: v1
            kind: Service
            metadata: {name: s}
            """,
            "overlay/kustomization.yaml": """
            resources: [../base]
            buildMetadata: [managedByLabel, originAnnotations, transformerAnnotations]
            namePrefix: p-
            labels:
            - pairs: {tier: web}
            commonLabels: {a: b}
            images: [{name: x, newTag: "1"}]
            configMapGenerator:
            - name: c
              behavior: merge
              literals: [y=2]
            """,
        ],
        "openapi-schema": [
            "app/deploy.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec:
              template:
                spec:
                  containers: [{name: a, image: a:1}, {name: b, image: b:1}]
            """,
            "app/kustomization.yaml": """
            resources: [widget.yaml, deploy.yaml]
            openapi:
              path: schema.json
            patches:
            - path: patch.yaml
            - patch: |-
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  template:
                    spec:
                      containers:
                      - name: b
                        image: b:2
            """,
            "app/patch.yaml": """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}
            spec:
              items: [{name: b, size: 3}]
            """,
            "app/schema.json": """
            {
              "definitions": {
                "com.example.v1.Widget": {
                  "type": "object",
                  "x-kubernetes-group-version-kind": [{"group": "example.com", "kind": "Widget", "version": "v1"}],
                  "properties": {
                    "apiVersion": {"type": "string"}, "kind": {"type": "string"},
                    "metadata": {"type": "object"},
                    "spec": {"$ref": "#/definitions/com.example.v1.WidgetSpec"}
                  }
                },
                "com.example.v1.WidgetSpec": {
                  "type": "object",
                  "properties": {
                    "items": {
                      "type": "array",
                      "items": {"$ref": "#/definitions/com.example.v1.Item"},
                      "x-kubernetes-patch-merge-key": "name",
                      "x-kubernetes-patch-strategy": "merge"
                    }
                  }
                },
                "com.example.v1.Item": {"type": "object", "properties": {"name": {"type": "string"}, "size": {"type": "integer"}}}
              }
            }
            """,
            "app/widget.yaml": """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}
            spec:
              items: [{name: a, size: 1}, {name: b, size: 2}]
            """,
        ],
        "labels-and-order": [
            "app/kustomization.yaml": """
            resources: [all.yaml]
            labels:
            - pairs: {tier: backend}
              includeTemplates: true
            generatorOptions:
              disableNameSuffixHash: true
              labels: {generated: "true"}
            configMapGenerator:
            - name: plain
              literals: [a=1, b=on]
            """,
            "app/all.yaml": """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {name: hook}
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly}
            spec:
              schedule: "0 3 * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: job, image: "busybox@sha256:1111111111111111111111111111111111111111111111111111111111111111"}]
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: runner}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: runner}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: runner}
            subjects: [{kind: ServiceAccount, name: runner}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: runner}
            rules: []
            """,
        ],
    ]

    static func build(_ files: [String: String], _ folder: String) throws -> String {
        KustomizeOutput.yaml(try KustomizeBuilder(tree: MemoryFileTree(displayName: "t", files: files.mapValues { Array($0.utf8) })).build(folder))
    }

    /// `kubectl kustomize`'s major version, nil when kubectl is missing.
    static let kubectlKustomizeMajor: Int? = {
        guard let output = try? run(["kubectl", "version", "--client"], in: "/") else { return nil }
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Kustomize Version: v") }) else { return nil }
        return Int(line.dropFirst("Kustomize Version: v".count).prefix { $0.isNumber })
    }()

    static func run(_ arguments: [String], in folder: String) throws -> String {
        try TestProcess.output(arguments, in: folder, trimmed: false, requireSuccess: true)
    }

    @Test(arguments: [("overlay-with-generators", "overlays/production"), ("labels-and-order", "app"), ("every-patch-form", "overlay"), ("components", "overlay"), ("replacements", "app"), ("vars-and-namespaces", "overlay"), ("builtin-plugins", "app"), ("configurations", "app"), ("build-metadata", "overlay"), ("openapi-schema", "app")])
    func buildsAsKubectlKustomizeDoes(_ name: String, _ folder: String) throws {
        let files = Self.corpus[name]!
        let ours = try Self.build(files, folder)
        guard let major = Self.kubectlKustomizeMajor, major >= 5 else {
            print("skipped the comparison with kubectl kustomize for \(name): kubectl with kustomize v5 or later is not installed")
            return
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gitops-kustomize-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let theirs = try Self.run(["kubectl", "kustomize", folder], in: root.path)
        #expect(ours == theirs)
    }

    /// This repository's charts inflated by `helmCharts` (values file and inline values merged each
    /// way, extra values files, CRDs, skipped tests, a patch on an inflated object), against
    /// `kubectl kustomize --enable-helm` with Helm's own SDK standing in for the helm binary.
    @Test func helmChartsInflateAsKubectlKustomizeWithHelmDoes() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var files: [String: [UInt8]] = [:]
        for chart in ["blog", "postgresql", "redis"] {
            let base = repository.appendingPathComponent("charts/\(chart)")
            for case let file as String in FileManager.default.enumerator(atPath: base.path)! {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: base.appendingPathComponent(file).path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                files["app/charts/\(chart)/\(file)"] = Array(try Data(contentsOf: base.appendingPathComponent(file)))
            }
        }
        files["app/blog-dev.yaml"] = Array(try Data(contentsOf: repository.appendingPathComponent("environments/dev/blog.yaml")))
        files["app/pg-values.yaml"] = Array("primary:\n  persistence:\n    size: 5Gi\nauth:\n  database: shop\n".utf8)
        files["app/kustomization.yaml"] = Array("""
            namespace: shop
            namePrefix: shop-
            helmCharts:
            - name: blog
              releaseName: blog
              namespace: shop
              additionalValuesFiles: [blog-dev.yaml]
              valuesInline: {replicaCount: 3}
              valuesMerge: merge
            - name: postgresql
              releaseName: db
              includeCRDs: true
              skipTests: true
              valuesFile: pg-values.yaml
              valuesInline: {primary: {persistence: {size: 2Gi}}}
            - name: redis
              releaseName: cache
              skipHooks: true
              valuesInline: {replicaCount: 2}
              valuesMerge: replace
            patches:
            - target: {kind: Deployment, name: blog}
              patch: |-
                - op: replace
                  path: /spec/replicas
                  value: 4

            """.utf8)
        let ours = KustomizeOutput.yaml(try KustomizeBuilder(tree: MemoryFileTree(displayName: "t", files: files)).build("app"))
        #expect(ours.contains("name: shop-blog\n") && ours.contains("replicas: 4"))
        guard let major = Self.kubectlKustomizeMajor, major >= 5 else {
            print("skipped the comparison with kubectl kustomize --enable-helm: kubectl with kustomize v5 or later is not installed")
            return
        }
        guard (try? Self.run(["python3", "-c", "import helm_python"], in: "/")) != nil else {
            print("skipped the comparison with kubectl kustomize --enable-helm: Helm's SDK (pip install helm-python-sdk) is not installed")
            return
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gitops-kustomize-helm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, bytes) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let helm = repository.appendingPathComponent("scripts/helm-sdk").path
        let theirs = try Self.run(["kubectl", "kustomize", "--enable-helm", "--helm-command", helm, "app"], in: root.path)
        #expect(ours == theirs)
    }

    @Test func generatedNamesHashTheirContentAndReferencesFollow() throws {
        let output = try Self.build(Self.corpus["overlay-with-generators"]!, "overlays/production")
        // kustomize's hash of {"data":{...},"kind":"ConfigMap","name":""}: names do not change it.
        #expect(output.contains("name: prod-settings-v2-"))
        let names = output.split(separator: "\n").filter { $0.contains("prod-settings-v2-") }.map { $0.split(separator: " ").last! }
        #expect(Set(names).count == 1)
        #expect(output.contains("image: ghcr.io/me/blog:2.0"))
        #expect(output.contains("replicas: 3"))
        // Namespace first in the legacy order, the Deployment after the Service.
        #expect(output.hasPrefix("apiVersion: v1\nkind: Namespace\n"))
    }

    @Test func unsupportedAndRemoteInputsAreRefusedWithTheirLine() {
        let unsupported = ["k/kustomization.yaml": "resources: []\nvalidators:\n- v.yaml\n"]
        #expect(throws: DiagnosticError.self) { try Self.build(unsupported, "k") }
        do { _ = try Self.build(unsupported, "k") } catch let error as DiagnosticError {
            #expect(error.diagnostics.first?.location == SourceLocation(file: "k/kustomization.yaml", line: 2, column: 1))
            #expect(error.diagnostics.first?.message.contains("KRM functions") == true)
        } catch {}
        // A missing patch file is reported at its entry; one outside the folder is refused as kustomize refuses it.
        let missing = ["k/kustomization.yaml": "resources: []\npatches:\n- path: p.yaml\n"]
        do { _ = try Self.build(missing, "k"); Issue.record("a missing patch was accepted") } catch let error as DiagnosticError {
            #expect(error.diagnostics.first?.location == SourceLocation(file: "k/kustomization.yaml", line: 3, column: 3))
            #expect(error.diagnostics.first?.message.contains("does not exist") == true)
        } catch { Issue.record("\(error)") }
        let outside = ["k/kustomization.yaml": "resources: []\npatches:\n- path: ../p.yaml\n", "p.yaml": "kind: ConfigMap\nmetadata: {name: x}\n"]
        do { _ = try Self.build(outside, "k"); Issue.record("a patch outside the kustomization was read") } catch let error as DiagnosticError {
            #expect(error.diagnostics.first?.message.hasPrefix("security;") == true)
        } catch { Issue.record("\(error)") }
        let remote = ["k/kustomization.yaml": "resources:\n- https://github.com/x/y//base?ref=v1\n"]
        do { _ = try Self.build(remote, "k"); Issue.record("a remote resource was accepted") } catch let error as DiagnosticError {
            #expect(error.diagnostics.first?.location?.line == 2)
            #expect(error.diagnostics.first?.message.contains("offline") == true)
        } catch { Issue.record("\(error)") }
        // A malformed Secret literal is reported by its position, never by its text.
        let secret = ["k/kustomization.yaml": "secretGenerator:\n- name: db\n  literals: [hunter2-no-equals]\n"]
        do { _ = try Self.build(secret, "k"); Issue.record("a literal without = was accepted") } catch let error as DiagnosticError {
            #expect(error.description.contains("literal 1 of Secret 'db' is not key=value"))
            #expect(!error.description.contains("hunter2"))
        } catch { Issue.record("\(error)") }
        // A Component is listed under components, and only there.
        var misplaced = Self.corpus["components"]!
        misplaced["overlay/kustomization.yaml"] = "resources: [../base, ../comp/ha]\n"
        do { _ = try Self.build(misplaced, "overlay"); Issue.record("a component under resources was accepted") } catch let error as DiagnosticError {
            #expect(error.diagnostics.first?.message.hasPrefix("expected kind != 'Component'") == true, "\(error)")
            #expect(error.diagnostics.first?.location?.line == 1)
        } catch { Issue.record("\(error)") }
        // A KRM function is a program from the repository: refused, with what to do instead.
        let function = ["k/kustomization.yaml": "transformers: [fn.yaml]\n", "k/fn.yaml": """
            apiVersion: example.com/v1
            kind: Setter
            metadata:
              name: x
              annotations:
                config.kubernetes.io/function: |
                  exec: {path: ./run.sh}

            """]
        do { _ = try Self.build(function, "k"); Issue.record("a KRM function was run") } catch let error as DiagnosticError {
            #expect(error.diagnostics.first?.message.contains("is a KRM function") == true, "\(error)")
            #expect(error.diagnostics.first?.location?.file == "k/fn.yaml")
        } catch { Issue.record("\(error)") }
        // All the problems of a build at once: misspelt fields (with what was meant), then every
        // resource that does not load, every patch that fails.
        let misspelt = ["k/kustomization.yaml": "nameprefx: x-\ncommonLabel: {a: b}\n"]
        do { _ = try Self.build(misspelt, "k"); Issue.record("misspelt fields were accepted") } catch let error as DiagnosticError {
            #expect(error.diagnostics.map(\.message) == ["unknown field 'nameprefx' in a kustomization; did you mean 'namePrefix'?",
                                                         "unknown field 'commonLabel' in a kustomization; did you mean 'commonLabels'?"])
        } catch { Issue.record("\(error)") }
        let broken = ["k/kustomization.yaml": "resources: [a.yaml, missing.yaml, ../nowhere]\n", "k/a.yaml": "kind: ConfigMap\nmetadata: {name: a}\n"]
        do { _ = try Self.build(broken, "k"); Issue.record("missing resources were accepted") } catch let error as DiagnosticError {
            #expect(error.diagnostics.map { $0.location?.column } == [21, 35], "\(error)")
        } catch { Issue.record("\(error)") }
        let patches = ["k/kustomization.yaml": "resources: [a.yaml]\npatches:\n- path: nope.yaml\n- path: nope2.yaml\n", "k/a.yaml": "kind: ConfigMap\nmetadata: {name: a}\n"]
        do { _ = try Self.build(patches, "k"); Issue.record("missing patches were accepted") } catch let error as DiagnosticError {
            #expect(error.diagnostics.map { $0.location?.line } == [3, 4], "\(error)")
        } catch { Issue.record("\(error)") }
        let cycle = ["a/kustomization.yaml": "resources: [../b]\n", "b/kustomization.yaml": "resources: [../a]\n"]
        do { _ = try Self.build(cycle, "a"); Issue.record("a cycle was accepted") } catch let error as DiagnosticError {
            #expect(error.diagnostics.first?.message.hasPrefix("cycle:") == true)
        } catch { Issue.record("\(error)") }
    }
}
