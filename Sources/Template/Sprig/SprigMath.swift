import Foundation

/// Sprig's integer and float math. Integer functions convert with `cast.ToInt64`; the `f`
/// variants compute in decimal (shopspring/decimal), as Sprig does, then return a float.
enum SprigMath {
    static let functions: [String: TemplateFunction] = [
        "add1": TemplateFunction(arguments: 1) { _, a in .int(SV.toInt64(a[0]) &+ 1) },
        "add": TemplateFunction(atLeast: 0) { _, a in .int(a.reduce(0) { $0 &+ SV.toInt64($1) }) },
        "sub": TemplateFunction(arguments: 2) { _, a in .int(SV.toInt64(a[0]) &- SV.toInt64(a[1])) },
        "div": TemplateFunction(arguments: 2) { _, a in
            let d = SV.toInt64(a[1])
            guard d != 0 else { throw FunctionError("runtime error: integer divide by zero") }
            return .int(SV.toInt64(a[0]) / d)
        },
        "mod": TemplateFunction(arguments: 2) { _, a in
            let d = SV.toInt64(a[1])
            guard d != 0 else { throw FunctionError("runtime error: integer divide by zero") }
            return .int(SV.toInt64(a[0]) % d)
        },
        "mul": TemplateFunction(atLeast: 1) { _, a in .int(a.dropFirst().reduce(SV.toInt64(a[0])) { $0 &* SV.toInt64($1) }) },
        "max": TemplateFunction(atLeast: 1) { _, a in .int(a.map(SV.toInt64).max()!) },
        "biggest": TemplateFunction(atLeast: 1) { _, a in .int(a.map(SV.toInt64).max()!) },
        "min": TemplateFunction(atLeast: 1) { _, a in .int(a.map(SV.toInt64).min()!) },
        "maxf": TemplateFunction(atLeast: 1) { _, a in .float(a.map(SV.toFloat64).reduce(-Double.infinity) { Swift.max($0, $1) }) },
        "minf": TemplateFunction(atLeast: 1) { _, a in .float(a.map(SV.toFloat64).reduce(Double.infinity) { Swift.min($0, $1) }) },
        "ceil": TemplateFunction(arguments: 1) { _, a in .float(SV.toFloat64(a[0]).rounded(.up)) },
        "floor": TemplateFunction(arguments: 1) { _, a in .float(SV.toFloat64(a[0]).rounded(.down)) },
        "round": TemplateFunction(minArguments: 2, maxArguments: 3) { _, a in
            let roundOn = a.count > 2 ? SV.toFloat64(a[2]) : 0.5
            let pow = Foundation.pow(10, Double(try SV.int(a[1])))
            let digit = pow * SV.toFloat64(a[0])
            let fraction = digit - digit.rounded(.towardZero)
            return .float((fraction >= roundOn ? digit.rounded(.up) : digit.rounded(.down)) / pow)
        },
        "int": TemplateFunction(arguments: 1) { _, a in .int(SV.toInt64(a[0])) },
        "int64": TemplateFunction(arguments: 1) { _, a in .int(SV.toInt64(a[0])) },
        "float64": TemplateFunction(arguments: 1) { _, a in .float(SV.toFloat64(a[0])) },
        "add1f": TemplateFunction(arguments: 1) { _, a in decimal(a[0], [.int(1)], +) },
        "addf": TemplateFunction(atLeast: 1) { _, a in decimal(a[0], Array(a.dropFirst()), +) },
        "subf": TemplateFunction(atLeast: 1) { _, a in decimal(a[0], Array(a.dropFirst()), -) },
        "mulf": TemplateFunction(atLeast: 1) { _, a in decimal(a[0], Array(a.dropFirst()), *) },
        "divf": TemplateFunction(atLeast: 1) { _, a in
            if a.dropFirst().contains(where: { SV.toFloat64($0) == 0 }) { throw FunctionError("decimal division by 0") }
            return decimal(a[0], Array(a.dropFirst()), /)
        },
    ]

