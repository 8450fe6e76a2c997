import Basics
import KubeModel
import RepoModel

/// What the other environments of a repository render that an environment renders or could
/// prune: several environments on one cluster often render the same CustomResourceDefinition,
/// ClusterRole or Namespace, and one of them must never delete what another still has in Git.
public struct SharedObjects: Sendable {
    /// Objects other environments render, with the names of those environments.
    public var renderedBy: [ResourceKey: Set<String>] = [:]
    /// Other environments that share the cluster but did not load or render: what they hold is unknown.
    public var unknown: [String] = []
    /// The other environments that share the cluster, with their namespaces (where their inventories live).
    public var siblings: [(name: String, namespace: String)] = []
    /// How the other environments render the objects `own` holds (see `of`): by object, by environment.
    public var versions: [ResourceKey: [String: Object]] = [:]

    public init() {}

    /// Renders every other environment of `model` that may share `environment`'s cluster (the same
    /// `spec.cluster`, or either one unspecified or in-cluster: only two different kubeconfig
    /// contexts are taken to be different clusters). Their versions of the objects in `own` (the
    /// environment's render) are kept, to tell a shared object rendered alike from one rendered differently.
    public static func of(_ environment: Environment, in model: EnvironmentRepository, renderer: Renderer, own: [Object] = []) -> SharedObjects {
        var shared = SharedObjects()
        let ownKeys = Set(own.map(\.key))
        for other in model.environments where other.name != environment.name && mayShareCluster(environment.cluster, other.cluster) {
            shared.siblings.append((other.name, other.namespace))
            guard let objects = try? renderer.render(other).objects else {
                shared.unknown.append(other.name)
                continue
            }
            for object in objects {
                shared.renderedBy[object.key, default: []].insert(other.name)
                if ownKeys.contains(object.key) { shared.versions[object.key, default: [:]][other.name] = object }
            }
        }
        for broken in model.broken where broken.name != environment.name {
            if let partial = broken.partial, !mayShareCluster(environment.cluster, partial.cluster) { continue }
            shared.unknown.append(broken.name)
            if let namespace = broken.partial?.namespace, !namespace.isEmpty { shared.siblings.append((broken.name, namespace)) }
        }
        shared.unknown.sort()
        return shared
    }

    static func mayShareCluster(_ a: ClusterTarget, _ b: ClusterTarget) -> Bool {
        if case .context(let x) = a, case .context(let y) = b { return x == y }
        return true
    }
}
