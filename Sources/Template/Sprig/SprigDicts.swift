/// Sprig's dictionary functions. Dictionaries are shared, as Go maps are: `set`, `unset` and the
/// merges change the dictionary they are given.
enum SprigDicts {
    static let functions: [String: TemplateFunction] = [
        "dict": TemplateFunction(atLeast: 0) { _, a in
            let map = TemplateMap()
            var i = 0
            while i < a.count {
                map[SV.strval(a[i])] = i + 1 < a.count ? a[i + 1] : .string("")
                i += 2
            }
            return .map(map)
        },
        "get": TemplateFunction(arguments: 2) { _, a in
            try SV.map(a[0])[try SV.string(a[1])] ?? .string("")
        },
        "set": TemplateFunction(arguments: 3) { _, a in
            let map = try SV.map(a[0])
            map[try SV.string(a[1])] = a[2]
            return .map(map)
        },
        "unset": TemplateFunction(arguments: 2) { _, a in
            let map = try SV.map(a[0])
            map[try SV.string(a[1])] = nil
            return .map(map)
        },
        "hasKey": TemplateFunction(arguments: 2) { _, a in .bool(try SV.map(a[0])[try SV.string(a[1])] != nil) },
        "pluck": TemplateFunction(atLeast: 1) { _, a in
            let key = try SV.string(a[0])
            return .list(try a.dropFirst().compactMap { try SV.map($0)[key] })
        },
        "keys": TemplateFunction(atLeast: 0) { _, a in
            SV.strings(try a.flatMap { try SV.map($0).keys })
        },
        "values": TemplateFunction(arguments: 1) { _, a in .list(try SV.map(a[0]).sorted.map(\.value)) },
        "pick": TemplateFunction(atLeast: 1) { _, a in
            let source = try SV.map(a[0])
            let result = TemplateMap()
            for key in a.dropFirst().map(SV.strval) { if let value = source[key] { result[key] = value } }
            return .map(result)
        },
        "omit": TemplateFunction(atLeast: 1) { _, a in
            let omit = Set(a.dropFirst().map(SV.strval))
            return .map(TemplateMap(entries: try SV.map(a[0]).entries.filter { !omit.contains($0.key) }))
        },
        "dig": TemplateFunction(atLeast: 3) { _, a in
            guard case .map(var dict) = a[a.count - 1] else {
                throw FunctionError("interface conversion: interface {} is \(a[a.count - 1].typeName), not map[string]interface {}")
            }
            let fallback = a[a.count - 2]
            let keys = try a.dropLast(2).map(SV.string)
            for (i, key) in keys.enumerated() {
                guard let step = dict[key] else { return fallback }
                if i == keys.count - 1 { return step }
                guard case .map(let next) = step else {
                    throw FunctionError("interface conversion: interface {} is \(step.typeName), not map[string]interface {}")
                }
                dict = next
            }
            return fallback
        },
        "merge": TemplateFunction(atLeast: 1) { _, a in
            let target = try SV.map(a[0])
            for source in a.dropFirst() { merge(into: target, try SV.map(source), overwrite: false) }
            return .map(target)
        },
        "mergeOverwrite": TemplateFunction(atLeast: 1) { _, a in
            let target = try SV.map(a[0])
            for source in a.dropFirst() { merge(into: target, try SV.map(source), overwrite: true) }
            return .map(target)
        },
        "deepCopy": TemplateFunction(arguments: 1) { _, a in SV.deepCopy(a[0]) },
        "mustDeepCopy": TemplateFunction(arguments: 1) { _, a in SV.deepCopy(a[0]) },
    ]

    /// mergo's deep merge of maps (as Sprig calls it): nested maps merge recursively; a key the
    /// target lacks, or holds an empty value for, takes the source's value; with `overwrite`
    /// every source value replaces the target's — false, "", 0 and nil included — except that a
    /// non-empty map merged into stays the same map. Values are assigned by reference, as Go does.
    static func merge(into target: TemplateMap, _ source: TemplateMap, overwrite: Bool) {
        for (key, value) in source.entries {
            if value.isNil {
                if overwrite { target[key] = value }
                continue
            }
            let existing = target[key]
            if case .map(let sourceMap) = value, case .map(let targetMap)? = existing {
                merge(into: targetMap, sourceMap, overwrite: overwrite)
                if !targetMap.isEmpty { continue }
            }
            if overwrite || existing == nil || SV.isEmpty(existing!) { target[key] = value }
        }
    }
}

/// Sprig's defaults and flow functions.
enum SprigDefaults {
    static let functions: [String: TemplateFunction] = [
        "default": TemplateFunction(atLeast: 1) { _, a in
            a.count < 2 || SV.isEmpty(a[1]) ? a[0] : a[1]
        },
        "empty": TemplateFunction(arguments: 1) { _, a in .bool(SV.isEmpty(a[0])) },
        "coalesce": TemplateFunction(atLeast: 0) { _, a in a.first { !SV.isEmpty($0) } ?? .null },
        "all": TemplateFunction(atLeast: 0) { _, a in .bool(a.allSatisfy { !SV.isEmpty($0) }) },
        "any": TemplateFunction(atLeast: 0) { _, a in .bool(a.contains { !SV.isEmpty($0) }) },
        "ternary": TemplateFunction(arguments: 3) { _, a in try SV.bool(a[2]) ? a[0] : a[1] },
        "fail": TemplateFunction(arguments: 1) { _, a in throw FunctionError(try SV.string(a[0])) },
    ]
}
