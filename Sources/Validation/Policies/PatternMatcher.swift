import Basics

/// Kyverno's `validate.pattern`: a resource matches a pattern tree whose map keys may carry
/// anchors — conditional `(k)`, equality `=(k)`, existence `^(k)`, negation `X(k)`, global `<(k)` —
/// and whose leaves are value patterns (`PatternValue`).
enum PatternMatcher {
    /// Why a resource does not match.
    enum Outcome: Equatable {
        case pass
        /// A conditional or global anchor did not hold: the rule does not apply.
        case skip(String)
        /// The field at `path` breaks the pattern.
        case fail(path: FieldPath, reason: String)
    }

    enum Anchor {
        case condition, equality, existence, negation, global, addIfMissing

        /// The anchor and bare key of a pattern key such as `=(name)`.
        static func parse(_ key: String) -> (Anchor, String)? {
            guard key.hasSuffix(")") else { return nil }
            let prefixes: [(String, Anchor)] = [("=(", .equality), ("^(", .existence), ("X(", .negation), ("<(", .global),
                                                ("+(", .addIfMissing), ("(", .condition)]
            for (prefix, anchor) in prefixes where key.hasPrefix(prefix) {
                return (anchor, String(key.dropFirst(prefix.count).dropLast()))
            }
            return nil
        }
    }

    static func match(_ resource: Value, _ pattern: Value) -> Outcome {
        var path: [PathElement] = []
        return element(resource, pattern, &path)
    }

    private static func element(_ resource: Value, _ pattern: Value, _ path: inout [PathElement]) -> Outcome {
        switch pattern {
        case .object(let patternMap):
            guard case .object(let resourceMap) = resource else {
                return .fail(path: FieldPath(path), reason: "expected an object, found \(resource.typeName)")
            }
            return map(resourceMap, patternMap, &path)
        case .array(let patternItems):
            guard case .array(let resourceItems) = resource else {
                return .fail(path: FieldPath(path), reason: "expected a list, found \(resource.typeName)")
            }
            return array(resourceItems, patternItems, &path)
        default:
            if case .array(let items) = resource {
                for (index, item) in items.enumerated() where !PatternValue.matches(item, pattern) {
                    path.append(.index(index))
                    defer { path.removeLast() }
                    return .fail(path: FieldPath(path), reason: "value \(show(item)) does not match \(show(pattern))")
                }
                return .pass
            }
            if !PatternValue.matches(resource, pattern) {
                return .fail(path: FieldPath(path), reason: "value \(show(resource)) does not match \(show(pattern))")
            }
            return .pass
        }
    }

    private static func map(_ resource: ValueObject, _ patternIn: ValueObject, _ path: inout [PathElement]) -> Outcome {
        let pattern = expandMetadataWildcards(patternIn, resource)
        var anchored: [(Anchor, String, Value)] = []
        var plain: [(String, Value)] = []
        for (key, value) in pattern {
            if let (anchor, bare) = Anchor.parse(key) { anchored.append((anchor, bare, value)) } else { plain.append((key, value)) }
        }
        // Conditions and global anchors first (a failed condition means the rule does not apply,
        // whatever else fails), then the other anchors, then plain keys — those holding anchors first.
        let rank: (Anchor) -> Int = { $0 == .condition || $0 == .global ? 0 : 1 }
        anchored.sort { (rank($0.0), $0.1) < (rank($1.0), $1.1) }
        for (anchor, key, sub) in anchored {
            path.append(.key(key))
            defer { path.removeLast() }
            let value = resource[key]
            switch anchor {
            case .condition:
                guard let value else { return .skip("\(FieldPath(path)) is not present") }
                switch element(value, sub, &path) {
                case .pass: break
                case .skip(let why): return .skip(why)
                case .fail(let at, let reason): return .skip("condition at \(at) not met: \(reason)")
                }
            case .global:
                guard let value else { continue }
                switch element(value, sub, &path) {
                case .pass: break
                case .skip(let why): return .skip(why)
                case .fail(let at, let reason): return .skip("global condition at \(at) not met: \(reason)")
                }
            case .equality, .addIfMissing:
                guard let value else { continue }
                let outcome = element(value, sub, &path)
                if outcome != .pass { return outcome }
            case .negation:
                if value != nil { return .fail(path: FieldPath(path), reason: "the field is not allowed") }
            case .existence:
                guard let value else { continue }
                guard case .array(let items) = value, case .array(let patterns) = sub else {
                    return .fail(path: FieldPath(path), reason: "an existence anchor ^() needs a list")
                }
                for itemPattern in patterns {
                    var found = false
                    for (index, item) in items.enumerated() {
                        path.append(.index(index))
                        if element(item, itemPattern, &path) == .pass { found = true }
                        path.removeLast()
                        if found { break }
                    }
                    if !found { return .fail(path: FieldPath(path), reason: "no item matches the required pattern") }
                }
            }
        }
        plain.sort { (containsAnchor($0.1) ? 0 : 1, $0.0) < (containsAnchor($1.1) ? 0 : 1, $1.0) }
        for (key, sub) in plain {
            path.append(.key(key))
            defer { path.removeLast() }
            let value = resource[key]
            if case .string("*") = sub {
                if value == nil || value == .null { return .fail(path: FieldPath(path), reason: "the field is required") }
                continue
            }
            let outcome = element(value ?? .null, sub, &path)
            if outcome != .pass {
                if value == nil, case .fail = outcome, !isNullPattern(sub) {
                    return .fail(path: FieldPath(path), reason: "the field is required")
                }
                return outcome
            }
        }
        return .pass
    }

