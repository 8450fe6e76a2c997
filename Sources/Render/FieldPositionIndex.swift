import Basics
import KubeModel
import YAML

/// Where each field of a parsed document was written, for findings that point at a line.
enum FieldPositionIndex {
    static func positions(of node: Node) -> FieldPositions {
        var positions = FieldPositions()
        var path: [PathElement] = []
        func walk(_ node: Node) {
            if let pairs = node.pairs {
                for pair in pairs {
                    guard let key = pair.key.scalar else { continue }
                    path.append(.key(key))
                    positions[FieldPath(path)] = SourcePosition(line: pair.key.start.line, column: pair.key.start.column)
                    walk(pair.value)
                    path.removeLast()
                }
            } else if let items = node.items {
                for (index, item) in items.enumerated() {
                    path.append(.index(index))
                    positions[FieldPath(path)] = SourcePosition(line: item.start.line, column: item.start.column)
                    walk(item)
                    path.removeLast()
                }
            }
        }
        walk(node)
        return positions
    }
}
