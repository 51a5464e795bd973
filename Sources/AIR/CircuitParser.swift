import Field

/// Reads the statements of a circuit file, resolving names as it goes, and assembles the ``AIR``.
///
/// Names must be declared above their first use, so one pass suffices and every reference is checked where it is
/// written. `Circuits/README.md` is the reference for the grammar; the functions below follow it rule by rule.
struct CircuitParser {
    private enum Symbol {
        case column(Int)
        case publicInput(Int)
        case periodic(Int)
        case macro(Int)

        var kind: String {
            switch self {
            case .column: return "column"
            case .publicInput: return "public input"
            case .periodic: return "periodic column"
            case .macro: return "macro"
            }
        }
    }

    private struct Macro {
        var name: String
        var parameterCount: Int
        var body: CircuitTerm
    }

    private static let keywords: Set<String> = [
        "air", "inverse", "pack", "boundary", "global", "shared", "column", "public", "periodic", "let", "constraint",
        "bus", "entry",
    ]

    private let file: String
    private var lexer: CircuitLexer
    private var token: CircuitToken

    private var circuitName: String?
    private var circuitNameLine = 0
    /// The `inverse degree N` setting and its line, when the file states one.
    private var inverseDegree: (degree: Int, line: Int)?
    /// The `pack N` setting (with its short tables' packing, `pack N, K up to 2^L rows`) and its line, when the
    /// file states one.
    private var packing: (columns: Int, short: AIR.ShortTablePacking?, line: Int)?
    /// Whether a statement other than `air` and `inverse degree` has been read: the setting must come before.
    private var declaredAnything = false
    /// Columns, public inputs, periodic columns and macros: the names an expression can mention.
    private var symbols: [String: (symbol: Symbol, line: Int)] = [:]
    private var macros: [Macro] = []
    private var columns: [Column] = []
    private var columnLocations: [CircuitSourceLocation] = []
    private var boundaryColumnCount = 0
    private var usedColumns = Set<Int>()
    private var publicInputs: [PublicInput] = []
    private var periodicColumns: [PeriodicColumn] = []
    private var constraints: [Constraint] = []
    private var constraintLines: [String: Int] = [:]
    private var buses: [LogUpBus] = []
    private var busLines: [String: Int] = [:]
    /// The bus whose entries are being read, with the location of its name.
    private var openBus: (index: Int, location: CircuitSourceLocation)?

    init(source: String, file: String) throws(CircuitFileError) {
        self.file = file
        lexer = CircuitLexer(source: source, file: file)
        token = try lexer.next()
    }

    // MARK: - Statements

    mutating func parse() throws(CircuitFileError) -> AIR {
        while token.kind != .end {
            if case .newline = token.kind {
                try advance()
                continue
            }
            guard case .name(let keyword, primed: false) = token.kind, CircuitParser.keywords.contains(keyword) else {
                if case .name(let word, let primed) = token.kind {
                    throw .unknownStatement(here, word: word + (primed ? "'" : ""))
                }
                throw .expected(here, expected: "a statement", found: token.quoted)
            }
            if circuitName == nil && keyword != "air" {
                throw .misplaced(here, statement: keyword, reason: "the file must start with 'air NAME'")
            }
            if keyword != "entry" { try closeBus() }
            let start = here
            try advance()
            if keyword != "air" && keyword != "inverse" && keyword != "pack" { declaredAnything = true }
            switch keyword {
            case "air": try airStatement(start)
            case "inverse":
                try expectKeyword("degree", after: "inverse")
                try inverseDegreeStatement(start)
            case "pack": try packStatement(start)
            case "column": try columnStatement(boundary: false)
            case "boundary":
                try expectKeyword("column", after: "boundary")
                try columnStatement(boundary: true)
            case "public": try publicStatement()
            case "periodic": try periodicStatement()
            case "let": try letStatement()
            case "constraint": try constraintStatement()
            case "bus": try busStatement(global: false)
            case "global":
                try expectKeyword("bus", after: "global")
                try busStatement(global: true)
            case "shared":
                try expectKeyword("bus", after: "shared")
                try busStatement(global: false, shared: true)
            default: try entryStatement(start)
            }
        }
        try closeBus()
        guard let circuitName else { throw .missingAIRStatement(file: file) }
        if let free = columns.indices.first(where: { !usedColumns.contains($0) }) {
            throw .unconstrainedColumn(columnLocations[free], column: columns[free].name)
        }
        do {
            return try AIR(
                name: circuitName, mainColumns: columns, boundaryColumnCount: boundaryColumnCount,
                publicInputs: publicInputs, periodicColumns: periodicColumns, constraints: constraints, buses: buses,
                inverseDegree: inverseDegree?.degree ?? AIR.defaultInverseDegree, packing: packing?.columns ?? 1,
                shortTablePacking: packing?.short)
        } catch {
            throw .invalidAIR(file: file, error)
        }
    }

