import Basics
import KubeModel

/// The objects that hold a canary at a weight: the new version as its own Deployment
/// (`<name>-canary`, its pods labelled `gitops/rollout-role: canary`), the stable version's
/// Deployment scaled to its share, and, with a traffic router, the canary Service and the router's
/// split. Pure: the sync job applies what this returns.
public enum CanaryObjects {
    /// Marks the canary's pods, Deployment and Service (so the stable selector's Service and the
    /// canary Service can tell them apart) and the objects a rollout adds.
    public static let roleLabel = "gitops/rollout-role"
    public static let canarySuffix = "-canary"
    /// Marks the smoke-test Jobs a rollout's checks run.
    public static let checkLabel = "gitops/rollout-check"

    /// Whether a live object is one a rollout in progress added (its canary or preview
    /// Deployment, Service and Ingress, its smoke-test Jobs): the sync job's to remove, neither
    /// drift nor a prune candidate.
    public static func isRolloutExtra(_ object: Object) -> Bool {
        if object.label(checkLabel) != nil { return true }
        guard let role = object.label(roleLabel) else { return false }
        return role != "stable"
    }

    /// The objects for `weight` percent.
    /// - Parameters:
    ///   - stable: the workload as the last good revision has it.
    ///   - new: the workload as the revision being rolled out has it.
    ///   - service: the Service selecting the workload's pods (for a router's canary Service).
    ///   - router: the Ingress or HTTPRoute that `traffic` names, as the new revision has it.
    ///   - autoscaled: the stable version's replicas now, for a workload that declares none (an
    ///     autoscaler sizes it): the canary is sized from it and the stable one is left to the
    ///     autoscaler.
    public static func at(_ weight: Int, stable: Object, new: Object, traffic: RolloutSpec.Traffic,
                          service: Object?, router: Object?, autoscaled: Int? = nil) throws(RolloutError) -> [Object] {
        let weight = min(max(weight, 0), 100)
        let declared = RolloutObjects.replicas(of: new)
        let total = declared ?? autoscaled ?? 1
        // At least one canary pod once any traffic goes to it.
        let canaryReplicas = weight == 0 ? 0 : max(1, Int((Double(total) * Double(weight) / 100).rounded(.up)))
        var objects: [Object] = []
        switch traffic {
        case .replicas:
            // One Service selects both; the split is the ratio of ready pods.
            objects.append(declared == nil ? stable : scaled(stable, to: weight == 100 ? 0 : max(total - canaryReplicas, 1)))
            objects.append(try canary(new, replicas: canaryReplicas))
        case .nginx, .gatewayAPI:
            // The router splits; the stable version keeps its full size until the end.
            guard let service else { throw RolloutError("a traffic router needs the workload's Service (rollout.service)") }
            guard let router else { throw RolloutError("the rollout's traffic router object is not in the release") }
            objects.append(declared == nil ? stable : scaled(stable, to: total))
            objects.append(try canary(new, replicas: canaryReplicas))
            objects.append(try canaryService(service))
            if case .nginx = traffic {
                objects.append(try canaryIngress(router, service: service.name, weight: weight))
            } else {
                objects.append(try weightedRoute(router, service: service.name, weight: weight))
            }
        }
        return objects
    }

    /// `object` with `spec.replicas` set.
    static func scaled(_ object: Object, to replicas: Int) -> Object {
        var copy = object
        var spec = copy.content["spec"]?.objectValue ?? [:]
        spec["replicas"] = .int(Int64(replicas))
        copy.content["spec"] = .object(spec)
        return copy
    }

    /// The new version as `<name>-canary`: the role label on the Deployment, its selector and its pods.
    static func canary(_ workload: Object, replicas: Int, role: String = "canary", suffix: String = canarySuffix) throws(RolloutError) -> Object {
        guard workload.kind == "Deployment" else { throw RolloutError("\(workload.displayName) is not a Deployment; rollouts roll out Deployments") }
        var copy = renamed(workload, suffix: suffix, role: role)
        guard case .object(var spec)? = copy.content["spec"], case .object(var selector)? = spec["selector"],
              case .object(var template)? = spec["template"] else {
            throw RolloutError("\(workload.displayName) has no spec.selector or spec.template")
        }
        selector["matchLabels"] = labelled(selector["matchLabels"], role: role)
        var podMetadata = template["metadata"]?.objectValue ?? [:]
        podMetadata["labels"] = labelled(podMetadata["labels"], role: role)
        template["metadata"] = .object(podMetadata)
        spec["selector"] = .object(selector)
        spec["template"] = .object(template)
        spec["replicas"] = .int(Int64(replicas))
        copy.content["spec"] = .object(spec)
        return copy
    }

