import Basics
import KubeModel
import YAML

/// What changes when the desired objects replace the live (or older) ones.
public struct DriftReport: Sendable {
    public enum Action: String, Sendable {
        case create, update, unchanged, prune
    }

    public struct Entry: Sendable {
        public var action: Action
        public var key: ResourceKey
        /// `apps/v1 Deployment blog-production/blog`.
        public var title: String
        public var changes: [FieldChange]
        /// The unified diff of the normalised YAML (live projected onto the desired fields).
        public var diff: [String]
    }

    public var entries: [Entry]

    public func count(_ action: Action) -> Int { entries.filter { $0.action == action }.count }

    /// `2 to create, 1 to update, 0 to prune, 37 unchanged`.
    public var summary: String {
        "\(count(.create)) to create, \(count(.update)) to update, \(count(.prune)) to prune, \(count(.unchanged)) unchanged"
    }

    public var hasDifferences: Bool { entries.contains { $0.action != .unchanged } }
}

/// Pairs desired and live objects by group, kind, namespace and name and compares them.
public enum Drift {
    /// The fields (`rules[0].verbs`) in which two versions of one object differ, either way,
    /// leaving out `label` in `metadata.labels` (what each version is labelled with).
    public static func differingFields(_ one: Object, _ other: Object, ignoringLabel label: String) -> [String] {
        func value(_ object: Object) -> Value {
            var content = Normalizer.normalize(object).content
            if var metadata = content["metadata"]?.objectValue, var labels = metadata["labels"]?.objectValue {
                labels[label] = nil
                metadata["labels"] = labels.isEmpty ? nil : .object(labels)
                content["metadata"] = .object(metadata)
            }
            return .object(content)
        }
        let (a, b) = (value(one), value(other))
        let paths = (FieldComparison.changes(desired: a, live: b) + FieldComparison.changes(desired: b, live: a)).map(\.path.description)
        return Set(paths).sorted()
    }

    /// `prunable` decides which live objects without a desired counterpart are this environment's
    /// to delete (for a snapshot: those labelled as owned by it; for an older revision: all).
    public static func compare(desired: [Object], live: [Object], ignore: IgnoreRules = IgnoreRules(),
                               prunable: (Object) -> Bool) -> DriftReport {
        var liveByKey: [ResourceKey: Object] = [:]
        for object in live { liveByKey[object.key] = object }
        var entries: [DriftReport.Entry] = []
        var seen = Set<ResourceKey>()
        for wanted in desired {
            seen.insert(wanted.key)
            let title = "\(wanted.apiVersion) \(wanted.displayName)"
            var desiredValue = Value.object(Normalizer.normalize(wanted).content)
            guard let existing = liveByKey[wanted.key] else {
                entries.append(.init(action: .create, key: wanted.key, title: title, changes: [],
                                     diff: UnifiedDiff.lines("", text(desiredValue, masking: wanted))))
                continue
            }
            var liveValue = Value.object(Normalizer.normalize(existing).content)
            if SecretDigests.holdsDigests(existing) { desiredValue = SecretDigests.digestData(of: desiredValue) }
            for path in ignore.paths(for: wanted) {
                desiredValue = IgnoreRules.removing(path.elements[...], from: desiredValue)
                liveValue = IgnoreRules.removing(path.elements[...], from: liveValue)
            }
            // The annotation that carries ignore rules is itself bookkeeping.
            desiredValue = IgnoreRules.removing([.key("metadata"), .key("annotations"), .key(IgnoreRules.annotation)], from: desiredValue)
            let changes = FieldComparison.changes(desired: desiredValue, live: liveValue)
            if changes.isEmpty {
                entries.append(.init(action: .unchanged, key: wanted.key, title: title, changes: [], diff: []))
            } else {
                let projected = FieldComparison.project(liveValue, onto: desiredValue) ?? .null
                entries.append(.init(action: .update, key: wanted.key, title: title, changes: changes,
                                     diff: UnifiedDiff.lines(text(projected, masking: wanted), text(desiredValue, masking: wanted))))
            }
        }
        for existing in live where !seen.contains(existing.key) && prunable(existing) {
            let value = Value.object(Normalizer.normalize(existing).content)
            entries.append(.init(action: .prune, key: existing.key, title: "\(existing.apiVersion) \(existing.displayName)", changes: [],
                                 diff: UnifiedDiff.lines(text(value, masking: existing), "")))
        }
        return DriftReport(entries: entries)
    }

    /// YAML text with Secret values masked (each value by a short fingerprint, so a change still shows).
    static func text(_ value: Value, masking object: Object) -> String {
        var shown = value
        if object.kind == "Secret", object.gvk.group.isEmpty, case .object(var content) = value {
            for field in ["data", "stringData"] {
                guard case .object(let data)? = content[field] else { continue }
                var masked = ValueObject()
                for (key, item) in data { masked[key] = .string("*** (\(Fingerprint.short(item)))") }
                content[field] = .object(masked)
            }
            shown = .object(content)
        }
        return YAMLEmitter.emit(shown).trimmingCharacters(in: .newlines)
    }
}

/// A short, stable fingerprint of a value (not reversible: 4 hex digits of FNV-1a).
enum Fingerprint {
    static func short(_ value: Value) -> String {
        var hash: UInt32 = 2166136261
        for byte in JSONWriter.compact(value).utf8 { hash = (hash ^ UInt32(byte)) &* 16777619 }
        return zeroPaddedHex(UInt64(hash & 0xFFFF), width: 4, uppercase: false)
    }
}