    private mutating func airStatement(_ start: CircuitSourceLocation) throws(CircuitFileError) {
        if circuitName != nil {
            throw .misplaced(start, statement: "air", reason: "the circuit is already named on line \(circuitNameLine)")
        }
        circuitName = try expectName("the circuit's name").name
        circuitNameLine = start.line
        _ = try endOfStatement()
    }

    /// `inverse degree N`: the largest degree of a bus's inverse column constraint, once, right after `air NAME`.
    private mutating func inverseDegreeStatement(_ start: CircuitSourceLocation) throws(CircuitFileError) {
        if let previous = inverseDegree {
            throw .misplaced(
                start, statement: "inverse degree",
                reason: "the inverse degree is already set on line \(previous.line)")
        }
        if declaredAnything {
            throw .misplaced(
                start, statement: "inverse degree", reason: "it comes right after 'air NAME', before any declaration")
        }
        let range = AIR.inverseDegrees
        guard case .number(let text) = token.kind else {
            throw .expected(
                here, expected: "a degree from \(range.lowerBound) to \(range.upperBound)", found: token.quoted)
        }
        guard let degree = CircuitParser.smallInteger(text), range.contains(degree) else {
            throw .inverseDegreeOutOfRange(here, text: text)
        }
        try advance()
        inverseDegree = (degree, start.line)
        _ = try endOfStatement()
    }

    /// `pack N`: a proof commits every N columns as one polynomial over a domain N times larger (1, 2, 4 or 8),
    /// once, right after `air NAME`. `pack N, K up to 2^L rows` adds the packing of tables of at most 2^L rows: K
    /// (4, 8, 16 or 32, more than N).
    private mutating func packStatement(_ start: CircuitSourceLocation) throws(CircuitFileError) {
        if let previous = packing {
            throw .misplaced(start, statement: "pack", reason: "the packing is already set on line \(previous.line)")
        }
        if declaredAnything {
            throw .misplaced(
                start, statement: "pack", reason: "it comes right after 'air NAME', before any declaration")
        }
        guard case .number(let text) = token.kind else {
            throw .expected(here, expected: "1, 2, 4 or 8 columns", found: token.quoted)
        }
        guard let columns = CircuitParser.smallInteger(text), AIR.packings.contains(columns) else {
            throw .packingOutOfRange(here, text: text)
        }
        try advance()
        var short: AIR.ShortTablePacking?
        if token.isSymbol(",") {
            try advance()
            guard case .number(let text) = token.kind else {
                throw .expected(here, expected: "the short tables' packing (4, 8, 16 or 32)", found: token.quoted)
            }
            guard let wide = CircuitParser.smallInteger(text), AIR.shortPackings.contains(wide), wide > columns else {
                throw .shortPackingOutOfRange(here, text: text, packing: columns)
            }
            try advance()
            try expectKeyword("up", after: "\(wide)")
            try expectKeyword("to", after: "up")
            guard case .number("2") = token.kind else {
                throw .expected(here, expected: "2^L, the tallest short table's rows", found: token.quoted)
            }
            try advance()
            try expectSymbol("^")
            guard case .number(let logText) = token.kind, let log = CircuitParser.smallInteger(logText),
                (1...26).contains(log)
            else { throw .expected(here, expected: "an exponent from 1 to 26", found: token.quoted) }
            try advance()
            try expectKeyword("rows", after: "2^\(log)")
            short = AIR.ShortTablePacking(columns: wide, maxLogRows: log)
        }
        packing = (columns, short, start.line)
        _ = try endOfStatement()
    }

