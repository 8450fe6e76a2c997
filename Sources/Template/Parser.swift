/// A parsed template: its name, source (for error positions) and tree.
struct Tree: Sendable {
    var name: String
    /// The name of the file or template the text came from (Go's ParseName), used in errors.
    var parseName: String
    let source: [UInt8]
    var root: [TemplateNode]
    /// The offset of each newline in `source`, so a position is found by binary search (findings
    /// ask for the position of every field a chart writes).
    private let newlines: [Int]

    init(name: String, parseName: String, source: [UInt8], root: [TemplateNode]) {
        self.name = name
        self.parseName = parseName
        self.source = source
        self.root = root
        newlines = source.indices.filter { source[$0] == 0x0A }
    }

    /// Go's `IsEmptyTree`: only whitespace text (and nothing else).
    var isEmpty: Bool {
        root.allSatisfy { node in
            if case .text(let text, _) = node { return text.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" } }
            return false
        }
    }

    /// `line` (1-based) and `column` (0-based byte offset in the line), as Go's ErrorContext computes them.
    func position(_ pos: Int) -> (line: Int, column: Int) {
        let end = min(pos, source.count)
        // The number of newlines before `end`.
        var low = 0, high = newlines.count
        while low < high {
            let middle = (low + high) / 2
            if newlines[middle] < end { low = middle + 1 } else { high = middle }
        }
        return (low + 1, low == 0 ? pos : pos - newlines[low - 1] - 1)
    }
}

/// Parses template text into trees the way Go's text/template/parse does.
struct Parser {
    private let tokens: [Token]
    private var index = 0
    private let parseName: String
    private let source: [UInt8]
    private let functions: [String: Int]
    private var variables: [String] = ["$"]
    private var rangeDepth = 0
    private var parenDepth = 0
    /// Deepest nesting of parentheses accepted (keeps the parser's recursion bounded).
    static let maxParenDepth = 1000
    /// Templates defined in this text (`define` and `block`), in order.
    private(set) var definitions: [Tree] = []

    init(name: String, text: String, functions: [String: Int]) {
        tokens = Lexer.tokenize(text)
        parseName = name
        source = Array(text.utf8)
        self.functions = functions
    }

    /// Parses the whole text: the main tree plus the templates it defines.
    static func parse(name: String, text: String, functions: [String: Int]) throws(TemplateError) -> (Tree, [Tree]) {
        var parser = Parser(name: name, text: text, functions: functions)
        let root = try parser.parseTop()
        return (Tree(name: name, parseName: name, source: parser.source, root: root), parser.definitions)
    }

    // MARK: Tokens

    private mutating func next() -> Token {
        let token = tokens[min(index, tokens.count - 1)]
        index += 1
        return token
    }

    private mutating func backup(_ count: Int = 1) { index -= count }

    private func peek() -> Token { tokens[min(index, tokens.count - 1)] }

    private mutating func nextNonSpace() -> Token {
        var token = next()
        while token.kind == .space { token = next() }
        return token
    }

    private mutating func peekNonSpace() -> Token {
        let token = nextNonSpace()
        backup()
        return token
    }

    private var current: Token { tokens[max(0, min(index - 1, tokens.count - 1))] }

    private func error(_ message: String, at pos: Int? = nil) -> TemplateError {
        let where_ = pos ?? current.pos
        let line = Tree(name: parseName, parseName: parseName, source: source, root: []).position(where_).line
        return TemplateError(kind: .parse, template: parseName, line: line, column: nil, action: nil, message: message)
    }

    private mutating func expect(_ kind: TokenKind, _ context: String) throws(TemplateError) -> Token {
        let token = nextNonSpace()
        if token.kind != kind { throw unexpected(token, context) }
        return token
    }

    private func unexpected(_ token: Token, _ context: String) -> TemplateError {
        if token.kind == .error { return error(token.text) }
        return error("unexpected \(token.description) in \(context)")
    }

    // MARK: Structure

    private mutating func parseTop() throws(TemplateError) -> [TemplateNode] {
        var root: [TemplateNode] = []
        while peek().kind != .eof {
            if peek().kind == .leftDelim {
                let saved = index
                _ = next()
                if nextNonSpace().kind == .define {
                    try parseDefinition()
                    continue
                }
                index = saved
            }
            let (node, terminator) = try textOrAction()
            if let terminator { throw error("unexpected \(terminator)") }
            if let node { root.append(node) }
        }
        return root
    }

