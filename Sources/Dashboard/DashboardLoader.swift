import Basics
import ChartSources
import Foundation
import Gates
import KubeModel
import Render
import RepoModel
import Secrets
import Validation

/// Everything the dashboard serves at one moment: the snapshot (pages and `/api/v1`) and each
/// object's page, by path.
public struct DashboardState: Sendable {
    public var snapshot: DashboardSnapshot
    public var objects: [String: ObjectView]

    public func environment(named name: String) -> EnvironmentView? { snapshot.environments.first { $0.name == name } }

    /// Nothing to show (the repository could not be read), said as `revision`.
    public static func empty(revision: String) -> DashboardState {
        DashboardState(snapshot: DashboardSnapshot(revision: revision, loadedAt: Date().timeIntervalSince1970, environments: []), objects: [:])
    }
}

/// Builds the dashboard's state from the repository: each environment rendered and checked as
/// `gitops validate` does, its objects grouped by release and kind, and (through `cluster`) what
/// its cluster records. Secret values are masked before anything is kept.
public struct DashboardLoader: Sendable {
    public var tree: any FileTree
    public var revision: String
    public var renderTime: Date
    public var seedSecret: String?
    public var chartCache: ChartCache
    /// Reads an environment's cluster (its last sync, rollouts and the rendered objects live,
    /// `DashboardCluster.observe`); nil: no cluster to ask.
    public var cluster: ClusterReader?
    /// Only this environment (the sync job's dashboard); nil: every environment.
    public var only: String?

    public typealias ClusterReader = @Sendable (Environment, [Object]) async -> Result<ClusterObservation, ClusterReadError>

    public init(tree: any FileTree, revision: String, renderTime: Date, seedSecret: String?, chartCache: ChartCache = .standard(),
                cluster: ClusterReader? = nil, only: String? = nil) {
        self.tree = tree
        self.revision = revision
        self.renderTime = renderTime
        self.seedSecret = seedSecret
        self.chartCache = chartCache
        self.cluster = cluster
        self.only = only
    }

    /// Why a cluster could not be read, for the page.
    public struct ClusterReadError: Error, Sendable {
        public var message: String
        public init(_ message: String) { self.message = message }
    }

    public func load() async -> DashboardState {
        var state = DashboardState(snapshot: DashboardSnapshot(revision: revision, loadedAt: Date().timeIntervalSince1970, environments: []), objects: [:])
        let model: EnvironmentRepository
        do {
            model = try RepositoryLoader.loadEach(from: tree)
        } catch {
            return state
        }
        let checker = try? EnvironmentChecker(tree: tree, model: model, renderTime: renderTime, seedSecret: seedSecret, chartCache: chartCache)
        let renderer = Renderer(tree: tree, renderTime: renderTime, seedSecret: seedSecret, chartCache: chartCache)
        var views: [EnvironmentView] = []
        var rendered: [String: [Object]] = [:]
        let environments = model.environments.filter { only == nil || $0.name == only }
        for environment in environments {
            var view = EnvironmentView(name: environment.name, namespace: environment.namespace, promotesFrom: environment.promotionSource,
                                       promotesTo: model.environments.filter { $0.promotionSource == environment.name }.map(\.name),
                                       releases: [], objectCount: 0, errors: 0, warnings: 0, findings: [])
            do {
                let objects = try renderer.render(environment).objects
                rendered[environment.name] = objects
                view.objectCount = objects.count
                view.releases = Self.releases(environment, objects: objects)
                for object in objects {
                    let ref = Self.ref(object, environment: environment.name)
                    state.objects[ref.path] = ObjectView(environment: environment.name, ref: ref, release: object.provenance.release,
                                                         yaml: Redaction.redact(RenderOutput.yaml([SecretMask.masked(object)])))
                }
                if let checker {
                    let report = checker.check(objects, of: environment)
                    view.findings = report.findings.map(Self.finding)
                    view.errors = report.errors.count
                    view.warnings = report.findings.count - report.errors.count
                }
            } catch {
                view.renderError = Redaction.redact(error.description)
            }
            views.append(view)
        }
        for broken in model.broken where only == nil || broken.name == only {
            views.append(EnvironmentView(name: broken.name, namespace: broken.partial?.namespace ?? "", promotesFrom: broken.partial?.promotionSource,
                                         promotesTo: [], releases: [], objectCount: 0, errors: broken.problems.count, warnings: 0,
                                         findings: [], renderError: Redaction.redact(broken.summary)))
        }
        if let cluster {
            // Each environment's cluster at once; each read has its own deadline.
            let results = await withTaskGroup(of: (String, Result<ClusterObservation, ClusterReadError>).self) { group in
                for environment in environments {
                    let objects = rendered[environment.name] ?? []
                    group.addTask { (environment.name, await cluster(environment, objects)) }
                }
                var results: [String: Result<ClusterObservation, ClusterReadError>] = [:]
                for await (name, result) in group { results[name] = result }
                return results
            }
            for index in views.indices {
                switch results[views[index].name] {
                case .success(let observation)?:
                    let objects = rendered[views[index].name] ?? []
                    Self.attach(observation, objects: objects, to: &views[index], pages: &state.objects)
                case .failure(let error)?: views[index].clusterError = error.message
                case nil: break
                }
            }
        }
        state.snapshot.environments = Self.ordered(views, by: model.settings.promotionOrder)
        return state
    }