    /// `column NAME # doc`, or `boundary column NAME # doc` for a column committed before the global buses'
    /// challenges; boundary columns come first.
    private mutating func columnStatement(boundary: Bool) throws(CircuitFileError) {
        let (name, at) = try expectName("a column name")
        if boundary && boundaryColumnCount < columns.count {
            throw .misplaced(at, statement: "boundary column", reason: "boundary columns come before every other column")
        }
        if boundary { boundaryColumnCount += 1 }
        try declare(name, at: at, as: .column(columns.count))
        guard let doc = try endOfStatement() else { throw .missingDoc(at, kind: "column", name: name) }
        columns.append(Column(name, doc: doc))
        columnLocations.append(at)
    }

    private mutating func publicStatement() throws(CircuitFileError) {
        let (name, at) = try expectName("a public input name")
        try declare(name, at: at, as: .publicInput(publicInputs.count))
        guard let doc = try endOfStatement() else { throw .missingDoc(at, kind: "public input", name: name) }
        publicInputs.append(PublicInput(name, doc: doc))
    }

    private mutating func periodicStatement() throws(CircuitFileError) {
        let (name, at) = try expectName("a periodic column name")
        try declare(name, at: at, as: .periodic(periodicColumns.count))
        try expectSymbol("=")
        let values: [Fp]
        if case .name("builtin", primed: false) = token.kind {
            try advance()
            let (table, tableAt) = try expectName("a built-in table name")
            guard let builtin = CircuitBuiltinTable(name: table) else {
                throw .unknownBuiltinTable(tableAt, name: table)
            }
            values = builtin.values
        } else {
            values = try periodicValues()
            guard values.count & (values.count - 1) == 0 else {
                throw .periodNotPowerOfTwo(at, name: name, count: values.count)
            }
        }
        periodicColumns.append(PeriodicColumn(name, values: values))
        _ = try endOfStatement()
    }

    /// `[v0, v1, …]`, each value a constant, `-c` meaning p − c.
    private mutating func periodicValues() throws(CircuitFileError) -> [Fp] {
        let open = here
        guard token.isSymbol("[") else {
            throw .expected(here, expected: "'[' or 'builtin'", found: token.quoted)
        }
        try advance()
        var values: [Fp] = []
        repeat {
            var negate = false
            if token.isSymbol("-") {
                negate = true
                try advance()
            }
            let value = try constant("a constant")
            values.append(negate ? -value : value)
        } while try acceptSymbol(",")
        try expectClosing("]", opened: open)
        return values
    }

    private mutating func letStatement() throws(CircuitFileError) {
        let (name, at) = try expectName("a macro name")
        if let previous = symbols[name] { throw .duplicateName(at, name: name, previousLine: previous.line) }
        var parameters: [String: Int] = [:]
        let open = here
        if try acceptSymbol("(") {
            repeat {
                let (parameter, parameterAt) = try expectName("a parameter name")
                if let previous = symbols[parameter] {
                    throw .duplicateName(parameterAt, name: parameter, previousLine: previous.line)
                }
                if parameters[parameter] != nil {
                    throw .duplicateName(parameterAt, name: parameter, previousLine: parameterAt.line)
                }
                parameters[parameter] = parameters.count
            } while try acceptSymbol(",")
            try expectClosing(")", opened: open)
        }
        try expectSymbol("=")
        let body = try expression(parameters)
        // Declared only now, so a macro cannot mention itself.
        try declare(name, at: at, as: .macro(macros.count))
        macros.append(Macro(name: name, parameterCount: parameters.count, body: body))
        _ = try endOfStatement()
    }

