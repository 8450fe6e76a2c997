import Basics
import Crypto
import KubeModel

/// The objects a release with a `rollout:` has in the cluster: its steady form (what the render
/// shows and the sync applies when no rollout runs), and, while one runs, the objects for the
/// recorded state (the stable version beside the new one, traffic split as the step says). Pure.
public enum RolloutObjects {
    /// On the workload: a digest of its pod template, so the sync job can tell a new version
    /// from the running one without comparing server-defaulted templates.
    public static let templateHashAnnotation = "gitops/template-hash"
    public static let previewSuffix = "-preview"

    /// `objects` (a release's) in steady form: the workload carries its template digest; with a
    /// traffic router or blue-green, its pods are labelled `gitops/rollout-role: stable` and the
    /// Services that must reach only one version select that label, so a canary's or preview's
    /// pods (labelled otherwise) never receive their traffic.
    public static func steady(_ objects: [Object], spec: RolloutSpec) -> [Object] {
        let services: Set<String>
        switch spec.strategy {
        case .canary(_, .replicas): services = []
        case .canary: services = [spec.service]
        case .blueGreen(let active, let preview, _, _): services = [active, preview]
        }
        return objects.map { object in
            var object = object
            if object.kind == "Deployment", object.name == spec.workload {
                if !services.isEmpty { object = podsLabelled(object, role: "stable") }
                var metadata = object.content["metadata"]?.objectValue ?? [:]
                var annotations = metadata["annotations"]?.objectValue ?? [:]
                annotations[templateHashAnnotation] = .string(templateHash(of: object))
                metadata["annotations"] = .object(annotations)
                object.content["metadata"] = .object(metadata)
            } else if object.kind == "Service", services.contains(object.name) {
                object = selecting(object, role: "stable")
            }
            return object
        }
    }

