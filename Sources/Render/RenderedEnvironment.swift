import Basics
import KubeModel
import RepoModel

/// The objects an environment renders to, in install order.
public struct RenderedEnvironment: Sendable {
    public var environment: Environment
    public var objects: [Object]

    public init(environment: Environment, objects: [Object]) {
        self.environment = environment
        self.objects = objects
    }
}