    private mutating func constraintStatement() throws(CircuitFileError) {
        let (name, at) = try expectName("a constraint name")
        if let line = constraintLines[name] { throw .duplicateName(at, name: name, previousLine: line) }
        constraintLines[name] = at.line
        let domain = try self.domain()
        try expectSymbol(":")
        let term = try expression([:])
        // Outside a macro body no parameter is in scope, so every term is closed.
        let formula = term.expression ?? .constant(.zero)
        guard term.degree > 0 else { throw .readsNoColumn(at, constraint: name) }
        if domain != .transition && formula.readsNextRow {
            throw .nextRowOutsideTransition(at, constraint: name, domain: domain.circuitSyntax)
        }
        markUsed(formula)
        constraints.append(Constraint(name: name, domain: domain, formula))
        _ = try endOfStatement()
    }

    /// `bus NAME`, `global bus NAME` for a bus joining several proofs, or `shared bus NAME` for one joining the
    /// tables of a batch proof.
    private mutating func busStatement(global: Bool, shared: Bool = false) throws(CircuitFileError) {
        let (name, at) = try expectName("a bus name")
        if let line = busLines[name] { throw .duplicateName(at, name: name, previousLine: line) }
        busLines[name] = at.line
        buses.append(LogUpBus(name, entries: [], isGlobal: global, isShared: shared))
        openBus = (buses.count - 1, at)
        _ = try endOfStatement()
    }

    private mutating func entryStatement(_ start: CircuitSourceLocation) throws(CircuitFileError) {
        guard let bus = openBus?.index else {
            throw .misplaced(start, statement: "entry", reason: "an entry must follow its 'bus' line or another entry")
        }
        let multiplicity = try closedExpression()
        try expectSymbol(":")
        let open = here
        try expectSymbol("[")
        var values: [Expression] = []
        repeat { values.append(try closedExpression()) } while try acceptSymbol(",")
        try expectClosing("]", opened: open)
        if ([multiplicity] + values).contains(where: \.readsNextRow) {
            throw .nextRowInBus(start, bus: buses[bus].name)
        }
        for e in [multiplicity] + values { markUsed(e) }
        buses[bus].entries.append(LogUpEntry(multiplicity: multiplicity, values: values))
        _ = try endOfStatement()
    }

    private mutating func closeBus() throws(CircuitFileError) {
        if let (index, at) = openBus, buses[index].entries.isEmpty { throw .emptyBus(at, bus: buses[index].name) }
        openBus = nil
    }

    private mutating func domain() throws(CircuitFileError) -> ConstraintDomain {
        let expected = "a domain (every_row, transition, first_row, last_row or row N)"
        guard case .name(let word, primed: false) = token.kind else {
            throw .expected(here, expected: expected, found: token.quoted)
        }
        let domain: ConstraintDomain
        switch word {
        case "every_row": domain = .everyRow
        case "transition": domain = .transition
        case "first_row": domain = .firstRow
        case "last_row": domain = .lastRow
        case "row":
            try advance()
            guard case .number(let text) = token.kind else {
                throw .expected(here, expected: "a row number", found: token.quoted)
            }
            guard let row = CircuitParser.smallInteger(text), row < 1 << 32 else {
                throw .rowOutOfRange(here, text: text)
            }
            domain = .row(row)
        default: throw .expected(here, expected: expected, found: token.quoted)
        }
        try advance()
        return domain
    }

    // MARK: - Expressions

    /// An expression outside any macro body, where every name is resolved.
    private mutating func closedExpression() throws(CircuitFileError) -> Expression {
        try expression([:]).expression ?? .constant(.zero)
    }

    /// sum := product (('+' | '-') product)*
    private mutating func expression(_ parameters: [String: Int]) throws(CircuitFileError) -> CircuitTerm {
        var sum = try product(parameters)
        while token.isSymbol("+") || token.isSymbol("-") {
            let operation: CircuitTerm.Operation = token.isSymbol("+") ? .add : .sub
            let at = here
            try advance()
            sum = try .apply(operation, sum, product(parameters), at: at)
        }
        return sum
    }

