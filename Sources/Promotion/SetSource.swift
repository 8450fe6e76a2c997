import Basics
import Crypto
import Foundation
import Kustomize
import RepoModel
import YAML

/// One `PATH=VALUE` of `gitops set`.
public struct ValueAssignment: Sendable, Hashable {
    public var path: ValuePath
    /// The text after `=`: typed against the value it replaces (see `value(replacing:)`).
    public var text: String

    public init(path: ValuePath, text: String) {
        self.path = path
        self.text = text
    }

    /// Parses `image.tag=1.6.0`, `images[name=app].newTag=1.6.0`: the path ends at the first `=`
    /// outside brackets and quotes.
    public init(parsing argument: String) throws {
        var depth = 0, quoted = false
        for index in argument.indices {
            switch argument[index] {
            case "\"": quoted.toggle()
            case "[" where !quoted: depth += 1
            case "]" where !quoted: depth -= 1
            case "=" where !quoted && depth == 0:
                let pathText = String(argument[..<index])
                guard let path = ValuePath(parsing: pathText) else {
                    throw PromotionError("'\(pathText)' is not a value path (write image.tag, labels.\"app.kubernetes.io/name\" or images[name=app].newTag)")
                }
                self.init(path: path, text: String(argument[argument.index(after: index)...]))
                return
            default: break
            }
        }
        throw PromotionError("'\(argument)' is not PATH=VALUE (for example image.tag=1.6.0)")
    }

    /// The value to write: a string where the current value is a string (so `1.10` stays the tag
    /// `1.10`), else the text read as a YAML scalar (`3`, `true`), except where that would not
    /// read back as the same text (`1.10` as a new value is the string `1.10`, not the float 1.1).
    public func value(replacing current: Value?) -> Value {
        if case .string? = current { return .string(text) }
        guard let parsed = try? YAML.values(Array(text.utf8), file: "value").first else { return .string(text) }
        switch parsed {
        case .int, .bool: return parsed
        case .float(let number) where YAMLEmitter.inlineValue(.float(number)) == text: return parsed
        case .null where current != nil && text == "null": return .null
        default: return .string(text)
        }
    }

    public var description: String { "\(path)=\(text)" }
}

/// `gitops set ENV RELEASE PATH=VALUE...`: values of one release set in the files where the
/// environment defines them (as a promotion edits them, every other byte kept), proposed as a
/// commit on a branch — how a build pipeline hands a new image tag to the first environment.
public struct SetSource: ProposalSource {
    public var environment: String
    public var release: String
    public var assignments: [ValueAssignment]
    /// Why, in the commit message (`--reason`: a build, a ticket).
    public var reason: String?

    public init(environment: String, release: String, assignments: [ValueAssignment], reason: String? = nil) {
        self.environment = environment
        self.release = release
        self.assignments = assignments
        self.reason = reason
    }

    /// The values as they are on `base` and as they will be, per path.
    struct Plan {
        var changes: [PromotionChange]
        var edits: [String: [UInt8]]
    }

    func plan(on base: Snapshot) throws -> Plan {
        guard let target = base.model.environment(named: environment) else {
            if let broken = base.model.brokenEnvironment(named: environment) { throw PromotionError("on the base branch, \(broken.summary)") }
            throw PromotionError("no environment '\(environment)' on the base branch")
        }
        guard let index = target.releases.firstIndex(where: { $0.name == release }) else {
            throw PromotionError("\(environment) has no release '\(release)' (it has \(target.releases.map(\.name).joined(separator: ", ")))")
        }
        var texts: [String: String] = [:]
        var changes: [PromotionChange] = []
        switch target.releases[index].source {
        case .chart(let chart, let valuesFiles, let inline, _):
            let layers = try PromotionPlanner.layers(base.tree, chart: chart, valuesFiles: valuesFiles, inline: inline)
            changes = try setChart(index: index, target: target, layers: layers, tree: base.tree, texts: &texts)
        case .remoteChart(_, let valuesFiles, let inline, _):
            let layers = try PromotionPlanner.layers(base.tree, chart: nil, valuesFiles: valuesFiles, inline: inline)
            changes = try setChart(index: index, target: target, layers: layers, tree: base.tree, texts: &texts)
        case .kustomize(let folder, _, _):
            changes = try setKustomize(folder: folder, tree: base.tree, texts: &texts)
        case .manifests(let folder):
            throw PromotionError("\(release) is plain manifests (\(folder)): there are no values to set; edit the manifest, or make it a chart or kustomize release")
        }
        return Plan(changes: changes, edits: texts.mapValues { Array($0.utf8) })
    }

