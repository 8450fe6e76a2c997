import Basics

/// A strategic merge patch applied as kustomize v5.5 applies it (kyaml's merge walker with the
/// patch's elements prepended): maps merge field by field, `null` deletes, lists of the built-in
/// kinds merge by their schema's keys (patch elements first, then the target's others), other lists
/// are replaced; `$patch: delete|replace|merge` directives on maps and lists.
struct StrategicMerge {
    /// A problem with the patch, reported at the patch entry.
    struct Failure: Error { var message: String }

    /// The result of merging one node.
    enum Merged {
        /// The field goes away.
        case clear
        /// The target's explicit `null` stays.
        case keepNull
        /// The merged value; `inPlace` when it is the target's own node merged (kyaml edits that
        /// node, so a list keeps the merged element where the target had it).
        case value(Value, inPlace: Bool)

        var value: Value? {
            if case .value(let value, _) = self { return value }
            return nil
        }
    }

    /// `patch` merged into `target`; nil when the patch deletes the object.
    static func apply(_ patch: ValueObject, to target: ValueObject) throws(Failure) -> ValueObject? {
        switch try walk(.object(target), .object(patch), schema: nil, path: []) {
        case .value(.object(let object), _): return object
        default: return nil
        }
    }

    static func walk(_ dest: Value?, _ origin: Value?, schema: MergeSchema?, path: [String]) throws(Failure) -> Merged {
        var schema = schema
        if schema == nil {
            // As kyaml: a node without a schema gets its kind's, when it says its kind.
            for source in [dest, origin] {
                guard case .object(let object)? = source, let kind = object["kind"]?.stringValue, let apiVersion = object["apiVersion"]?.stringValue,
                      !kind.isEmpty, !apiVersion.isEmpty, let found = MergeSchema.forKind(apiVersion: apiVersion, kind: kind) else { continue }
                schema = found
                break
            }
        }
        let present = [dest, origin].compactMap { $0 }.filter { $0 != .null }
        switch present.first {
        case nil, .object?:
            try requireAll(present, path) { if case .object = $0 { true } else { false } }
            return try walkMap(dest, origin, schema: schema, path: path)
        case .array?:
            try requireAll(present, path) { if case .array = $0 { true } else { false } }
            if schema?.mergeKeys != nil { return try walkMergedList(dest, origin, schema: schema!, path: path) }
            // A list without merge keys: the patch's list, else the target's.
            if let origin { return origin == .null ? .clear : .value(origin, inPlace: false) }
            return dest.map { .value($0, inPlace: true) } ?? .clear
        case .some:
            try requireAll(present, path) { if case .object = $0 { false } else if case .array = $0 { false } else { true } }
            if let origin { return origin == .null ? .clear : .value(origin, inPlace: false) }
            return dest.map { .value($0, inPlace: true) } ?? .clear
        }
    }

    static func requireAll(_ values: [Value], _ path: [String], _ sameKind: (Value) -> Bool) throws(Failure) {
        guard let first = values.first, let other = values.dropFirst().first(where: { !sameKind($0) }) else { return }
        throw Failure(message: "the patch has \(describe(other)) at '\(path.joined(separator: "."))' where the target has \(describe(first)); a strategic merge patch keeps the shape of the object")
    }

    static func describe(_ value: Value) -> String {
        switch value {
        case .object: return "a mapping"
        case .array: return "a list"
        default: return "a scalar"
        }
    }

    // MARK: Maps

    static func walkMap(_ dest: Value?, _ origin: Value?, schema: MergeSchema?, path: [String]) throws(Failure) -> Merged {
        var origin = origin
        let base: Value
        let inPlace: Bool
        if dest == nil || dest == .null {
            if case .object(let object)? = origin, let (directive, stripped) = try? mapDirective(object) {
                if directive == "delete" { return .clear }
                origin = .object(stripped)
            }
            if origin == nil, dest == .null { return .keepNull }
            guard let origin, origin != .null else { return .clear }
            base = origin
            inPlace = false
        } else {
            if origin == .null { return .clear }
            if case .object(let object)? = origin {
                let (directive, stripped) = try mapDirective(object)
                origin = .object(stripped)
                switch directive {
                case "delete": return .clear
                case "replace":
                    base = origin!
                    inPlace = false
                default:
                    base = dest!
                    inPlace = true
                }
            } else {
                base = dest!
                inPlace = true
            }
        }
        guard case .object(var object) = base else { return .value(base, inPlace: inPlace) }
        let patch = origin?.objectValue ?? ValueObject()
        let names = Set(object.keys).union(patch.keys).sorted()
        for name in names {
            switch try walk(object[name], patch[name], schema: schema?.field(name), path: path + [name]) {
            case .clear: object[name] = nil
            case .keepNull: object[name] = .null
            case .value(let value, _): object[name] = value
            }
        }
        return .value(.object(object), inPlace: inPlace)
    }

