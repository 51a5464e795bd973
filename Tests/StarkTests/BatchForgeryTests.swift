import AIR
import ExampleAIRs
import FRI
import Field
import Hashing
import Proof
import Verifier
import XCTest

import Prover

/// ``proveBatch`` as a cheating prover runs it: without checking its witness, never refusing a FRI layer of too
/// high a degree, and with ``BatchCheat``'s departures.
func cheatingProveBatch(_ witnesses: [BatchWitness], parameters: ProofParameters, cheat: BatchCheat) -> BatchProof {
    var options = ProverOptions(parameters: parameters, _skipConstraintCheck: true)
    options._batchCheat = cheat
    return try! proveBatch(witnesses, options: options)
}

/// Attempts to make ``verifyBatch`` accept a false statement or a malformed proof, and hostile inputs that must be
/// refused without trapping.
final class BatchForgeryTests: XCTestCase {
    /// Enough queries that a cheat FRI should catch is caught but with probability about 2^−30 or less.
    static let parameters = ProofParameters(
        logBlowup: 2, queryCount: 24, grindingBits: 2, logFoldingFactor: 2, logRemainderDegree: 3)
    /// The same without zero knowledge: no masks, so a table of 256 rows below one of 1,024 lands on layer 2.
    static let transparent = ProofParameters(
        logBlowup: 2, queryCount: 24, grindingBits: 2, logFoldingFactor: 2, logRemainderDegree: 3,
        zeroKnowledge: false)

    static let statements = BatchProofTests.statements

    /// Values taller than the range table: the table is on a later layer.
    static func tallValues(_ values: [UInt64] = [3, 1, 4, 1, 5, 9, 2, 6]) -> [BatchWitness] {
        BatchProofTests.witnesses(values: values, valueRows: 1024, tableRows: 256)
    }

