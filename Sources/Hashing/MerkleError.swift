/// What can go wrong building a Merkle tree, opening it, or checking an opening.
///
/// Checking never traps: every malformed or hostile opening ends in one of these cases.
public enum MerkleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The number of leaves is not a power of two (at least 1); pad the rows, or check the claimed trace length.
    case invalidLeafCount(Int)
    /// A row must hold at least one field element; pass the number of columns as the width.
    case invalidWidth(Int)
    /// The flat row buffer does not split into rows of `width` elements; its length must be rows × width.
    case raggedRows(elementCount: Int, width: Int)
    /// No index was asked for; an empty opening proves nothing, so ask for at least one leaf.
    case noIndices
    /// A leaf index is negative or not below the number of leaves; only indices in `0 ..< leafCount` exist.
    case indexOutOfRange(index: Int, leafCount: Int)
    /// The opening holds a different number of rows than there are distinct indices; the opening is malformed.
    case wrongRowCount(expected: Int, found: Int)
    /// Row `row` of the opening (in increasing index order) has the wrong number of elements.
    case wrongRowWidth(row: Int, expected: Int, found: Int)
    /// The number of salts does not match: one per distinct index for a salted tree, none for a salt-free one.
    /// When building, explicit salts must number one per leaf.
    case wrongSaltCount(expected: Int, found: Int)
    /// The opening carries too few (truncated) or too many (extra) sibling nodes for these indices.
    case wrongNodeCount(expected: Int, found: Int)
    /// The rows, salts and nodes hash to a different root: some row, salt, index or node is not the committed one.
    case rootMismatch

    /// A one-line explanation for logs and command-line messages.
    public var description: String {
        switch self {
        case .invalidLeafCount(let n): return "leaf count \(n) is not a power of two ≥ 1"
        case .invalidWidth(let w): return "row width \(w) is not positive"
        case .raggedRows(let count, let width): return "\(count) elements do not form rows of width \(width)"
        case .noIndices: return "no leaf index to open"
        case .indexOutOfRange(let index, let n): return "leaf index \(index) is outside 0..<\(n)"
        case .wrongRowCount(let expected, let found): return "opening has \(found) rows; expected \(expected)"
        case .wrongRowWidth(let row, let expected, let found):
            return "opened row \(row) has \(found) elements; expected \(expected)"
        case .wrongSaltCount(let expected, let found): return "\(found) salts given; expected \(expected)"
        case .wrongNodeCount(let expected, let found): return "opening has \(found) nodes; expected \(expected)"
        case .rootMismatch: return "opening does not hash to the committed root"
        }
    }
}
