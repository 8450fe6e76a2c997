import Foundation

/// Sprig's `urlParse` and `urlJoin` (Go's net/url).
enum SprigURL {
    static let functions: [String: TemplateFunction] = [
        "urlParse": TemplateFunction(arguments: 1) { _, a in
            let text = try SV.string(a[0])
            guard let url = URLComponents(string: text) else { throw FunctionError("unable to parse url: \(text)") }
            var userinfo = url.percentEncodedUser ?? ""
            if let password = url.percentEncodedPassword { userinfo += ":" + password }
            var host = url.percentEncodedHost ?? ""
            if let port = url.port { host += ":\(port)" }
            return .map(TemplateMap([
                ("scheme", .string(url.scheme ?? "")), ("host", .string(host)), ("hostname", .string(url.host ?? "")),
                ("path", .string(url.path)), ("query", .string(url.percentEncodedQuery ?? "")),
                ("opaque", .string("")), ("fragment", .string(url.fragment ?? "")), ("userinfo", .string(userinfo)),
            ]))
        },
        "urlJoin": TemplateFunction(arguments: 1) { _, a in
            let d = try SV.map(a[0])
            func part(_ key: String) -> String { d[key].map(SV.strval) ?? "" }
            var out = ""
            if !part("scheme").isEmpty { out += part("scheme") + ":" }
            if !part("host").isEmpty || !part("userinfo").isEmpty {
                out += "//"
                if !part("userinfo").isEmpty { out += part("userinfo") + "@" }
                out += part("host")
            }
            out += part("path")
            if !part("query").isEmpty { out += "?" + part("query") }
            if !part("fragment").isEmpty { out += "#" + part("fragment") }
            return .string(out)
        },
    ]
}

/// All Sprig functions Helm exposes (`env` and `expandenv` are removed, as Helm removes them).
public enum Sprig {
    /// Sprig's functions, with `now` reading the wall clock and random functions using the system generator.
    public static let functions: [String: TemplateFunction] = functions(now: { Date() }, random: .system)

    /// Sprig's functions with `now` taken from `now` (a render fixes it to the commit time) and
    /// random functions drawing from `random`.
    public static func functions(now: @escaping @Sendable () -> Date,
                                 random: RandomSource = .system) -> [String: TemplateFunction] {
        var all: [String: TemplateFunction] = [:]
        for group in [SprigStrings.functions, SprigLists.functions, SprigDicts.functions, SprigDefaults.functions,
                      SprigMath.functions, SprigEncoding.functions, SprigJSON.functions, SprigRegex.functions,
                      SprigSemver.functions, SprigURL.functions, clockAndRandomFunctions(now: now, random: random)] {
            all.merge(group) { _, new in new }
        }
        return all
    }

    /// Only the functions that read the clock or draw random numbers (dates, random strings,
    /// keys, certificates, password hashes, AES), sharing one random source.
    public static func clockAndRandomFunctions(now: @escaping @Sendable () -> Date,
                                               random: RandomSource) -> [String: TemplateFunction] {
        let generator = TemplateRandom(random)
        var all: [String: TemplateFunction] = [:]
        for group in [SprigDates.functions(now: now), SprigRandom.functions(generator), SprigCrypto.functions(generator),
                      SprigCertificates.functions(generator, now: now), SprigPasswords.functions(generator)] {
            all.merge(group) { _, new in new }
        }
        return all
    }
}
