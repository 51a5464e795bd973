/// A position in a circuit file: the file name as given to the loader, the line and the column, both from 1.
///
/// Columns count Unicode scalars, so a tab or an `…` in a comment counts as one.
public struct CircuitSourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file name the loader was given.
    public var file: String
    /// The line, from 1.
    public var line: Int
    /// The column in Unicode scalars, from 1.
    public var column: Int

    /// The position `line`:`column` in `file`.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form editors and terminals turn into a link.
    public var description: String { "\(file):\(line):\(column)" }
}

/// Why a circuit file could not be loaded. Every case but `unreadable`, `missingAIRStatement` and `invalidAIR` names
/// the exact place and the text found there; loading stops at the first problem in file order.
public enum CircuitFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read, is too large, or is not UTF-8 text. Check the path and the file.
    case unreadable(file: String, reason: String)
    /// A character that starts no token outside a comment, for example `$`, a control character or non-ASCII text.
    /// Names, numbers and operators are ASCII; move prose into a `#` comment.
    case unexpectedCharacter(CircuitSourceLocation, character: String)
    /// Text starting with a digit that is neither a decimal integer nor `0x` followed by hexadecimal digits.
    case malformedNumber(CircuitSourceLocation, text: String)
    /// A constant not below the field modulus p. Write it reduced modulo p, or as a negation (`-1` is p − 1).
    case constantOutOfRange(CircuitSourceLocation, text: String)
    /// The grammar wanted one thing (`expected`) and found another (`found`: a quoted token, "end of line" or
    /// "end of file").
    case expected(CircuitSourceLocation, expected: String, found: String)
    /// A line starts with a word that is not a statement keyword.
    case unknownStatement(CircuitSourceLocation, word: String)
    /// A statement in the wrong place: anything before `air`, a second `air`, an `inverse degree` after a
    /// declaration or a second one, or an `entry` not under a `bus`.
    case misplaced(CircuitSourceLocation, statement: String, reason: String)
    /// The file holds no statement at all; it must start with `air NAME`.
    case missingAIRStatement(file: String)
    /// A column or public input without its doc line: end the declaration with `# what it holds`.
    case missingDoc(CircuitSourceLocation, kind: String, name: String)
    /// A name declared twice. Columns, public inputs, periodic columns and macros share one namespace; constraints
    /// and buses have one each.
    case duplicateName(CircuitSourceLocation, name: String, previousLine: Int)
    /// A name that is not declared above its use.
    case unknownName(CircuitSourceLocation, name: String)
    /// `'` (next row) after a name that is not a column: `kind` says what the name is.
    case nextRowOfNonColumn(CircuitSourceLocation, name: String, kind: String)
    /// Arguments in parentheses after a name that is not a macro with parameters.
    case notAMacro(CircuitSourceLocation, name: String, kind: String)
    /// A macro used with the wrong number of arguments.
    case argumentCount(CircuitSourceLocation, macro: String, expected: Int, found: Int)
    /// An exponent that is not a decimal integer from 1 to ``CircuitFileLimits/maxExponent``.
    case exponentOutOfRange(CircuitSourceLocation, text: String)
    /// A `row N` domain whose N is not a decimal integer below 2^32.
    case rowOutOfRange(CircuitSourceLocation, text: String)
    /// `inverse degree N` with an N that is not a decimal integer in ``AIR/inverseDegrees``.
    case inverseDegreeOutOfRange(CircuitSourceLocation, text: String)
    /// `pack N` with N other than 1, 2, 4 or 8.
    case packingOutOfRange(CircuitSourceLocation, text: String)
    /// `pack N, K up to 2^L rows` with K other than 4, 8, 16 or 32, or not more than N.
    case shortPackingOutOfRange(CircuitSourceLocation, text: String, packing: Int)
    /// `periodic NAME = builtin TABLE` naming a table that is not built in; ``CircuitBuiltinTable`` lists those that
    /// are. Write the values out in `[` … `]` instead.
    case unknownBuiltinTable(CircuitSourceLocation, name: String)
    /// A periodic column whose number of values is not a power of two.
    case periodNotPowerOfTwo(CircuitSourceLocation, name: String, count: Int)
    /// An expression past one of the ``CircuitFileLimits``; `reason` says which. Split it with `let` macros or
    /// simplify it: no sensible circuit comes near the limits.
    case tooComplex(CircuitSourceLocation, reason: String)
    /// A constraint reads the next row (`'`) but is not on the `transition` domain, where a next row exists.
    case nextRowOutsideTransition(CircuitSourceLocation, constraint: String, domain: String)
    /// A constraint that reads no column, so it holds on every trace or on none.
    case readsNoColumn(CircuitSourceLocation, constraint: String)
    /// A bus entry reads the next row; entries are evaluated on every row, including the last.
    case nextRowInBus(CircuitSourceLocation, bus: String)
    /// A `bus` line with no `entry` lines under it.
    case emptyBus(CircuitSourceLocation, bus: String)
    /// A column that no constraint or bus entry mentions, so a prover could put anything in it.
    case unconstrainedColumn(CircuitSourceLocation, column: String)
    /// The assembled AIR was refused by
    /// ``AIR/init(name:mainColumns:boundaryColumnCount:publicInputs:periodicColumns:constraints:buses:inverseDegree:)``
    /// for a reason the loader does not check itself, such as a file with no columns or no constraints.
    case invalidAIR(file: String, AIRError)

    /// The message to show: `file:line:column: what is wrong`, quoting the offending text.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the circuit file: \(reason)"
        case .unexpectedCharacter(let at, let character):
            return "\(at): unexpected character \(character)"
        case .malformedNumber(let at, let text):
            return "\(at): malformed number '\(text)'; write a decimal integer or 0x and hexadecimal digits"
        case .constantOutOfRange(let at, let text):
            return "\(at): constant \(text) is not below the field modulus"
        case .expected(let at, let expected, let found):
            return "\(at): expected \(expected), found \(found)"
        case .unknownStatement(let at, let word):
            return "\(at): unknown statement '\(word)'; a line starts with air, column, public, periodic, let, "
                + "constraint, bus or entry"
        case .misplaced(let at, let statement, let reason):
            return "\(at): misplaced '\(statement)': \(reason)"
        case .missingAIRStatement(let file):
            return "\(file): the file declares nothing; it must start with 'air NAME'"
        case .missingDoc(let at, let kind, let name):
            return "\(at): \(kind) '\(name)' has no doc comment; end its line with '# what it holds'"
        case .duplicateName(let at, let name, let previousLine):
            return "\(at): '\(name)' is already declared on line \(previousLine)"
        case .unknownName(let at, let name):
            return "\(at): unknown name '\(name)'"
        case .nextRowOfNonColumn(let at, let name, let kind):
            return "\(at): '\(name)' is a \(kind); only a column can be read on the next row with '"
        case .notAMacro(let at, let name, let kind):
            return "\(at): '\(name)' is a \(kind), not a macro with parameters, so it takes no arguments"
        case .argumentCount(let at, let macro, let expected, let found):
            return "\(at): macro '\(macro)' takes \(expected) \(expected == 1 ? "argument" : "arguments"), "
                + "\(found) given"
        case .exponentOutOfRange(let at, let text):
            return "\(at): exponent \(text) is not a decimal integer from 1 to \(CircuitFileLimits.maxExponent)"
        case .rowOutOfRange(let at, let text):
            return "\(at): row \(text) is not a decimal integer below 2^32"
        case .packingOutOfRange(let at, let text):
            return "\(at): pack \(text) is not 1, 2, 4 or 8"
        case .shortPackingOutOfRange(let at, let text, let packing):
            return "\(at): short tables' packing \(text) is not 4, 8, 16 or 32 and more than pack \(packing)"
        case .inverseDegreeOutOfRange(let at, let text):
            return "\(at): inverse degree \(text) is not a decimal integer from \(AIR.inverseDegrees.lowerBound) to "
                + "\(AIR.inverseDegrees.upperBound)"
        case .unknownBuiltinTable(let at, let name):
            let known = CircuitBuiltinTable.allCases.map(\.name).joined(separator: ", ")
            return "\(at): unknown built-in table '\(name)'; the built-in tables are \(known)"
        case .periodNotPowerOfTwo(let at, let name, let count):
            return "\(at): periodic column '\(name)' has \(count) values; the period must be a power of two"
        case .tooComplex(let at, let reason):
            return "\(at): expression too complex: \(reason)"
        case .nextRowOutsideTransition(let at, let constraint, let domain):
            return "\(at): constraint '\(constraint)' reads the next row, so its domain must be transition, "
                + "not \(domain)"
        case .readsNoColumn(let at, let constraint):
            return "\(at): constraint '\(constraint)' reads no column, so it is either always or never satisfied"
        case .nextRowInBus(let at, let bus):
            return "\(at): an entry of bus '\(bus)' reads the next row; bus entries see one row at a time"
        case .emptyBus(let at, let bus):
            return "\(at): bus '\(bus)' has no entries"
        case .unconstrainedColumn(let at, let column):
            return "\(at): column '\(column)' appears in no constraint or bus entry, so a prover could put "
                + "anything in it"
        case .invalidAIR(let file, let error):
            return "\(file): \(error)"
        }
    }
}

/// Bounds on what one circuit file may ask for. They keep every input, however hostile, to bounded time and stack:
/// macros can otherwise double an expression per line, and the evaluators recurse over expression trees.
public enum CircuitFileLimits {
    /// The largest exponent after `^`.
    public static let maxExponent = 64
    /// The most nested brackets, `(` and `[` together.
    public static let maxNesting = 64
    /// The most nodes (leaves and operators) in one expression once its macros are expanded.
    public static let maxNodes = 1 << 16
    /// The longest path from an expression's root to a leaf once its macros are expanded.
    public static let maxDepth = 500
    /// The highest degree of any expression, in units of the trace length.
    public static let maxDegree = 1024
    /// The largest circuit file read from disk, in bytes.
    public static let maxFileBytes = 1 << 24
}
