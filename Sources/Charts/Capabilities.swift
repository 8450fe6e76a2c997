import Template

/// `.Capabilities`: the Kubernetes version and API versions a render assumes (Helm v4's defaults
/// unless overridden with `--kube-version` / `--api-versions`).
public struct Capabilities: Sendable {
    public var kubeVersion: String
    /// Helm's defaults in its order, then `--api-versions` (as Helm appends them).
    public var apiVersions: [String]

    public static let defaultKubeVersion = "v1.36.0"
    public static let helmVersion = "v4.2"

    /// The group/versions Helm v4's default capabilities report, in its order (`range` and
    /// printing follow it).
    public static let defaultAPIVersions: [String] = [
        "v1", "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1",
        "admissionregistration.k8s.io/v1beta1", "internal.apiserver.k8s.io/v1alpha1", "apps/v1", "apps/v1beta1",
        "apps/v1beta2", "authentication.k8s.io/v1", "authentication.k8s.io/v1alpha1", "authentication.k8s.io/v1beta1",
        "authorization.k8s.io/v1", "authorization.k8s.io/v1beta1", "autoscaling/v1", "autoscaling/v2", "batch/v1",
        "batch/v1beta1", "certificates.k8s.io/v1", "certificates.k8s.io/v1beta1", "certificates.k8s.io/v1alpha1",
        "coordination.k8s.io/v1alpha2", "coordination.k8s.io/v1beta1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
        "discovery.k8s.io/v1beta1", "events.k8s.io/v1", "events.k8s.io/v1beta1", "extensions/v1beta1",
        "flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2",
        "flowcontrol.apiserver.k8s.io/v1beta3", "networking.k8s.io/v1", "networking.k8s.io/v1beta1", "node.k8s.io/v1",
        "node.k8s.io/v1alpha1", "node.k8s.io/v1beta1", "policy/v1", "policy/v1beta1", "rbac.authorization.k8s.io/v1",
        "rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1", "resource.k8s.io/v1",
        "resource.k8s.io/v1beta2", "resource.k8s.io/v1beta1", "resource.k8s.io/v1alpha3", "scheduling.k8s.io/v1alpha2",
        "scheduling.k8s.io/v1beta1", "scheduling.k8s.io/v1", "storage.k8s.io/v1beta1", "storage.k8s.io/v1",
        "storage.k8s.io/v1alpha1", "storagemigration.k8s.io/v1beta1", "apiextensions.k8s.io/v1beta1",
        "apiextensions.k8s.io/v1",
    ]

    /// Whether `text` is a Kubernetes version Helm accepts for `--kube-version` (SemVer, `v` optional).
    public static func isValidKubeVersion(_ text: String) -> Bool { SemanticVersion(text) != nil }

    public init(kubeVersion: String = Capabilities.defaultKubeVersion, extraAPIVersions: [String] = []) {
        self.kubeVersion = kubeVersion.hasPrefix("v") ? kubeVersion : "v" + kubeVersion
        apiVersions = Self.defaultAPIVersions + extraAPIVersions
    }

    var templateValue: TemplateValue {
        let parts = kubeVersion.dropFirst().split(separator: ".")
        let kube = TemplateMap([
            ("Version", .string(kubeVersion)), ("GitVersion", .string(kubeVersion)),
            ("Major", .string(parts.first.map(String.init) ?? "1")), ("Minor", .string(parts.count > 1 ? String(parts[1]) : "0")),
        ])
        return .object(CapabilitiesObject(kube: kube, apiVersions: APIVersionsObject(list: apiVersions)))
    }
}

struct CapabilitiesObject: TemplateObject {
    let kube: TemplateMap
    let apiVersions: APIVersionsObject

    var typeName: String { "*common.Capabilities" }
    var printed: String { "&{\(GoFormat.value(.map(kube))) \(apiVersions.printed)}" }

    func field(_ name: String) -> TemplateValue? {
        switch name {
        case "KubeVersion": return .object(KubeVersionObject(map: kube))
        case "APIVersions": return .object(apiVersions)
        case "HelmVersion": return .map(TemplateMap([("Version", .string(Capabilities.helmVersion))]))
        default: return nil
        }
    }

    func method(_ name: String) -> (@Sendable ([TemplateValue]) throws -> TemplateValue)? { nil }
}

struct KubeVersionObject: TemplateObject {
    let map: TemplateMap
    var typeName: String { "common.KubeVersion" }
    var printed: String { map["Version"].map { GoFormat.value($0) } ?? "" }
    func field(_ name: String) -> TemplateValue? { map[name] }
    func method(_ name: String) -> (@Sendable ([TemplateValue]) throws -> TemplateValue)? {
        let text = printed
        return name == "String" ? { @Sendable _ in .string(text) } : nil
    }
}

