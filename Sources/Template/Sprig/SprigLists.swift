/// Sprig's list functions. Each `mustX` returns the error that `X` would panic with; in a
/// template both end the execution with that message.
enum SprigLists {
    static var functions: [String: TemplateFunction] {
        var f: [String: TemplateFunction] = [
            "list": TemplateFunction(atLeast: 0) { _, a in .list(a) },
            "tuple": TemplateFunction(atLeast: 0) { _, a in .list(a) },
            "until": TemplateFunction(arguments: 1) { _, a in
                let count = try SV.int(a[0])
                return ints(untilStep(0, count, count < 0 ? -1 : 1))
            },
            "untilStep": TemplateFunction(arguments: 3) { _, a in
                ints(untilStep(try SV.int(a[0]), try SV.int(a[1]), try SV.int(a[2])))
            },
            "seq": TemplateFunction(atLeast: 0) { _, a in .string(try seq(a.map(SV.int))) },
            "sortAlpha": SprigStrings.functions["sortAlpha"]!,
        ]
        let pairs: [(String, TemplateFunction)] = [
            ("first", TemplateFunction(arguments: 1) { _, a in try first(a[0]) }),
            ("rest", TemplateFunction(arguments: 1) { _, a in try rest(a[0]) }),
            ("last", TemplateFunction(arguments: 1) { _, a in try last(a[0]) }),
            ("initial", TemplateFunction(arguments: 1) { _, a in try initial(a[0]) }),
            ("append", TemplateFunction(arguments: 2) { _, a in .list(try SV.list(a[0], "Cannot push on type") + [a[1]]) }),
            ("push", TemplateFunction(arguments: 2) { _, a in .list(try SV.list(a[0], "Cannot push on type") + [a[1]]) }),
            ("prepend", TemplateFunction(arguments: 2) { _, a in .list([a[1]] + (try SV.list(a[0], "Cannot prepend on type"))) }),
            ("reverse", TemplateFunction(arguments: 1) { _, a in .list(try SV.list(a[0], "Cannot find reverse on type").reversed()) }),
            ("uniq", TemplateFunction(arguments: 1) { _, a in
                var out: [TemplateValue] = []
                for item in try SV.list(a[0], "Cannot find uniq on type") where !out.contains(where: { SV.deepEqual($0, item) }) {
                    out.append(item)
                }
                return .list(out)
            }),
            ("without", TemplateFunction(atLeast: 1) { _, a in
                let omit = a.dropFirst()
                return .list(try SV.list(a[0], "Cannot find without on type").filter { item in
                    !omit.contains { SV.deepEqual($0, item) }
                })
            }),
            ("has", TemplateFunction(arguments: 2) { _, a in
                if a[1].isNil { return .bool(false) }
                return .bool(try SV.list(a[1], "Cannot find has on type").contains { SV.deepEqual($0, a[0]) })
            }),
            ("compact", TemplateFunction(arguments: 1) { _, a in
                .list(try SV.list(a[0], "Cannot compact on type").filter { !SV.isEmpty($0) })
            }),
            ("slice", TemplateFunction(atLeast: 1) { _, a in try slice(a[0], Array(a.dropFirst())) }),
            ("chunk", TemplateFunction(arguments: 2) { _, a in
                let size = try SV.int(a[0])
                let items = try SV.list(a[1], "Cannot chunk type")
                guard size > 0 else { throw FunctionError("runtime error: integer divide by zero") }
                return .list(stride(from: 0, to: items.count, by: size).map { .list(Array(items[$0..<min($0 + size, items.count)])) })
            }),
            ("concat", TemplateFunction(atLeast: 0) { _, a in
                var out: [TemplateValue] = []
                for list in a {
                    guard case .list(let items) = list else { throw FunctionError("Cannot concat type \(SV.kind(list)) as list") }
                    out += items
                }
                return .list(out)
            }),
        ]
        for (name, function) in pairs {
            f[name] = function
            f["must" + name.prefix(1).uppercased() + name.dropFirst()] = function
        }
        return f
    }

    static func ints(_ values: [Int]) -> TemplateValue { .list(values.map { .int(Int64($0)) }) }

    static func untilStep(_ start: Int, _ stop: Int, _ step: Int) -> [Int] {
        var values: [Int] = []
        if stop < start {
            if step >= 0 { return values }
            var i = start
            while i > stop && values.count < 10_000_000 { values.append(i); i += step }
            return values
        }
        if step <= 0 { return values }
        var i = start
        while i < stop && values.count < 10_000_000 { values.append(i); i += step }
        return values
    }

    static func seq(_ params: [Int]) throws -> String {
        func joined(_ values: [Int]) -> String { values.map(String.init).joined(separator: " ") }
        switch params.count {
        case 1:
            let end = params[0]
            let increment = end < 1 ? -1 : 1
            return joined(untilStep(1, end + increment, increment))
        case 2:
            let (start, end) = (params[0], params[1])
            let step = end < start ? -1 : 1
            return joined(untilStep(start, end + step, step))
        case 3:
            let (start, step, end) = (params[0], params[1], params[2])
            var increment = 1
            if end < start {
                increment = -1
                if step > 0 { return "" }
            }
            return joined(untilStep(start, end + increment, step))
        default:
            return ""
        }
    }

    static func first(_ v: TemplateValue) throws -> TemplateValue {
        try SV.list(v, "Cannot find first on type").first ?? .null
    }

    static func last(_ v: TemplateValue) throws -> TemplateValue {
        try SV.list(v, "Cannot find last on type").last ?? .null
    }

    static func rest(_ v: TemplateValue) throws -> TemplateValue {
        let items = try SV.list(v, "Cannot find rest on type")
        return .list(Array(items.dropFirst()))
    }

    static func initial(_ v: TemplateValue) throws -> TemplateValue {
        let items = try SV.list(v, "Cannot find initial on type")
        return .list(Array(items.dropLast()))
    }

    static func slice(_ v: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        let items = try SV.list(v, "Cannot slice on type")
        if items.isEmpty { return .null }
        let start = indexes.count > 0 ? Int(SV.toInt64(indexes[0])) : 0
        let end = indexes.count > 1 ? Int(SV.toInt64(indexes[1])) : items.count
        guard start >= 0, end <= items.count, start <= end else {
            throw FunctionError("reflect: slice index out of range")
        }
        return .list(Array(items[start..<end]))
    }
}