    private static func array(_ resource: [Value], _ pattern: [Value], _ path: inout [PathElement]) -> Outcome {
        guard let first = pattern.first else { return .fail(path: FieldPath(path), reason: "empty list pattern") }
        switch first {
        case .object:
            var applied = 0, skips: [String] = []
            for (index, item) in resource.enumerated() {
                path.append(.index(index))
                defer { path.removeLast() }
                switch element(item, first, &path) {
                case .pass: applied += 1
                case .skip(let why): skips.append(why)
                case let failure: return failure
                }
            }
            if applied == 0, let why = skips.first { return .skip(why) }
            return .pass
        case .array:
            guard resource.count >= pattern.count else {
                return .fail(path: FieldPath(path), reason: "expected at least \(pattern.count) items, found \(resource.count)")
            }
            var applied = 0, skips: [String] = []
            for (index, itemPattern) in pattern.enumerated() {
                path.append(.index(index))
                defer { path.removeLast() }
                switch element(resource[index], itemPattern, &path) {
                case .pass: applied += 1
                case .skip(let why): skips.append(why)
                case let failure: return failure
                }
            }
            if applied == 0, let why = skips.first { return .skip(why) }
            return .pass
        default:
            return element(.array(resource), first, &path)
        }
    }

    private static func isNullPattern(_ pattern: Value) -> Bool {
        if case .null = pattern { return true }
        return false
    }

    static func containsAnchor(_ pattern: Value) -> Bool {
        switch pattern {
        case .object(let object):
            return object.keys.contains { Anchor.parse($0) != nil } || object.values.contains(where: containsAnchor)
        case .array(let items):
            return items.contains(where: containsAnchor)
        default:
            return false
        }
    }

    /// Wildcard keys under `metadata.labels`/`metadata.annotations` (anchored or not) stand for
    /// every resource key they match (Kyverno's ExpandInMetadata).
    private static func expandMetadataWildcards(_ pattern: ValueObject, _ resource: ValueObject) -> ValueObject {
        func bare(_ key: String) -> String { Anchor.parse(key)?.1 ?? key }
        guard let metadataKey = pattern.keys.first(where: { bare($0) == "metadata" }),
              case .object(var metadata)? = pattern[metadataKey] else { return pattern }
        let resourceMetadata = resource["metadata"]?.objectValue ?? ValueObject()
        var changed = false
        for fieldKey in metadata.keys where ["labels", "annotations"].contains(bare(fieldKey)) {
            guard case .object(let patternMap)? = metadata[fieldKey] else { continue }
            let resourceMap = resourceMetadata[bare(fieldKey)]?.objectValue ?? ValueObject()
            var expanded = ValueObject()
            for (key, value) in patternMap {
                let name = bare(key)
                guard name.contains("*") || name.contains("?") else { expanded[key] = value; continue }
                changed = true
                let matching = resourceMap.keys.filter { Wildcard.match(name, $0) }
                // Nothing matches: an absent key, so the anchor (or its absence) decides.
                for replacement in matching.isEmpty ? ["\u{0}absent:" + name] : matching {
                    expanded[key.replacingOccurrences(of: name, with: replacement)] = value
                }
            }
            metadata[fieldKey] = .object(expanded)
        }
        guard changed else { return pattern }
        var result = pattern
        result[metadataKey] = .object(metadata)
        return result
    }

    static func show(_ value: Value) -> String {
        switch value {
        case .string(let s): return "'\(s)'"
        case .null: return "null"
        default: return PatternValue.text(of: value) ?? value.typeName
        }
    }
}
