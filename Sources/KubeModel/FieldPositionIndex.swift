import Basics
import YAML

/// Where each field of a parsed document was written, for findings that point at a line.
public enum FieldPositionIndex {
    /// Positions of `node`'s fields; `place` maps a field (the mark of its key or list item, and
    /// its value when that is a scalar) to where it was written: the file's own line and column by
    /// default; for rendered chart output, the template line or the values-file line of the value.
    public static func positions(of node: Node,
                          place: (Mark, Node?) -> SourcePosition? = { mark, _ in SourcePosition(line: mark.line, column: mark.column) })
        -> FieldPositions {
        var positions = FieldPositions()
        var path: [PathElement] = []
        func walk(_ node: Node) {
            if let pairs = node.pairs {
                for pair in pairs {
                    guard let key = pair.key.scalar else { continue }
                    path.append(.key(key))
                    positions[FieldPath(path)] = place(pair.key.start, pair.value.scalar != nil ? pair.value : nil)
                    if pair.value.scalar != nil { positions.setKey(FieldPath(path), place(pair.key.start, nil)) }
                    walk(pair.value)
                    path.removeLast()
                }
            } else if let items = node.items {
                for (index, item) in items.enumerated() {
                    path.append(.index(index))
                    positions[FieldPath(path)] = place(item.start, item.scalar != nil ? item : nil)
                    walk(item)
                    path.removeLast()
                }
            }
        }
        walk(node)
        return positions
    }
}
