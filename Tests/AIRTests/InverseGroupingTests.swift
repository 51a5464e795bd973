import AIR
import ExampleAIRs
import Field
import XCTest

/// How bus entries are grouped into inverse columns: as many consecutive entries to a column as keep its constraint
/// within the AIR's inverse degree, two at the default.
final class InverseGroupingTests: XCTestCase {
    private let x = Expression.main(0, .current)
    private let y = Expression.main(1, .current)
    private let m = Expression.main(2, .current)

    /// A bus of `count` lookups of x, y, x, y, … at multiplicity 1 against the table column m at multiplicity −1.
    private func lookups(_ count: Int, inverseDegree: Int = AIR.defaultInverseDegree) throws -> AIR {
        let values = [x, y]
        return try AIR(
            name: "lookups", mainColumns: [Column("x"), Column("y"), Column("m")], constraints: [],
            buses: [
                LogUpBus(
                    "b",
                    entries: (0..<count).map { LogUpEntry(multiplicity: .constant(.one), values: [values[$0 % 2]]) }
                        + [LogUpEntry(multiplicity: -m, values: [m])])
            ],
            inverseDegree: inverseDegree)
    }

    private func inverseDegrees(_ air: AIR) -> [Int] {
        air.constraints.filter { !$0.name.hasPrefix("buses.") }.map(\.expression.degree)
    }

    func testTheDefaultPairsEntries() throws {
        let air = try lookups(4)
        XCTAssertEqual(air.inverseDegree, 3)
        XCTAssertEqual(air.auxColumns.map(\.name), ["b.inverses0_1", "b.inverses2_3", "b.inverse4", "buses.sum"])
        XCTAssertEqual(air.auxColumnEntries.map { $0?.map(\.entry) }, [[0, 1], [2, 3], [4], nil])
        XCTAssertEqual(inverseDegrees(air), [3, 3, 2])
        XCTAssertEqual(air.auxColumns[0].doc, "sum of the fractions of b.inverse0 and b.inverse1")
        XCTAssertEqual(air.auxColumns[2].doc, "multiplicity / (α − fingerprint) of b.inverse4")
        // Stated explicitly, the default is the same AIR.
        let explicit = try lookups(4, inverseDegree: 3)
        XCTAssertEqual(explicit.canonicalDescription, air.canonicalDescription)
        // And so are the example circuits: the range check keeps its one pair.
        XCTAssertEqual(RangeCheckAIR(bits: 4).air.auxColumns.map(\.name), ["range.inverses0_1", "buses.sum"])
    }

    func testDegreeFourGroupsThreeEntries() throws {
        let air = try lookups(4, inverseDegree: 4)
        XCTAssertEqual(air.auxColumns.map(\.name), ["b.inverses0_2", "b.inverses3_4", "buses.sum"])
        XCTAssertEqual(air.auxColumnEntries.map { $0?.map(\.entry) }, [[0, 1, 2], [3, 4], nil])
        XCTAssertEqual(inverseDegrees(air), [4, 3])
        XCTAssertEqual(air.maxDegree, 4)
        XCTAssertEqual(air.auxColumns[0].doc, "sum of the fractions of b.inverse0, b.inverse1 and b.inverse2")
        XCTAssertEqual(air.constraints.map(\.name), ["b.inverses0_2", "b.inverses3_4"] + Self.sumConstraints)

        // h·d₀·d₁·d₂ − m₀·d₁·d₂ − m₁·d₀·d₂ − m₂·d₀·d₁, with dᵢ = α − vᵢ.
        let (h, h1) = (Expression.aux(0, .current), Expression.aux(1, .current))
        let alpha = Expression.challenge(0)
        let one = Expression.constant(.one)
        let (d0, d1, d2) = (alpha - x, alpha - y, alpha - x)
        XCTAssertEqual(air.constraints[0].expression, h * d0 * d1 * d2 - one * d1 * d2 - one * d0 * d2 - one * d0 * d1)
        // A pair is written as before: h·d₀·d₁ − m₀·d₁ − m₁·d₀.
        let pair = try lookups(2)
        XCTAssertEqual(pair.constraints[0].expression, h * d0 * d1 - one * d1 - one * d0)
        XCTAssertEqual(pair.constraints[1].expression, h1 * (alpha - m) - (-m))

        // Degree 5 takes four, degree 2 leaves every entry alone.
        XCTAssertEqual(
            try lookups(4, inverseDegree: 5).auxColumns.map(\.name), ["b.inverses0_3", "b.inverse4", "buses.sum"])
        let single = try lookups(2, inverseDegree: 2)
        XCTAssertEqual(single.auxColumns.map(\.name), ["b.inverse0", "b.inverse1", "b.inverse2", "buses.sum"])
        XCTAssertEqual(inverseDegrees(single), [2, 2, 2])
    }

