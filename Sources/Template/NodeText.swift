/// Finds the text of the element at a position in a tree, for error messages: the executor keeps
/// only `(kind, position)` while running.
enum NodeText {
    /// `kind`: 0 node, 1 command, 2 operand (Execution's Location kinds).
    static func find(in nodes: [TemplateNode], kind: UInt8, pos: Int) -> String? {
        for node in nodes {
            if let text = find(in: node, kind: kind, pos: pos) { return text }
        }
        return nil
    }

    static func find(in node: TemplateNode, kind: UInt8, pos: Int) -> String? {
        if kind == 0 && node.pos == pos, let text = nodeText(node) { return text }
        switch node {
        case .action(let pipe, _): return find(in: pipe, kind: kind, pos: pos)
        case .ifNode(let pipe, let list, let elseList, _), .rangeNode(let pipe, let list, let elseList, _),
             .withNode(let pipe, let list, let elseList, _):
            return find(in: pipe, kind: kind, pos: pos) ?? find(in: list, kind: kind, pos: pos)
                ?? elseList.flatMap { find(in: $0, kind: kind, pos: pos) }
        case .templateCall(_, let pipe, _): return pipe.flatMap { find(in: $0, kind: kind, pos: pos) }
        case .list(let nodes, _): return find(in: nodes, kind: kind, pos: pos)
        default: return nil
        }
    }

    static func find(in pipe: Pipe, kind: UInt8, pos: Int) -> String? {
        for command in pipe.commands {
            if kind == 1 && command.pos == pos { return command.text }
            for operand in command.args {
                if let text = find(in: operand, kind: kind, pos: pos) { return text }
            }
        }
        return nil
    }

    static func find(in operand: Operand, kind: UInt8, pos: Int) -> String? {
        if kind == 2 && operand.pos == pos { return operand.text }
        switch operand {
        case .pipe(let pipe, _): return find(in: pipe, kind: kind, pos: pos)
        case .chain(let inner, _, _): return find(in: inner, kind: kind, pos: pos)
        default: return nil
        }
    }

    /// What Go prints for a node in an error context.
    static func nodeText(_ node: TemplateNode) -> String? {
        switch node {
        case .action(let pipe, _): return "{{" + pipe.text + "}}"
        case .ifNode(let pipe, _, _, _): return "{{if " + pipe.text + "}}"
        case .rangeNode(let pipe, _, _, _): return "{{range " + pipe.text + "}}"
        case .withNode(let pipe, _, _, _): return "{{with " + pipe.text + "}}"
        case .templateCall(let name, let pipe, _):
            return "{{template " + GoFormat.quote(name) + (pipe.map { " " + $0.text } ?? "") + "}}"
        case .breakNode: return "{{break}}"
        case .continueNode: return "{{continue}}"
        case .text, .list: return nil
        }
    }
}
