/// Semantic versions and constraints as Masterminds/semver v3 (which Sprig and Helm use) reads them.
public struct SemanticVersion: Sendable, Comparable {
    public var major: UInt64
    public var minor: UInt64
    public var patch: UInt64
    public var prerelease: String
    public var metadata: String
    public var original: String

    /// Parses leniently like `semver.NewVersion`: an optional `v`, minor and patch may be missing.
    public init?(_ text: String) {
        original = text
        var s = Substring(text)
        if s.first == "v" || s.first == "V" { s = s.dropFirst() }
        metadata = ""
        prerelease = ""
        if let plus = s.firstIndex(of: "+") {
            metadata = String(s[s.index(after: plus)...])
            s = s[..<plus]
            guard Self.validIdentifiers(metadata) else { return nil }
        }
        if let dash = s.firstIndex(of: "-") {
            prerelease = String(s[s.index(after: dash)...])
            s = s[..<dash]
            guard Self.validIdentifiers(prerelease) else { return nil }
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let major = UInt64(parts[0]) else { return nil }
        self.major = major
        minor = parts.count > 1 ? UInt64(parts[1]) ?? 0 : 0
        patch = parts.count > 2 ? UInt64(parts[2]) ?? 0 : 0
        if parts.count > 1 && UInt64(parts[1]) == nil { return nil }
        if parts.count > 2 && UInt64(parts[2]) == nil { return nil }
    }

    init(major: UInt64, minor: UInt64, patch: UInt64, prerelease: String = "") {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        metadata = ""
        original = "\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-" + prerelease)
    }

    static func validIdentifiers(_ s: String) -> Bool {
        !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    public var description: String {
        "\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-" + prerelease) + (metadata.isEmpty ? "" : "+" + metadata)
    }