    func testAGroupStopsAtAnEntryThatWouldExceedTheDegree() throws {
        // Entry 1's fingerprint has degree 2: at degree 4 it pairs with entry 0 (1 + 1 + 2) but takes no third, and
        // entry 2 cannot join entries 3 and 4 in a column with it.
        let air = try AIR(
            name: "t", mainColumns: [Column("x"), Column("y")], constraints: [],
            buses: [
                LogUpBus(
                    "b",
                    entries: [
                        LogUpEntry(multiplicity: .constant(.one), values: [x]),
                        LogUpEntry(multiplicity: .constant(.one), values: [x * y]),
                        LogUpEntry(multiplicity: .constant(.one), values: [y]),
                        LogUpEntry(multiplicity: .constant(.one), values: [x]),
                        LogUpEntry(multiplicity: y, values: [y]),
                    ])
            ],
            inverseDegree: 4)
        XCTAssertEqual(air.auxColumns.map(\.name), ["b.inverses0_1", "b.inverses2_4", "buses.sum"])
        XCTAssertEqual(inverseDegrees(air), [4, 4])
    }

    func testGroupsAcrossBusesAreNamedByTheirRuns() throws {
        let one = Expression.constant(.one)
        let air = try AIR(
            name: "t", mainColumns: [Column("x"), Column("y")], constraints: [],
            buses: [
                LogUpBus("a", entries: [LogUpEntry(multiplicity: one, values: [x])]),
                LogUpBus("b", entries: [LogUpEntry(multiplicity: one, values: [y])]),
                LogUpBus("c", entries: (0..<3).map { _ in LogUpEntry(multiplicity: one, values: [x]) }),
                LogUpBus("d", entries: (0..<2).map { _ in LogUpEntry(multiplicity: one, values: [y]) }),
            ],
            inverseDegree: 4)
        XCTAssertEqual(
            air.auxColumns.map(\.name),
            ["a.inverse0+b.inverse0+c.inverse0", "c.inverses1_2+d.inverse0", "d.inverse1", "buses.sum"])
        XCTAssertEqual(
            air.auxColumns[1].doc, "sum of the fractions of c.inverse1, c.inverse2 and d.inverse0")
        XCTAssertEqual(air.auxColumnEntries[1]!.map(\.bus), [2, 2, 3])
        XCTAssertEqual(air.auxColumnEntries[1]!.map(\.entry), [1, 2, 0])
    }

    func testSharesTakenWithTheColumnsAreTheSharesOfTheirOwnPass() throws {
        // Buses whose entries share columns with other buses' (the layout of the test above): each share added up
        // while the columns are built is the one busShares computes on its own, and the columns are the same.
        let air = try AIR(
            name: "t", mainColumns: [Column("x"), Column("y")], constraints: [],
            buses: [
                LogUpBus("a", entries: [LogUpEntry(multiplicity: x, values: [x])]),
                LogUpBus("b", entries: [LogUpEntry(multiplicity: .constant(Fp(3)), values: [y])]),
                LogUpBus(
                    "c", entries: (0..<3).map { i in LogUpEntry(multiplicity: y, values: [x + .constant(Fp(i))]) }),
                LogUpBus("d", entries: (0..<2).map { _ in LogUpEntry(multiplicity: -x, values: [y, x]) }),
            ],
            inverseDegree: 4)
        let trace = try TraceTable(
            columns: [(0..<16).map { Fp(UInt64($0 * 7 + 1)) }, (0..<16).map { Fp(UInt64($0 + 100)) }])
        let challenges = (0..<8).map { Fp(UInt64(1_000 + 37 * $0)) }
        for selected in [[], [0], [1, 2], [0, 1, 2, 3], [3]] {
            let (columns, shares) = try air.buildAuxiliaryColumns(
                main: trace, publicInputs: [], challenges: challenges, sharesOf: selected)
            XCTAssertEqual(
                columns, try air.buildAuxiliaryColumns(main: trace, publicInputs: [], challenges: challenges))
            let alone = try air.busShares(main: trace, publicInputs: [], challenges: challenges, buses: selected)
            XCTAssertEqual(shares, alone, "buses \(selected)")
            XCTAssertTrue(shares.allSatisfy { !$0.isZero }, "buses \(selected)")
        }
    }

