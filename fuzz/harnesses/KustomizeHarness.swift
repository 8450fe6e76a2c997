// The kustomization loader and builder: an overlay's kustomization.yaml, a resource, and a base's
// kustomization.yaml (parts split at `@@@@` lines) build or fail with a diagnostic, and build the
// same twice.
import Basics
import Foundation
import Kustomize

let kustomizeHarness = Harness(
    name: "kustomize",
    checks: "kustomizations load and build or fail, never crash or hang, and build the same twice"
) { bytes in
    let input = parts(bytes, 3)
    let files: [String: [UInt8]] = [
        "app/kustomization.yaml": Array(input[0].utf8),
        "app/resource.yaml": Array(input[1].utf8),
        "app/config.env": Array("A=1\nB=two\n".utf8),
        "base/kustomization.yaml": Array(input[2].utf8),
        "base/deployment.yaml": Array("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, labels: {app: web}}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: nginx:1.25, envFrom: [{configMapRef: {name: cfg}}]}]}
            """.utf8),
    ]
    let tree = MemoryFileTree(displayName: "fuzz", files: files)
    let builder = KustomizeBuilder(tree: tree, renderTime: Date(timeIntervalSince1970: 0))
    let first = Result { try builder.build("app") }
    guard case .success(let a) = first else { return }
    guard case .success(let b) = Result(catching: { try builder.build("app") }),
          KustomizeOutput.yaml(a) == KustomizeOutput.yaml(b) else {
        failed("two builds differ", "kustomization.yaml:\n\(input[0])")
    }
}
