import Basics

extension Node {
    /// A mapping's fields by name, for a reader of a settings block: an unknown field is reported
    /// through `error` with the closest known name, and a node that is not a mapping as such.
    /// - Parameter what: how messages name the block (`rollout:`, `a receiver`).
    public func fields(known: [String], in what: String, error: (Node, String) -> Void) -> [String: Node] {
        guard let pairs else {
            error(self, "\(what) must be a mapping")
            return [:]
        }
        var fields: [String: Node] = [:]
        for pair in pairs {
            guard let key = pair.key.scalar else { continue }
            if !known.contains(key) {
                error(pair.key, "unknown field '\(key)' in \(what)" + (Suggestion.closest(to: key, in: known).map { "; did you mean '\($0)'?" } ?? ""))
            }
            fields[key] = pair.value
        }
        return fields
    }
}