    /// Sprig's execDecimalOp: exact decimal arithmetic on the floats' shortest forms.
    static func decimal(_ first: TemplateValue, _ rest: [TemplateValue],
                        _ op: (Decimal, Decimal) -> Decimal) -> TemplateValue {
        func dec(_ v: TemplateValue) -> Decimal { Decimal(string: "\(SV.toFloat64(v))") ?? 0 }
        var result = dec(first)
        for value in rest { result = op(result, dec(value)) }
        return .float(Double("\(result)") ?? 0)
    }
}

/// Sprig's encoding, hashing, type and path functions.
enum SprigEncoding {
    static let functions: [String: TemplateFunction] = [
        "b64enc": .bytesToString { Data($0).base64EncodedString() },
        "b64dec": .stringToString { s in
            guard let data = Data(base64Encoded: s) else { return "illegal base64 data at input byte \(Base32.firstBadBase64(s))" }
            return String(decoding: data, as: UTF8.self)
        },
        "b32enc": .stringToString { Base32.encode(Array($0.utf8)) },
        "b32dec": .stringToString { s in
            guard let bytes = Base32.decode(s) else { return "illegal base32 data at input byte 0" }
            return String(decoding: bytes, as: UTF8.self)
        },
        "sha1sum": .bytesToString { Hashes.hex(Hashes.sha1($0)) },
        "sha256sum": .bytesToString { Hashes.hex(Hashes.sha256($0)) },
        "sha512sum": .bytesToString { Hashes.hex(Hashes.sha512($0)) },
        "adler32sum": .bytesToString { String(Hashes.adler32($0)) },
        "typeOf": TemplateFunction(arguments: 1) { _, a in .string(a[0].typeName) },
        "typeIs": TemplateFunction(arguments: 2) { _, a in .bool(try SV.string(a[0]) == a[1].typeName) },
        "typeIsLike": TemplateFunction(arguments: 2) { _, a in
            let target = try SV.string(a[0])
            return .bool(target == a[1].typeName || target == "*" + a[1].typeName)
        },
        "kindOf": TemplateFunction(arguments: 1) { _, a in .string(SV.kind(a[0])) },
        "kindIs": TemplateFunction(arguments: 2) { _, a in .bool(try SV.string(a[0]) == SV.kind(a[1])) },
        "deepEqual": TemplateFunction(arguments: 2) { _, a in .bool(SV.deepEqual(a[0], a[1])) },
        "base": .stringToString(Paths.base),
        "dir": .stringToString(Paths.dir),
        "clean": .stringToString(Paths.clean),
        "ext": .stringToString(Paths.ext),
        "isAbs": TemplateFunction(arguments: 1) { _, a in .bool(try SV.string(a[0]).hasPrefix("/")) },
        "osBase": .stringToString(Paths.base),
        "osDir": .stringToString(Paths.dir),
        "osClean": .stringToString(Paths.clean),
        "osExt": .stringToString(Paths.ext),
        "osIsAbs": TemplateFunction(arguments: 1) { _, a in .bool(try SV.string(a[0]).hasPrefix("/")) },
    ]
}

/// Go's `path` package for slash-separated paths.
enum Paths {
    static func clean(_ path: String) -> String {
        if path.isEmpty { return "." }
        let rooted = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if let last = parts.last, last != ".." { parts.removeLast() } else if !rooted { parts.append(part) }
            default: parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    static func base(_ path: String) -> String {
        if path.isEmpty { return "." }
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        if p == "/" { return "/" }
        if let slash = p.lastIndex(of: "/") { return String(p[p.index(after: slash)...]) }
        return String(p)
    }

    static func dir(_ path: String) -> String {
        let cut = path.lastIndex(of: "/").map { path[...$0] } ?? ""
        return clean(String(cut))
    }

    static func ext(_ path: String) -> String {
        for index in path.indices.reversed() {
            if path[index] == "/" { break }
            if path[index] == "." { return String(path[index...]) }
        }
        return ""
    }
}
