import ArgumentParser
import Basics
import Cluster
import Foundation
import KubeModel
import RepoModel
import Rollouts

/// `--kubeconfig` and `--context`, shared by every command that talks to a cluster.
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: "The kubeconfig to read (default: KUBECONFIG's files merged, else ~/.kube/config).")
    var kubeconfig: String?

    @Option(name: .long, help: "The kubeconfig context (default: the environment's spec.cluster.context, else the current context).")
    var context: String?

    @Flag(name: .long, help: "Use the pod's service account (KUBERNETES_SERVICE_HOST/PORT, the mounted token and CA) whatever the environment names.")
    var inCluster = false

    @Option(name: .long, help: "Limit requests per second to the API server, after --burst (default: no client-side limit; the server's 429 answers are honoured).")
    var qps: Double = 0

    @Option(name: .long, help: "Requests allowed at once before --qps applies.")
    var burst: Int = 100

    @Option(name: .long, help: "How long one API call may take, retries included: connecting, the TLS handshake and the whole answer (a Go duration such as 30s or 2m, or seconds).")
    var requestTimeout = DurationArgument(seconds: 30)

    /// The client for `environment`'s cluster: `--context`, else the environment's context or
    /// in-cluster service account, else the kubeconfig's current context.
    func client(for environment: Environment) throws -> KubeClient {
        do {
            let connection: ClusterConnection
            switch (context, environment.cluster) {
            case _ where inCluster:
                connection = try ClusterConnection.inCluster()
            case (nil, .inCluster) where kubeconfig == nil:
                connection = try ClusterConnection.inCluster()
            case (nil, .context(let name)):
                connection = try KubeConfig.load(explicitPath: kubeconfig).connection(context: name)
            default:
                connection = try KubeConfig.load(explicitPath: kubeconfig).connection(context: context)
            }
            guard requestTimeout.seconds >= 1 else { throw CommandFailure("--request-timeout must be at least a second (such as 30s or 2m), not \(requestTimeout.seconds) s") }
            return try KubeClient(connection: connection, qps: qps, burst: burst, timeoutSeconds: Int(requestTimeout.seconds.rounded(.up)))
        } catch let error as DiagnosticError {
            throw error  // a broken kubeconfig: its own file:line:col
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

extension ClusterOptions {
    /// A cluster error for the terminal: the server named once.
    static func failure(_ error: ClusterError, client: KubeClient) -> CommandFailure {
        let server = client.connection.server.absoluteString
        let text = "\(error)"
        return CommandFailure(text.contains(server) ? text : "\(server): \(text)")
    }

    /// The live state of `environment` for `desired`, warnings printed; cluster errors name the server.
    func liveState(of environment: Environment, desired: [Object], serverSide: Bool,
                   owner: @escaping @Sendable (ResourceKey, String?) -> String = { _, _ in "" }) throws -> LiveState {
        let client = try client(for: environment)
        let name = environment.name
        var state: LiveState
        do {
            state = try Blocking.run { try await LiveState.read(client: client, desired: desired, environment: name, serverSide: serverSide, owner: owner) }
        } catch let error as ClusterError {
            throw ClusterOptions.failure(error, client: client)
        }
        for warning in state.warnings { Output.error("warning: \(warning)") }
        // What a rollout in progress adds (its canary or preview Deployment, Service and Ingress,
        // its smoke-test Jobs) is the sync job's to remove, not drift nor a prune candidate.
        state.live.removeAll(where: CanaryObjects.isRolloutExtra)
        return state
    }
}

/// A duration flag: Go's form (`90s`, `5m`, `1h30m`, `1.5h`) or bare seconds.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    init?(argument: String) {
        guard let seconds = GoDuration.seconds(argument), seconds >= 0 else { return nil }
        self.seconds = seconds
    }

    var defaultValueDescription: String { seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s" }
}
