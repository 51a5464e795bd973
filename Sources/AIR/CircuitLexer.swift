/// One token of a circuit file.
struct CircuitToken: Sendable {
    enum Kind: Equatable, Sendable {
        /// An identifier, `primed` when a `'` follows it directly.
        case name(String, primed: Bool)
        /// The text of a decimal or `0x` hexadecimal integer, checked for shape but not yet for size.
        case number(String)
        /// One of `+ - * ^ ( ) [ ] , : =`.
        case symbol(Character)
        /// The end of a statement: a line break outside brackets. `comment` is the line's trailing `#` comment.
        case newline(comment: String?)
        case end
    }

    var kind: Kind
    var line: Int
    var column: Int

    /// How an error message quotes the token.
    var quoted: String {
        switch kind {
        case .name(let name, let primed): return "'\(name)\(primed ? "'" : "")'"
        case .number(let text): return "'\(text)'"
        case .symbol(let c): return "'\(c)'"
        case .newline: return "end of line"
        case .end: return "end of file"
        }
    }

    func isSymbol(_ c: Character) -> Bool { kind == .symbol(c) }
}

/// Splits circuit source into tokens, one at a time, so that errors surface in file order.
///
/// Line breaks inside `(` or `[` are plain whitespace, which lets a long expression or value list run over several
/// lines; comments there are dropped. Outside brackets a line break ends the statement and carries the line's
/// trailing comment, the doc line of a declaration.
struct CircuitLexer {
    private let scalars: [Unicode.Scalar]
    private let file: String
    private var position = 0
    private var line = 1
    private var lineStart = 0
    private var nesting = 0
    private var pendingComment: String?
    private var endedLastLine = false

    init(source: String, file: String) {
        self.scalars = Array(source.unicodeScalars)
        self.file = file
    }

    private func location(_ index: Int) -> CircuitSourceLocation {
        CircuitSourceLocation(file: file, line: line, column: index - lineStart + 1)
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    mutating func next() throws(CircuitFileError) -> CircuitToken {
        while let c = peek() {
            switch c {
            case " ", "\t", "\r":
                position += 1
            case "#":
                let start = position + 1
                while let d = peek(), d != "\n" { position += 1 }
                if nesting == 0 { pendingComment = trimmed(scalars[start..<position]) }
            case "\n":
                let token = CircuitToken(
                    kind: .newline(comment: pendingComment), line: line, column: position - lineStart + 1)
                position += 1
                line += 1
                lineStart = position
                pendingComment = nil
                if nesting == 0 { return token }
            default:
                return try token(startingWith: c)
            }
        }
        let column = position - lineStart + 1
        if nesting == 0 && !endedLastLine && position > lineStart {
            // The last line has no line break: end its statement before the end of the file.
            endedLastLine = true
            return CircuitToken(kind: .newline(comment: pendingComment), line: line, column: column)
        }
        return CircuitToken(kind: .end, line: line, column: column)
    }

    private mutating func token(startingWith c: Unicode.Scalar) throws(CircuitFileError) -> CircuitToken {
        let start = position
        let column = start - lineStart + 1
        if isNameStart(c) {
            while let d = peek(), isNameStart(d) || isDigit(d) { position += 1 }
            let name = String(String.UnicodeScalarView(scalars[start..<position]))
            let primed = peek() == "'"
            if primed { position += 1 }
            return CircuitToken(kind: .name(name, primed: primed), line: line, column: column)
        }
        if isDigit(c) {
            while let d = peek(), isNameStart(d) || isDigit(d) { position += 1 }
            let text = String(String.UnicodeScalarView(scalars[start..<position]))
            guard isWellFormedNumber(text) else { throw .malformedNumber(location(start), text: text) }
            return CircuitToken(kind: .number(text), line: line, column: column)
        }
        switch c {
        case "(", "[":
            guard nesting < CircuitFileLimits.maxNesting else {
                throw .tooComplex(
                    location(start), reason: "brackets nested more than \(CircuitFileLimits.maxNesting) deep")
            }
            nesting += 1
        case ")", "]":
            nesting = max(0, nesting - 1)
        case "+", "-", "*", "^", ",", ":", "=":
            break
        default:
            throw .unexpectedCharacter(location(start), character: CircuitLexer.describe(c))
        }
        position += 1
        return CircuitToken(kind: .symbol(Character(c)), line: line, column: column)
    }

    /// A printable ASCII character in quotes (the apostrophe in double quotes), anything else as U+XXXX.
    static func describe(_ c: Unicode.Scalar) -> String {
        if c == "'" { return "\"'\"" }
        if c.value >= 0x21 && c.value < 0x7f { return "'\(Character(c))'" }
        let hex = String(c.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private func isNameStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    private func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    private func isWellFormedNumber(_ text: String) -> Bool {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            let digits = text.unicodeScalars.dropFirst(2)
            return !digits.isEmpty && digits.allSatisfy { $0.properties.isASCIIHexDigit }
        }
        return text.unicodeScalars.allSatisfy(isDigit)
    }

    private func trimmed(_ text: ArraySlice<Unicode.Scalar>) -> String? {
        let blank: Set<Unicode.Scalar> = [" ", "\t", "\r"]
        guard let first = text.firstIndex(where: { !blank.contains($0) }),
            let last = text.lastIndex(where: { !blank.contains($0) })
        else { return nil }
        return String(String.UnicodeScalarView(text[first...last]))
    }
}