    /// The `$patch` directive of a map (merge when absent) and the map without it.
    static func mapDirective(_ object: ValueObject) throws(Failure) -> (String, ValueObject) {
        guard let directive = object["$patch"] else { return ("merge", object) }
        let text = directive.stringValue ?? ""
        guard ["delete", "replace", "merge"].contains(text) else { throw Failure(message: "unknown patch strategy '\(text)'") }
        var stripped = object
        stripped["$patch"] = nil
        return (text, stripped)
    }

    // MARK: Lists with merge keys

    static func walkMergedList(_ dest: Value?, _ origin: Value?, schema: MergeSchema, path: [String]) throws(Failure) -> Merged {
        var origin = origin
        let base: Value
        if dest == nil || dest == .null {
            guard let origin, origin != .null else { return .clear }
            base = origin
        } else {
            if origin == .null { return .clear }
            if case .array(let items)? = origin {
                let (directive, stripped) = try listDirective(items)
                origin = .array(stripped)
                switch directive {
                case "delete": return .clear
                case "replace": base = origin!
                default: base = dest!
                }
            } else {
                base = dest!
            }
        }
        let target = base.arrayValue ?? []
        let patch = origin?.arrayValue ?? []
        let keys = schema.mergeKeys ?? []
        // Keys of every element, the patch's first (kustomize prepends patch elements).
        var valuesList: [[String]] = []
        var seen = Set<[String]>()
        if !keys.isEmpty {
            for element in patch + target {
                let values = keys.map { key -> String in
                    guard case .object(let object) = element, let field = object[key], !isNilOrEmpty(field) else { return "" }
                    return scalarText(field)
                }
                if seen.insert(values).inserted { valuesList.append(values) }
            }
            return try setElements(valuesList, keys: keys, target: target, patch: patch, schema: schema.elements, path: path)
        }
        for element in patch + target {
            let values = [scalarText(element)]
            if seen.insert(values).inserted { valuesList.append(values) }
        }
        return try setElements(valuesList, keys: [""], target: target, patch: patch, schema: schema.elements, path: path)
    }

    /// A list's `$patch` directive: an element `{$patch: ...}` alone; the list without it.
    static func listDirective(_ items: [Value]) throws(Failure) -> (String, [Value]) {
        guard let element = items.first(where: { $0.objectValue?["$patch"] != nil }), let object = element.objectValue, object.count <= 1 else {
            return ("merge", items)
        }
        let text = object["$patch"]?.stringValue ?? ""
        guard ["delete", "replace", "merge"].contains(text) else { throw Failure(message: "unknown patch strategy '\(text)'") }
        return (text, elementSetter(items, element: nil, keys: ["$patch"], values: [text]))
    }

    static func setElements(_ valuesList: [[String]], keys: [String], target: [Value], patch: [Value],
                            schema: MergeSchema?, path: [String]) throws(Failure) -> Merged {
        var valuesList = valuesList
        if keys.count > 1 { valuesList = mergeValues(valuesList) }
        var items: [Value] = []
        var dest = target
        var validKeys = keys
        for values in valuesList where !values.isEmpty {
            let (keysHere, valuesHere) = validateKeys(valuesList, values, keys)
            let (matchKeys, matchValues) = validateKeys([valuesHere], valuesHere, keysHere)
            let destIndex = matchIndex(dest, matchKeys, matchValues)
            let patchElement = matchIndex(patch, matchKeys, matchValues).map { patch[$0] }
            let merged = try walk(destIndex.map { dest[$0] }, patchElement, schema: schema, path: path)
            guard var value = merged.value, value != .null, value.objectValue?.isEmpty != true else {
                dest = elementSetter(dest, element: nil, keys: keysHere, values: valuesHere)
                validKeys = keysHere
                continue
            }
            if case .object(var object) = value {
                for (key, text) in zip(keysHere, valuesHere) where object[key] == nil && !text.isEmpty { object[key] = .string(text) }
                value = .object(object)
            }
            if case .value(_, true) = merged, let destIndex { dest[destIndex] = value }
            items = elementSetter(items, element: value, keys: keysHere, values: valuesHere)
            validKeys = keysHere
        }
        guard !valuesList.isEmpty else { return .value(.array(dest), inPlace: true) }
        return .value(.array(try appendList(items, dest, keys: validKeys)), inPlace: true)
    }