    func testFingerprintsOfNoColumnKeepTheDefaultToPairs() throws {
        // Constant tuples make every fingerprint of degree 0, so any number of entries would stay within degree 3;
        // a column still holds at most inverseDegree − 1 entries, so the default layout is pairs.
        let entries = (0..<5).map { LogUpEntry(multiplicity: x, values: [.constant(Fp(UInt64($0)))]) }
        let pairs = try AIR(
            name: "t", mainColumns: [Column("x")], constraints: [], buses: [LogUpBus("k", entries: entries)])
        XCTAssertEqual(pairs.auxColumns.map(\.name), ["k.inverses0_1", "k.inverses2_3", "k.inverse4", "buses.sum"])
        let triples = try AIR(
            name: "t", mainColumns: [Column("x")], constraints: [], buses: [LogUpBus("k", entries: entries)],
            inverseDegree: 4)
        XCTAssertEqual(triples.auxColumns.map(\.name), ["k.inverses0_2", "k.inverses3_4", "buses.sum"])
    }

    func testInverseDegreesOutsideTheRangeAreRefused() {
        for degree in [-1, 0, 1, 7, 64] {
            XCTAssertThrowsError(try lookups(2, inverseDegree: degree)) { error in
                XCTAssertEqual("\(error)", "invalid AIR: inverse degree \(degree) is outside 2…6")
            }
        }
        for degree in AIR.inverseDegrees { XCTAssertNoThrow(try lookups(2, inverseDegree: degree)) }
    }

    // MARK: - Columns and checks of a three-entry group

    func testAThreeEntryColumnHoldsTheSumOfItsFractionsAndAWrongValueFailsItsConstraint() throws {
        // x and y each look up every value of the table t once, so its multiplicity m is 2 on every row.
        let t = Expression.main(3, .current)
        let air = try AIR(
            name: "lookups", mainColumns: [Column("x"), Column("y"), Column("m"), Column("t")], constraints: [],
            buses: [
                LogUpBus(
                    "b",
                    entries: [
                        LogUpEntry(multiplicity: .constant(.one), values: [x]),
                        LogUpEntry(multiplicity: .constant(.one), values: [y]),
                        LogUpEntry(multiplicity: -m, values: [t]),
                    ])
            ],
            inverseDegree: 4)
        XCTAssertEqual(air.auxColumns.map(\.name), ["b.inverses0_2", "buses.sum"])
        let rows = 16
        let xs = (0..<rows).map { Fp(UInt64($0)) }
        let ys = (0..<rows).map { Fp(UInt64(($0 * 5 + 3) % rows)) }
        let trace = try TraceTable(columns: [xs, ys, [Fp](repeating: Fp(2), count: rows), xs])
        var rng = SeededGenerator(seed: 41)
        let challenges = (0..<2).map { _ in Fp.random(using: &rng) }
        XCTAssertEqual(try air.check(trace: trace, publicInputs: [], challenges: challenges), [])

        // The column is 1/(α − x) + 1/(α − y) − 2/(α − t) on every row.
        let aux = try air.buildAuxiliaryColumns(main: trace, publicInputs: [], challenges: challenges)
        XCTAssertEqual(aux.count, 2)
        let alpha = challenges[0]
        for row in 0..<rows {
            let expected =
                (alpha - xs[row]).inverse() + (alpha - ys[row]).inverse() - Fp(2) * (alpha - xs[row]).inverse()
            XCTAssertEqual(aux[0][row], expected, "row \(row)")
        }

        // A wrong value moved between two rows, the running sum kept consistent: only the group's constraint
        // fails, on those rows.
        var wrong = aux
        wrong[0][5] += .one
        wrong[0][6] -= .one
        wrong[1][5] += .one
        let failures = try air.check(trace: trace, publicInputs: [], challenges: challenges, auxiliary: wrong)
        XCTAssertEqual(failures.map(\.constraintName), ["b.inverses0_2", "b.inverses0_2"])
        XCTAssertEqual(failures.map(\.row), [5, 6])
        // A table value that is not looked up unbalances the bus.
        var unbalanced = trace
        unbalanced.columns[3][2] = Fp(99)
        XCTAssertEqual(
            try air.check(trace: unbalanced, publicInputs: [], challenges: challenges).map(\.constraintName),
            ["buses.sum_balances"])
    }

    private static let sumConstraints = ["buses.sum_first", "buses.sum_step", "buses.sum_balances"]
}
