import Foundation

/// Sprig's regular-expression functions on Go's RE2 syntax (translated for ICU where they differ).
enum SprigRegex {
    static let functions: [String: TemplateFunction] = {
        var f: [String: TemplateFunction] = [:]
        let pairs: [(String, TemplateFunction)] = [
            ("regexMatch", TemplateFunction(arguments: 2) { _, a in
                let s = try SV.string(a[1])
                return .bool(try compile(a[0]).firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil)
            }),
            ("regexFindAll", TemplateFunction(arguments: 3) { _, a in
                let s = try SV.string(a[1])
                return SV.strings(matches(try compile(a[0]), s, limit: try SV.int(a[2])).map { String(s[Range($0.range, in: s)!]) })
            }),
            ("regexFind", TemplateFunction(arguments: 2) { _, a in
                let s = try SV.string(a[1])
                guard let match = matches(try compile(a[0]), s, limit: 1).first else { return .string("") }
                return .string(String(s[Range(match.range, in: s)!]))
            }),
            ("regexReplaceAll", TemplateFunction(arguments: 3) { _, a in
                .string(replace(try compile(a[0]), try SV.string(a[1]), template: try SV.string(a[2]), literal: false))
            }),
            ("regexReplaceAllLiteral", TemplateFunction(arguments: 3) { _, a in
                .string(replace(try compile(a[0]), try SV.string(a[1]), template: try SV.string(a[2]), literal: true))
            }),
            ("regexSplit", TemplateFunction(arguments: 3) { _, a in
                SV.strings(split(try compile(a[0]), try SV.string(a[1]), limit: try SV.int(a[2]), pattern: try SV.string(a[0])))
            }),
        ]
        for (name, function) in pairs {
            f[name] = function
            f["must" + name.prefix(1).uppercased() + name.dropFirst()] = function
        }
        f["regexQuoteMeta"] = .stringToString(quoteMeta)
        return f
    }()

    static func compile(_ pattern: TemplateValue) throws -> NSRegularExpression {
        let text = try SV.string(pattern)
        // RE2 named groups (?P<name>...) are (?<name>...) in ICU.
        let translated = text.replacingOccurrences(of: "(?P<", with: "(?<")
        do {
            return try NSRegularExpression(pattern: translated)
        } catch {
            throw FunctionError("error parsing regexp: invalid or unsupported Perl syntax: `\(text)`")
        }
    }

    /// Successive non-overlapping matches, skipping empty matches right after a previous match (Go's rule).
    static func matches(_ regex: NSRegularExpression, _ s: String, limit: Int) -> [NSTextCheckingResult] {
        var result: [NSTextCheckingResult] = []
        var previousEnd = -1
        for match in regex.matches(in: s, range: NSRange(s.startIndex..., in: s)) {
            if limit >= 0 && result.count >= limit { break }
            if match.range.length == 0 && match.range.location == previousEnd { continue }
            result.append(match)
            previousEnd = match.range.location + match.range.length
        }
        return result
    }

    /// Go's `Regexp.Split`.
    static func split(_ regex: NSRegularExpression, _ s: String, limit: Int, pattern: String) -> [String] {
        if limit == 0 { return [] }
        if !pattern.isEmpty && s.isEmpty { return [""] }
        let ns = s as NSString
        var parts: [String] = []
        var begin = 0
        var end = 0
        for match in matches(regex, s, limit: limit) {
            if limit > 0 && parts.count == limit - 1 { break }
            end = match.range.location
            if match.range.location + match.range.length != 0 {
                parts.append(ns.substring(with: NSRange(location: begin, length: end - begin)))
            }
            begin = match.range.location + match.range.length
        }
        if end != ns.length { parts.append(ns.substring(from: begin)) }
        return parts
    }

    /// Go's `ReplaceAllString` (expanding `$1`, `${name}`) or `ReplaceAllLiteralString`.
    static func replace(_ regex: NSRegularExpression, _ s: String, template: String, literal: Bool) -> String {
        let ns = s as NSString
        var out = ""
        var last = 0
        for match in matches(regex, s, limit: -1) {
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            out += literal ? template : expand(template, match: match, in: ns, regex: regex)
            last = match.range.location + match.range.length
        }
        out += ns.substring(from: last)
        return out
    }

    /// Go's `Regexp.Expand`: `$name` takes the longest run of letters, digits and `_`.
    static func expand(_ template: String, match: NSTextCheckingResult, in ns: NSString, regex: NSRegularExpression) -> String {
        var out = ""
        var chars = Substring(template)
        while let dollar = chars.firstIndex(of: "$") {
            out += chars[..<dollar]
            chars = chars[chars.index(after: dollar)...]
            if chars.first == "$" {
                out += "$"
                chars = chars.dropFirst()
                continue
            }
            var name: Substring
            if chars.first == "{" {
                guard let close = chars.firstIndex(of: "}") else { out += "$"; continue }
                name = chars[chars.index(after: chars.startIndex)..<close]
                chars = chars[chars.index(after: close)...]
            } else {
                let end = chars.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? chars.endIndex
                name = chars[..<end]
                chars = chars[end...]
                if name.isEmpty { out += "$"; continue }
            }
            var range = NSRange(location: NSNotFound, length: 0)
            if let index = Int(name) {
                if index < match.numberOfRanges { range = match.range(at: index) }
            } else {
                range = match.range(withName: String(name))
            }
            if range.location != NSNotFound { out += ns.substring(with: range) }
        }
        return out + chars
    }

    /// Go's `regexp.QuoteMeta`.
    static func quoteMeta(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\\.+*?()|[]{}^$".contains(c) { out += "\\" }
            out.append(c)
        }
        return out
    }
}
