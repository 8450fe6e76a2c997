import Basics

/// The defaults the real API server fills in, for the kinds a GitOps repository commonly holds, so
/// that tests meet live objects as a cluster returns them.
enum ServerDefaults {
    static func apply(_ object: ValueObject, kind: String, clusterIP: () -> String) -> ValueObject {
        var object = object
        func setDefault(_ path: [String], _ value: Value) {
            object = setting(object, path[...], value, onlyIfMissing: true)
        }
        switch kind {
        case "Deployment":
            setDefault(["spec", "replicas"], .int(1))
            setDefault(["spec", "revisionHistoryLimit"], .int(10))
            setDefault(["spec", "progressDeadlineSeconds"], .int(600))
            if object["spec"]?["strategy"]?["type"]?.stringValue != "Recreate" {
                setDefault(["spec", "strategy", "type"], .string("RollingUpdate"))
                setDefault(["spec", "strategy", "rollingUpdate", "maxSurge"], .string("25%"))
                setDefault(["spec", "strategy", "rollingUpdate", "maxUnavailable"], .string("25%"))
            }
            object = podTemplate(object, ["spec", "template"], restartPolicy: "Always")
        case "StatefulSet":
            setDefault(["spec", "replicas"], .int(1))
            setDefault(["spec", "revisionHistoryLimit"], .int(10))
            setDefault(["spec", "podManagementPolicy"], .string("OrderedReady"))
            setDefault(["spec", "updateStrategy", "type"], .string("RollingUpdate"))
            setDefault(["spec", "updateStrategy", "rollingUpdate", "partition"], .int(0))
            setDefault(["spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"], .string("Retain"))
            setDefault(["spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"], .string("Retain"))
            object = podTemplate(object, ["spec", "template"], restartPolicy: "Always")
        case "DaemonSet":
            setDefault(["spec", "revisionHistoryLimit"], .int(10))
            setDefault(["spec", "updateStrategy", "type"], .string("RollingUpdate"))
            setDefault(["spec", "updateStrategy", "rollingUpdate", "maxSurge"], .int(0))
            setDefault(["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"], .int(1))
            object = podTemplate(object, ["spec", "template"], restartPolicy: "Always")
        case "Job":
            setDefault(["spec", "backoffLimit"], .int(6))
            setDefault(["spec", "completions"], .int(1))
            setDefault(["spec", "parallelism"], .int(1))
            setDefault(["spec", "completionMode"], .string("NonIndexed"))
            setDefault(["spec", "suspend"], .bool(false))
            object = podTemplate(object, ["spec", "template"], restartPolicy: "Never")
        case "CronJob":
            setDefault(["spec", "concurrencyPolicy"], .string("Allow"))
            setDefault(["spec", "suspend"], .bool(false))
            setDefault(["spec", "successfulJobsHistoryLimit"], .int(3))
            setDefault(["spec", "failedJobsHistoryLimit"], .int(1))
            object = podTemplate(object, ["spec", "jobTemplate", "spec", "template"], restartPolicy: "Never")
        case "Pod":
            object = podSpec(object, ["spec"], restartPolicy: "Always")
        case "Service":
            setDefault(["spec", "type"], .string("ClusterIP"))
            setDefault(["spec", "sessionAffinity"], .string("None"))
            if object["spec"]?["clusterIP"] == nil {
                let ip = clusterIP()
                setDefault(["spec", "clusterIP"], .string(ip))
                setDefault(["spec", "clusterIPs"], .array([.string(ip)]))
            }
            setDefault(["spec", "ipFamilies"], .array([.string("IPv4")]))
            setDefault(["spec", "ipFamilyPolicy"], .string("SingleStack"))
            setDefault(["spec", "internalTrafficPolicy"], .string("Cluster"))
            object = mapItems(object, ["spec", "ports"]) { port in
                var port = port
                if port["protocol"] == nil { port["protocol"] = .string("TCP") }
                if port["targetPort"] == nil, let number = port["port"] { port["targetPort"] = number }
                return port
            }
        case "Secret":
            setDefault(["type"], .string("Opaque"))
        case "Ingress":
            object = mapItems(object, ["spec", "rules"]) { $0 }
        case "HorizontalPodAutoscaler":
            setDefault(["spec", "minReplicas"], .int(1))
        case "PodDisruptionBudget", "ConfigMap", "NetworkPolicy":
            if kind == "NetworkPolicy" {
                object = mapItems(object, ["spec", "ingress"]) { rule in
                    var rule = rule
                    if case .array(let ports)? = rule["ports"] {
                        rule["ports"] = .array(ports.map { port in
                            guard case .object(var p) = port else { return port }
                            if p["protocol"] == nil { p["protocol"] = .string("TCP") }
                            return .object(p)
                        })
                    }
                    return rule
                }
                if object["spec"]?["policyTypes"] == nil {
                    setDefault(["spec", "policyTypes"], .array([.string("Ingress")]))
                }
            }
        default:
            break
        }
        return object
    }