    func verifies(_ proof: BatchProof, _ statements: [BatchStatement] = statements) -> VerifierError? {
        do {
            try verifyBatch(proof, statements: statements, policy: lenient)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - The cheating prover itself

    /// Played honestly, the copied prover's proofs verify: every rejection below is the cheat's doing.
    func testCheatingProverPlayedHonestlyVerifies() {
        for parameters in [Self.parameters, Self.transparent] {
            for witnesses in [
                Self.tallValues(), BatchProofTests.witnesses(values: [7, 7], valueRows: 256, tableRows: 1024),
            ] {
                let proof = cheatingProveBatch(witnesses, parameters: parameters, cheat: BatchCheat())
                XCTAssertNil(verifies(proof))
            }
        }
    }

    // MARK: - A shorter table's commitment and its layer

    /// A value outside the table, with the shorter table's composition stated at z so that its out-of-domain check
    /// passes: its committed segment then disagrees with the stated value, its DEEP quotient has a pole, and FRI
    /// catches it on the layer it is added in.
    func testLieAtZAboutAShorterTableIsCaughtByFRI() {
        for parameters in [Self.parameters, Self.transparent] {
            // The range table is short; a table entry is corrupted so the table's own constraint fails.
            var witnesses = Self.tallValues()
            var columns = witnesses[1].trace.columns
            columns[0][200] += .one  // an entry no value looks up: the bus still balances
            witnesses[1].trace = try! TraceTable(columns: columns)
            let proof = cheatingProveBatch(
                witnesses, parameters: parameters, cheat: BatchCheat(balanceOutOfDomain: [1]))
            guard case .fri = verifies(proof) else { return XCTFail("\(String(describing: verifies(proof)))") }
            // Without the lie, the out-of-domain check is what fails.
            let honest = cheatingProveBatch(witnesses, parameters: parameters, cheat: BatchCheat())
            XCTAssertEqual(verifies(honest), .outOfDomainMismatch)
        }
    }

    /// The same lie about the taller table, on layer 0.
    func testLieAtZAboutTheTallestTableIsCaughtByFRI() {
        var witnesses = Self.tallValues()
        var columns = witnesses[0].trace.columns
        columns[1][9] += .one
        witnesses[0].trace = try! TraceTable(columns: columns)
        let proof = cheatingProveBatch(
            witnesses, parameters: Self.parameters, cheat: BatchCheat(balanceOutOfDomain: [0]))
        guard case .fri = verifies(proof) else { return XCTFail("\(String(describing: verifies(proof)))") }
    }

    /// The shorter table's DEEP composition added at another layer (lifted to layer 0, or to the fold before its
    /// own), or left out: the verifier adds it where the shape puts it, and the folds disagree.
    func testShorterTablesDeepCompositionAtAnotherLayerIsRejected() {
        // Without masks the 256-row table is on layer 2, and folding by 4 lands on 2 with one fold.
        let shape = try! BatchShape(
            airs: Self.statements.map(\.air), parameters: Self.transparent, logTraceLengths: [10, 8])
        XCTAssertEqual(shape.layers, [0, 2])
        let moves: [@Sendable (Int, Int) -> Int?] = [{ _, _ in 0 }, { _, _ in nil }]
        for move in moves {
            let proof = cheatingProveBatch(
                Self.tallValues(), parameters: Self.transparent,
                cheat: BatchCheat(deepLayer: { t, s in t == 1 ? move(t, s) : s }))
            guard case .fri = verifies(proof) else { return XCTFail("\(String(describing: verifies(proof)))") }
        }
        // With masks it is on layer 1, and folding by 4 lands there with a fold by 2; lifting it to layer 0 fails too.
        let masked = try! BatchShape(
            airs: Self.statements.map(\.air), parameters: Self.parameters, logTraceLengths: [10, 8])
        XCTAssertEqual(masked.layers, [0, 1])
        let proof = cheatingProveBatch(
            Self.tallValues(), parameters: Self.parameters, cheat: BatchCheat(deepLayer: { t, s in t == 1 ? 0 : s }))
        guard case .fri = verifies(proof) else { return XCTFail("\(String(describing: verifies(proof)))") }
    }

    /// A function of too high a degree added at the shorter table's layer (a multiple of the vanishing polynomial
    /// of the queried points cannot be chosen before the queries, so a random high-degree function stands in): FRI
    /// rejects it there.
    func testHighDegreeInjectionIsRejected() {
        let proof = cheatingProveBatch(
            Self.tallValues(), parameters: Self.transparent,
            cheat: BatchCheat(injections: { injections in
                for (s, values) in injections {
                    injections[s] = values.map { $0 + Fp(UInt64.random(in: 0..<1 << 60)) }
                }
            }))
        guard case .fri = verifies(proof) else { return XCTFail("\(String(describing: verifies(proof)))") }
    }

    // MARK: - Shares of shared buses

    /// Two tables sharing two buses, `range` and `pairs`: a table of values looks each value up in a range table,
    /// and each (value, double) pair up in a pair table that lives in the range table's trace.
    static let twoBusValues = try! AIR(
        name: "batch_two_bus_values",
        mainColumns: [Column("value", doc: "a value"), Column("double", doc: "2·value")],
        constraints: [
            Constraint(
                name: "double", domain: .everyRow, .main(1, .current) - Expression.constant(2) * .main(0, .current))
        ],
        buses: [
            LogUpBus(
                "range", entries: [LogUpEntry(multiplicity: .constant(.one), values: [.main(0, .current)])],
                isShared: true),
            LogUpBus(
                "pairs",
                entries: [LogUpEntry(multiplicity: .constant(.one), values: [.main(0, .current), .main(1, .current)])],
                isShared: true),
        ])

    static let twoBusTable = try! AIR(
        name: "batch_two_bus_table",
        mainColumns: [
            Column("entry", doc: "0, 1, …, rows − 1"), Column("twice", doc: "2·entry"),
            Column("multiplicity", doc: "lookups of the entry on either bus"),
        ],
        constraints: [
            Constraint(name: "entry_start", domain: .firstRow, .main(0, .current)),
            Constraint(name: "entry_step", domain: .transition, .main(0, .next) - .main(0, .current) - .constant(.one)),
            Constraint(
                name: "twice", domain: .everyRow, .main(1, .current) - Expression.constant(2) * .main(0, .current)),
        ],
        buses: [
            LogUpBus(
                "range",
                entries: [LogUpEntry(multiplicity: -Expression.main(2, .current), values: [.main(0, .current)])],
                isShared: true),
            LogUpBus(
                "pairs",
                entries: [
                    LogUpEntry(
                        multiplicity: -Expression.main(2, .current), values: [.main(0, .current), .main(1, .current)])
                ],
                isShared: true),
        ])

    static func twoBusWitnesses(values: [UInt64], valueRows: Int = 1024, tableRows: Int = 256) -> [BatchWitness] {
        var counts = [UInt64](repeating: 0, count: tableRows)
        var column = [Fp](repeating: .zero, count: valueRows)
        for i in 0..<valueRows {
            let v = i < values.count ? values[i] : 0
            column[i] = Fp(v)
            if v < UInt64(tableRows) { counts[Int(v)] += 1 }
        }
        let entries = (0..<tableRows).map { Fp(UInt64($0)) }
        return [
            BatchWitness(
                statement: BatchStatement(air: twoBusValues, publicInputs: []),
                trace: try! TraceTable(columns: [column, column.map { $0 + $0 }])),
            BatchWitness(
                statement: BatchStatement(air: twoBusTable, publicInputs: []),
                trace: try! TraceTable(columns: [entries, entries.map { $0 + $0 }, counts.map { Fp($0) }])),
        ]
    }

    static let twoBusStatements = [
        BatchStatement(air: twoBusValues, publicInputs: []), BatchStatement(air: twoBusTable, publicInputs: []),
    ]

    /// Each table has one running sum for all its buses, so only the sum of a table's shares is tied to its trace.
    /// Moving an amount from one shared bus's shares to the other's in both tables keeps every running sum and every
    /// bus's total: a valid witness proves with other shares (the shares are not unique), which proves nothing false.
    func testSharesMayMoveBetweenBusesOfATrueStatement() {
        let witnesses = Self.twoBusWitnesses(values: [1, 2, 3, 200])
        let delta = Fp(12345)
        let proof = cheatingProveBatch(
            witnesses, parameters: Self.parameters,
            cheat: BatchCheat(shares: { shares in
                shares[0][0] += delta
                shares[0][1] -= delta
                shares[1][0] -= delta
                shares[1][1] += delta
            }))
        XCTAssertNil(verifies(proof, Self.twoBusStatements))
    }

    /// A value outside the table unbalances both buses. Shares that make each bus cancel leave some table's running
    /// sum short of its shares; shares true to each table leave a bus that does not cancel; moving the imbalance
    /// from one bus to the other does neither, because the two buses have challenges of their own.
    func testImbalanceCannotHideInSharesOrMoveBetweenBuses() {
        let witnesses = Self.twoBusWitnesses(values: [1, 2, 300])
        // True shares: the buses do not cancel.
        let proof = cheatingProveBatch(witnesses, parameters: Self.parameters, cheat: BatchCheat())
        guard case .statementMismatch = verifies(proof, Self.twoBusStatements) else { return XCTFail() }
        // Shares that cancel bus by bus: the values table's shares are not its running sum's.
        let cancelling = cheatingProveBatch(
            witnesses, parameters: Self.parameters,
            cheat: BatchCheat(shares: { shares in shares[0] = shares[1].map { -$0 } }))
        XCTAssertEqual(verifies(cancelling, Self.twoBusStatements), .outOfDomainMismatch)
        // The imbalance of `range` moved onto `pairs` in the values table: its sum of shares is kept, `range`
        // cancels, and `pairs` is off by the imbalances of both buses together, which do not cancel.
        let moved = cheatingProveBatch(
            witnesses, parameters: Self.parameters,
            cheat: BatchCheat(shares: { shares in
                let offRange = shares[0][0] + shares[1][0]
                shares[0][0] -= offRange
                shares[0][1] += offRange
            }))
        guard case .statementMismatch(let why) = verifies(moved, Self.twoBusStatements) else { return XCTFail() }
        XCTAssertTrue(why.contains("'pairs'"), why)
    }

    /// A table whose running sum does not end at minus its shares, with shares that cancel: rejected at z, and with
    /// the composition at z stated to pass, by FRI.
    func testRunningSumNotEndingAtMinusTheShareIsRejected() {
        let witnesses = Self.tallValues()
        for lie in [Set<Int>(), [0, 1]] {
            let proof = cheatingProveBatch(
                witnesses, parameters: Self.parameters,
                cheat: BatchCheat(
                    shares: { shares in
                        shares[0][0] += Fp(7)
                        shares[1][0] -= Fp(7)
                    }, balanceOutOfDomain: lie))
            let error = verifies(proof)
            if lie.isEmpty {
                XCTAssertEqual(error, .outOfDomainMismatch)
            } else {
                guard case .fri = error else { return XCTFail("\(String(describing: error))") }
            }
        }
    }

    // MARK: - Buses of one name in different tables

    /// Two range checks of different widths, each a complete AIR whose bus `range` balances within its own trace
    /// when proven alone. Their buses are not declared shared, so in one batch they stay two buses with challenges of
    /// their own: the 8-bit table's lookup of 700 cannot be answered by the 10-bit table. The honest prover refuses,
    /// and a prover that goes on is rejected.
    func testUnrelatedTablesOfOneBusNameKeepTheirBuses() throws {
        let byte = RangeCheckAIR(bits: 8)
        let wide = RangeCheckAIR(bits: 10)
        let outOfRange: UInt64 = 700
        let narrowTrace = byte.trace(values: [1, 2, 3, outOfRange])
        var wideTrace = wide.trace(values: [5, 6])
        var columns = wideTrace.columns
        columns[2][Int(outOfRange)] += .one  // the narrow table's lookup of 700, answered here
        wideTrace = try TraceTable(columns: columns)
        // Alone, the narrow table does not prove.
        XCTAssertThrowsError(
            try prove(air: byte.air, trace: narrowTrace, publicInputs: [], options: ProverOptions(parameters: smallZK)))
        let statements = [
            BatchStatement(air: byte.air, publicInputs: []), BatchStatement(air: wide.air, publicInputs: []),
        ]
        XCTAssertEqual(BatchProtocol.sharedBuses(statements.map(\.air)), [[], []])
        let witnesses = zip(statements, [narrowTrace, wideTrace]).map { BatchWitness(statement: $0, trace: $1) }
        XCTAssertThrowsError(try proveBatch(witnesses, options: ProverOptions(parameters: Self.parameters)))
        let proof = try proveBatch(
            witnesses, options: ProverOptions(parameters: Self.parameters, _skipConstraintCheck: true))
        XCTAssertNotNil(verifies(proof, statements))
    }

    /// A shared bus must carry one width in every table: an entry (a) would otherwise fingerprint like (a, 0).
    func testSharedBusOfTwoWidthsIsRefused() throws {
        let narrow = try AIR(
            name: "shared_narrow", mainColumns: [Column("a", doc: "a value")],
            constraints: [Constraint(name: "a_is_bit", domain: .everyRow, .main(0, .current) * (.main(0, .current) - .constant(.one)))],
            buses: [LogUpBus("link", entries: [LogUpEntry(multiplicity: .constant(.one), values: [.main(0, .current)])], isShared: true)])
        let wide = try AIR(
            name: "shared_wide", mainColumns: [Column("a", doc: "a value"), Column("b", doc: "another")],
            constraints: [Constraint(name: "b_is_bit", domain: .everyRow, .main(1, .current) * (.main(1, .current) - .constant(.one)))],
            buses: [
                LogUpBus(
                    "link", entries: [LogUpEntry(multiplicity: -Expression.constant(.one), values: [.main(0, .current), .main(1, .current)])],
                    isShared: true)
            ])
        XCTAssertEqual(
            BatchProtocol.sharedBusProblem([narrow, wide]),
            "shared bus 'link' carries 2 values in 'shared_wide' and 1 elsewhere")
        let zeros = try TraceTable(columns: [[Fp](repeating: .zero, count: 256)])
        let zeros2 = try TraceTable(columns: [[Fp](repeating: .zero, count: 256), [Fp](repeating: .zero, count: 256)])
        XCTAssertThrowsError(
            try proveBatch(
                [
                    BatchWitness(statement: BatchStatement(air: narrow, publicInputs: []), trace: zeros),
                    BatchWitness(statement: BatchStatement(air: wide, publicInputs: []), trace: zeros2),
                ], options: ProverOptions(parameters: Self.parameters)))
    }

    // MARK: - Commitments and their classes

    /// A taller table with neither boundary nor auxiliary columns above shorter ones that have them: the boundary
    /// and auxiliary commitments' first class is not on layer 0, and each is opened at its first class's positions.
    func testCommitmentsWhoseFirstClassIsShorterProveAndVerify() throws {
        let fibonacci = FibonacciAIR.trace(rows: 1024)
        let withBoundary = try AIR(
            name: "batch_boundary_counter",
            mainColumns: [Column("start", doc: "the start, constant"), Column("count", doc: "start, start + 1, …")],
            boundaryColumnCount: 1,
            constraints: [
                Constraint(name: "start_constant", domain: .transition, .main(0, .next) - .main(0, .current)),
                Constraint(name: "count_start", domain: .firstRow, .main(1, .current) - .main(0, .current)),
                Constraint(
                    name: "count_step", domain: .transition, .main(1, .next) - .main(1, .current) - .constant(.one)),
            ])
        let counter = try TraceTable(columns: [
            [Fp](repeating: Fp(40), count: 256), (0..<256).map { Fp(40 + UInt64($0)) },
        ])
        var witnesses = BatchProofTests.witnesses(values: [1, 2, 3], valueRows: 256, tableRows: 256)
        witnesses.insert(
            BatchWitness(
                statement: BatchStatement(air: FibonacciAIR.air, publicInputs: fibonacci.publicInputs),
                trace: fibonacci.trace), at: 0)
        witnesses.append(BatchWitness(statement: BatchStatement(air: withBoundary, publicInputs: []), trace: counter))
        for parameters in [Self.parameters, Self.transparent] {
            let shape = try BatchShape(
                airs: witnesses.map(\.statement.air), parameters: parameters,
                logTraceLengths: witnesses.map(\.trace.logRowCount))
            XCTAssertEqual(shape.layers[0], 0)
            XCTAssertTrue(shape.layers.dropFirst().allSatisfy { $0 > 0 }, "\(shape.layers)")
            let proof = try proveBatch(witnesses, options: ProverOptions(parameters: parameters))
            XCTAssertNil(verifies(proof, witnesses.map(\.statement)))
            XCTAssertEqual(try BatchProof(decoding: proof.encoded()), proof)
            // The cheating prover's copy opens them the same way.
            XCTAssertNil(
                verifies(
                    cheatingProveBatch(witnesses, parameters: parameters, cheat: BatchCheat()),
                    witnesses.map(\.statement)))
            // Two opened rows of the shorter first class exchanged: refused.
            var forged = proof
            forged.auxOpening!.rows[0].swapAt(0, forged.auxOpening!.rows[0].count - 1)
            guard case .merkleOpening = verifies(forged, witnesses.map(\.statement)) else { return XCTFail() }
        }
    }

    /// Two tables of one height are two classes injected at one level, in commitment order: their opened rows
    /// swapped (same widths), or the classes swapped, do not verify.
    func testEqualHeightClassesAreBoundInOrder() throws {
        var witnesses = BatchProofTests.witnesses(values: [4, 5], valueRows: 256, tableRows: 256)
        let fibonacci = FibonacciAIR.trace(rows: 1024)
        witnesses.insert(
            BatchWitness(
                statement: BatchStatement(air: FibonacciAIR.air, publicInputs: fibonacci.publicInputs),
                trace: fibonacci.trace), at: 0)
        let statements = witnesses.map(\.statement)
        let proof = try proveBatch(witnesses, options: ProverOptions(parameters: Self.parameters))
        XCTAssertNil(verifies(proof, statements))
        // Main: classes 1 and 2 are the two 256-row tables, both two columns wide.
        var rowsSwapped = proof
        let (a, b) = (proof.mainOpening.rows[1], proof.mainOpening.rows[2])
        XCTAssertNotEqual(a, b)
        rowsSwapped.mainOpening.rows[1] = b
        rowsSwapped.mainOpening.rows[2] = a
        rowsSwapped.mainOpening.salts.swapAt(1, 2)
        guard case .merkleOpening = verifies(rowsSwapped, statements) else { return XCTFail() }
        // The same tables given in the other order are another statement, with another commitment order.
        XCTAssertNotNil(verifies(proof, [statements[0], statements[2], statements[1]]))
    }

    // MARK: - Heights chosen by the prover, and hostile proofs

    /// The shape follows the heights the proof states. Every pair of heights and a few profiles give a shape or an
    /// error, never a trap; where a shape exists its security figure is finite, each table is on a domain at least
    /// blowup times its rows and holds its degree, and FRI lands on every table's layer.
    func testEveryStatedHeightGivesAShapeOrAnError() {
        let airs = Self.statements.map(\.air)
        var built = 0
        let profiles = [
            Self.parameters, Self.transparent, Profile.default.parameters, Profile.test.parameters,
            ProofParameters(
                logBlowup: 6, queryCount: 256, grindingBits: 40, logFoldingFactor: 4, logRemainderDegree: 10),
            ProofParameters(logBlowup: 1, queryCount: 1, grindingBits: 0, logFoldingFactor: 1, logRemainderDegree: 0),
        ]
        for parameters in profiles {
            for a in 1...26 {
                for b in Set([1, 2, 3, a - 1, a, a + 1, 13, 26]) where (1...26).contains(b) {
                    guard let shape = try? BatchShape(airs: airs, parameters: parameters, logTraceLengths: [a, b])
                    else {
                        continue
                    }
                    built += 1
                    let bits = shape.security(airs: airs).provenBits
                    XCTAssertTrue(bits.isFinite && bits >= 0 && bits <= 104)
                    let k = parameters.maskDegree
                    for (t, log) in [a, b].enumerated() {
                        let s = shape.layers[t]
                        XCTAssertGreaterThanOrEqual(shape.tables[t].ldeSize, (1 << log) << parameters.logBlowup)
                        XCTAssertLessThanOrEqual((1 << log) + k, (shape.friDegreeBound + (1 << s) - 1) >> s)
                        if s > 0 {
                            var folded = 0
                            var lands = false
                            for r in shape.logArities {
                                folded += r
                                lands = lands || folded == s
                            }
                            XCTAssertTrue(lands, "\(shape.logArities) misses layer \(s)")
                            XCTAssertLessThan(s, shape.totalFolds)
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(built, 500)
    }

    /// Every height the proof could state for either table is refused (or refused by policy), without a trap.
    func testStatedHeightsOtherThanTheTracesAreRefused() throws {
        let proof = cheatingProveBatch(Self.tallValues(), parameters: Self.parameters, cheat: BatchCheat())
        XCTAssertNil(verifies(proof))
        for t in 0..<2 {
            for log in 1...26 where log != proof.tables[t].logTraceLength {
                var forged = proof
                forged.tables[t].logTraceLength = log
                XCTAssertNotNil(verifies(forged), "table \(t) at 2^\(log) rows")
            }
        }
        // Both at once, swapped.
        var swapped = proof
        swapped.tables[0].logTraceLength = proof.tables[1].logTraceLength
        swapped.tables[1].logTraceLength = proof.tables[0].logTraceLength
        XCTAssertNotNil(verifies(swapped))
    }

    /// Structured changes to the proof's lists: an element added to or removed from any list the verifier reads,
    /// a class added or removed in any opening. Each is refused without a trap.
    func testMismatchedCountsAreRefused() throws {
        var witnesses = Self.tallValues()
        let fibonacci = FibonacciAIR.trace(rows: 512)
        witnesses.append(
            BatchWitness(
                statement: BatchStatement(air: FibonacciAIR.air, publicInputs: fibonacci.publicInputs),
                trace: fibonacci.trace))
        let statements = witnesses.map(\.statement)
        let proof = try proveBatch(witnesses, options: ProverOptions(parameters: Self.parameters))
        XCTAssertNil(verifies(proof, statements))
        // With zero knowledge, each commitment salts its first (tallest) class only.
        for opening in [proof.mainOpening, proof.auxOpening!, proof.compositionOpening] {
            XCTAssertGreaterThan(opening.salts.count, 1)
            XCTAssertEqual(opening.salts[0].count, opening.rows[0].count)
            XCTAssertTrue(opening.salts.dropFirst().allSatisfy(\.isEmpty))
        }
        func refuses(_ what: String, _ change: (inout BatchProof) -> Void) {
            var forged = proof
            change(&forged)
            XCTAssertNotNil(verifies(forged, statements), what)
        }
        func lists(_ change: @escaping (inout [Fp]) -> Void) -> [(String, (inout BatchProof) -> Void)] {
            var out: [(String, (inout BatchProof) -> Void)] = []
            for t in 0..<3 {
                out.append(("public inputs \(t)", { change(&$0.tables[t].publicInputs) }))
                out.append(("global shares \(t)", { change(&$0.tables[t].globalShares) }))
                out.append(("bus shares \(t)", { change(&$0.tables[t].busShares) }))
                out.append(("ood main \(t)", { change(&$0.tables[t].outOfDomain.main) }))
                out.append(("ood main next \(t)", { change(&$0.tables[t].outOfDomain.mainNext) }))
                out.append(("ood aux \(t)", { change(&$0.tables[t].outOfDomain.aux) }))
                out.append(("ood aux next \(t)", { change(&$0.tables[t].outOfDomain.auxNext) }))
                out.append(("ood composition \(t)", { change(&$0.tables[t].outOfDomain.composition) }))
            }
            out.append(("remainder", { change(&$0.remainder) }))
            return out
        }
        for (what, change) in lists({ $0.append(.one) })
            + lists({ if !$0.isEmpty { $0.removeLast() } else { $0.append(.zero) } })
        {
            refuses(what, change)
        }
        func openings(_ change: @escaping (inout MixedMerkleOpening) -> Void) -> [(String, (inout BatchProof) -> Void)]
        {
            [
                ("main", { change(&$0.mainOpening) }), ("aux", { change(&$0.auxOpening!) }),
                ("composition", { change(&$0.compositionOpening) }),
            ]
        }
        let mixedChanges: [(String, (inout MixedMerkleOpening) -> Void)] = [
            (
                "class added",
                {
                    $0.rows.append($0.rows[0])
                    $0.salts.append($0.salts[0])
                }
            ),
            (
                "class removed",
                {
                    $0.rows.removeLast()
                    $0.salts.removeLast()
                }
            ),
            ("rows only removed", { $0.rows.removeLast() }),
            (
                "row added",
                {
                    $0.rows[0].append($0.rows[0][0])
                    $0.salts[0].append($0.salts[0][0])
                }
            ),
            (
                "row removed",
                {
                    // Only the first class is salted.
                    $0.rows[$0.rows.count - 1].removeLast()
                    if $0.rows.count == 1 { $0.salts[0].removeLast() }
                }
            ),
            ("value added", { $0.rows[$0.rows.count - 1][0].append(.one) }),
            ("value removed", { $0.rows[0][0].removeLast() }),
            ("salt removed", { $0.salts[0].removeLast() }),
            ("salt added to a shorter class", { $0.salts[$0.salts.count - 1].append(Salt.random()) }),
            ("node added", { $0.nodes.append($0.nodes[0]) }),
            ("node removed", { $0.nodes.removeLast() }),
            ("empty", { $0 = MixedMerkleOpening(rows: [], salts: [], nodes: []) }),
        ]
        for (name, change) in mixedChanges {
            for (which, apply) in openings(change) { refuses("\(which): \(name)", apply) }
        }
        refuses("FRI opening removed") { $0.friOpenings.removeLast() }
        refuses("FRI opening added") { $0.friOpenings.append($0.friOpenings[0]) }
        refuses("FRI root removed") { $0.friRoots.removeLast() }
        refuses("FRI root added") { $0.friRoots.append($0.mainRoot) }
        refuses("FRI row removed") { $0.friOpenings[0].rows.removeLast() }
        refuses("FRI value removed") { p in
            // An FRI row may send no value, when the verifier computes its whole coset.
            let row = p.friOpenings[1].rows.firstIndex { !$0.isEmpty }!
            p.friOpenings[1].rows[row].removeLast()
        }
        refuses("aux root removed") { $0.auxRoot = nil }
        refuses("aux opening removed") { $0.auxOpening = nil }
        refuses("boundary root added") { $0.boundaryRoot = $0.mainRoot }
        refuses("boundary opening added") { $0.boundaryOpening = $0.mainOpening }
        refuses("table removed") { $0.tables.removeLast() }
        refuses("table added") { $0.tables.append($0.tables[0]) }
        refuses("tables swapped") { $0.tables.swapAt(0, 1) }
    }

    /// A few thousand random changes to an encoded proof (bytes overwritten, flipped, cut, inserted, counts
    /// enlarged): each is refused by the decoder or the verifier, and nothing traps.
    func testMutatedEncodingsAreRefusedWithoutTrapping() throws {
        let proof = try proveBatch(Self.tallValues(), options: ProverOptions(parameters: smallZK))
        XCTAssertNil(verifies(proof))
        let bytes = proof.encoded()
        var generator = SplitMix(seed: 0x5EED_BA7C)
        var decoded = 0
        for round in 0..<3000 {
            var mutated = bytes
            let i = Int.random(in: 0..<bytes.count, using: &generator)
            switch round % 6 {
            case 0: mutated[i] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            case 1: mutated[i] = UInt8.random(in: 0...255, using: &generator)
            case 2: mutated.removeSubrange(i..<min(bytes.count, i + Int.random(in: 1...64, using: &generator)))
            case 3:
                mutated.insert(
                    contentsOf: (0..<Int.random(in: 1...64, using: &generator)).map { _ in
                        UInt8.random(in: 0...255, using: &generator)
                    }, at: i)
            case 4:
                // A small count: plausible lengths, so the decoder goes on and the verifier sees odd lists.
                if i + 4 <= mutated.count {
                    mutated[i..<i + 4] = [UInt8.random(in: 0...40, using: &generator), 0, 0, 0]
                }
            default:
                let j = Int.random(in: 0..<bytes.count, using: &generator)
                mutated.swapAt(i, j)
            }
            guard mutated != bytes, let forged = try? BatchProof(decoding: mutated) else { continue }
            decoded += 1
            if forged == proof { continue }
            XCTAssertNotNil(verifies(forged), "round \(round)")
        }
        XCTAssertGreaterThan(decoded, 100)
    }
}

/// A seeded generator, so a failing mutation can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
