/// The parse tree of a template. Every node keeps its byte position in the source.
indirect enum TemplateNode: Sendable {
    case list([TemplateNode], pos: Int)
    case text(String, pos: Int)
    case action(Pipe, pos: Int)
    case ifNode(Pipe, list: [TemplateNode], elseList: [TemplateNode]?, pos: Int)
    case rangeNode(Pipe, list: [TemplateNode], elseList: [TemplateNode]?, pos: Int)
    case withNode(Pipe, list: [TemplateNode], elseList: [TemplateNode]?, pos: Int)
    case templateCall(name: String, pipe: Pipe?, pos: Int)
    case breakNode(pos: Int)
    case continueNode(pos: Int)
}

/// A pipeline: optional variable declarations, then commands separated by `|`.
struct Pipe: Sendable {
    var pos: Int
    var isAssign = false
    var declarations: [String] = []
    var commands: [Command] = []
}

/// One command of a pipeline: an operand and its arguments.
struct Command: Sendable {
    var pos: Int
    var args: [Operand] = []
}

/// Arguments and operands.
enum Operand: Sendable {
    case field([String], pos: Int)                   // .A.B
    case variable([String], pos: Int)                // $x.A.B
    case identifier(String, function: Int, pos: Int) // a function name, its index in the set's function table
    indirect case chain(Operand, fields: [String], pos: Int)  // (expr).A.B
    case dot(pos: Int)
    case nilValue(pos: Int)
    case bool(Bool, pos: Int)
    indirect case number(NumberLiteral, pos: Int)
    case string(String, pos: Int)
    case pipe(Pipe, pos: Int)                        // (parenthesized pipeline)

    var pos: Int {
        switch self {
        case .field(_, let p), .variable(_, let p), .identifier(_, _, let p), .chain(_, _, let p), .dot(let p),
             .nilValue(let p), .bool(_, let p), .number(_, let p), .string(_, let p), .pipe(_, let p):
            return p
        }
    }
}

/// A number constant as written, with the Go kinds it can be.
struct NumberLiteral: Sendable {
    var text: String
    var int: Int64?
    var float: Double?
    var complex: (Double, Double)?
    var isChar = false
    /// What the literal evaluates to as a command or an argument (Go's idealConstant), worked
    /// out once by the parser; nil when it overflows int.
    var constant: TemplateValue?

    /// Go's rules: complex stays complex; a float-looking literal (not hex, not a character) is
    /// float64; otherwise int.
    var idealValue: TemplateValue? {
        if let (r, i) = complex { return .complex(r, i) }
        let isHexInt = text.count > 2 && (text.hasPrefix("0x") || text.hasPrefix("0X"))
            && !text.contains(where: { $0 == "p" || $0 == "P" })
        if let f = float, !isHexInt, !isChar, text.contains(where: { ".eEpP".contains($0) }) { return .float(f) }
        if let i = int { return .int(i) }
        return nil
    }
}

extension TemplateNode {
    var pos: Int {
        switch self {
        case .list(_, let p), .text(_, let p), .action(_, let p), .ifNode(_, _, _, let p), .rangeNode(_, _, _, let p),
             .withNode(_, _, _, let p), .templateCall(_, _, let p), .breakNode(let p), .continueNode(let p):
            return p
        }
    }
}

// MARK: Printing nodes back (for error messages, as Go's String methods do)

extension Pipe {
    var text: String {
        var s = ""
        if !declarations.isEmpty {
            s = declarations.joined(separator: ", ") + (isAssign ? " = " : " := ")
        }
        return s + commands.map(\.text).joined(separator: " | ")
    }
}

extension Command {
    var text: String {
        args.map { arg in
            if case .pipe(let pipe, _) = arg { return "(" + pipe.text + ")" }
            return arg.text
        }.joined(separator: " ")
    }
}

extension Operand {
    var text: String {
        switch self {
        case .field(let idents, _): return idents.map { "." + $0 }.joined()
        case .variable(let idents, _): return idents.joined(separator: ".")
        case .identifier(let name, _, _): return name
        case .chain(let node, let fields, _):
            let inner: String
            if case .pipe(let pipe, _) = node { inner = "(" + pipe.text + ")" } else { inner = node.text }
            return inner + fields.map { "." + $0 }.joined()
        case .dot: return "."
        case .nilValue: return "nil"
        case .bool(let b, _): return b ? "true" : "false"
        case .number(let n, _): return n.text
        case .string(let s, _): return GoFormat.quote(s)
        case .pipe(let pipe, _): return "(" + pipe.text + ")"
        }
    }
}