    private static func podTemplate(_ object: ValueObject, _ path: [String], restartPolicy: String) -> ValueObject {
        podSpec(object, path + ["spec"], restartPolicy: restartPolicy)
    }

    private static func podSpec(_ object: ValueObject, _ path: [String], restartPolicy: String) -> ValueObject {
        var object = object
        for (key, value) in [("restartPolicy", Value.string(restartPolicy)), ("dnsPolicy", .string("ClusterFirst")),
                             ("schedulerName", .string("default-scheduler")), ("securityContext", .object([:])),
                             ("terminationGracePeriodSeconds", .int(30))] {
            object = setting(object, (path + [key])[...], value, onlyIfMissing: true)
        }
        for field in ["containers", "initContainers"] {
            object = mapItems(object, path + [field]) { container in
                var container = container
                if container["terminationMessagePath"] == nil { container["terminationMessagePath"] = .string("/dev/termination-log") }
                if container["terminationMessagePolicy"] == nil { container["terminationMessagePolicy"] = .string("File") }
                if container["imagePullPolicy"] == nil {
                    let image = container["image"]?.stringValue ?? ""
                    let latest = image.hasSuffix(":latest") || !(image.split(separator: "/").last ?? "").contains(":")
                    container["imagePullPolicy"] = .string(latest && !image.contains("@") ? "Always" : "IfNotPresent")
                }
                if case .array(let ports)? = container["ports"] {
                    container["ports"] = .array(ports.map { port in
                        guard case .object(var p) = port else { return port }
                        if p["protocol"] == nil { p["protocol"] = .string("TCP") }
                        return .object(p)
                    })
                }
                return container
            }
        }
        return object
    }

    /// `object` with `value` at `path` (maps created on the way).
    static func setting(_ object: ValueObject, _ path: ArraySlice<String>, _ value: Value, onlyIfMissing: Bool) -> ValueObject {
        var object = object
        guard let key = path.first else { return object }
        if path.count == 1 {
            if !onlyIfMissing || object[key] == nil { object[key] = value }
            return object
        }
        let inner = object[key]?.objectValue ?? ValueObject()
        if object[key] != nil, object[key]?.objectValue == nil { return object }
        object[key] = .object(setting(inner, path.dropFirst(), value, onlyIfMissing: onlyIfMissing))
        return object
    }

    /// `object` with every map item of the list at `path` transformed.
    static func mapItems(_ object: ValueObject, _ path: [String], _ transform: (ValueObject) -> ValueObject) -> ValueObject {
        guard let first = path.first else { return object }
        var object = object
        if path.count == 1 {
            guard case .array(let items)? = object[first] else { return object }
            object[first] = .array(items.map { item in item.objectValue.map { .object(transform($0)) } ?? item })
            return object
        }
        guard case .object(let inner)? = object[first] else { return object }
        object[first] = .object(mapItems(inner, Array(path.dropFirst()), transform))
        return object
    }
}
