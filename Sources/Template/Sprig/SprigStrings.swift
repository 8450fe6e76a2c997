import Foundation

/// Sprig's string functions.
public enum SprigStrings {
    static let functions: [String: TemplateFunction] = [
        "trim": .stringToString(GoStrings.trimSpace),
        "trimAll": TemplateFunction(arguments: 2) { _, a in
            .string(trim(try SV.string(a[1]), cutset: try SV.string(a[0])))
        },
        "trimPrefix": TemplateFunction(arguments: 2) { _, a in
            let prefix = try SV.string(a[0]), s = try SV.string(a[1])
            return .string(s.hasPrefix(prefix) ? String(s.dropFirst(prefix.count)) : s)
        },
        "trimSuffix": TemplateFunction(arguments: 2) { _, a in
            let suffix = try SV.string(a[0]), s = try SV.string(a[1])
            return .string(s.hasSuffix(suffix) ? String(s.dropLast(suffix.count)) : s)
        },
        "upper": .stringToString { $0.uppercased() },
        "lower": .stringToString { $0.lowercased() },
        "title": .stringToString(title),
        "untitle": .stringToString { changeWordStarts($0, upper: false) },
        "repeat": TemplateFunction(arguments: 2) { _, a in
            .string(String(repeating: try SV.string(a[1]), count: max(0, try SV.int(a[0]))))
        },
        "substr": TemplateFunction(arguments: 3) { _, a in
            .string(try substring(try SV.int(a[0]), try SV.int(a[1]), try SV.string(a[2])))
        },
        "nospace": .stringToString { String($0.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)) },
        "trunc": TemplateFunction(arguments: 2) { _, a in
            let c = try SV.int(a[0])
            let bytes = Array(try SV.string(a[1]).utf8)
            if c < 0 && bytes.count + c > 0 { return .string(String(decoding: bytes[(bytes.count + c)...], as: UTF8.self)) }
            if c >= 0 && bytes.count > c { return .string(String(decoding: bytes[..<c], as: UTF8.self)) }
            return .string(String(decoding: bytes, as: UTF8.self))
        },
        "abbrev": TemplateFunction(arguments: 2) { _, a in
            let width = try SV.int(a[0]), s = try SV.string(a[1])
            return .string(width < 4 ? s : abbreviate(s, width))
        },
        "abbrevboth": TemplateFunction(arguments: 3) { _, a in
            let left = try SV.int(a[0]), right = try SV.int(a[1]), s = try SV.string(a[2])
            if right < 4 || (left > 0 && right < 7) { return .string(s) }
            return .string(abbreviateFull(s, offset: left, maxWidth: right))
        },
        "initials": .stringToString(XStrings.initials),
        "wrap": TemplateFunction(arguments: 2) { _, a in
            .string(wrap(try SV.string(a[1]), length: try SV.int(a[0]), newline: "\n", wrapLongWords: false))
        },
        "wrapWith": TemplateFunction(arguments: 3) { _, a in
            .string(wrap(try SV.string(a[2]), length: try SV.int(a[0]), newline: try SV.string(a[1]), wrapLongWords: true))
        },
        "contains": TemplateFunction(arguments: 2) { _, a in
            let needle = try SV.string(a[0]), haystack = try SV.string(a[1])
            return .bool(byteOffsets(of: needle, in: haystack, limit: 1).count == 1)
        },
        "hasPrefix": TemplateFunction(arguments: 2) { _, a in .bool(try SV.string(a[1]).hasPrefix(try SV.string(a[0]))) },
        "hasSuffix": TemplateFunction(arguments: 2) { _, a in .bool(try SV.string(a[1]).hasSuffix(try SV.string(a[0]))) },
        "quote": TemplateFunction(atLeast: 0) { _, a in
            .string(a.filter { !$0.isNil }.map { GoFormat.quote(SV.strval($0)) }.joined(separator: " "))
        },
        "squote": TemplateFunction(atLeast: 0) { _, a in
            .string(a.filter { !$0.isNil }.map { "'" + SV.strval($0) + "'" }.joined(separator: " "))
        },
        "cat": TemplateFunction(atLeast: 0) { _, a in
            .string(a.filter { !$0.isNil }.map { GoFormat.value($0) }.joined(separator: " "))
        },
        "indent": TemplateFunction(arguments: 2) { _, a in
            .string(indent(try SV.int(a[0]), try SV.string(a[1])))
        },
        "nindent": TemplateFunction(arguments: 2) { _, a in
            .string(indent(try SV.int(a[0]), try SV.string(a[1]), newlineFirst: true))
        },
        "replace": TemplateFunction(arguments: 3) { _, a in
            .string(replaceAll(try SV.string(a[2]), try SV.string(a[0]), try SV.string(a[1])))
        },
        "plural": TemplateFunction(arguments: 3) { _, a in
            .string(try SV.int(a[2]) == 1 ? try SV.string(a[0]) : try SV.string(a[1]))
        },
        "snakecase": .stringToString { XStrings.toLowerCase($0, connector: "_") },
        "kebabcase": .stringToString { XStrings.toLowerCase($0, connector: "-") },
        "camelcase": .stringToString(XStrings.camelCase),
        "swapcase": .stringToString { s in
            String(s.map { c in c.isUppercase ? Character(c.lowercased()) : c.isLowercase ? Character(c.uppercased()) : c })
        },
        // string([]byte): raw bytes that are not UTF-8 stay bytes, so b64enc and the sums see them.
        "toString": TemplateFunction(arguments: 1) { _, a in
            if case .bytes(let raw) = a[0], String(validating: raw, as: UTF8.self) == nil { return a[0] }
            return .string(SV.strval(a[0]))
        },
        "toStrings": TemplateFunction(arguments: 1) { _, a in SV.strings(SV.strslice(a[0])) },
        "split": TemplateFunction(arguments: 2) { _, a in
            let parts = split(try SV.string(a[1]), by: try SV.string(a[0]), limit: -1)
            return .map(TemplateMap(parts.enumerated().map { ("_\($0.offset)", .string($0.element)) }))
        },
        "splitList": TemplateFunction(arguments: 2) { _, a in
            SV.strings(split(try SV.string(a[1]), by: try SV.string(a[0]), limit: -1))
        },
        "splitn": TemplateFunction(arguments: 3) { _, a in
            let parts = split(try SV.string(a[2]), by: try SV.string(a[0]), limit: try SV.int(a[1]))
            return .map(TemplateMap(parts.enumerated().map { ("_\($0.offset)", .string($0.element)) }))
        },
        "join": TemplateFunction(arguments: 2) { _, a in
            .string(SV.strslice(a[1]).joined(separator: try SV.string(a[0])))
        },
        "sortAlpha": TemplateFunction(arguments: 1) { _, a in
            switch a[0] {
            case .list: return SV.strings(SV.strslice(a[0]).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
            default: return SV.strings([SV.strval(a[0])])
            }
        },
    ]