    /// A short digest of a workload's pod template (its canonical JSON).
    public static func templateHash(of workload: Object) -> String {
        let template = canonical(workload.content["spec"]?["template"] ?? .null)
        let digest = SHA256.hash(data: Array(JSONWriter.compact(template).utf8))
        return digest.prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    /// The digest a live or recorded workload carries.
    public static func recordedHash(of workload: ValueObject) -> String? {
        workload["metadata"]?["annotations"]?[templateHashAnnotation]?.stringValue
    }

    /// The release's objects for `state`: a rollout in progress replaces the workload with the
    /// stable version and adds the new version's objects; an aborted one keeps the stable version
    /// (traffic all on it); a completed one is the release as Git has it.
    /// - Parameters:
    ///   - release: the release's objects at the revision rolling out, in steady form.
    ///   - stable: the workload as the last good revision applied it (steady form).
    ///   - autoscaled: the stable version's replicas now, when the workload declares none.
    public static func desired(_ release: [Object], spec: RolloutSpec, state: RolloutState, stable: Object,
                               autoscaled: Int? = nil) throws(RolloutError) -> [Object] {
        guard let index = release.firstIndex(where: { $0.kind == "Deployment" && $0.name == spec.workload }) else {
            throw RolloutError("the release renders no Deployment '\(spec.workload)' (rollout.workload)")
        }
        let new = release[index]
        var stable = stable
        stable.provenance = new.provenance
        switch state.phase {
        case .completed:
            return release
        case .aborted:
            var objects = release
            objects[index] = sized(stable, like: new)
            return objects
        case .progressing, .paused:
            break
        }
        switch spec.strategy {
        case .canary(_, let traffic):
            let service = release.first { $0.kind == "Service" && $0.name == spec.service }
            var routerName: String?
            switch traffic {
            case .replicas: break
            case .nginx(let ingress): routerName = ingress
            case .gatewayAPI(let route): routerName = route
            }
            let router = routerName.flatMap { name in release.first { ($0.kind == "Ingress" || $0.kind == "HTTPRoute") && $0.name == name } }
            let held = try CanaryObjects.at(state.weight, stable: stable, new: new, traffic: traffic, service: service, router: router, autoscaled: autoscaled)
            var objects = release
            objects[index] = held[0]
            for object in held.dropFirst() {
                if let existing = objects.firstIndex(where: { $0.key == object.key }) { objects[existing] = object } else { objects.append(object) }
            }
            return objects
        case .blueGreen(let active, let preview, _, _):
            // Stages 0 and 1 (the preview checked): the active Service stays on the stable version;
            // from stage 2 (switched) it selects the new one.
            var objects = release
            objects[index] = sized(stable, like: new)
            objects.append(try CanaryObjects.canary(new, replicas: replicas(of: new) ?? autoscaled ?? 1, role: "preview", suffix: previewSuffix))
            for position in objects.indices where objects[position].kind == "Service" {
                if objects[position].name == preview || (objects[position].name == active && state.step >= 2) {
                    objects[position] = selecting(objects[position], role: "preview")
                }
            }
            return objects
        }
    }

    /// The objects a rollout adds for `spec` (deleted when it completes or aborts).
    public static func extras(of spec: RolloutSpec, namespace: String) -> [ResourceKey] {
        switch spec.strategy {
        case .canary(_, let traffic):
            var keys = [ResourceKey(group: "apps", kind: "Deployment", namespace: namespace, name: spec.workload + CanaryObjects.canarySuffix)]
            switch traffic {
            case .replicas: break
            case .nginx(let ingress):
                keys.append(ResourceKey(group: "", kind: "Service", namespace: namespace, name: spec.service + CanaryObjects.canarySuffix))
                keys.append(ResourceKey(group: "networking.k8s.io", kind: "Ingress", namespace: namespace, name: ingress + CanaryObjects.canarySuffix))
            case .gatewayAPI:
                keys.append(ResourceKey(group: "", kind: "Service", namespace: namespace, name: spec.service + CanaryObjects.canarySuffix))
            }
            return keys
        case .blueGreen:
            return [ResourceKey(group: "apps", kind: "Deployment", namespace: namespace, name: spec.workload + previewSuffix)]
        }
    }

    /// The Deployment that runs the new version while a rollout is in progress.
    public static func newVersionName(of spec: RolloutSpec) -> String {
        if case .blueGreen = spec.strategy { return spec.workload + previewSuffix }
        return spec.workload + CanaryObjects.canarySuffix
    }

    /// The replicas a workload declares; nil when it leaves them to an autoscaler.
    static func replicas(of workload: Object) -> Int? {
        if case .int(let replicas)? = workload.content["spec"]?["replicas"] { return Int(replicas) }
        return nil
    }

    /// The stable version at the size the new one declares (left to the autoscaler when none).
    static func sized(_ stable: Object, like new: Object) -> Object {
        guard let replicas = replicas(of: new) else {
            var stable = stable
            if var spec = stable.content["spec"]?.objectValue {
                spec["replicas"] = nil
                stable.content["spec"] = .object(spec)
            }
            return stable
        }
        return CanaryObjects.scaled(stable, to: replicas)
    }

    static func podsLabelled(_ workload: Object, role: String) -> Object {
        var copy = workload
        guard case .object(var spec)? = copy.content["spec"], case .object(var template)? = spec["template"] else { return workload }
        var metadata = template["metadata"]?.objectValue ?? [:]
        metadata["labels"] = CanaryObjects.labelled(metadata["labels"], role: role)
        template["metadata"] = .object(metadata)
        spec["template"] = .object(template)
        copy.content["spec"] = .object(spec)
        return copy
    }

    static func selecting(_ service: Object, role: String) -> Object {
        var copy = service
        guard case .object(var spec)? = copy.content["spec"], spec["selector"]?.objectValue != nil else { return service }
        spec["selector"] = CanaryObjects.labelled(spec["selector"], role: role)
        copy.content["spec"] = .object(spec)
        return copy
    }

    /// `value` with every mapping's keys sorted (a digest does not depend on key order).
    static func canonical(_ value: Value) -> Value {
        switch value {
        case .object(let object):
            return .object(ValueObject(object.sorted { $0.key < $1.key }.map { ($0.key, canonical($0.value)) }))
        case .array(let items):
            return .array(items.map(canonical))
        default:
            return value
        }
    }
}
