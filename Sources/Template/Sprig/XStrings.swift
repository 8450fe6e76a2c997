/// The case conversions Sprig delegates to huandu/xstrings, as the version Helm v4 ships behaves
/// (checked against Helm's SDK): `camelcase` keeps letter case and joins at `_`, `-` and spaces;
/// `snakecase`/`kebabcase` split words at case changes, connectors, digits and punctuation.
enum XStrings {
    static func isConnector(_ r: Unicode.Scalar) -> Bool { r == "-" || r == "_" || r.properties.isWhitespace }

    /// Go's unicode.IsUpper: the Lu category.
    static func isUpper(_ r: Unicode.Scalar) -> Bool { r.properties.generalCategory == .uppercaseLetter }

    static func upper(_ r: Unicode.Scalar) -> Unicode.Scalar {
        let mapped = r.properties.uppercaseMapping.unicodeScalars
        return mapped.count == 1 ? mapped.first! : r
    }

    static func lower(_ r: Unicode.Scalar) -> Unicode.Scalar {
        let mapped = r.properties.lowercaseMapping.unicodeScalars
        return mapped.count == 1 ? mapped.first! : r
    }

    static func isLetter(_ r: Unicode.Scalar) -> Bool {
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    /// A letter that is not a CJK ideograph.
    static func isAlphabet(_ r: Unicode.Scalar) -> Bool {
        guard isLetter(r) else { return false }
        switch r.value {
        case ..<0x3400: return true
        case 0x4E00...0x9FCC, 0x3400...0x4D85, 0x20000...0x2A6D6, 0x2A700...0x2B734, 0x2B740...0x2B81D: return false
        default: return true
        }
    }

    static func isNumber(_ r: Unicode.Scalar) -> Bool {
        switch r.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    static func isPunct(_ r: Unicode.Scalar) -> Bool {
        switch r.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation: true
        default: false
        }
    }

    /// `camelcase` as Helm v4 gives it: connectors (`_`, `-`, spaces) removed, each word's first
    /// letter upper-cased and the capitals right after a capital first letter lowered
    /// (`hello_WORLD` → `HelloWorld`, `XMLHttpRequest` → `XmlhttpRequest`); other letters keep their
    /// case (`fooBAR` → `FooBAR`); leading, doubled and trailing connectors kept as one less.
    static func camelCase(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        guard !scalars.isEmpty else { return "" }
        var out = String.UnicodeScalarView()
        var index = 0
        var r0: Unicode.Scalar = " "
        // Whether the current word so far is a run of capitals from its first letter.
        var capitalRun = false
        // Leading connectors stay; the first other character is upper-cased.
        while index < scalars.count {
            r0 = scalars[index]
            index += 1
            if !isConnector(r0) {
                capitalRun = isUpper(r0)
                r0 = upper(r0)
                break
            }
            out.append(r0)
        }
        if index == scalars.count {
            out.append(r0)
            return String(out)
        }
        while index < scalars.count {
            let r1 = r0
            let original = scalars[index]
            r0 = original
            index += 1
            if isConnector(r0) && isConnector(r1) {
                out.append(r1)
                continue
            }
            if isConnector(r1) {
                capitalRun = isUpper(original)
                r0 = upper(r0)
            } else {
                if capitalRun && isUpper(original) {
                    r0 = lower(r0)
                } else {
                    capitalRun = false
                }
                out.append(r1)
            }
        }
        out.append(r0)
        return String(out)
    }

    enum WordType { case invalid, number, upperCase, alphabet, connector, punct, other }

    /// The next word of `scalars` from `start`: its type and end.
    static func nextWord(_ scalars: [Unicode.Scalar], from start: Int) -> (WordType, Int) {
        guard start < scalars.count else { return (.invalid, start) }
        var end = start + 1
        let r = scalars[start]
        func extend(while condition: (Unicode.Scalar) -> Bool) {
            while end < scalars.count, condition(scalars[end]) { end += 1 }
        }
        if isConnector(r) {
            extend(while: isConnector)
            return (.connector, end)
        }
        if isPunct(r) {
            extend(while: isPunct)
            return (.punct, end)
        }
        if isUpper(r) {
            guard end < scalars.count else { return (.upperCase, end) }
            let next = scalars[end]
            if isUpper(next) {
                // An abbreviation: all upper-case letters, but the last one starts the next word
                // when a lower-case letter follows it (HTTPServer: HTTP, Server).
                var previous = end
                end += 1
                while end < scalars.count, isUpper(scalars[end]) { previous = end; end += 1 }
                if end < scalars.count, isAlphabet(scalars[end]) { end = previous }
            } else if isAlphabet(next) {
                end += 1
                extend { isAlphabet($0) && !isUpper($0) }
            }
            return (.upperCase, end)
        }
        if isAlphabet(r) {
            extend { isAlphabet($0) && !isUpper($0) }
            return (.alphabet, end)
        }
        if isNumber(r) {
            extend(while: isNumber)
            return (.number, end)
        }
        extend { !(isConnector($0) || isAlphabet($0) || isNumber($0) || isPunct($0)) }
        return (.other, end)
    }

    static func toLowerCase(_ s: String, connector: Unicode.Scalar) -> String {
        let scalars = Array(s.unicodeScalars)
        guard !scalars.isEmpty else { return "" }
        var out = String.UnicodeScalarView()
        func write(_ type: WordType, _ range: Range<Int>) {
            guard type == .upperCase || type == .connector else { out.append(contentsOf: scalars[range]); return }
            for r in scalars[range] {
                out.append(isConnector(r) ? connector : isUpper(r) ? lower(r) : r)
            }
        }
        var position = 0
        var (type, end) = nextWord(scalars, from: position)
        var word = position..<end
        position = end
        while position < scalars.count {
            if type != .connector { write(type, word) }
            let previous = type, last = word
            (type, end) = nextWord(scalars, from: position)
            word = position..<end
            position = end
            switch previous {
            case .number:
                while type == .alphabet || type == .number {
                    write(type, word)
                    (type, end) = nextWord(scalars, from: position)
                    word = position..<end
                    position = end
                }
                if type != .invalid && type != .punct && type != .connector { out.append(connector) }
            case .connector:
                write(previous, last)
            case .punct:
                break
            default:
                if type != .number {
                    if type != .connector && type != .punct { out.append(connector) }
                    break
                }
                if position >= scalars.count { break }
                let number = word
                (type, end) = nextWord(scalars, from: position)
                word = position..<end
                position = end
                if type != .alphabet {
                    write(.number, number)
                    if type != .connector && type != .punct { out.append(connector) }
                    break
                }
                out.append(connector)
                write(.number, number)
                while type == .alphabet || type == .number {
                    write(type, word)
                    (type, end) = nextWord(scalars, from: position)
                    word = position..<end
                    position = end
                }
                if type != .invalid && type != .connector && type != .punct { out.append(connector) }
            }
        }
        write(type, word)
        return String(out)
    }

    /// goutils' Initials as Sprig calls it: the first byte after whitespace, each byte read as a
    /// Latin-1 character (so a multi-byte first letter gives its lead byte's character, as in Helm).
    static func initials(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var gap = true
        for byte in s.utf8 {
            let scalar = Unicode.Scalar(byte)
            if scalar.properties.isWhitespace {
                gap = true
            } else if gap {
                out.append(scalar)
                gap = false
            }
        }
        return String(out)
    }
}
