import Basics
import Crypto
import Foundation
import YAML

/// One value a promotion copies from the source environment into the target.
public struct PromotionChange: Sendable, Hashable {
    public var release: String
    public var path: ValuePath
    /// The target's current value (nil: not set anywhere yet).
    public var from: Value?
    public var to: Value
    /// The repository file the edit goes to.
    public var file: String

    /// `blog image.tag 1.4.2 → 1.5.0`.
    public var summary: String {
        "\(release) \(path) \(from.map(PromotionChange.text) ?? "(unset)") → \(PromotionChange.text(to))"
    }

    static func text(_ value: Value) -> String {
        if value == .string("") { return "\"\"" }
        return value.stringValue ?? YAMLEmitter.inlineValue(value) ?? "\(value)"
    }
}

/// What promoting `source` into `target` changes, and the edited files that do it.
public struct PromotionPlan: Sendable {
    public var source: String
    public var target: String
    /// The commit the source's values were read at.
    public var sourceCommit: String
    public var changes: [PromotionChange]
    /// Repository path → new content, every other byte of the file kept.
    public var edits: [String: [UInt8]]
    /// Paths that could not be promoted and why (the source does not set them, ...).
    public var notes: [String]

    public var isEmpty: Bool { changes.isEmpty }

    /// A stable id for this change: the same values promoted into the same environment get the same id.
    public var id: String {
        var text = "\(source)→\(target)"
        for change in changes.sorted(by: { ($0.release, $0.path.description) < ($1.release, $1.path.description) }) {
            text += "\n\(change.release)\u{1F}\(change.path)\u{1F}\(JSONWriter.compact(change.to))"
        }
        return SHA256.hash(data: Array(text.utf8)).prefix(6).map { zeroPaddedHex(UInt64($0), width: 2, uppercase: false) }.joined()
    }

    /// `promote staging → production: blog image.tag 1.4.2 → 1.5.0` (several changes are counted).
    public var title: String {
        let head = "promote \(source) → \(target): "
        if changes.count == 1 { return head + changes[0].summary }
        let releases = Array(Set(changes.map(\.release))).sorted().joined(separator: ", ")
        return head + "\(changes.count) values of \(releases)"
    }
}

/// A real conflict: someone changed a value the promotion changes, to something else.
public struct PromotionConflict: Error, Sendable, CustomStringConvertible {
    public var change: PromotionChange
    /// The value the target now has on the moved base.
    public var current: Value?
    public var description: String {
        "conflict: \(change.release) \(change.path) in \(change.file) was \(change.from.map(PromotionChange.text) ?? "unset") when planned and is now \(current.map(PromotionChange.text) ?? "unset"); the promotion would set \(PromotionChange.text(change.to)). Promote again to plan on the new value."
    }
}
