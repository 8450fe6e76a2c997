import Basics
import KubeModel

/// When an object is applied: hooks before and after, the main objects in waves.
public enum SyncPhase: Int, Sendable, Comparable {
    case preSync, main, postSync
    public static func < (a: SyncPhase, b: SyncPhase) -> Bool { a.rawValue < b.rawValue }
}

/// The order a sync applies an environment's objects in.
public struct SyncPlan: Sendable {
    public struct Step: Sendable {
        public var phase: SyncPhase
        /// `gitops/sync-wave` (CRDs and Namespaces go first, in a wave of their own).
        public var wave: Int
        public var object: Object
    }

    public var steps: [Step]
    /// Objects a sync never applies: Helm test hooks (run by `helm test` only) and hooks of
    /// operations a sync has no counterpart for (delete, rollback).
    public var skipped: [Object] = []

    public static let waveAnnotation = "gitops/sync-wave"
    public static let hookAnnotation = "gitops/hook"

    /// Orders `objects` (already in Helm's install order): pre-sync hooks, then CRDs and Namespaces,
    /// then each wave in turn, then post-sync hooks; install order within each.
    public init(_ objects: [Object]) throws(SyncError) {
        var steps: [Step] = []
        for object in objects {
            guard let phase = try Self.phase(of: object) else {
                skipped.append(object)
                continue
            }
            var wave = 0
            if let text = object.annotation(Self.waveAnnotation) {
                guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
                    throw SyncError.invalid("\(object.displayName): \(Self.waveAnnotation) is '\(text)', not an integer (\(object.provenance.location))")
                }
                wave = number
            }
            if phase == .main, object.kind == "CustomResourceDefinition" || object.kind == "Namespace" { wave = Int.min }
            steps.append(Step(phase: phase, wave: wave, object: object))
        }
        // A stable sort keeps the install order within a phase and wave.
        self.steps = steps.enumerated().sorted { a, b in
            (a.element.phase, a.element.wave, a.offset) < (b.element.phase, b.element.wave, b.offset)
        }.map(\.element)
    }

    /// The phase `object` is applied in; nil for a Helm hook a sync does not run.
    static func phase(of object: Object) throws(SyncError) -> SyncPhase? {
        if let hook = object.annotation(hookAnnotation) {
            switch hook {
            case "pre-sync": return .preSync
            case "post-sync": return .postSync
            default: throw SyncError.invalid("\(object.displayName): \(hookAnnotation) is '\(hook)'; use pre-sync or post-sync (\(object.provenance.location))")
            }
        }
        switch HelmHook.syncRole(of: object) {
        case .preSync?: return .preSync
        case .postSync?: return .postSync
        case .notApplied?: return nil
        case nil: return .main
        }
    }

    public var hooks: [Object] { steps.filter { $0.phase != .main }.map(\.object) }
    public var mainObjects: [Object] { steps.filter { $0.phase == .main }.map(\.object) }

    /// The main objects grouped by wave, in order.
    public var waves: [[Object]] {
        var groups: [[Object]] = []
        var current: Int?
        for step in steps where step.phase == .main {
            if step.wave != current { groups.append([]); current = step.wave }
            groups[groups.count - 1].append(step.object)
        }
        return groups
    }
}

/// Why a sync could not run or converge.
public enum SyncError: Error, Sendable, CustomStringConvertible {
    case invalid(String)
    case refused(String)
    case hookFailed(String)
    /// The revision does not render or fails an error-level gate: nothing of it is applied.
    case blocked(String, findings: [String])
    /// A stop was asked for (SIGTERM): the object in progress was finished, nothing after it started.
    case interrupted(String)

    public var description: String {
        switch self {
        case .invalid(let message), .refused(let message), .hookFailed(let message), .blocked(let message, _), .interrupted(let message):
            return message
        }
    }

    /// The result recorded in the status ConfigMap for this failure.
    public var statusResult: String {
        switch self {
        case .blocked: return "Blocked"
        case .interrupted: return "Interrupted"
        default: return "Failed"
        }
    }
}