    /// product := unary ('*' unary)*
    private mutating func product(_ parameters: [String: Int]) throws(CircuitFileError) -> CircuitTerm {
        var product = try unary(parameters)
        while token.isSymbol("*") {
            let at = here
            try advance()
            product = try .apply(.mul, product, unary(parameters), at: at)
        }
        return product
    }

    /// unary := '-'* power. A loop rather than recursion, so a long run of minus signs cannot exhaust the stack.
    private mutating func unary(_ parameters: [String: Int]) throws(CircuitFileError) -> CircuitTerm {
        var signs: [CircuitSourceLocation] = []
        while token.isSymbol("-") {
            signs.append(here)
            try advance()
        }
        var term = try power(parameters)
        for at in signs.reversed() { term = try .apply(.neg, term, at: at) }
        return term
    }

    /// power := primary ('^' INTEGER)?
    private mutating func power(_ parameters: [String: Int]) throws(CircuitFileError) -> CircuitTerm {
        let base = try primary(parameters)
        guard token.isSymbol("^") else { return base }
        let at = here
        try advance()
        guard case .number(let text) = token.kind else {
            throw .expected(here, expected: "an exponent", found: token.quoted)
        }
        guard let k = CircuitParser.smallInteger(text), k >= 1, k <= CircuitFileLimits.maxExponent else {
            throw .exponentOutOfRange(here, text: text)
        }
        try advance()
        return try .apply(.power(k), base, at: at)
    }

    /// primary := CONSTANT | NAME ['\''] | NAME '(' sum (',' sum)* ')' | '(' sum ')'
    private mutating func primary(_ parameters: [String: Int]) throws(CircuitFileError) -> CircuitTerm {
        let at = here
        switch token.kind {
        case .number:
            return CircuitTerm(leaf: .constant(try constant("a constant")))
        case .symbol("("):
            try advance()
            let inner = try expression(parameters)
            try expectClosing(")", opened: at)
            return inner
        case .name(let name, let primed):
            try advance()
            let isCall = token.isSymbol("(")
            if let index = parameters[name] {
                if primed { throw .nextRowOfNonColumn(at, name: name, kind: "macro parameter") }
                if isCall { throw .notAMacro(at, name: name, kind: "macro parameter") }
                return CircuitTerm(parameter: index)
            }
            guard let symbol = symbols[name]?.symbol else { throw .unknownName(at, name: name) }
            let macro: Int
            switch symbol {
            case .column(let i):
                if isCall { throw .notAMacro(at, name: name, kind: symbol.kind) }
                return CircuitTerm(leaf: .main(i, primed ? .next : .current))
            case .publicInput(let i):
                if primed { throw .nextRowOfNonColumn(at, name: name, kind: symbol.kind) }
                if isCall { throw .notAMacro(at, name: name, kind: symbol.kind) }
                return CircuitTerm(leaf: .publicInput(i))
            case .periodic(let i):
                if primed { throw .nextRowOfNonColumn(at, name: name, kind: symbol.kind) }
                if isCall { throw .notAMacro(at, name: name, kind: symbol.kind) }
                return CircuitTerm(leaf: .periodic(i))
            case .macro(let m):
                if primed { throw .nextRowOfNonColumn(at, name: name, kind: symbol.kind) }
                macro = m
            }
            var arguments: [CircuitTerm] = []
            if isCall {
                let open = here
                try advance()
                repeat { arguments.append(try expression(parameters)) } while try acceptSymbol(",")
                try expectClosing(")", opened: open)
            }
            guard arguments.count == macros[macro].parameterCount else {
                throw .argumentCount(at, macro: name, expected: macros[macro].parameterCount, found: arguments.count)
            }
            return try macros[macro].body.substituting(arguments, at: at)
        default:
            throw .expected(here, expected: "an expression", found: token.quoted)
        }
    }

    // MARK: - Tokens

    private var here: CircuitSourceLocation {
        CircuitSourceLocation(file: file, line: token.line, column: token.column)
    }

