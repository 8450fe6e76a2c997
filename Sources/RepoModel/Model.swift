import Basics
import Notifications
import Rollouts
import YAML

/// The loaded, checked contents of an environments repository.
public struct EnvironmentRepository: Sendable {
    public var settings: RepositorySettings
    /// Environments sorted by name (the ones that load without an error).
    public var environments: [Environment]
    /// Environments whose files have errors, sorted by name: left out of `environments`, so that one
    /// broken environment does not stop commands about the others.
    public var broken: [BrokenEnvironment]

    public init(settings: RepositorySettings, environments: [Environment], broken: [BrokenEnvironment] = []) {
        self.settings = settings
        self.environments = environments
        self.broken = broken
    }

    public func environment(named name: String) -> Environment? { environments.first { $0.name == name } }

    public func brokenEnvironment(named name: String) -> BrokenEnvironment? { broken.first { $0.name == name } }
}

/// An environment whose `environment.yaml` (or folder) has errors.
public struct BrokenEnvironment: Sendable {
    /// The folder name under `environments/`.
    public var name: String
    public var problems: [Diagnostic]
    /// What could be read of it (its namespace and cluster, for recording a blocked sync), when the
    /// file parsed at all.
    public var partial: Environment?

    /// `environment 'dev' does not load (2 errors, the first: FILE:7:14: ...)`.
    public var summary: String {
        let errors = problems.filter { $0.severity == .error }
        let first = errors.first.map { d in (d.location.map { "\($0): " } ?? "") + d.message } ?? "unknown problem"
        return "environment '\(name)' does not load (\(errors.count) error\(errors.count == 1 ? "" : "s"), the first: \(first))"
    }
}

/// `gitops.yaml`: optional repository-wide settings.
public struct RepositorySettings: Sendable, Hashable {
    /// Deprecated forms found in gitops.yaml (`file:line:col: warning: ...`), for commands to print.
    public var deprecations: [String] = []
    /// Environments in promotion order (`promotion.order`).
    public var promotionOrder: [String] = []
    /// `validation.kubernetesVersion`, e.g. `1.31`.
    public var kubernetesVersion: String?
    /// `validation.schemaLocations`: repository-relative folders of JSON schemas.
    public var schemaLocations: [String] = []
    /// `validation.crds`: repository-relative folders of CustomResourceDefinition manifests whose
    /// schemas validate custom resources (besides CRDs rendered in the environment).
    public var crdPaths: [String] = []
    /// `validation.strict`: reject unknown fields and kinds without schema.
    public var strictValidation = false
    /// `validation.lenient`: unknown kinds and removed API versions of built-in groups are
    /// warnings, and unknown fields of built-in kinds pass.
    public var lenientValidation = false
    /// `policies.paths`: repository-relative folders of policies (default `policies` when it exists).
    public var policyPaths: [String] = []
    /// Who hears about what (`notifications:`).
    public var notifications = NotificationSettings()

    public init() {}
}

/// Where an environment is deployed.
public enum ClusterTarget: Sendable, Hashable, CustomStringConvertible {
    case context(String)
    case inCluster
    case unspecified

    public var description: String {
        switch self {
        case .context(let name): return name
        case .inCluster: return "in-cluster"
        case .unspecified: return "-"
        }
    }
}

/// `environments/<name>/environment.yaml`.
public struct Environment: Sendable, Hashable {
    public var name: String
    /// Repository-relative folder, `environments/<name>`.
    public var folder: String
    /// Repository-relative path of `environment.yaml`.
    public var file: String
    /// Default namespace of namespaced objects.
    public var namespace: String
    public var cluster: ClusterTarget
    /// `spec.promotion.from`.
    public var promotionSource: String?
    public var releases: [Release]
    /// `spec.ignoreDifferences`: fields that neither diff nor sync compare or change.
    public var ignoreDifferences: [IgnoreDifference] = []
}

/// One `spec.ignoreDifferences` entry: which objects (kind, optionally group, name, namespace)
/// and which fields (JSON pointers such as `/spec/replicas`, or paths such as `.spec.replicas`).
public struct IgnoreDifference: Sendable, Hashable {
    public var group: String?
    public var kind: String
    public var name: String?
    public var namespace: String?
    public var paths: [String]

    public init(group: String? = nil, kind: String, name: String? = nil, namespace: String? = nil, paths: [String]) {
        self.group = group
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.paths = paths
    }
}

/// One entry of `spec.releases`.
public struct Release: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// A Helm-format chart folder (repository-relative) with values files (repository-relative,
        /// in merge order), inline values (merged last) and the value paths promotions copy.
        case chart(path: String, valuesFiles: [String], values: Value, promote: [ValuePath])
        /// A chart from a Helm repository or an OCI registry, pinned by the environment's
        /// `charts.lock`, with the same values and promotions as a chart folder.
        case remoteChart(RemoteChart, valuesFiles: [String], values: Value, promote: [ValuePath])
        /// A folder of plain manifests (repository-relative).
        case manifests(path: String)
        /// A kustomization folder (repository-relative) built as `kubectl kustomize` builds it, the
        /// folders it reads (its own first: bases and components) and the kustomization entries
        /// promotions copy (`images[name=app].newTag`, `replicas[name=web].count`).
        case kustomize(path: String, inputs: [String], promote: [ValuePath])

        /// A chart folder or a remote chart (both take values).
        public var isChart: Bool {
            switch self {
            case .chart, .remoteChart: true
            case .manifests, .kustomize: false
            }
        }
    }

    public var name: String
    public var source: Source
    /// A namespace overriding the environment's for this release's namespaced objects.
    public var namespace: String?
    /// Where the release is declared.
    public var location: SourceLocation
    /// How its workload rolls out (`rollout:`); nil: all at once.
    public var rollout: RolloutSpec? = nil
}
