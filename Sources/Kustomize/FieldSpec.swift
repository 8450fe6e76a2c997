import Basics

/// A place in objects of some kinds that a transformer edits, as kustomize's field specs name
/// them: `spec/template/metadata/labels` for Deployments; `containers[]` walks every item of a list.
struct FieldSpec: Sendable {
    var group: String? = nil
    var version: String? = nil
    var kind: String? = nil
    var path: [String]
    /// Whether missing maps on the way (and the field) are made.
    var create: Bool

    init(_ kind: String?, group: String? = nil, _ path: String, create: Bool) {
        self.kind = kind
        self.group = group
        self.path = path.split(separator: "/").map(String.init)
        self.create = create
    }

    func applies(to resource: KustomizeResource) -> Bool {
        (kind == nil || kind == resource.kind) && (group == nil || group == resource.group) && (version == nil || version == resource.version)
    }

    /// `edit` applied to the field's value (nil when absent), in every object the path reaches.
    func apply(to object: ValueObject, _ edit: (Value?) -> Value?) -> ValueObject {
        Self.edit(object, path[...], create: create, edit)
    }

    private static func edit(_ object: ValueObject, _ path: ArraySlice<String>, create: Bool, _ edit: (Value?) -> Value?) -> ValueObject {
        guard var key = path.first else { return object }
        var object = object
        let isList = key.hasSuffix("[]")
        if isList { key.removeLast(2) }
        if path.count == 1 && !isList {
            let current = object[key]
            if current == nil && !create { return object }
            if let updated = edit(current) { object[key] = updated }
            return object
        }
        let rest = path.dropFirst()
        if isList {
            guard case .array(let items) = object[key] ?? .null else { return object }
            object[key] = .array(items.map { item in
                guard case .object(let inner) = item else { return item }
                return .object(Self.edit(inner, rest, create: create, edit))
            })
            return object
        }
        switch object[key] {
        case .object(let inner)?: object[key] = .object(Self.edit(inner, rest, create: create, edit))
        case .array(let items)?:
            // As kustomize's field specs: a list on the way is walked item by item.
            object[key] = .array(items.map { item in
                guard case .object(let inner) = item else { return item }
                return .object(Self.edit(inner, rest, create: create, edit))
            })
        case nil, .null?:
            guard create else { return object }
            let made = Self.edit(ValueObject(), rest, create: create, edit)
            if !made.isEmpty { object[key] = .object(made) }
        default: break
        }
        return object
    }
}

/// kustomize's built-in field spec tables (its `commonlabels`, `commonannotations` and
/// name-reference configurations), for the kinds it knows.
enum FieldSpecs {
    /// Where `commonLabels` go besides `metadata/labels`: selectors and pod templates.
    static let labelSelectors: [FieldSpec] = [
        FieldSpec("Service", group: "", "spec/selector", create: true),
        FieldSpec("ReplicationController", "spec/selector", create: true),
        FieldSpec("Deployment", "spec/selector/matchLabels", create: true),
        FieldSpec("ReplicaSet", "spec/selector/matchLabels", create: true),
        FieldSpec("DaemonSet", "spec/selector/matchLabels", create: true),
        FieldSpec("StatefulSet", group: "apps", "spec/selector/matchLabels", create: true),
        FieldSpec("Job", "spec/selector/matchLabels", create: false),
        FieldSpec("CronJob", "spec/jobTemplate/spec/selector/matchLabels", create: false),
        FieldSpec("PodDisruptionBudget", "spec/selector/matchLabels", create: false),
        FieldSpec("NetworkPolicy", "spec/podSelector/matchLabels", create: false),
        FieldSpec("NetworkPolicy", "spec/ingress[]/from[]/podSelector/matchLabels", create: false),
        FieldSpec("NetworkPolicy", "spec/egress[]/to[]/podSelector/matchLabels", create: false),
    ] + affinity("Deployment") + affinity("ReplicaSet") + affinity("DaemonSet") + affinity("StatefulSet")

    /// Pod templates' labels (commonLabels, and `labels` with `includeTemplates`).
    static let templateLabels: [FieldSpec] = [
        FieldSpec("ReplicationController", "spec/template/metadata/labels", create: true),
        FieldSpec("Deployment", "spec/template/metadata/labels", create: true),
        FieldSpec("ReplicaSet", "spec/template/metadata/labels", create: true),
        FieldSpec("DaemonSet", "spec/template/metadata/labels", create: true),
        FieldSpec("StatefulSet", group: "apps", "spec/template/metadata/labels", create: true),
        FieldSpec("StatefulSet", group: "apps", "spec/volumeClaimTemplates[]/metadata/labels", create: true),
        FieldSpec("Job", "spec/template/metadata/labels", create: true),
        FieldSpec("CronJob", "spec/jobTemplate/metadata/labels", create: true),
        FieldSpec("CronJob", "spec/jobTemplate/spec/template/metadata/labels", create: true),
    ]

    /// Where `commonAnnotations` go besides `metadata/annotations`.
    static let templateAnnotations: [FieldSpec] = [
        FieldSpec("ReplicationController", "spec/template/metadata/annotations", create: true),
        FieldSpec("Deployment", "spec/template/metadata/annotations", create: true),
        FieldSpec("ReplicaSet", "spec/template/metadata/annotations", create: true),
        FieldSpec("DaemonSet", "spec/template/metadata/annotations", create: true),
        FieldSpec("StatefulSet", group: "apps", "spec/template/metadata/annotations", create: true),
        FieldSpec("Job", "spec/template/metadata/annotations", create: true),
        FieldSpec("CronJob", "spec/jobTemplate/metadata/annotations", create: true),
        FieldSpec("CronJob", "spec/jobTemplate/spec/template/metadata/annotations", create: true),
    ]

    private static func affinity(_ kind: String) -> [FieldSpec] {
        let base = "spec/template/spec/affinity/"
        return ["podAffinity", "podAntiAffinity"].flatMap { kindOfAffinity in
            [
                FieldSpec(kind, base + kindOfAffinity + "/preferredDuringSchedulingIgnoredDuringExecution[]/podAffinityTerm/labelSelector/matchLabels", create: false),
                FieldSpec(kind, base + kindOfAffinity + "/requiredDuringSchedulingIgnoredDuringExecution[]/labelSelector/matchLabels", create: false),
            ]
        }
    }
}