    private mutating func parseDefinition() throws(TemplateError) {
        let context = "define clause"
        let nameToken = nextNonSpace()
        guard nameToken.kind == .string || nameToken.kind == .rawString else { throw unexpected(nameToken, context) }
        let name = try unquote(nameToken)
        _ = try expect(.rightDelim, context)
        let saved = variables
        variables = ["$"]
        let (list, end) = try itemList()
        variables = saved
        if end != "{{end}}" { throw error("unexpected \(end) in \(context)") }
        try add(Tree(name: name, parseName: parseName, source: source, root: list))
    }

    /// Go's `add`: a second non-empty definition of a name in one parse is an error.
    private mutating func add(_ tree: Tree) throws(TemplateError) {
        if let existing = definitions.firstIndex(where: { $0.name == tree.name }) {
            if definitions[existing].isEmpty {
                definitions[existing] = tree
                return
            }
            if !tree.isEmpty { throw error("template: multiple definition of template \"\(tree.name)\"") }
            return
        }
        definitions.append(tree)
    }

    /// Nodes up to `{{end}}` or `{{else}}`, and which of them ended the list.
    private mutating func itemList() throws(TemplateError) -> ([TemplateNode], String) {
        var list: [TemplateNode] = []
        while peekNonSpace().kind != .eof {
            let (node, terminator) = try textOrAction()
            if let terminator { return (list, terminator) }
            if let node { list.append(node) }
        }
        // As Go's parser: at the EOF token, so at the input's last line (where a missing {{end}} goes).
        throw error("unexpected EOF", at: peekNonSpace().pos)
    }

    /// A node, or a terminator (`{{end}}`, `{{else}}`) as text.
    private mutating func textOrAction() throws(TemplateError) -> (TemplateNode?, String?) {
        let token = nextNonSpace()
        switch token.kind {
        case .text: return (.text(token.text, pos: token.pos), nil)
        case .leftDelim: return try action()
        case .error: throw error(token.text)
        default: throw unexpected(token, "input")
        }
    }

    private mutating func action() throws(TemplateError) -> (TemplateNode?, String?) {
        let token = nextNonSpace()
        switch token.kind {
        case .block: return (try blockControl(), nil)
        case .breakKeyword: return (try loopControl(token, isBreak: true), nil)
        case .continueKeyword: return (try loopControl(token, isBreak: false), nil)
        case .elseKeyword:
            // "else if" and "else with" leave the keyword for the caller.
            let peeked = peekNonSpace()
            if peeked.kind == .ifKeyword || peeked.kind == .with { return (nil, "{{else}}") }
            _ = try expect(.rightDelim, "else")
            return (nil, "{{else}}")
        case .end:
            _ = try expect(.rightDelim, "end")
            return (nil, "{{end}}")
        case .ifKeyword: return (try control("if", pos: token.pos), nil)
        case .range: return (try control("range", pos: token.pos), nil)
        case .template: return (try templateControl(pos: token.pos), nil)
        case .with: return (try control("with", pos: token.pos), nil)
        default:
            backup()
            let pipe = try pipeline("command", end: .rightDelim)
            return (.action(pipe, pos: token.pos), nil)
        }
    }

    private mutating func loopControl(_ token: Token, isBreak: Bool) throws(TemplateError) -> TemplateNode {
        let word = isBreak ? "break" : "continue"
        let closing = nextNonSpace()
        guard closing.kind == .rightDelim else { throw unexpected(closing, "{{\(word)}}") }
        guard rangeDepth > 0 else { throw error("{{\(word)}} outside {{range}}") }
        return isBreak ? .breakNode(pos: token.pos) : .continueNode(pos: token.pos)
    }

    private mutating func control(_ context: String, pos: Int) throws(TemplateError) -> TemplateNode {
        let savedCount = variables.count
        defer { variables.removeLast(variables.count - savedCount) }
        let pipe = try pipeline(context, end: .rightDelim)
        if context == "range" { rangeDepth += 1 }
        var (list, terminator) = try itemList()
        if context == "range" { rangeDepth -= 1 }
        var elseList: [TemplateNode]? = nil
        if terminator == "{{else}}" {
            if context == "if" && peekNonSpace().kind == .ifKeyword {
                let keyword = nextNonSpace()
                elseList = [try control("if", pos: keyword.pos)]
            } else if context == "with" && peekNonSpace().kind == .with {
                let keyword = nextNonSpace()
                elseList = [try control("with", pos: keyword.pos)]
            } else {
                let (items, end) = try itemList()
                if end != "{{end}}" { throw error("expected end; found \(end)") }
                elseList = items
            }
            terminator = "{{end}}"
        }
        switch context {
        case "if": return .ifNode(pipe, list: list, elseList: elseList, pos: pos)
        case "range": return .rangeNode(pipe, list: list, elseList: elseList, pos: pos)
        default: return .withNode(pipe, list: list, elseList: elseList, pos: pos)
        }
    }