/// `.Capabilities.APIVersions`: Helm's VersionSet, a list of strings with a `Has` method (so
/// `has`, `range`, `len` and `toJson` see the list).
struct APIVersionsObject: TemplateObject {
    let list: [String]
    var typeName: String { "common.VersionSet" }
    var printed: String { "[" + list.joined(separator: " ") + "]" }
    var elements: [TemplateValue]? { list.map { .string($0) } }
    var dataValue: Value? { .array(list.map { .string($0) }) }
    func field(_ name: String) -> TemplateValue? { nil }
    func method(_ name: String) -> (@Sendable ([TemplateValue]) throws -> TemplateValue)? {
        guard name == "Has" else { return nil }
        let versions = Set(list)
        return { args in
            guard args.count == 1, case .string(let version) = args[0] else {
                throw FunctionError("wrong number of args for Has: want 1 got \(args.count)")
            }
            return .bool(versions.contains(version))
        }
    }
}

/// `.Files`: the chart's non-template files.
struct FilesObject: TemplateObject {
    let files: [String: [UInt8]]

    var typeName: String { "files.Files" }
    var printed: String { "map[" + files.keys.sorted().map { "\($0):[...]" }.joined(separator: " ") + "]" }
    /// Helm's Files is a map of paths to bytes: `range $path, $bytes := .Files.Glob "..."`.
    var entries: [(key: String, value: TemplateValue)]? { files.keys.sorted().map { ($0, .bytes(files[$0]!)) } }
    func field(_ name: String) -> TemplateValue? { nil }

    func method(_ name: String) -> (@Sendable ([TemplateValue]) throws -> TemplateValue)? {
        let files = self.files
        @Sendable func path(_ args: [TemplateValue]) throws -> String {
            guard let first = args.first, case .string(let p) = first else { throw FunctionError("wrong type for value; expected string") }
            return p
        }
        switch name {
        // A Go string holds any bytes: a file that is not UTF-8 is carried as its bytes.
        case "Get": return { args in
            guard let bytes = files[try path(args)] else { return .string("") }
            return String(validating: bytes, as: UTF8.self).map { .string($0) } ?? .bytes(bytes)
        }
        case "GetBytes": return { args in .bytes(files[try path(args)] ?? []) }
        case "Lines": return { args in
            guard let bytes = files[try path(args)], !bytes.isEmpty else { return .list([]) }
            var text = String(decoding: bytes, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }  // Helm drops one trailing newline
            return .list(text.split(separator: "\n", omittingEmptySubsequences: false).map { .string(String($0)) })
        }
        case "Glob": return { args in
            let pattern = try path(args)
            return .object(FilesObject(files: files.filter { Glob.match(pattern, $0.key) }))
        }
        case "AsConfig": return { _ in
            .string(Self.yamlMap(files.mapValues { String(decoding: $0, as: UTF8.self) }))
        }
        case "AsSecrets": return { _ in
            .string(Self.yamlMap(files.mapValues { Data($0).base64EncodedString() }))
        }
        default: return nil
        }
    }

    /// What Helm's AsConfig/AsSecrets print: toYaml of a map from base names to contents.
    static func yamlMap(_ entries: [String: String]) -> String {
        var object = ValueObject()
        for key in entries.keys.sorted() { object[Paths.base(key)] = .string(entries[key]!) }
        var text = GoYAMLEmitter.emit(.object(object))
        if text.hasSuffix("\n") { text.removeLast() }
        return object.isEmpty ? "{}" : text  // toYAML of Helm's empty (non-nil) map
    }
}

/// Go's `path.Match` globs (`*`, `?`, `[...]`), plus `**` across folders as Helm's Glob (gobwas) allows.
enum Glob {
    static func match(_ pattern: String, _ name: String) -> Bool {
        matchHere(Array(pattern.unicodeScalars), 0, Array(name.unicodeScalars), 0)
    }

    /// `match` on scalars (Go's runes) already split (patterns matched against many names).
    static func match(_ pattern: [Unicode.Scalar], _ name: [Unicode.Scalar]) -> Bool {
        matchHere(pattern, 0, name, 0)
    }

    private static func matchHere(_ p: [Unicode.Scalar], _ pi: Int, _ s: [Unicode.Scalar], _ si: Int) -> Bool {
        if pi == p.count { return si == s.count }
        switch p[pi] {
        case "*":
            let doubleStar = pi + 1 < p.count && p[pi + 1] == "*"
            let next = doubleStar ? pi + 2 : pi + 1
            var i = si
            while true {
                if matchHere(p, next, s, i) { return true }
                if i == s.count || (!doubleStar && s[i] == "/") { return false }
                i += 1
            }
        case "?":
            return si < s.count && s[si] != "/" && matchHere(p, pi + 1, s, si + 1)
        case "[":
            guard si < s.count, let close = p[pi...].firstIndex(of: "]") else { return false }
            var set = Array(p[(pi + 1)..<close])
            let negate = set.first == "^" || set.first == "!"
            if negate { set.removeFirst() }
            var found = false
            var i = 0
            while i < set.count {
                if i + 2 < set.count && set[i + 1] == "-" {
                    if set[i] <= s[si] && s[si] <= set[i + 2] { found = true }
                    i += 3
                } else {
                    if set[i] == s[si] { found = true }
                    i += 1
                }
            }
            return found != negate && matchHere(p, close + 1, s, si + 1)
        default:
            return si < s.count && s[si] == p[pi] && matchHere(p, pi + 1, s, si + 1)
        }
    }
}

import Basics
import Foundation
import YAML

enum Paths {
    static func base(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }
}
