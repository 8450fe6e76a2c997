import Foundation

/// What the dashboard shows, computed once per refresh and served from memory: every page and
/// its JSON twin (`/api/v1/...`) read the same values. Secret values are never in it.
public struct DashboardSnapshot: Sendable, Codable {
    /// Where the repository was read (a revision, or "working tree of <commit>").
    public var revision: String
    /// When it was read (seconds since 1970).
    public var loadedAt: Double
    public var environments: [EnvironmentView]
}

/// One environment, as the environments page lists it and its page shows it.
public struct EnvironmentView: Sendable, Codable {
    public var name: String
    public var namespace: String
    /// The environment it promotes from (`promotion.from`).
    public var promotesFrom: String?
    /// The environments that promote from it.
    public var promotesTo: [String]
    public var releases: [ReleaseView]
    public var objectCount: Int
    public var errors: Int
    public var warnings: Int
    public var findings: [FindingView]
    /// Why it does not render or load, when it does not.
    public var renderError: String?
    /// Its cluster, when it could be read.
    public var cluster: ClusterView?
    /// Why its cluster could not be read (no context, unreachable), when it could not.
    public var clusterError: String?
    /// Why the objects could not be read live (the last sync's record still was).
    public var liveError: String?
    /// Objects whose live state differs from Git's (out of sync or missing), when the cluster was read.
    public var outOfSync: Int?
    /// Objects that are not healthy, when the cluster was read.
    public var unhealthy: Int?
    /// What differs: each object out of sync or missing, and each live object Git no longer has.
    public var drift: [DriftView] = []
}

/// One object whose live state differs from Git's.
public struct DriftView: Sendable, Codable {
    /// `apps/v1 Deployment blog-production/blog`.
    public var title: String
    /// `out of sync`, `missing`, `not in Git`.
    public var action: String
    /// The object's page, when Git has it.
    public var path: String?
    /// A unified diff from live to Git (Secret values as fingerprints).
    public var diff: [String]
}

/// A release's objects by kind, in install order.
public struct ReleaseView: Sendable, Codable {
    public var name: String
    public var source: String
    public var kinds: [KindView]
    public var rollout: String?
}

public struct KindView: Sendable, Codable {
    public var kind: String
    public var objects: [ObjectRef]
}

/// An object's address and where it comes from.
public struct ObjectRef: Sendable, Codable {
    public var kind: String
    public var namespace: String
    public var name: String
    public var file: String
    public var line: Int
    /// `/environments/<env>/objects/<kind>/<namespace>/<name>`.
    public var path: String
    /// `Synced`, `OutOfSync` or `Missing`, when the cluster was read.
    public var sync: String?
    /// `Healthy`, `Progressing: ...` or `Degraded: ...`, when the object exists.
    public var health: String?
}

public struct FindingView: Sendable, Codable {
    public var severity: String
    public var rule: String
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var object: String
}

/// What the environment's cluster records: the last sync and each rollout.
public struct ClusterView: Sendable, Codable {
    public var result: String
    public var revision: String
    public var time: String
    public var message: String
    public var rollouts: [RolloutView]

    public init(result: String, revision: String, time: String, message: String, rollouts: [RolloutView]) {
        self.result = result
        self.revision = revision
        self.time = time
        self.message = message
        self.rollouts = rollouts
    }
}

public struct RolloutView: Sendable, Codable {
    public var workload: String
    public var phase: String
    public var step: Int
    public var weight: Int
    public var revision: String
    public var message: String
    public var analysis: [String]

    public init(workload: String, phase: String, step: Int, weight: Int, revision: String, message: String, analysis: [String]) {
        self.workload = workload
        self.phase = phase
        self.step = step
        self.weight = weight
        self.revision = revision
        self.message = message
        self.analysis = analysis
    }
}

/// One object's page: its rendered YAML (Secret values masked) and where it comes from.
public struct ObjectView: Sendable, Codable {
    public var environment: String
    public var ref: ObjectRef
    public var release: String
    /// The rendered object, Secret values masked.
    public var yaml: String
    /// The object as the cluster has it, when it was read (Secret values masked).
    public var live: String?
    /// A unified diff from live to Git, when they differ.
    public var diff: [String] = []
    /// `Synced`, `OutOfSync` or `Missing`, when the cluster was read.
    public var sync: String?
    /// The live object's health, when it exists.
    public var health: String?
}