    private mutating func templateName(_ token: Token, _ context: String) throws(TemplateError) -> String {
        guard token.kind == .string || token.kind == .rawString else { throw unexpected(token, context) }
        return try unquote(token)
    }

    private mutating func templateControl(pos: Int) throws(TemplateError) -> TemplateNode {
        let context = "template clause"
        let name = try templateName(nextNonSpace(), context)
        var pipe: Pipe? = nil
        if nextNonSpace().kind != .rightDelim {
            backup()
            pipe = try pipeline(context, end: .rightDelim)
        }
        return .templateCall(name: name, pipe: pipe, pos: pos)
    }

    private mutating func blockControl() throws(TemplateError) -> TemplateNode {
        let context = "block clause"
        let token = nextNonSpace()
        let name = try templateName(token, context)
        let pipe = try pipeline(context, end: .rightDelim)
        let saved = variables
        let savedDepth = rangeDepth
        variables = ["$"]
        rangeDepth = 0
        let (list, end) = try itemList()
        variables = saved
        rangeDepth = savedDepth
        if end != "{{end}}" { throw error("unexpected \(end) in \(context)") }
        try add(Tree(name: name, parseName: parseName, source: source, root: list))
        return .templateCall(name: name, pipe: pipe, pos: token.pos)
    }

    // MARK: Pipelines

    private mutating func pipeline(_ context: String, end: TokenKind) throws(TemplateError) -> Pipe {
        var pipe = Pipe(pos: peekNonSpace().pos)
        declarations: if peekNonSpace().kind == .variable {
            let variable = nextNonSpace()
            let afterVariable = peek()
            let nextToken = peekNonSpace()
            if nextToken.kind == .assign || nextToken.kind == .declare {
                pipe.isAssign = nextToken.kind == .assign
                _ = nextNonSpace()
                pipe.declarations.append(variable.text)
                variables.append(variable.text)
            } else if nextToken.kind == .char && nextToken.text == "," {
                _ = nextNonSpace()
                pipe.declarations.append(variable.text)
                variables.append(variable.text)
                if context == "range" && pipe.declarations.count < 2 {
                    let following = peekNonSpace()
                    if following.kind == .variable {
                        let second = nextNonSpace()
                        let op = nextNonSpace()
                        guard op.kind == .assign || op.kind == .declare else { throw unexpected(op, context) }
                        pipe.isAssign = op.kind == .assign
                        pipe.declarations.append(second.text)
                        variables.append(second.text)
                        break declarations
                    }
                    throw error("range can only initialize variables")
                }
                throw error("too many declarations in \(context)")
            } else if afterVariable.kind == .space {
                backup(2)
            } else {
                backup()
            }
        }
        while true {
            let token = nextNonSpace()
            switch token.kind {
            case end:
                try checkPipeline(pipe, context)
                return pipe
            case .bool, .charConstant, .complex, .dot, .field, .identifier, .number, .nilKeyword, .rawString, .string,
                 .variable, .leftParen:
                backup()
                pipe.commands.append(try command())
            default:
                throw unexpected(token, context)
            }
        }
    }

    private func checkPipeline(_ pipe: Pipe, _ context: String) throws(TemplateError) {
        if pipe.commands.isEmpty { throw error("missing value for \(context)") }
        for (i, command) in pipe.commands.enumerated().dropFirst() {
            switch command.args.first {
            case .bool?, .dot?, .nilValue?, .number?, .string?:
                throw error("non executable command in pipeline stage \(i + 1)")
            default: continue
            }
        }
    }

    private mutating func command() throws(TemplateError) -> Command {
        var command = Command(pos: peekNonSpace().pos)
        while true {
            _ = peekNonSpace()
            if let operand = try operand() { command.args.append(operand) }
            let token = next()
            switch token.kind {
            case .space: continue
            case .rightDelim, .rightParen: backup()
            case .pipe: break
            default: throw unexpected(token, "operand")
            }
            break
        }
        if command.args.isEmpty { throw error("empty command") }
        return command
    }

