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
/// Clock and random functions read the executing set's `now` and `randomSource`.
public enum Sprig {
    public static let functions: [String: TemplateFunction] = {
        var all: [String: TemplateFunction] = [:]
        for group in [SprigStrings.functions, SprigLists.functions, SprigDicts.functions, SprigDefaults.functions,
                      SprigMath.functions, SprigEncoding.functions, SprigJSON.functions, SprigRegex.functions,
                      SprigSemver.functions, SprigURL.functions, SprigDates.functions, SprigRandom.functions,
                      SprigCrypto.functions, SprigCertificates.functions, SprigPasswords.functions] {
            all.merge(group) { _, new in new }
        }
        // Sprig v3.3's older names and must- twins (its functions.go), which charts still use.
        all["hello"] = TemplateFunction(arguments: 0) { _, _ in .string("Hello!") }
        all["date_modify"] = all["dateModify"]
        all["must_date_modify"] = all["mustDateModify"]
        all["trimall"] = all["trimAll"]
        // mergo fails only on maps of different types, which template maps never are.
        all["mustMerge"] = all["merge"]
        all["mustMergeOverwrite"] = all["mergeOverwrite"]
        // strconv.Atoi with the error dropped: 0 for anything that is not a decimal integer.
        all["atoi"] = TemplateFunction(arguments: 1) { _, a in .int(Int64(try SV.string(a[0])) ?? 0) }
        // strconv.ParseInt(fmt.Sprint(v), 8, 64): the text read as an octal number, 0 when it is not one.
        all["toDecimal"] = TemplateFunction(arguments: 1) { _, a in .int(Int64(GoFormat.sprint([a[0]]), radix: 8) ?? 0) }
        return all
    }()
}