    /// kyaml's appendListNode: each element of `source` replaces its match in `list`, or is appended.
    static func appendList(_ list: [Value], _ source: [Value], keys: [String]) throws(Failure) -> [Value] {
        var list = list
        for element in source {
            if keys.first == "" {
                list = elementSetter(list, element: element, keys: [""], values: [scalarText(element)])
                continue
            }
            guard case .object(let object) = element else {
                throw Failure(message: "a list merged by \(keys.joined(separator: ", ")) holds an element that is not a mapping")
            }
            var values: [String] = []
            for key in keys {
                guard let field = object[key], field != .null else {
                    list.append(element)
                    continue
                }
                values.append(scalarText(field))
            }
            if keys.count > 1 { list = elementSetter(list, element: nil, keys: keys, values: values) }
            list = elementSetter(list, element: element, keys: keys, values: values)
        }
        return list
    }

    /// kyaml's ElementSetter: every element matching `keys`=`values` replaced by `element` (removed
    /// when nil), `element` appended when none matched; null and empty elements are dropped.
    static func elementSetter(_ list: [Value], element: Value?, keys: [String], values: [String]) -> [Value] {
        let keys = keys.isEmpty ? [""] : keys
        let mappingSetter = keys[0] != "" && !values.isEmpty && values[0] != ""
        var result: [Value] = []
        var found = false
        for item in list {
            if item == .null || item.objectValue?.isEmpty == true { continue }
            if item.objectValue == nil && mappingSetter {
                result.append(item)
                continue
            }
            var matched = true
            var lastMatch = false
            for index in keys.indices {
                if index < values.count { lastMatch = fieldMatches(item, keys[index], values[index]) }
                if !lastMatch {
                    matched = false
                    break
                }
            }
            if !matched {
                if !values.isEmpty { result.append(item) }
                continue
            }
            found = true
            if let element { result.append(element) }
        }
        guard let element, element != .null else { return result }
        if !found { result.append(element) }
        return result
    }

    /// kyaml's FieldMatcher with a string value: an empty value matches any value of the field.
    static func fieldMatches(_ item: Value, _ key: String, _ value: String) -> Bool {
        if key.isEmpty {
            guard item != .null else { return false }
            return scalarText(item) == value
        }
        guard case .object(let object) = item, let field = object[key] else { return false }
        return value.isEmpty || scalarText(field) == value
    }

    /// kyaml's MatchElementList: the first element whose fields equal the values.
    static func matchIndex(_ list: [Value], _ keys: [String], _ values: [String]) -> Int? {
        if keys.isEmpty || keys[0].isEmpty {
            let value = values.first ?? ""
            return list.firstIndex { $0.objectValue == nil && $0.arrayValue == nil && scalarText($0) == value }
        }
        return list.firstIndex { item in
            guard case .object(let object) = item else { return false }
            return zip(keys, values).allSatisfy { key, value in object[key].map { scalarText($0) == value } ?? false }
        }
    }

    /// Keys whose values some element has; all keys when none has any.
    static func validateKeys(_ valuesList: [[String]], _ values: [String], _ keys: [String]) -> ([String], [String]) {
        var valid = Set<String>()
        for list in valuesList {
            for (index, value) in list.enumerated() where !value.isEmpty && index < keys.count { valid.insert(keys[index]) }
        }
        guard !valid.isEmpty else { return (keys, values) }
        let validKeys = keys.filter(valid.contains)
        let validValues = values.enumerated().filter { index, value in !value.isEmpty || (index < keys.count && valid.contains(keys[index])) }.map(\.element)
        return (validKeys, validValues)
    }

    /// Elements whose key values differ only where one is empty are the same element (a port
    /// with and without its protocol).
    static func mergeValues(_ valuesList: [[String]]) -> [[String]] {
        var list = valuesList
        for i in list.indices {
            for j in list.indices {
                guard list[i].count == list[j].count else { continue }
                var common = false
                var merged: [String] = []
                var conflict = false
                for (a, b) in zip(list[i], list[j]) {
                    if a == b {
                        common = true
                        merged.append(a)
                    } else if !a.isEmpty && !b.isEmpty {
                        conflict = true
                        break
                    } else {
                        merged.append(a.isEmpty ? b : a)
                    }
                }
                if common && !conflict {
                    list[i] = merged
                    list[j] = merged
                }
            }
        }
        return list
    }

    static func isNilOrEmpty(_ value: Value) -> Bool {
        switch value {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        default: return false
        }
    }

    /// A scalar as YAML writes it (the text kyaml compares).
    static func scalarText(_ value: Value) -> String {
        switch value {
        case .null: return ""
        case .array, .object: return ""
        default: return Kustomization.text(value) ?? ""
        }
    }
}