    /// Go's `strings.Trim` with a cutset.
    static func trim(_ s: String, cutset: String) -> String {
        let cut = Set(cutset.unicodeScalars)
        var scalars = Substring(s).unicodeScalars
        while let first = scalars.first, cut.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, cut.contains(last) { scalars.removeLast() }
        return String(scalars)
    }

    /// Go's deprecated `strings.Title`: the first letter after each separator in title case.
    static func title(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar = " "
        for scalar in s.unicodeScalars {
            if isSeparator(previous) {
                out.append(contentsOf: scalar.properties.titlecaseMapping.unicodeScalars)
            } else {
                out.append(scalar)
            }
            previous = scalar
        }
        return String(out)
    }

    static func isSeparator(_ r: Unicode.Scalar) -> Bool {
        if r.value <= 0x7F {
            switch r {
            case "0"..."9", "a"..."z", "A"..."Z", "_": return false
            default: return true
            }
        }
        if r.properties.isAlphabetic || r.properties.numericType == .decimal { return false }
        return r.properties.isWhitespace
    }

    /// Changes the first letter of each whitespace-separated word (goutils Capitalize/Uncapitalize).
    static func changeWordStarts(_ s: String, upper: Bool) -> String {
        var out = ""
        var atStart = true
        for c in s {
            if c.isWhitespace {
                atStart = true
                out.append(c)
            } else if atStart {
                out += upper ? c.uppercased() : c.lowercased()
                atStart = false
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Sprig's `substr` on bytes: a negative start means from 0, a negative or too large end means to the end.
    static func substring(_ start: Int, _ end: Int, _ s: String) throws -> String {
        let bytes = Array(s.utf8)
        func slice(_ from: Int, _ to: Int) throws -> String {
            guard from >= 0, to <= bytes.count, from <= to else {
                throw FunctionError("runtime error: slice bounds out of range [\(from):\(to)]")
            }
            return String(decoding: bytes[from..<to], as: UTF8.self)
        }
        if start < 0 { return try slice(0, end) }
        if end < 0 || end > bytes.count { return try slice(start, bytes.count) }
        return try slice(start, end)
    }

    /// goutils `Abbreviate`: at most `width` bytes, ending in "...".
    static func abbreviate(_ s: String, _ width: Int) -> String {
        let bytes = Array(s.utf8)
        if bytes.count <= width { return s }
        return String(decoding: bytes[..<(width - 3)], as: UTF8.self) + "..."
    }

    /// goutils `AbbreviateFull`.
    static func abbreviateFull(_ s: String, offset: Int, maxWidth: Int) -> String {
        let bytes = Array(s.utf8)
        if bytes.isEmpty { return "" }
        if bytes.count <= maxWidth { return s }
        var offset = min(offset, bytes.count)
        if bytes.count - offset < maxWidth - 3 { offset = bytes.count - (maxWidth - 3) }
        if offset <= 4 { return String(decoding: bytes[..<(maxWidth - 3)], as: UTF8.self) + "..." }
        if offset + maxWidth - 3 < bytes.count {
            return "..." + abbreviate(String(decoding: bytes[offset...], as: UTF8.self), maxWidth - 3)
        }
        return "..." + String(decoding: bytes[(bytes.count - (maxWidth - 3))...], as: UTF8.self)
    }

    /// goutils `WrapCustom`.
    static func wrap(_ s: String, length: Int, newline: String, wrapLongWords: Bool) -> String {
        let str = Array(s.utf8)
        if str.isEmpty { return "" }
        let newline = newline.isEmpty ? "\n" : newline
        let length = max(1, length)
        var offset = 0
        var out: [UInt8] = []
        func text(_ from: Int, _ to: Int) -> ArraySlice<UInt8> { str[from..<to] }
        while str.count - offset > length {
            if str[offset] == UInt8(ascii: " ") {
                offset += 1
                continue
            }
            let end = min(length + offset + 1, str.count)
            let lastSpace = text(offset, end).lastIndex(of: UInt8(ascii: " "))
            if let space = lastSpace, space >= offset {
                out += text(offset, space)
                out += Array(newline.utf8)
                offset = space + 1
            } else if wrapLongWords {
                out += text(offset, length + offset)
                out += Array(newline.utf8)
                offset += length
            } else {
                let from = length + offset
                if let space = str[from...].firstIndex(of: UInt8(ascii: " ")) {
                    out += text(offset, space)
                    out += Array(newline.utf8)
                    offset = space + 1
                } else {
                    out += text(offset, str.count)
                    offset = str.count
                }
            }
        }
        out += text(offset, str.count)
        return String(decoding: out, as: UTF8.self)
    }

    /// `spaces` spaces before every line of `s` (after a leading newline for `nindent`), in one pass.
    static func indent(_ spaces: Int, _ s: String, newlineFirst: Bool = false) -> String {
        let pad = max(0, spaces)
        var text = s
        return text.withUTF8 { bytes -> String in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + pad * 8 + 1)
            if newlineFirst { out.append(UInt8(ascii: "\n")) }
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: pad))
            var start = 0
            while start < bytes.count {
                guard let base = bytes.baseAddress,
                      let hit = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) else { break }
                let end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: pad))
                start = end
            }
            if start < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...])) }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Go's `strings.Replace(s, old, new, -1)` (an empty `old` inserts `new` around every rune).
    public static func replaceAll(_ s: String, _ old: String, _ new: String) -> String {
        if old.isEmpty {
            var out = new
            for scalar in s.unicodeScalars { out.unicodeScalars.append(scalar); out += new }
            return out
        }
        let pattern = Array(old.utf8), replacement = Array(new.utf8)
        guard let first = pattern.first, s.utf8.count >= pattern.count else { return s }
        // Find matches with memchr and copy the text between them in chunks; nothing is copied
        // when there is no match (most texts).
        var text = s
        return text.withUTF8 { bytes -> String in
            guard let base = bytes.baseAddress else { return s }
            var out: [UInt8] = []
            var copied = 0, offset = 0
            while offset + pattern.count <= bytes.count,
                  let hit = memchr(base + offset, Int32(first), bytes.count - offset) {
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                guard at + pattern.count <= bytes.count else { break }
                if memcmp(base + at, pattern, pattern.count) == 0 {
                    if out.isEmpty { out.reserveCapacity(bytes.count + bytes.count / 4) }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<at]))
                    out.append(contentsOf: replacement)
                    offset = at + pattern.count
                    copied = offset
                } else {
                    offset = at + 1
                }
            }
            if copied == 0 { return s }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Go's `strings.Split` / `SplitN` (`limit` < 0: all).
    static func split(_ s: String, by separator: String, limit: Int) -> [String] {
        if limit == 0 { return [] }
        if separator.isEmpty {
            var parts = s.unicodeScalars.map { String($0) }
            if limit > 0 && parts.count > limit {
                parts = Array(parts[..<(limit - 1)]) + [parts[(limit - 1)...].joined()]
            }
            return parts
        }
        let hits = byteOffsets(of: separator, in: s, limit: limit > 0 ? limit - 1 : Int.max)
        let bytes = Array(s.utf8), width = separator.utf8.count
        var parts: [String] = []
        var start = 0
        for hit in hits {
            parts.append(String(decoding: bytes[start..<hit], as: UTF8.self))
            start = hit + width
        }
        parts.append(String(decoding: bytes[start...], as: UTF8.self))
        return parts
    }

    /// Byte offsets of the first `limit` non-overlapping occurrences of `needle` in `haystack`,
    /// compared byte for byte as Go's `strings` package does (an empty needle matches at 0).
    public static func byteOffsets(of needle: String, in haystack: String, limit: Int = .max) -> [Int] {
        if needle.isEmpty { return limit > 0 ? [0] : [] }
        var text = haystack, pattern = needle
        return text.withUTF8 { bytes -> [Int] in
            pattern.withUTF8 { pattern -> [Int] in
                guard let base = bytes.baseAddress, let patternBase = pattern.baseAddress else { return [] }
                var offsets: [Int] = []
                var offset = 0
                while offsets.count < limit, offset + pattern.count <= bytes.count,
                      let hit = memchr(base + offset, Int32(patternBase[0]), bytes.count - offset - pattern.count + 1) {
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + at, patternBase, pattern.count) == 0 {
                        offsets.append(at)
                        offset = at + pattern.count
                    } else {
                        offset = at + 1
                    }
                }
                return offsets
            }
        }
    }

}