    /// The Service selecting only the canary's pods.
    static func canaryService(_ service: Object) throws(RolloutError) -> Object {
        var copy = renamed(service, suffix: canarySuffix, role: "canary")
        guard case .object(var spec)? = copy.content["spec"], spec["selector"]?.objectValue != nil else {
            throw RolloutError("\(service.displayName) has no spec.selector to copy for the canary")
        }
        spec["selector"] = labelled(spec["selector"], role: "canary")
        // The cluster gives the copy its own address.
        spec["clusterIP"] = nil
        spec["clusterIPs"] = nil
        copy.content["spec"] = .object(spec)
        return copy
    }

    /// ingress-nginx's canary: a copy of the Ingress marked canary with the weight, its backends
    /// pointing at the canary Service.
    static func canaryIngress(_ ingress: Object, service: String, weight: Int) throws(RolloutError) -> Object {
        guard ingress.kind == "Ingress" else { throw RolloutError("\(ingress.displayName) is not an Ingress (traffic.nginx.ingress)") }
        var copy = renamed(ingress, suffix: canarySuffix, role: "canary")
        var metadata = copy.content["metadata"]?.objectValue ?? [:]
        var annotations = metadata["annotations"]?.objectValue ?? [:]
        annotations["nginx.ingress.kubernetes.io/canary"] = .string("true")
        annotations["nginx.ingress.kubernetes.io/canary-weight"] = .string(String(weight))
        metadata["annotations"] = .object(annotations)
        copy.content["metadata"] = .object(metadata)
        copy.content["spec"] = replacingBackends(copy.content["spec"] ?? .null, service: service)
        return copy
    }

    /// The HTTPRoute with each backend reference to the Service split in two: the stable Service
    /// at `100 - weight`, the canary Service at `weight`.
    static func weightedRoute(_ route: Object, service: String, weight: Int) throws(RolloutError) -> Object {
        guard route.kind == "HTTPRoute" else { throw RolloutError("\(route.displayName) is not an HTTPRoute (traffic.gatewayAPI.httpRoute)") }
        var copy = route
        guard case .object(var spec)? = copy.content["spec"], case .array(var rules)? = spec["rules"] else {
            throw RolloutError("\(route.displayName) has no spec.rules")
        }
        var found = false
        for index in rules.indices {
            guard case .object(var rule) = rules[index], case .array(let references)? = rule["backendRefs"] else { continue }
            var split: [Value] = []
            for reference in references {
                guard case .object(var stable) = reference, stable["name"]?.stringValue == service else { split.append(reference); continue }
                found = true
                var canary = stable
                canary["name"] = .string(service + canarySuffix)
                stable["weight"] = .int(Int64(100 - weight))
                canary["weight"] = .int(Int64(weight))
                split += [.object(stable), .object(canary)]
            }
            rule["backendRefs"] = .array(split)
            rules[index] = .object(rule)
        }
        guard found else { throw RolloutError("\(route.displayName) has no backendRef to the Service '\(service)'") }
        spec["rules"] = .array(rules)
        copy.content["spec"] = .object(spec)
        return copy
    }

    private static func renamed(_ object: Object, suffix: String, role: String) -> Object {
        var copy = object
        var metadata = copy.content["metadata"]?.objectValue ?? [:]
        metadata["name"] = .string(object.name + suffix)
        metadata["labels"] = labelled(metadata["labels"], role: role)
        for bookkeeping in ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"] { metadata[bookkeeping] = nil }
        copy.content["metadata"] = .object(metadata)
        copy.content["status"] = nil
        return copy
    }

    static func labelled(_ labels: Value?, role: String) -> Value {
        var labels = labels?.objectValue ?? [:]
        labels[roleLabel] = .string(role)
        return .object(labels)
    }

    /// An Ingress spec with every backend service named `service` renamed to its canary.
    private static func replacingBackends(_ value: Value, service: String) -> Value {
        switch value {
        case .object(var object):
            if case .object(var backend)? = object["service"], backend["name"]?.stringValue == service {
                backend["name"] = .string(service + canarySuffix)
                object["service"] = .object(backend)
            }
            for (key, child) in object where key != "service" { object[key] = replacingBackends(child, service: service) }
            return .object(object)
        case .array(let items):
            return .array(items.map { replacingBackends($0, service: service) })
        default:
            return value
        }
    }
}

/// A rollout that cannot be planned, with what to change.
public struct RolloutError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
