// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "gitops",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gitops", targets: ["gitops"]),
        .executable(name: "conformance", targets: ["conformance"]),
        .executable(name: "kube-test-server", targets: ["kube-test-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // The dashboard's server and templates; swift-configuration (a default trait) is not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        /** System-library module map for libgit2 (Debian `libgit2-dev`). */
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        /** System-library module map for libyaml (Debian `libyaml-dev`). */
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        /** System-library module map for zlib (Debian `zlib1g-dev`), for packaged charts. */
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        /** Source locations, diagnostics, the generic value tree and the read-only file-tree protocol. */
        .target(name: "Basics"),
        /** libyaml parsing into marked nodes, Kubernetes/YAML 1.2 scalar resolution, emitting and format-preserving edits. */
        .target(name: "YAML", dependencies: ["Basics", "CYAML"], exclude: ["README.md"]),
        /** libgit2 wrapper: open repositories, resolve revisions, read commit trees as file trees. */
        .target(name: "Git", dependencies: ["Basics", "CGit2"]),
        /** Unsigned multi-precision integers and Montgomery exponentiation, for seeded RSA keys and π's digits.
            Always compiled optimized: key generation in a debug build would otherwise take seconds. */
        .target(name: "Multiprecision", swiftSettings: [.unsafeFlags(["-O"])]),
        /** Go's text/template in Swift: lexer, parser, executor, builtins, Go fmt; knows nothing of Kubernetes or YAML. */
        .target(name: "Template", dependencies: [
            "Basics", "Multiprecision",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        /** Kubernetes objects, group/version/kind, resource keys, provenance, scope and install order. */
        .target(name: "KubeModel", dependencies: ["Basics", "YAML"]),
        /** Helm charts: loading, values coalescing, Helm's template functions and objects, rendering. */
        .target(name: "Charts", dependencies: ["Basics", "YAML", "Template", "KubeModel", "JSONSchema", "CZlib"]),
        /** kustomize, natively: kustomizations built as `kubectl kustomize` v5.5 builds them without plugins (resources, components, generators, helm charts, patches, transformers, replacements, vars, name references, order), byte for byte. */
        .target(name: "Kustomize", dependencies: ["Basics", "YAML", "KubeModel", "Charts", .product(name: "Crypto", package: "swift-crypto")]),
        /** Charts from where teams keep them: Helm repositories (index, archives, digests), a content-addressed cache, locks. */
        .target(name: "ChartSources", dependencies: [
            "Basics", "YAML", "Template", "RepoModel", "Charts",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        /** Secrets in Git: SOPS files (AES-256-GCM values, MAC) with age keys (X25519, scrypt, the age format), decrypted in memory. */
        .target(name: "Secrets", dependencies: [
            "Basics", "YAML",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        /** Loads and checks gitops.yaml and environments/<env>/environment.yaml from a file tree. */
        .target(name: "RepoModel", dependencies: ["Basics", "YAML", "Kustomize", "Rollouts", "Notifications"]),
        /** JSON Schema: compile (with $ref across files), validate values, report paths and messages. */
        .target(name: "JSONSchema", dependencies: ["Basics"]),
        /** Schema validation of Kubernetes objects (kubeconform-layout folders, CRDs) and policies → findings. */
        .target(name: "Validation", dependencies: ["Basics", "YAML", "KubeModel", "JSONSchema"]),
        /** The Kubernetes client: kubeconfig (merged as kubectl does), credentials, HTTPS, discovery, get/list/apply/delete, typed errors, retries; live state for diffs. */
        .target(name: "Cluster", dependencies: [
            "Basics", "YAML", "KubeModel",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], exclude: ["README.md"]),
        /** A Kubernetes API server in memory, for tests: discovery, storage, defaults, server-side apply. A test double, not a cluster. */
        .target(name: "KubeTestServer", dependencies: [
            "Basics", "YAML", "KubeModel", "Kustomize",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], exclude: ["README.md"]),
        /** Drift: normalise desired and live objects, pair them, compare the fields Git sets, ignore rules. */
        .target(name: "Drift", dependencies: ["Basics", "YAML", "KubeModel", "RepoModel", .product(name: "Crypto", package: "swift-crypto")]),
        /** Renders an environment's releases (plain manifests now, charts later) into ordered objects. */
        .target(name: "Render", dependencies: ["Basics", "YAML", "KubeModel", "RepoModel", "Charts", "Kustomize", "ChartSources", "Secrets", "Rollouts"]),
        /** Gates: render environments and check their objects against schemas and policies (validate, promotion gates). */
        .target(name: "Gates", dependencies: ["Basics", "KubeModel", "RepoModel", "Render", "ChartSources", "Secrets", "JSONSchema", "Validation", "Rollouts"]),
        /** Previews: every environment's render compared between two revisions, with findings; text, Markdown (pull-request comments) and JSON. */
        .target(name: "Preview", dependencies: ["Basics", "KubeModel", "RepoModel", "Render", "Drift", "Gates", "Validation", "Secrets"]),
        /** Pull requests on GitHub and merge requests on GitLab for pushed promotion branches (REST, async-http-client). */
        .target(name: "PullRequests", dependencies: [
            "Basics",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        /** Rollouts: analysis of a progressive rollout (Prometheus queries, HTTP smoke checks) with failure and inconclusive limits. */
        .target(name: "Rollouts", dependencies: [
            "Basics", "YAML", "KubeModel",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], exclude: ["README.md"]),
        /** Notifications: rules in gitops.yaml, Slack and JSON webhooks, GitHub commit statuses and e-mail (SMTP), delivered in the background with retries, de-duplication and a rate limit. */
        .target(name: "Notifications", dependencies: [
            "Basics", "YAML",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], exclude: ["README.md"]),
        /** Dashboard: environments, objects live, drift, findings, rollouts, history, comparisons and branches as HTML pages and JSON, for `gitops ui` and the sync job (Hummingbird, swift-mustache). */
        .target(name: "Dashboard", dependencies: [
            "Basics", "KubeModel", "RepoModel", "Render", "Gates", "Secrets", "ChartSources", "Validation", "Cluster", "Drift", "Rollouts", "Sync",
            "Git", "Preview", "Promotion",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
        ], exclude: ["README.md"]),
        /** Promotions: plans (effective values, format-preserving edits), branch commits, gates, merges, history, rollback. */
        .target(name: "Promotion", dependencies: [
            "Basics", "YAML", "Git", "KubeModel", "RepoModel", "Render", "ChartSources", "Secrets", "Kustomize", "Drift", "Gates", "Validation",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        /** Sync: order, apply, prune by inventory, hooks, health per kind, status — converging a cluster to an environment. */
        .target(name: "Sync", dependencies: [
            "Basics", "KubeModel", "Cluster", "Drift", "Git", "RepoModel", "Render", "ChartSources", "Secrets", "Gates", "Rollouts", "Promotion", "Notifications",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], exclude: ["README.md"]),
        /** The `gitops` commands: argument parsing and output only. */
        .target(name: "GitopsCLI", dependencies: [
            "Basics", "YAML", "Git", "KubeModel", "RepoModel", "Render", "Charts", "ChartSources", "Secrets", "Kustomize", "JSONSchema", "Validation", "Drift", "Cluster", "Gates", "Preview", "Promotion", "PullRequests", "Sync", "Dashboard", "Notifications",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        /** The `gitops` executable. */
        .executableTarget(name: "gitops", dependencies: ["GitopsCLI"]),
        /** `kube-test-server`: the test API server as a process, for kubectl and end-to-end tests. */
        .executableTarget(name: "kube-test-server", dependencies: [
            "Basics", "YAML", "KubeTestServer", "Validation", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        /** Runs third-party conformance suites (shared/conformance) and prints pass counts. */
        .executableTarget(name: "conformance", dependencies: ["Basics", "YAML", "Template", "Charts", "Kustomize", "Validation"]),
        /** Measures YAML parsing and Git tree reading for bench/. */
        /** libFuzzer harnesses (scripts/fuzz builds them with -sanitize=fuzzer). */
        .executableTarget(name: "fuzz", dependencies: [
            "Basics", "YAML", "Charts", "Cluster", "RepoModel", "JSONSchema", "Validation", "KubeModel", "Kustomize", "Sync",
            .product(name: "Crypto", package: "swift-crypto"),
        ], path: "fuzz/harnesses", swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(name: "gitops-bench", dependencies: ["Basics", "YAML", "Git", "Charts", "ChartSources", "RepoModel", "Render", "Template", "KubeModel", "Kustomize", "JSONSchema", "Validation", "Drift"], path: "bench/Sources/gitops-bench"),

        /** The process runner the test targets share. */
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "BasicsTests", dependencies: ["Basics"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML", "Basics"]),
        .testTarget(name: "GitTests", dependencies: ["Git", "Basics"]),
        .testTarget(name: "KustomizeTests", dependencies: ["TestSupport", "Kustomize", "Basics"]),
        .testTarget(name: "TemplateTests", dependencies: ["Template", "Basics", "Multiprecision"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts", "Basics"], exclude: ["Goldens", "Charts", "cases.json"]),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel", "Basics"]),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "KubeTestServer", "Basics"]),
        .testTarget(name: "DriftTests", dependencies: ["Drift", "KubeModel", "RepoModel", "YAML", "Basics"], exclude: ["Fixtures"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "Basics"]),
        .testTarget(name: "SecretsTests", dependencies: ["Secrets", "YAML", "Basics"]),
        .testTarget(name: "ChartSourcesTests", dependencies: ["ChartSources", "Charts", "RepoModel", "Basics"]),
        .testTarget(name: "ValidationTests", dependencies: ["Validation", "JSONSchema", "KubeModel", "Basics"], exclude: ["Corpus", "PolicyCases"]),
        .testTarget(name: "RenderTests", dependencies: ["Render", "RepoModel", "KubeModel", "Git", "YAML", "Basics"],
                    exclude: ["Goldens"]),
        .testTarget(name: "SyncTests", dependencies: ["TestSupport", "Sync", "Rollouts", "Cluster", "KubeTestServer", "Git", "KubeModel", "YAML", "Basics", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "PreviewTests", dependencies: ["Preview", "Render", "RepoModel", "Drift", "KubeModel", "Basics"]),
        .testTarget(name: "PullRequestsTests", dependencies: ["PullRequests"]),
        .testTarget(name: "RolloutsTests", dependencies: ["TestSupport", "Rollouts", "KubeModel", "YAML", "Basics"]),
        .testTarget(name: "NotificationsTests", dependencies: ["TestSupport", "Notifications", "YAML", "Basics"]),
        .testTarget(name: "PromotionTests", dependencies: ["TestSupport", "Promotion", "Gates", "Git", "Validation", "Basics"]),
        .testTarget(name: "GitopsCLITests", dependencies: ["TestSupport", "gitops", "kube-test-server", "Cluster", "KubeTestServer", "KubeModel", "Validation", "YAML", "Basics", "Notifications"]),
    ],
    swiftLanguageModes: [.v6]
)
