import Basics

/// After prefixes, suffixes and hashes renamed objects, the fields that name them (a Pod's
/// ConfigMap volume, a RoleBinding's roleRef and subjects, an Ingress backend, ...; kustomize's
/// built-in table, `NameReferenceTable.swift`) take the new names, as kustomize's name-reference
/// transformer does: the candidates are the objects of the referred kind the referrer can see (its
/// namespace, cluster-scoped ones, the namespaces its RoleBinding subjects name) that once had the
/// name; several with different names is an error, as in kustomize.
enum NameReferences {
    struct GVK: Equatable {
        var group: String, version: String, kind: String

        /// kustomize's Gvk.IsSelected: the selector's non-empty parts must match.
        func selects(group: String, version: String, kind: String) -> Bool {
            (self.group.isEmpty || self.group == group) && (self.version.isEmpty || self.version == version) && (self.kind.isEmpty || self.kind == kind)
        }
    }

    struct Reference {
        var referral: GVK
        var referrer: GVK
        var path: [String]
    }

    static let table: [Reference] = MergeSchema.Table.lines(tableLines).compactMap { line in
        let parts = line.utf8.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false).map { Substring($0) }
        guard parts.count == 3 else { return nil }
        func gvk(_ text: Substring) -> GVK {
            let p = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return GVK(group: p[0], version: p[1], kind: p[2])
        }
        return Reference(referral: gvk(parts[0]), referrer: gvk(parts[1]), path: splitPath(String(parts[2])))
    }

    /// kustomize's PathSplitter: `/` separates, `\/` is a slash inside a key.
    static func splitPath(_ path: String) -> [String] {
        var result: [String] = []
        for part in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map({ String(Substring($0)) }) {
            if let last = result.last, last.hasSuffix("\\") { result[result.count - 1] = String(last.dropLast()) + "/" + part } else { result.append(part) }
        }
        return result
    }

    /// What selecting a referral needs of every object, computed once per build.
    struct Context {
        let resources: [KustomizeResource]
        /// Each object's identities, earlier ones first, the current one last.
        let identities: [[Replacements.Identity]]
        /// The objects that once had a name (kustomize's previous-name candidates).
        let byPreviousName: [String: [Int]]

        init(_ resources: [KustomizeResource]) {
            self.resources = resources
            identities = resources.map(Replacements.identities(of:))
            var index: [String: [Int]] = [:]
            for (position, ids) in identities.enumerated() {
                for name in Set(ids.dropLast().map(\.name)) { index[name, default: []].append(position) }
            }
            byPreviousName = index
        }
    }

    static func fix(_ resources: [KustomizeResource], extra: [Reference] = []) throws -> [KustomizeResource] {
        let table = self.table + extra
        let context = Context(resources)
        var result = resources
        for index in resources.indices {
            let referrer = resources[index]
            let original = context.identities[index].first!
            let references = table.filter { $0.referrer.selects(group: original.group, version: original.version, kind: original.kind) }
            guard !references.isEmpty else { continue }
            let candidates = try visible(to: referrer, among: resources)
            var object = Value.object(referrer.object)
            for reference in references {
                do {
                    try walk(&object, reference.path[...]) { value in
                        try set(&value, reference: reference, referrer: referrer, candidates: candidates, context: context)
                    }
                } catch let failure as Failure {
                    throw KustomizeError(referrer.source.file, referrer.source.line, referrer.source.column,
                                         "updating name reference in '\(reference.path.joined(separator: "/"))' of \(referrer.kind) \(referrer.name): \(failure.message)")
                }
            }
            result[index].object = object.objectValue ?? referrer.object
        }
        return result
    }

    /// kustomize's SubsetThatCouldBeReferencedByResource, as a set of positions.
    static func visible(to referrer: KustomizeResource, among resources: [KustomizeResource]) throws -> Set<Int> {
        if referrer.isClusterScoped { return Set(resources.indices) }
        var bindingNamespaces = Set<String>()
        if referrer.kind == "RoleBinding" {
            for subject in referrer.object["subjects"]?.arrayValue ?? [] {
                guard case .object(let s) = subject, let namespace = s["namespace"], s["kind"] != nil,
                      s["kind"]?.stringValue == "ServiceAccount" else { continue }
                guard let text = namespace.stringValue else {
                    throw KustomizeError(referrer.source.file, referrer.source.line, referrer.source.column,
                                         "Invalid Input: namespace is blank for resource \"\(referrer.kind) \(referrer.name)\": a ServiceAccount subject needs a namespace or none")
                }
                bindingNamespaces.insert(text)
            }
        }
        let namespace = referrer.effectiveNamespace
        return Set(resources.indices.filter { index in
            let target = resources[index]
            return target.isClusterScoped || target.effectiveNamespace == namespace || bindingNamespaces.contains(target.namespace)
        })
    }

    /// kustomize's fieldspec traversal: fields by name, every item of a list on the way.
    static func walk(_ value: inout Value, _ path: ArraySlice<String>, _ set: (inout Value) throws -> Void) throws {
        guard let key = path.first else { return try set(&value) }
        switch value {
        case .array(var items):
            for index in items.indices { try walk(&items[index], path, set) }
            value = .array(items)
        case .object(var object):
            let name = key.hasSuffix("[]") ? String(key.dropLast(2)) : key
            guard var field = object[name] else { return }
            try walk(&field, path.dropFirst(), set)
            object[name] = field
            value = .object(object)
        case .null:
            return
        default:
            throw Failure(message: "expected sequence or mapping node at '\(key)'")
        }
    }

    struct Failure: Error { var message: String }

    static func set(_ value: inout Value, reference: Reference, referrer: KustomizeResource, candidates: Set<Int>, context: Context) throws {
        switch value {
        case .null: return
        case .string(let name):
            guard let referral = try select(name, reference: reference, referrer: referrer, candidates: candidates, context: context,
                                            sameNamespaceToo: false) else { return }
            value = .string(referral.name)
        case .object(var object):
            guard let nameValue = object["name"] else { throw Failure(message: "path config error; no 'name' field in node") }
            let name = nameValue.stringValue ?? Kustomization.text(nameValue) ?? ""
            var pool = candidates
            if let namespace = object["namespace"] {
                let text = namespace.stringValue ?? Kustomization.text(namespace) ?? ""
                // kustomize groups by the namespace each object had first, else by the current one.
                let byOriginal = candidates.filter { context.identities[$0].first?.namespace == text }
                pool = byOriginal.isEmpty ? candidates.filter { context.resources[$0].effectiveNamespace == text } : byOriginal
            }
            guard let referral = try select(name, reference: reference, referrer: referrer, candidates: pool, context: context,
                                            sameNamespaceToo: true) else { return }
            if referral.name == name && referral.namespace.isEmpty { return }
            object["name"] = .string(referral.name)
            if !referral.namespace.isEmpty { object["namespace"] = .string(referral.namespace) }
            value = .object(object)
        case .array(var items):
            for index in items.indices {
                switch items[index] {
                case .string, .object, .null: try set(&items[index], reference: reference, referrer: referrer, candidates: candidates, context: context)
                default: throw Failure(message: "node must be a scalar, sequence or map")
                }
            }
            value = .array(items)
        default:
            return
        }
    }

    /// kustomize's selectReferral: the candidates that once had `name` and were of the referred kind,
    /// that the referrer's namespace can see, whose prefixes and suffixes agree with the referrer's.
    static func select(_ name: String, reference: Reference, referrer: KustomizeResource, candidates: Set<Int>, context: Context,
                       sameNamespaceToo: Bool) throws -> KustomizeResource? {
        var positions = (context.byPreviousName[name] ?? []).filter { candidates.contains($0) }
        positions = positions.filter { position in
            context.identities[position].dropLast().contains { reference.referral.selects(group: $0.group, version: $0.version, kind: $0.kind) }
        }
        if reference.path.last == "name" && reference.path.dropLast().last == "roleRef" {
            if let roleRef = referrer.object["roleRef"]?.objectValue, let group = roleRef["apiGroup"]?.stringValue, let kind = roleRef["kind"]?.stringValue {
                let gvk = GVK(group: group, version: "", kind: kind)
                positions = positions.filter { context.identities[$0].dropLast().contains { gvk.selects(group: $0.group, version: $0.version, kind: $0.kind) } }
            }
        }
        var pool = positions.map { context.resources[$0] }
        if !referrer.isClusterScoped {
            pool = pool.filter { $0.isClusterScoped || $0.kind == "ServiceAccount" || $0.effectiveNamespace == referrer.effectiveNamespace }
        }
        if pool.count == 1 { return pool[0] }
        pool = pool.filter { affixesAgree($0, referrer, allowEmpty: true) }
        if pool.count > 1 { pool = pool.filter { affixesAgree($0, referrer, allowEmpty: false) } }
        if pool.count == 1 { return pool[0] }
        guard let first = pool.first else { return nil }
        let identical = sameNamespaceToo
            ? pool.allSatisfy { $0.name == first.name && $0.namespace == first.namespace }
            : pool.allSatisfy { $0.name == first.name }
        if identical { return first }
        let ids = pool.map { "\($0.kind) \($0.namespace.isEmpty ? "" : $0.namespace + "/")\($0.name)" }.joined(separator: ", ")
        throw KustomizeError(referrer.source.file, referrer.source.line, referrer.source.column,
                             "found multiple possible referrals for '\(name)' in \(reference.path.joined(separator: "/")) of \(referrer.kind) \(referrer.name): \(ids); give them different names or keep them in separate builds")
    }

    /// kustomize's PrefixesSuffixesEquals.
    static func affixesAgree(_ a: KustomizeResource, _ b: KustomizeResource, allowEmpty: Bool) -> Bool {
        if allowEmpty {
            let prefixes = a.prefixes.isEmpty || b.prefixes.isEmpty || sameEnding(a.prefixes, b.prefixes)
            let suffixes = a.suffixes.isEmpty || b.suffixes.isEmpty || sameEnding(a.suffixes, b.suffixes)
            return prefixes && suffixes
        }
        return sameEnding(a.prefixes, b.prefixes) && sameEnding(a.suffixes, b.suffixes)
    }

    static func sameEnding(_ a: [String], _ b: [String]) -> Bool {
        let (shortest, longest) = a.count <= b.count ? (a, b) : (b, a)
        if shortest.isEmpty { return longest.isEmpty }
        return zip(shortest.reversed(), longest.reversed()).allSatisfy(==)
    }
}

