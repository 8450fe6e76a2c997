import Basics
import KubeModel

/// Carries field positions from one version of an object to the next: a transformation may add,
/// remove or reorder fields and list elements (a strategic merge puts the patch's elements first),
/// so positions follow the values, not the indices.
enum PositionTransfer {
    /// Keys that identify a list element (kyaml's associative keys and the merge keys of the
    /// built-in kinds).
    static let identityKeys = ["name", "mountPath", "devicePath", "containerPort", "port", "ip", "topologyKey", "type"]

    /// Copies the positions `positions` holds for `from` onto the matching fields of `to`.
    /// `file` names the file of the positions when it is not the object's own.
    static func transfer(_ positions: FieldPositions, from: Value, to: Value, into result: inout FieldPositions, file: String? = nil) {
        walk(positions, from, FieldPath(), to, FieldPath(), &result, file)
    }

    private static func walk(_ positions: FieldPositions, _ from: Value, _ fromPath: FieldPath, _ to: Value, _ toPath: FieldPath,
                             _ result: inout FieldPositions, _ file: String?) {
        if !toPath.elements.isEmpty, var position = positions[fromPath] {
            if let file, position.file == nil { position.file = file }
            result[toPath] = position
            // A scalar's key may have been written elsewhere than its value (a chart); not here.
        }
        switch (from, to) {
        case (.object(let old), .object(let new)):
            for (key, value) in old {
                guard let newValue = new[key] else { continue }
                walk(positions, value, fromPath.appending(.key(key)), newValue, toPath.appending(.key(key)), &result, file)
            }
        case (.array(let old), .array(let new)):
            var used = Set<Int>()
            for (index, element) in old.enumerated() {
                guard let target = match(element, at: index, in: new, excluding: used) else { continue }
                used.insert(target)
                walk(positions, element, fromPath.appending(.index(index)), new[target], toPath.appending(.index(target)), &result, file)
            }
        default:
            break
        }
    }

    /// The element of `list` that `element` became: the one with the same identity key value, else
    /// an equal one, else the one at the same index.
    private static func match(_ element: Value, at index: Int, in list: [Value], excluding used: Set<Int>) -> Int? {
        if case .object(let object) = element {
            for key in identityKeys {
                guard let value = object[key], value != .null else { continue }
                if let found = list.indices.first(where: { !used.contains($0) && list[$0].objectValue?[key] == value }) { return found }
                return nil
            }
        }
        if let found = list.indices.first(where: { !used.contains($0) && list[$0] == element }) { return found }
        return index < list.count && !used.contains(index) ? index : nil
    }
}
