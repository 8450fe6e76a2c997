/// A unified diff of two texts, line by line (longest common subsequence), with `context` lines
/// around each change.
enum UnifiedDiff {
    static func lines(_ old: String, _ new: String, context: Int = 3) -> [String] {
        // A text ending in a newline has no empty last line; an empty text has no lines.
        func split(_ text: String) -> [String] {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            return lines
        }
        let a = split(old), b = split(new)
        // LCS table from the end.
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        enum Op { case same(String), removed(String), added(String) }
        var ops: [Op] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] { ops.append(.same(a[i])); i += 1; j += 1 }
            else if i < a.count, j == b.count || table[i + 1][j] >= table[i][j + 1] { ops.append(.removed(a[i])); i += 1 }
            else { ops.append(.added(b[j])); j += 1 }
        }
        let changed = ops.indices.filter { if case .same = ops[$0] { return false }; return true }
        guard !changed.isEmpty else { return [] }
        var keep = Set<Int>()
        for index in changed { for k in max(0, index - context)...min(ops.count - 1, index + context) { keep.insert(k) } }
        var out: [String] = []
        var previous = -1
        for index in keep.sorted() {
            if previous >= 0, index != previous + 1 { out.append("  ...") }
            switch ops[index] {
            case .same(let line): out.append("  " + line)
            case .removed(let line): out.append("- " + line)
            case .added(let line): out.append("+ " + line)
            }
            previous = index
        }
        return out
    }
}