    /// -1, 0 or 1, ignoring build metadata; a version with a prerelease sorts before one without.
    public func compare(_ other: SemanticVersion) -> Int {
        for (a, b) in [(major, other.major), (minor, other.minor), (patch, other.patch)] where a != b {
            return a < b ? -1 : 1
        }
        if prerelease == other.prerelease { return 0 }
        if prerelease.isEmpty { return 1 }
        if other.prerelease.isEmpty { return -1 }
        let a = prerelease.split(separator: "."), b = other.prerelease.split(separator: ".")
        for (x, y) in zip(a, b) where x != y {
            switch (UInt64(x), UInt64(y)) {
            case let (p?, q?): return p < q ? -1 : 1
            case (.some, nil): return -1
            case (nil, .some): return 1
            default: return x < y ? -1 : 1
            }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    public static func < (a: SemanticVersion, b: SemanticVersion) -> Bool { a.compare(b) < 0 }
    public static func == (a: SemanticVersion, b: SemanticVersion) -> Bool { a.compare(b) == 0 }
}

/// A version constraint such as `>= 1.2, < 2`, `^1.4`, `~2.3.x`, `1.2 - 1.5`, `1.x || >=3`.
public struct SemverConstraint: Sendable {
    struct Comparison: Sendable {
        var op: String
        var version: SemanticVersion
        /// Which of minor and patch were wildcards or missing.
        var dirtyMinor: Bool
        var dirtyPatch: Bool
        var wildcardMajor: Bool
    }

    let groups: [[Comparison]]

    public init?(_ text: String) {
        var groups: [[Comparison]] = []
        for group in text.components(separatedBy: "||") {
            var expanded = group
            // Hyphen ranges: "1.2 - 1.4.5" → ">= 1.2, <= 1.4.5".
            if let range = expanded.range(of: " - ") {
                expanded = ">= " + expanded[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                    + ", <= " + expanded[range.upperBound...].trimmingCharacters(in: .whitespaces)
            }
            var comparisons: [Comparison] = []
            for token in Self.tokens(expanded) {
                guard let comparison = Self.parse(token) else { return nil }
                comparisons.append(comparison)
            }
            guard !comparisons.isEmpty else { return nil }
            groups.append(comparisons)
        }
        self.groups = groups
    }

    /// Splits on commas and on spaces between comparisons ("> 1 < 2" → ["> 1", "< 2"]).
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        for part in text.split(separator: ",") {
            var current = ""
            for word in part.split(separator: " ") {
                let isOperatorOnly = word.allSatisfy { "<>=!~^".contains($0) }
                if !current.isEmpty && !current.allSatisfy({ "<>=!~^".contains($0) }) {
                    tokens.append(current)
                    current = ""
                }
                current += word
                _ = isOperatorOnly
            }
            if !current.isEmpty { tokens.append(current) }
        }
        return tokens
    }

    static func parse(_ token: String) -> Comparison? {
        let operators = [">=", "=>", "<=", "=<", "!=", "~>", ">", "<", "=", "~", "^"]
        var op = ""
        var rest = Substring(token)
        for candidate in operators where rest.hasPrefix(candidate) {
            op = candidate
            rest = rest.dropFirst(candidate.count)
            break
        }
        rest = rest.drop { $0 == " " }
        if rest.first == "v" { rest = rest.dropFirst() }
        var versionText = String(rest)
        var prerelease = ""
        if let plus = versionText.firstIndex(of: "+") { versionText = String(versionText[..<plus]) }
        if let dash = versionText.firstIndex(of: "-") {
            prerelease = String(versionText[versionText.index(after: dash)...])
            versionText = String(versionText[..<dash])
        }
        let parts = versionText.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count) else { return nil }
        func isWild(_ s: String) -> Bool { s == "x" || s == "X" || s == "*" }
        var numbers: [UInt64] = []
        var dirty = [false, false, false]
        for i in 0..<3 {
            if i >= parts.count || isWild(parts[i]) {
                dirty[i] = true
                numbers.append(0)
            } else if let n = UInt64(parts[i]), parts[i].allSatisfy(\.isNumber) {
                if dirty[..<i].contains(true) { return nil }
                numbers.append(n)
            } else {
                return nil
            }
        }
        if !prerelease.isEmpty && !SemanticVersion.validIdentifiers(prerelease) { return nil }
        let version = SemanticVersion(major: numbers[0], minor: numbers[1], patch: numbers[2], prerelease: prerelease)
        return Comparison(op: op, version: version, dirtyMinor: dirty[1], dirtyPatch: dirty[2], wildcardMajor: dirty[0])
    }

    /// Whether `version` satisfies the constraint.
    public func check(_ version: SemanticVersion) -> Bool {
        groups.contains { group in group.allSatisfy { Self.check($0, version) } }
    }

    static func check(_ c: Comparison, _ v: SemanticVersion) -> Bool {
        // A prerelease version only satisfies comparisons that mention a prerelease.
        if !v.prerelease.isEmpty && c.version.prerelease.isEmpty { return false }
        let cv = c.version
        func lessThanUpper(_ upper: SemanticVersion) -> Bool { v.compare(upper) < 0 }
        switch c.op {
        case "", "=":
            if c.wildcardMajor { return true }
            if c.dirtyMinor { return v.major == cv.major }
            if c.dirtyPatch { return v.major == cv.major && v.minor == cv.minor }
            return v.compare(cv) == 0
        case "!=":
            if c.wildcardMajor { return false }
            if c.dirtyMinor { return v.major != cv.major }
            if c.dirtyPatch { return !(v.major == cv.major && v.minor == cv.minor) }
            return v.compare(cv) != 0
        case ">":
            if c.wildcardMajor { return false }
            if c.dirtyMinor { return v.major > cv.major }
            if c.dirtyPatch { return v.major > cv.major || (v.major == cv.major && v.minor > cv.minor) }
            return v.compare(cv) > 0
        case ">=", "=>":
            return c.wildcardMajor || v.compare(cv) >= 0
        case "<":
            return !c.wildcardMajor && v.compare(cv) < 0
        case "<=", "=<":
            if c.wildcardMajor { return true }
            if c.dirtyMinor { return v.major <= cv.major }
            if c.dirtyPatch { return v.major < cv.major || (v.major == cv.major && v.minor <= cv.minor) }
            return v.compare(cv) <= 0
        case "~", "~>":
            if c.wildcardMajor { return true }
            guard v.compare(cv) >= 0 else { return false }
            if c.dirtyMinor { return v.major == cv.major }
            return v.major == cv.major && v.minor == cv.minor
        case "^":
            if c.wildcardMajor { return true }
            guard v.compare(cv) >= 0 else { return false }
            if cv.major > 0 || c.dirtyMinor { return v.major == cv.major }
            if cv.minor > 0 || c.dirtyPatch { return v.major == 0 && v.minor == cv.minor }
            return v.major == 0 && v.minor == 0 && v.patch == cv.patch
        default:
            return false
        }
    }
}

/// `semver` results in templates: fields and the `Compare` method.
struct SemverObject: TemplateObject {
    let version: SemanticVersion

    var typeName: String { "*semver.Version" }
    var printed: String { version.description }

    func field(_ name: String) -> TemplateValue? {
        switch name {
        case "Major": return .int(Int64(version.major))
        case "Minor": return .int(Int64(version.minor))
        case "Patch": return .int(Int64(version.patch))
        case "Prerelease": return .string(version.prerelease)
        case "Metadata": return .string(version.metadata)
        case "Original": return .string(version.original)
        default: return nil
        }
    }

    func method(_ name: String) -> (@Sendable ([TemplateValue]) throws -> TemplateValue)? {
        let version = self.version
        switch name {
        case "Compare":
            return { args in
                guard args.count == 1, case .object(let other as SemverObject) = args[0] else {
                    throw FunctionError("wrong type for value; expected *semver.Version")
                }
                return .int(Int64(version.compare(other.version)))
            }
        case "String": return { _ in .string(version.description) }
        case "Original": return { _ in .string(version.original) }
        default: return nil
        }
    }
}

enum SprigSemver {
    static let functions: [String: TemplateFunction] = [
        "semver": TemplateFunction(arguments: 1) { _, a in
            guard let version = SemanticVersion(try SV.string(a[0])) else { throw FunctionError("Invalid Semantic Version") }
            return .object(SemverObject(version: version))
        },
        "semverCompare": TemplateFunction(arguments: 2) { _, a in
            let text = try SV.string(a[0])
            guard let constraint = SemverConstraint(text) else { throw FunctionError("improper constraint: \(text)") }
            guard let version = SemanticVersion(try SV.string(a[1])) else { throw FunctionError("Invalid Semantic Version") }
            return .bool(constraint.check(version))
        },
    ]
}

import Foundation
