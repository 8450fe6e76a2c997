import Basics

/// Kyverno's `validate.podSecurity`: the Pod Security Standards (baseline and restricted levels)
/// checked on a Pod or a controller's pod template, with `exclude` by control name (and images,
/// for container fields).
enum PodSecurity {
    struct Violation {
        var control: String
        var message: String
        var path: FieldPath
        /// The image of the container concerned (nil: a pod-level field).
        var image: String?
    }

    static let baselineCapabilities: Set<String> = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                                   "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]
    static let safeSysctls: Set<String> = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                                           "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                                           "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                                           "net.ipv4.tcp_keepalive_probes"]
    static let restrictedVolumes: Set<String> = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                                                 "projected", "secret"]

    /// The rule's outcome on `resource`.
    static func check(_ settings: Value, resource: Value) -> PatternMatcher.Outcome {
        let level = settings["level"]?.stringValue ?? "restricted"
        if level == "privileged" { return .pass }
        guard let (spec, base, metadata) = podSpec(of: resource) else { return .pass }
        var violations = baseline(spec, base, metadata)
        if level == "restricted" { violations += restricted(spec, base) }
        let excludes = settings["exclude"]?.arrayValue ?? []
        violations.removeAll { violation in
            excludes.contains { exclude in
                guard exclude["controlName"]?.stringValue == violation.control else { return false }
                let images = exclude["images"]?.arrayValue?.compactMap(\.stringValue) ?? []
                if images.isEmpty { return violation.image == nil }
                guard let image = violation.image else { return false }
                return images.contains { Wildcard.match($0, image) }
            }
        }
        guard let first = violations.first else { return .pass }
        return .fail(path: first.path, reason: violations.map { "\($0.control): \($0.message)" }.joined(separator: "; "))
    }

    /// The pod spec of a Pod or of a controller's template, its path, and the pod's metadata.
    static func podSpec(of resource: Value) -> (Value, FieldPath, Value)? {
        let kind = resource["kind"]?.stringValue ?? ""
        var path: [String]
        switch kind {
        case "Pod": path = ["spec"]
        case "CronJob": path = ["spec", "jobTemplate", "spec", "template", "spec"]
        default: path = ["spec", "template", "spec"]
        }
        guard let spec = path.reduce(Optional(resource), { $0?[$1] }) else { return nil }
        let metadata = path.dropLast().reduce(Optional(resource), { $0?[$1] })?["metadata"] ?? .null
        return (spec, FieldPath(path.map { .key($0) }), metadata)
    }

    static func containers(_ spec: Value, _ base: FieldPath) -> [(Value, FieldPath)] {
        var out: [(Value, FieldPath)] = []
        for field in ["containers", "initContainers", "ephemeralContainers"] {
            for (index, container) in (spec[field]?.arrayValue ?? []).enumerated() {
                out.append((container, FieldPath(base.elements + [.key(field), .index(index)])))
            }
        }
        return out
    }

    private static func baseline(_ spec: Value, _ base: FieldPath, _ metadata: Value) -> [Violation] {
        var out: [Violation] = []
        func pod(_ control: String, _ message: String, _ field: String...) {
            out.append(Violation(control: control, message: message, path: FieldPath(base.elements + field.map { .key($0) }), image: nil))
        }
        for field in ["hostNetwork", "hostPID", "hostIPC"] where spec[field] == .bool(true) {
            pod("Host Namespaces", "\(field) must not be true", field)
        }
        if spec["securityContext"]?["windowsOptions"]?["hostProcess"] == .bool(true) {
            pod("HostProcess", "hostProcess must not be true", "securityContext")
        }
        for (index, volume) in (spec["volumes"]?.arrayValue ?? []).enumerated() where volume["hostPath"] != nil {
            out.append(Violation(control: "HostPath Volumes", message: "hostPath volumes are forbidden",
                                 path: FieldPath(base.elements + [.key("volumes"), .index(index)]), image: nil))
        }
        for sysctl in spec["securityContext"]?["sysctls"]?.arrayValue ?? [] {
            if let name = sysctl["name"]?.stringValue, !safeSysctls.contains(name) { pod("Sysctls", "sysctl \(name) is not allowed", "securityContext") }
        }
        if let type = spec["securityContext"]?["seccompProfile"]?["type"]?.stringValue, type == "Unconfined" {
            pod("Seccomp", "seccompProfile must not be Unconfined", "securityContext")
        }
        checkSELinux(spec["securityContext"]?["seLinuxOptions"], { pod("SELinux", $0, "securityContext") })
        for (key, value) in metadata["annotations"]?.objectValue ?? ValueObject()
        where key.hasPrefix("container.apparmor.security.beta.kubernetes.io/") {
            if let profile = value.stringValue, profile != "runtime/default", !profile.hasPrefix("localhost/") {
                pod("AppArmor", "AppArmor profile \(profile) is not allowed", "metadata")
            }
        }
        for (container, path) in containers(spec, base) {
            let image = container["image"]?.stringValue ?? ""
            func add(_ control: String, _ message: String, _ field: String...) {
                out.append(Violation(control: control, message: message, path: FieldPath(path.elements + field.map { .key($0) }), image: image))
            }
            let context = container["securityContext"]
            if context?["privileged"] == .bool(true) { add("Privileged Containers", "privileged must not be true", "securityContext", "privileged") }
            if context?["windowsOptions"]?["hostProcess"] == .bool(true) { add("HostProcess", "hostProcess must not be true", "securityContext") }
            for capability in context?["capabilities"]?["add"]?.arrayValue?.compactMap(\.stringValue) ?? [] where !baselineCapabilities.contains(capability) {
                add("Capabilities", "capability \(capability) may not be added", "securityContext", "capabilities", "add")
            }
            for port in container["ports"]?.arrayValue ?? [] {
                if let host = port["hostPort"], host != .int(0), host != .null { add("Host Ports", "hostPort must be 0 or unset", "ports") }
            }
            if let mount = context?["procMount"]?.stringValue, mount != "Default" { add("/proc Mount Type", "procMount must be Default", "securityContext") }
            if context?["seccompProfile"]?["type"]?.stringValue == "Unconfined" {
                add("Seccomp", "seccompProfile must not be Unconfined", "securityContext", "seccompProfile")
            }
            if let profile = context?["appArmorProfile"]?["type"]?.stringValue, profile == "Unconfined" {
                add("AppArmor", "appArmorProfile must not be Unconfined", "securityContext")
            }
            checkSELinux(context?["seLinuxOptions"], { add("SELinux", $0, "securityContext", "seLinuxOptions") })
        }
        return out
    }

    private static func checkSELinux(_ options: Value?, _ report: (String) -> Void) {
        guard let options, options != .null else { return }
        if let type = options["type"]?.stringValue, !["", "container_t", "container_init_t", "container_kvm_t"].contains(type) {
            report("SELinux type \(type) is not allowed")
        }
        if let user = options["user"]?.stringValue, !user.isEmpty { report("SELinux user must not be set") }
        if let role = options["role"]?.stringValue, !role.isEmpty { report("SELinux role must not be set") }
    }

    private static func restricted(_ spec: Value, _ base: FieldPath) -> [Violation] {
        var out: [Violation] = []
        for (index, volume) in (spec["volumes"]?.arrayValue ?? []).enumerated() {
            let types = volume.objectValue?.keys.filter { $0 != "name" } ?? []
            if let type = types.first(where: { !restrictedVolumes.contains($0) }) {
                out.append(Violation(control: "Volume Types", message: "\(type) volumes are not allowed",
                                     path: FieldPath(base.elements + [.key("volumes"), .index(index)]), image: nil))
            }
        }
        let podContext = spec["securityContext"]
        let podNonRoot = podContext?["runAsNonRoot"] == .bool(true)
        let podSeccomp = podContext?["seccompProfile"]?["type"]?.stringValue
        if podContext?["runAsUser"] == .int(0) {
            out.append(Violation(control: "Running as Non-root user", message: "runAsUser must not be 0",
                                 path: FieldPath(base.elements + [.key("securityContext"), .key("runAsUser")]), image: nil))
        }
        for (container, path) in containers(spec, base) {
            let image = container["image"]?.stringValue ?? ""
            let context = container["securityContext"]
            func add(_ control: String, _ message: String, _ field: String...) {
                out.append(Violation(control: control, message: message, path: FieldPath(path.elements + field.map { .key($0) }), image: image))
            }
            if context?["allowPrivilegeEscalation"] != .bool(false) {
                add("Privilege Escalation", "allowPrivilegeEscalation must be false", "securityContext", "allowPrivilegeEscalation")
            }
            let nonRoot = context?["runAsNonRoot"].map { $0 == .bool(true) } ?? podNonRoot
            if !nonRoot { add("Running as Non-root", "runAsNonRoot must be true", "securityContext", "runAsNonRoot") }
            if context?["runAsUser"] == .int(0) { add("Running as Non-root user", "runAsUser must not be 0", "securityContext", "runAsUser") }
            let seccomp = context?["seccompProfile"]?["type"]?.stringValue ?? podSeccomp
            if seccomp != "RuntimeDefault" && seccomp != "Localhost" {
                add("Seccomp", "seccompProfile.type must be RuntimeDefault or Localhost", "securityContext", "seccompProfile")
            }
            let drops = context?["capabilities"]?["drop"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if !drops.contains("ALL") { add("Capabilities", "capabilities must drop ALL", "securityContext", "capabilities", "drop") }
            for capability in context?["capabilities"]?["add"]?.arrayValue?.compactMap(\.stringValue) ?? [] where capability != "NET_BIND_SERVICE" {
                add("Capabilities", "only NET_BIND_SERVICE may be added, not \(capability)", "securityContext", "capabilities", "add")
            }
        }
        return out
    }
}
