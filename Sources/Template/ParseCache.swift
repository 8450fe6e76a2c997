import Synchronization

/// Parse results by template name and text (and the function names the parser accepted), so
/// rendering the same chart again, or calling `tpl` with the same text, does not parse again.
/// Trees are immutable values; the cache is bounded and cleared when full.
final class ParseCache: Sendable {
    static let shared = ParseCache()

    private struct Key: Hashable {
        var name: String
        var text: String
        var functions: Int
    }

    private let entries = Mutex<[Key: (Tree, [Tree])]>([:])
    private let capacity = 4096

    func parse(name: String, text: String, functions: [String: Int], fingerprint: Int) throws(TemplateError) -> (Tree, [Tree]) {
        let key = Key(name: name, text: text, functions: fingerprint)
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let parsed = try Parser.parse(name: name, text: text, functions: functions)
        entries.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = parsed
        }
        return parsed
    }
}
