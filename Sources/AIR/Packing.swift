/// How a proof commits the columns of an AIR that packs k of them into one polynomial (`pack k`).
///
/// The columns are taken in groups of k consecutive ones, each group within one commitment (the boundary columns,
/// the other main columns, the auxiliary columns): a group t_0 … t_(k−1) of polynomials of degree < n + m over
/// the trace domain (n rows, m the mask degree) is committed as P(X) = Σ_j X^j·t_j(X^k), of degree < k·(n + m), on
/// a domain k times as large. A group short of k columns has zero polynomials in the missing places.
///
/// Nothing else changes: the constraints, the composition polynomial and the out-of-domain values are those of the
/// columns as written. What a query opens is one value of each P, k times fewer values, at a point x of the larger
/// domain; the DEEP quotient of P at z is (P(x) − Σ_j x^j·t_j(z)) / (x^k − z), computed from the opened value and
/// the stated t_j(z).
extension AIR {
    /// The packing a table of 2^`logRows` rows of this circuit commits with: the declared one, or the short tables'
    /// (``ShortTablePacking``) for a table that short.
    public func packing(forLogRows logRows: Int) -> Int {
        guard let short = shortTablePacking, logRows <= short.maxLogRows else { return declaredPacking }
        return short.columns
    }

    /// The circuit file's `pack` statement, `pack k` or `pack k, K up to 2^L rows`, as written and as the canonical
    /// description states it; nil for a circuit that does not pack.
    var packStatement: String? {
        guard declaredPacking > 1 else { return nil }
        let short = shortTablePacking.map { ", \($0.columns) up to 2^\($0.maxLogRows) rows" } ?? ""
        return "pack \(declaredPacking)" + short
    }

    /// This circuit as a table of 2^`logRows` rows commits it: with ``packing(forLogRows:)``. The same circuit, with
    /// the same circuit id; what a proof commits and opens of the table follows ``packing``.
    public func forTable(logRows: Int) -> AIR {
        var table = self
        table.packing = packing(forLogRows: logRows)
        return table
    }

    /// The committed groups, each a run of at most ``packing`` column indices in the list of main columns followed
    /// by auxiliary columns (auxiliary column a is index mainColumns.count + a): the boundary columns' groups, then
    /// the other main columns', then the auxiliary columns'. One group per column when the AIR does not pack.
    public var committedGroups: [[Int]] {
        derived("committed groups, pack \(packing)") {
            let k = packing
            func chunks(_ range: Range<Int>) -> [[Int]] {
                stride(from: range.lowerBound, to: range.upperBound, by: k).map {
                    Array($0..<min($0 + k, range.upperBound))
                }
            }
            let m = mainColumns.count
            return chunks(0..<boundaryColumnCount) + chunks(boundaryColumnCount..<m)
                + chunks(m..<m + auxColumns.count)
        }
    }

    /// Committed boundary columns: ⌈boundary columns / k⌉.
    public var committedBoundaryCount: Int { (boundaryColumnCount + packing - 1) / packing }
    /// Committed main columns after the boundary ones.
    public var committedMainCount: Int { (mainColumns.count - boundaryColumnCount + packing - 1) / packing }
    /// Committed auxiliary columns.
    public var committedAuxCount: Int { (auxColumns.count + packing - 1) / packing }

    /// The committed groups (indices into ``committedGroups``) some constraint reads on the next row: a proof opens
    /// all their columns at z·ω, which the DEEP quotient of a packed group needs.
    public var committedNextRowGroups: [Int] {
        derived("committed next-row groups, pack \(packing)") {
            let m = mainColumns.count
            let read = Set(nextRowMainColumns + nextRowAuxColumns.map { $0 + m })
            return committedGroups.indices.filter { committedGroups[$0].contains(where: read.contains) }
        }
    }

    /// The main columns a proof opens at z·ω, increasing: those read on the next row, and for a packing AIR every
    /// other column of their groups.
    public var openedNextMainColumns: [Int] {
        packing == 1
            ? nextRowMainColumns
            : committedNextRowGroups.flatMap { committedGroups[$0] }.filter { $0 < mainColumns.count }
    }

    /// The auxiliary columns a proof opens at z·ω, increasing.
    public var openedNextAuxColumns: [Int] {
        packing == 1
            ? nextRowAuxColumns
            : committedNextRowGroups.flatMap { committedGroups[$0] }.filter { $0 >= mainColumns.count }.map {
                $0 - mainColumns.count
            }
    }
}