    private func setChart(index: Int, target: Environment, layers: PromotionPlanner.Layers, tree: any FileTree,
                          texts: inout [String: String]) throws -> [PromotionChange] {
        var changes: [PromotionChange] = []
        for assignment in assignments {
            if let file = layers.encrypted.sorted().first(where: { layers.files[$0].flatMap { assignment.path.lookup(in: $0) } != nil }) {
                throw PromotionError("\(release) \(assignment.path) is set in \(file), which is SOPS-encrypted; change it with `gitops secret edit \(file)`")
            }
            let current = PromotionPlanner.effective(assignment.path, layers)
            if let current, current.isCollection {
                throw PromotionError("\(release) \(assignment.path) is a \(current.typeName) in \(environment); only scalar values can be set")
            }
            let wanted = assignment.value(replacing: current)
            if current == wanted { continue }
            let file = try PromotionPlanner.edit(assignment.path, to: wanted, release: index, of: target, layers: layers, tree: tree, texts: &texts)
            changes.append(PromotionChange(release: release, path: assignment.path, from: current, to: wanted, file: file))
        }
        return changes
    }

    /// A kustomize release: the path names a field of its kustomization file, such as
    /// `images[name=ghcr.io/example/blog].newTag`; the entry must exist.
    private func setKustomize(folder: String, tree: any FileTree, texts: inout [String: String]) throws -> [PromotionChange] {
        guard let file = KustomizeInputs.kustomizationFile(in: folder, tree: tree) else {
            throw PromotionError("\(release): no kustomization file in '\(folder)'")
        }
        var text = String(decoding: try tree.read(file), as: UTF8.self)
        var changes: [PromotionChange] = []
        for assignment in assignments {
            let document = try YAML.values(Array(text.utf8), file: file).first ?? .null
            if assignment.path.components.count > 1 {
                let parent = ValuePath(Array(assignment.path.components.dropLast()))
                guard parent.lookup(in: document) != nil else {
                    throw PromotionError("\(file) has no \(parent) entry; add one (for example images: [{name: app, newTag: \"1.0\"}]) to set \(assignment.path)")
                }
            }
            let current = assignment.path.lookup(in: document)
            if let current, current.isCollection {
                throw PromotionError("\(release) \(assignment.path) is a \(current.typeName) in \(file); only scalar values can be set")
            }
            let wanted = assignment.value(replacing: current)
            if current == wanted { continue }
            text = try YAMLEdit.setScalar(in: text, file: file, path: assignment.path, to: wanted)
            changes.append(PromotionChange(release: release, path: assignment.path, from: current, to: wanted, file: file))
        }
        if !changes.isEmpty { texts[file] = text }
        return changes
    }

    /// The same values set in the same release of the same environment get the same id.
    var id: String {
        var text = "set\u{1F}\(environment)\u{1F}\(release)"
        for assignment in assignments { text += "\n\(assignment.path)\u{1F}\(assignment.text)" }
        return SHA256.hash(data: Array(text.utf8)).prefix(6).map { zeroPaddedHex(UInt64($0), width: 2, uppercase: false) }.joined()
    }

    /// The assignments as one trailer value (JSON), so `gitops merge` can make the change again.
    var trailer: String {
        JSONWriter.compact(.array(assignments.map { .array([.string($0.path.description), .string($0.text)]) }))
    }

    public static func assignments(fromTrailer text: String) throws -> [ValueAssignment] {
        guard case .array(let pairs)? = try? JSONReader.values(text).first else { throw PromotionError("the Set-Values trailer '\(text)' is not a JSON list") }
        return try pairs.map { pair in
            guard case .array(let items) = pair, items.count == 2, let path = items[0].stringValue.flatMap(ValuePath.init(parsing:)),
                  let value = items[1].stringValue else { throw PromotionError("the Set-Values trailer '\(text)' is not a list of [path, value] pairs") }
            return ValueAssignment(path: path, text: value)
        }
    }

    public func propose(on base: Snapshot) throws -> Proposal {
        let plan = try plan(on: base)
        let title = plan.changes.count == 1 ? "set \(environment): \(plan.changes[0].summary)"
            : "set \(environment): \(plan.changes.count) values of \(release)"
        var lines = plan.changes.map { "\($0.summary) (\($0.file))" }
        if let reason { lines.append("why: \(reason)") }
        return Proposal(kind: "change", target: environment, id: id, title: title, lines: lines,
                        trailers: [("Environment", environment), ("Release", release), ("Set-Values", trailer)]
                            + (reason.map { [("Set-Reason", $0.replacingOccurrences(of: "\n", with: " "))] } ?? []) + [("Promotion-Id", id)],
                        edits: plan.edits.mapValues { Optional($0) }, notes: [])
    }

    /// A conflict when the base changed a value this sets, since it was planned, to a third value.
    public func checkConflicts(planned: Snapshot, current: Snapshot) throws {
        let before = try plan(on: planned), now = try plan(on: current)
        for change in before.changes {
            guard let moved = now.changes.first(where: { $0.path == change.path }), moved.from != change.from else { continue }
            throw PromotionConflict(change: change, current: moved.from)
        }
    }

    /// `set/<env>/<release>-<id>`: the same change always writes the same branch.
    public func defaultBranch(for proposal: Proposal) -> String {
        "set/\(environment)/\(release)-\(proposal.id)"
    }
}

extension Value {
    /// A list or a mapping.
    var isCollection: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }
}