    private mutating func operand() throws(TemplateError) -> Operand? {
        guard let node = try term() else { return nil }
        guard peek().kind == .field else { return node }
        var fields: [String] = []
        let pos = peek().pos
        while peek().kind == .field { fields.append(String(next().text.dropFirst())) }
        switch node {
        // Go positions the combined node at its first chained field.
        case .field(let idents, _): return .field(idents + fields, pos: pos)
        case .variable(let idents, _): return .variable(idents + fields, pos: pos)
        case .bool, .string, .number, .nilValue, .dot:
            throw error("unexpected . after term \"\(node.text)\"")
        default: return .chain(node, fields: fields, pos: pos)
        }
    }

    private mutating func term() throws(TemplateError) -> Operand? {
        let token = nextNonSpace()
        switch token.kind {
        case .identifier:
            guard let index = functions[token.text] else { throw error("function \"\(token.text)\" not defined") }
            return .identifier(token.text, function: index, pos: token.pos)
        case .dot: return .dot(pos: token.pos)
        case .nilKeyword: return .nilValue(pos: token.pos)
        case .variable:
            guard variables.contains(token.text) else { throw error("undefined variable \"\(token.text)\"") }
            return .variable([token.text], pos: token.pos)
        case .field: return .field([String(token.text.dropFirst())], pos: token.pos)
        case .bool: return .bool(token.text == "true", pos: token.pos)
        case .charConstant, .complex, .number:
            return .number(try number(token), pos: token.pos)
        case .leftParen:
            parenDepth += 1
            defer { parenDepth -= 1 }
            if parenDepth > Self.maxParenDepth { throw error("max expression depth exceeded") }
            let pipe = try pipeline("parenthesized pipeline", end: .rightParen)
            return .pipe(pipe, pos: token.pos)
        case .string, .rawString:
            return .string(try unquote(token), pos: token.pos)
        default:
            backup()
            return nil
        }
    }

    // MARK: Literals

    private func unquote(_ token: Token) throws(TemplateError) -> String {
        if token.kind == .rawString { return String(token.text.dropFirst().dropLast()) }
        guard let value = GoLiteral.unquote(token.text) else { throw error("invalid syntax") }
        return value
    }

    private func number(_ token: Token) throws(TemplateError) -> NumberLiteral {
        var literal = try numberLiteral(token)
        literal.constant = literal.idealValue
        return literal
    }

    private func numberLiteral(_ token: Token) throws(TemplateError) -> NumberLiteral {
        let text = token.text
        var literal = NumberLiteral(text: text)
        if token.kind == .charConstant {
            guard let scalar = GoLiteral.unquoteChar(text) else { throw error("malformed character constant: \(text)") }
            literal.int = Int64(scalar.value)
            literal.float = Double(scalar.value)
            literal.isChar = true
            return literal
        }
        if token.kind == .complex {
            guard let value = GoLiteral.parseComplex(text) else { throw error("bad number syntax: \"\(text)\"") }
            return simplified(literal, value)
        }
        if text.hasSuffix("i"), let imaginary = GoLiteral.parseFloat(String(text.dropLast())) {
            return simplified(literal, (0, imaginary))
        }
        let unsigned = GoLiteral.parseUnsigned(text)
        if let int = GoLiteral.parseInt(text) {
            literal.int = int
            literal.float = Double(int)
        } else if let unsigned {
            literal.float = Double(unsigned)
        } else if let float = GoLiteral.parseFloat(text) {
            if !text.contains(where: { ".eEpP".contains($0) }) { throw error("integer overflow: \"\(text)\"") }
            literal.float = float
            if float == float.rounded(), abs(float) < 9.2e18 { literal.int = Int64(float) }
        }
        if literal.int == nil && literal.float == nil && unsigned == nil {
            throw error("illegal number syntax: \"\(text)\"")
        }
        if literal.int == nil && unsigned != nil { literal.int = nil }
        return literal
    }

    private func simplified(_ literal: NumberLiteral, _ value: (Double, Double)) -> NumberLiteral {
        var literal = literal
        if value.1 == 0 {
            literal.float = value.0
            if value.0 == value.0.rounded(), abs(value.0) < 9.2e18 { literal.int = Int64(value.0) }
        } else {
            literal.complex = value
        }
        return literal
    }
}
