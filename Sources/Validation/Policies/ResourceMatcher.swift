import Basics
import KubeModel

/// Kyverno's `match`/`exclude`: `any`/`all` of resource filters (kinds, names, namespaces,
/// selector, namespaceSelector, annotations, operations). Requests are CREATE.
struct ResourceMatcher {
    /// Labels of the namespaces known (for namespaceSelector).
    var namespaceLabels: [String: ValueObject] = [:]

    func matches(_ filterSet: Value?, _ object: Object) -> Bool {
        guard case .object(let set)? = filterSet else { return false }
        if case .array(let any)? = set["any"] { return any.contains { filter($0, object) } }
        if case .array(let all)? = set["all"] { return !all.isEmpty && all.allSatisfy { filter($0, object) } }
        if set["resources"] != nil { return filter(.object(set), object) }
        return false
    }

    /// `exclude` with nothing in it excludes nothing.
    func excludes(_ filterSet: Value?, _ object: Object) -> Bool {
        guard case .object(let set)? = filterSet, !set.isEmpty else { return false }
        return matches(filterSet, object)
    }

    private func filter(_ filter: Value, _ object: Object) -> Bool {
        // Filters on users and roles never hold offline: there is no request user.
        if filter["subjects"] != nil || filter["roles"] != nil || filter["clusterRoles"] != nil { return false }
        guard case .object(let resources)? = filter["resources"] else { return false }
        if let kinds = resources["kinds"]?.arrayValue?.compactMap(\.stringValue), !kinds.isEmpty,
           !kinds.contains(where: { Self.kindMatches($0, object.gvk) }) { return false }
        let names = (resources["names"]?.arrayValue?.compactMap(\.stringValue) ?? []) + (resources["name"]?.stringValue.map { [$0] } ?? [])
        if !names.isEmpty, !names.contains(where: { Wildcard.match($0, object.name) }) { return false }
        if let namespaces = resources["namespaces"]?.arrayValue?.compactMap(\.stringValue), !namespaces.isEmpty,
           !namespaces.contains(where: { Wildcard.match($0, object.namespace) }) { return false }
        if let operations = resources["operations"]?.arrayValue?.compactMap(\.stringValue), !operations.isEmpty,
           !operations.contains("CREATE") { return false }
        if case .object(let annotations)? = resources["annotations"] {
            let actual = object.content["metadata"]?["annotations"]?.objectValue ?? ValueObject()
            for (key, pattern) in annotations {
                guard let expected = pattern.stringValue,
                      actual.contains(where: { Wildcard.match(key, $0.key) && Wildcard.match(expected, $0.value.stringValue ?? "") })
                else { return false }
            }
        }
        if let selector = resources["selector"] {
            let labels = object.content["metadata"]?["labels"]?.objectValue ?? ValueObject()
            if !Self.selectorMatches(selector, labels) { return false }
        }
        if let selector = resources["namespaceSelector"] {
            guard !object.namespace.isEmpty, let labels = namespaceLabels[object.namespace] else { return false }
            if !Self.selectorMatches(selector, labels) { return false }
        }
        return true
    }

    /// `Pod`, `v1/Pod`, `apps/v1/Deployment`, `*`, with wildcards in each part.
    static func kindMatches(_ selector: String, _ gvk: GroupVersionKind) -> Bool {
        let parts = selector.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1: return Wildcard.match(parts[0], gvk.kind)
        case 2:
            // `Pod/exec` names a subresource, which no object is.
            if parts[0].first?.isUppercase == true { return false }
            return Wildcard.match(parts[0], gvk.version) && Wildcard.match(parts[1], gvk.kind)
        default:
            return Wildcard.match(parts[0], gvk.group) && Wildcard.match(parts[1], gvk.version) && Wildcard.match(parts[2], gvk.kind)
        }
    }

    /// A label selector: `matchLabels` (wildcards allowed, as Kyverno allows) and `matchExpressions`.
    static func selectorMatches(_ selector: Value, _ labels: ValueObject) -> Bool {
        if case .object(let matchLabels)? = selector["matchLabels"] {
            for (key, value) in matchLabels {
                let expected = value.stringValue ?? ""
                guard labels.contains(where: { Wildcard.match(key, $0.key) && Wildcard.match(expected, $0.value.stringValue ?? "") }) else {
                    return false
                }
            }
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            guard let key = expression["key"]?.stringValue, let op = expression["operator"]?.stringValue else { return false }
            let values = expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let actual = labels[key]?.stringValue
            switch op {
            case "In": if !(actual.map(values.contains) ?? false) { return false }
            case "NotIn": if let actual, values.contains(actual) { return false }
            case "Exists": if actual == nil { return false }
            case "DoesNotExist": if actual != nil { return false }
            default: return false
            }
        }
        return true
    }
}