/// kustomize's `legacy` output order (kubectl kustomize's default): kinds in a fixed order first
/// (Namespace, ..., PodDisruptionBudget), webhooks last, others between; then group, version and
/// kind; then namespace and name.
enum LegacyOrder {
    static let first = ["Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
                        "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
                        "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
                        "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget"]
    static let last = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]

    static func rank(_ kind: String, first: [String], last: [String]) -> Int {
        if let index = last.firstIndex(of: kind) { return 1 + index }
        if let index = first.firstIndex(of: kind) { return -first.count + index }
        return 0
    }

    static func gvkString(_ r: KustomizeResource) -> String {
        [r.group.isEmpty ? "~G" : r.group, r.version.isEmpty ? "~V" : r.version, r.kind.isEmpty ? "~K" : r.kind].joined(separator: "_")
    }

    static func idString(_ r: KustomizeResource) -> String {
        let gvk = [r.kind.isEmpty ? "[noKind]" : r.kind, r.version.isEmpty ? "[noVer]" : r.version, r.group.isEmpty ? "[noGrp]" : r.group]
            .joined(separator: ".")
        return [gvk, r.namespace.isEmpty ? "~X" : r.namespace, r.name.isEmpty ? "~N" : r.name].joined(separator: "|")
    }


    static func sorted(_ resources: [KustomizeResource], first: [String] = first, last: [String] = last) -> [KustomizeResource] {
        let keys = resources.map { SortKey($0, first: first, last: last) }
        return resources.indices.sorted { x, y in
            if keys[x] < keys[y] { return true }
            if keys[y] < keys[x] { return false }
            return x < y
        }.map { resources[$0] }
    }

    /// What the order compares, computed once per object.
    struct SortKey {
        var gvk: (String, String, String)
        var rank: Int
        var isNamespace: Bool
        var hasNoGroup: Bool
        var gvkBytes: [UInt8]
        var idBytes: [UInt8]

        init(_ r: KustomizeResource, first: [String], last: [String]) {
            gvk = (r.group, r.version, r.kind)
            rank = LegacyOrder.rank(r.kind, first: first, last: last)
            isNamespace = r.kind == "Namespace"
            hasNoGroup = r.group.isEmpty
            gvkBytes = Array(LegacyOrder.gvkString(r).utf8)
            idBytes = Array(LegacyOrder.idString(r).utf8)
        }

        static func < (a: SortKey, b: SortKey) -> Bool {
            if a.gvk != b.gvk {
                if a.rank != b.rank { return a.rank < b.rank }
                if a.isNamespace && b.isNamespace && (a.hasNoGroup || b.hasNoGroup) {
                    return b.gvkBytes.lexicographicallyPrecedes(a.gvkBytes)
                }
                return a.gvkBytes.lexicographicallyPrecedes(b.gvkBytes)
            }
            return a.idBytes.lexicographicallyPrecedes(b.idBytes)
        }
    }
}