    /// The cluster's view of an environment on its page and its objects' pages: each object's
    /// sync state and health, its live YAML and diff, and the drift list.
    static func attach(_ observation: ClusterObservation, objects: [Object], to view: inout EnvironmentView, pages: inout [String: ObjectView]) {
        view.cluster = observation.view
        if let error = observation.liveError {
            view.liveError = error
            return
        }
        var paths: [ResourceKey: String] = [:]
        for object in objects { paths[object.key] = ref(object, environment: view.name).path }
        var livePaths: [String: LiveObjectView] = [:]
        var drift: [DriftView] = []
        for object in objects {
            guard let path = paths[object.key], let live = observation.objects[object.key] else { continue }
            livePaths[path] = live
            pages[path]?.live = live.yaml
            pages[path]?.diff = live.diff
            if live.sync != "Synced", !drift.contains(where: { $0.path == path }) {
                drift.append(DriftView(title: "\(object.apiVersion) \(object.displayName)", action: live.sync == "Missing" ? "missing" : "out of sync",
                                       path: path, diff: live.diff))
            }
        }
        view.drift = drift + observation.notInGit
        view.outOfSync = drift.count + observation.notInGit.count
        view.unhealthy = livePaths.values.filter { !$0.health.isEmpty && $0.health != "Healthy" }.count
        for r in view.releases.indices {
            for k in view.releases[r].kinds.indices {
                for o in view.releases[r].kinds[k].objects.indices {
                    let path = view.releases[r].kinds[k].objects[o].path
                    view.releases[r].kinds[k].objects[o].sync = livePaths[path]?.sync
                    view.releases[r].kinds[k].objects[o].health = livePaths[path].map { $0.health.isEmpty ? "Missing" : $0.health }
                }
            }
        }
        for (path, live) in livePaths {
            pages[path]?.sync = live.sync
            pages[path]?.health = live.health
        }
    }

    /// Environments in promotion order (`gitops.yaml`), the rest by name.
    static func ordered(_ views: [EnvironmentView], by order: [String]) -> [EnvironmentView] {
        views.sorted { a, b in
            let x = order.firstIndex(of: a.name) ?? Int.max, y = order.firstIndex(of: b.name) ?? Int.max
            return x != y ? x < y : a.name < b.name
        }
    }

    static func releases(_ environment: Environment, objects: [Object]) -> [ReleaseView] {
        environment.releases.map { release in
            var kinds: [KindView] = []
            for object in objects where object.provenance.release == release.name {
                let ref = ref(object, environment: environment.name)
                if let index = kinds.firstIndex(where: { $0.kind == object.kind }) { kinds[index].objects.append(ref) } else { kinds.append(KindView(kind: object.kind, objects: [ref])) }
            }
            return ReleaseView(name: release.name, source: describe(release.source), kinds: kinds, rollout: release.rollout.map { rollout in
                switch rollout.strategy {
                case .canary: return "canary of \(rollout.workload)"
                case .blueGreen: return "blue-green of \(rollout.workload)"
                }
            })
        }
    }

    static func describe(_ source: Release.Source) -> String {
        switch source {
        case .chart(let path, _, _, _): return "chart \(path)"
        case .remoteChart(let chart, _, _, _): return "chart \(chart)"
        case .manifests(let path): return "manifests \(path)"
        case .kustomize(let path, _, _): return "kustomize \(path)"
        }
    }

    static func ref(_ object: Object, environment: String) -> ObjectRef {
        let namespace = object.namespace.isEmpty ? "_" : object.namespace
        let path = "/environments/\(segment(environment))/objects/\(segment(object.kind))/\(segment(namespace))/\(segment(object.name))"
        return ObjectRef(kind: object.kind, namespace: object.namespace, name: object.name, file: object.provenance.file,
                         line: object.provenance.line, path: path)
    }

    /// A path segment, percent-encoded.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    static func finding(_ finding: Finding) -> FindingView {
        FindingView(severity: finding.severity.rawValue, rule: finding.rule, file: finding.location.file, line: finding.location.line,
                    column: finding.location.column, message: Redaction.redact(finding.message), object: finding.object)
    }
}

/// Secret values out of an object before it is shown: `data` and `stringData` entries of a
/// Secret become a note of their size.
enum SecretMask {
    static func masked(_ object: Object) -> Object {
        guard object.kind == "Secret" else { return object }
        var copy = object
        for field in ["data", "stringData"] {
            guard let entries = copy.content[field]?.objectValue else { continue }
            var masked = ValueObject()
            for (key, value) in entries {
                let size = value.stringValue?.utf8.count ?? 0
                masked[key] = .string("(hidden: \(size) characters)")
            }
            copy.content[field] = .object(masked)
        }
        return copy
    }
}