    private mutating func advance() throws(CircuitFileError) { token = try lexer.next() }

    private mutating func expectName(
        _ what: String
    ) throws(CircuitFileError) -> (
        name: String, location: CircuitSourceLocation
    ) {
        guard case .name(let name, primed: false) = token.kind else {
            throw .expected(here, expected: what, found: token.quoted)
        }
        let at = here
        try advance()
        return (name, at)
    }

    /// The keyword `word` after `first` (as in `boundary column` and `global bus`).
    private mutating func expectKeyword(_ word: String, after first: String) throws(CircuitFileError) {
        guard case .name(word, primed: false) = token.kind else {
            throw .expected(here, expected: "'\(word)' after '\(first)'", found: token.quoted)
        }
        try advance()
    }

    private mutating func expectSymbol(_ c: Character) throws(CircuitFileError) {
        guard token.isSymbol(c) else { throw .expected(here, expected: "'\(c)'", found: token.quoted) }
        try advance()
    }

    private mutating func expectClosing(_ c: Character, opened: CircuitSourceLocation) throws(CircuitFileError) {
        guard token.isSymbol(c) else {
            let bracket = c == ")" ? "(" : "["
            throw .expected(
                here, expected: "'\(c)' to match the '\(bracket)' at \(opened.line):\(opened.column)",
                found: token.quoted)
        }
        try advance()
    }

    private mutating func acceptSymbol(_ c: Character) throws(CircuitFileError) -> Bool {
        guard token.isSymbol(c) else { return false }
        try advance()
        return true
    }

    /// Ends a statement: the line break (or end of file) must come next. Returns the line's trailing comment.
    private mutating func endOfStatement() throws(CircuitFileError) -> String? {
        switch token.kind {
        case .newline(let comment):
            try advance()
            return comment
        case .end:
            return nil
        default:
            throw .expected(here, expected: "end of line", found: token.quoted)
        }
    }

    private mutating func declare(_ name: String, at: CircuitSourceLocation, as symbol: Symbol) throws(CircuitFileError)
    {
        if let previous = symbols[name] { throw .duplicateName(at, name: name, previousLine: previous.line) }
        symbols[name] = (symbol, at.line)
    }

    private mutating func markUsed(_ e: Expression) {
        e.forEachNode { node in
            if case .main(let i, _) = node { usedColumns.insert(i) }
        }
    }

    /// The field element a number token spells, which must be below p.
    private mutating func constant(_ what: String) throws(CircuitFileError) -> Fp {
        guard case .number(let text) = token.kind else { throw .expected(here, expected: what, found: token.quoted) }
        guard let value = CircuitParser.fieldElement(text) else { throw .constantOutOfRange(here, text: text) }
        try advance()
        return value
    }

    static func fieldElement(_ text: String) -> Fp? {
        let hex = text.hasPrefix("0x") || text.hasPrefix("0X")
        let digits = (hex ? text.dropFirst(2) : Substring(text)).drop { $0 == "0" }
        // p has 76 decimal or 63 hexadecimal digits; anything much longer is out of range before parsing.
        guard digits.count <= (hex ? 64 : 80) else { return nil }
        if digits.isEmpty { return .zero }
        return hex ? try? Fp(hex: String(digits)) : try? Fp(decimal: String(digits))
    }

    /// A decimal integer below 2^62, or nil.
    static func smallInteger(_ text: String) -> Int? {
        let digits = text.drop { $0 == "0" }
        guard text.allSatisfy(\.isASCIIDigitCharacter), digits.count <= 18 else { return nil }
        return digits.isEmpty ? 0 : Int(digits)
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { self >= "0" && self <= "9" }
}

extension ConstraintDomain {
    /// The domain as a circuit file writes it: `every_row`, `transition`, `first_row`, `last_row` or `row N`.
    public var circuitSyntax: String {
        switch self {
        case .everyRow: return "every_row"
        case .transition: return "transition"
        case .firstRow: return "first_row"
        case .lastRow: return "last_row"
        case .row(let r): return "row \(r)"
        }
    }
}
