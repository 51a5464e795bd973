import AIR
import Field
import Hashing
import Proof
import Prover
import Verifier
import XCTest

/// Batch proofs: tables of several heights in one proof, joined by a bus they share. Here a table of values looks
/// each value up in a range table of another height; the two meet on bus `range`.
final class BatchProofTests: XCTestCase {
    /// Values, each looked up on bus `range`, with their doubles (a constraint of the table's own).
    static let values = try! AIR(
        name: "batch_values",
        mainColumns: [Column("value", doc: "a value that must be in the range table"), Column("double", doc: "2·value")],
        constraints: [
            Constraint(name: "double", domain: .everyRow, .main(1, .current) - Expression.constant(2) * .main(0, .current))
        ],
        buses: [
            LogUpBus(
                "range", entries: [LogUpEntry(multiplicity: .constant(.one), values: [.main(0, .current)])],
                isShared: true)
        ])

    /// The range table 0, 1, …, rows − 1, with how often each entry is looked up.
    static let table = try! AIR(
        name: "batch_table",
        mainColumns: [Column("entry", doc: "0, 1, …, rows − 1"), Column("multiplicity", doc: "lookups of the entry")],
        constraints: [
            Constraint(name: "entry_start", domain: .firstRow, .main(0, .current)),
            Constraint(name: "entry_step", domain: .transition, .main(0, .next) - .main(0, .current) - .constant(.one)),
        ],
        buses: [
            LogUpBus(
                "range", entries: [LogUpEntry(multiplicity: -Expression.main(1, .current), values: [.main(0, .current)])],
                isShared: true)
        ])

    static func witnesses(values: [UInt64], valueRows: Int, tableRows: Int) -> [BatchWitness] {
        var counts = [UInt64](repeating: 0, count: tableRows)
        var column = [Fp](repeating: .zero, count: valueRows)
        for i in 0..<valueRows {
            let v = i < values.count ? values[i] : 0
            column[i] = Fp(v)
            if v < UInt64(tableRows) { counts[Int(v)] += 1 }
        }
        let valueTrace = try! TraceTable(columns: [column, column.map { $0 + $0 }])
        let tableTrace = try! TraceTable(columns: [(0..<tableRows).map { Fp(UInt64($0)) }, counts.map { Fp($0) }])
        return [
            BatchWitness(statement: BatchStatement(air: Self.values, publicInputs: []), trace: valueTrace),
            BatchWitness(statement: BatchStatement(air: Self.table, publicInputs: []), trace: tableTrace),
        ]
    }

    static let statements = [
        BatchStatement(air: values, publicInputs: []), BatchStatement(air: table, publicInputs: []),
    ]

    func prove(_ witnesses: [BatchWitness], parameters: ProofParameters = smallZK, cheat: Bool = false) throws -> BatchProof {
        try proveBatch(witnesses, options: ProverOptions(parameters: parameters, _skipConstraintCheck: cheat))
    }

    /// The default profile fitted to a batch's shape: the fewest queries that still give 100.1 proven bits. A proof
    /// with them passes the default policy; its twin with one query fewer is refused by the verifier's own figure.
    func testFewestQueriesMeetTheDefaultPolicyAndOneFewerDoesNot() throws {
        let witnesses = Self.witnesses(values: [3, 1, 4, 1, 5], valueRows: 1 << 11, tableRows: 1 << 12)
        let airs = witnesses.map(\.statement.air)
        let logs = witnesses.map(\.trace.logRowCount)
        let fitted = BatchShape.fewestQueries(
            Profile.default.parameters, reaching: 100.1, airs: airs, logTraceLengths: logs)
        XCTAssertLessThan(fitted.queryCount, Profile.default.parameters.queryCount)
        var fewer = fitted
        fewer.queryCount -= 1
        for (p, expected) in [(fitted, true), (fewer, false)] {
            let bits = try BatchShape(airs: airs, parameters: p, logTraceLengths: logs).security(airs: airs).provenBits
            XCTAssertEqual(bits >= 100.1, expected, "\(p.queryCount) queries: \(bits) bits")
        }
        XCTAssertNoThrow(try verifyBatch(try prove(witnesses, parameters: fitted), statements: Self.statements))
        XCTAssertThrowsError(try verifyBatch(try prove(witnesses, parameters: fewer), statements: Self.statements)) {
            guard case .parametersRefused = $0 as? VerifierError else { return XCTFail("\($0)") }
        }
        // Parameters below the target to begin with are left as they are.
        let weak = ProofParameters(logBlowup: 2, queryCount: 8, grindingBits: 2)
        XCTAssertEqual(BatchShape.fewestQueries(weak, reaching: 100.1, airs: airs, logTraceLengths: logs), weak)
    }

    /// Values taller than the table, the table taller than the values, and equal heights: each proves, survives
    /// its encoding, and verifies.
    func testTablesOfSeveralHeightsProveAndVerify() throws {
        let random = (0..<700).map { _ in UInt64.random(in: 0..<256) }
        for (valueRows, tableRows) in [(1024, 256), (256, 1024), (512, 512)] {
            for parameters in [smallZK, Profile.test.parameters] {
                let proof = try prove(
                    Self.witnesses(values: Array(random.prefix(valueRows)), valueRows: valueRows, tableRows: tableRows),
                    parameters: parameters)
                let decoded = try BatchProof(decoding: proof.encoded())
                XCTAssertEqual(decoded, proof)
                XCTAssertNoThrow(try verifyBatch(decoded, statements: Self.statements, policy: lenient))
            }
        }
    }

    func testShapePutsEachTableOnTheLayerItsDegreeNeeds() throws {
        let parameters = Profile.default.parameters  // mask degree 174
        let shape = try BatchShape(
            airs: [Self.values, Self.table, Self.table], parameters: parameters, logTraceLengths: [16, 12, 16])
        // (2^16 + 174) / 2^s ≥ 2^12 + 174 holds up to s = 3 (8,214 ≥ 4,270) but not s = 4 (4,107).
        XCTAssertEqual(shape.layers, [0, 3, 0])
        XCTAssertEqual(shape.traceOrder, [0, 2, 1])
        XCTAssertEqual(shape.tables[1].ldeSize, 1 << 15)
        XCTAssertEqual(shape.tables[1].domainOffset, StarkProtocol.domainOffset.power(8))
        // Folding by 8 lands on layer 3, where table 1 is added in.
        XCTAssertEqual(shape.logArities.first, 3)
        let single = try StarkShape(air: Self.values, parameters: parameters, logTraceLength: 16)
        let alone = try BatchShape(airs: [Self.values], parameters: parameters, logTraceLengths: [16])
        XCTAssertEqual(alone.logArities, Array(repeating: 3, count: single.friLayerCount + 1))
        XCTAssertEqual(alone.remainderLength, single.remainderLength)
        // One table alone has the one-table figures.
        XCTAssertEqual(
            alone.security(airs: [Self.values]).provenBits, single.security(air: Self.values).provenBits, accuracy: 0.01)
        XCTAssertGreaterThan(shape.security(airs: [Self.values, Self.table, Self.table]).provenBits, 100)
    }

    /// A value outside the table: the honest prover refuses, and a prover that goes on anyway is rejected, whether
    /// it states its true shares (which do not cancel) or shares altered to cancel.
    func testValueOutsideTheTableIsRejected() throws {
        var values = (0..<256).map { UInt64($0 % 200) }
        values[17] = 300
        let witnesses = Self.witnesses(values: values, valueRows: 256, tableRows: 256)
        XCTAssertThrowsError(try prove(witnesses))
        let proof = try prove(witnesses, cheat: true)
        XCTAssertThrowsError(try verifyBatch(proof, statements: Self.statements, policy: lenient)) { error in
            XCTAssertEqual(
                error as? VerifierError,
                .statementMismatch("the tables' shares of bus 'range' do not cancel: the bus does not balance"))
        }
        var balanced = proof
        balanced.tables[0].busShares = balanced.tables[1].busShares.map { -$0 }
        XCTAssertThrowsError(try verifyBatch(balanced, statements: Self.statements, policy: lenient))
    }

    /// A broken rule is named by row and constraint whether the main columns are kept or computed a coset at a time;
    /// in the second case the prover has freed the main trace by then and computes it again from the coefficients.
    func testABrokenRuleIsNamedWhetherTheMainTraceIsKeptOrFreed() throws {
        var witnesses = Self.witnesses(values: (0..<256).map { UInt64($0 % 200) }, valueRows: 256, tableRows: 256)
        witnesses[0].trace.columns[1][9] += .one
        for limit in [Int.max, 0] {
            XCTAssertThrowsError(
                try proveBatch(witnesses, options: ProverOptions(parameters: smallZK, mainExtensionMemoryLimit: limit))
            ) { error in
                guard case .constraintsNotSatisfied(let failures) = error as? ProverError else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(failures.map(\.row), [9], "memory limit \(limit)")
                XCTAssertEqual(failures.map(\.constraintName), ["double"], "memory limit \(limit)")
            }
        }
    }

    /// A class of rules whose quotient's degree bound is a power of two (here one rule of degree 1 on transitions,
    /// bound 1 without the mask) is still evaluated on one point more than it needs, so a broken rule of it shows
    /// as a coefficient at the bound and is named, not proven into a proof that cannot verify.
    func testABrokenRuleIsNamedWhenItsClassNeedsAPowerOfTwoOfPoints() throws {
        let counter = try AIR(
            name: "counter", mainColumns: [Column("x", doc: "0, 1, 2, …")],
            constraints: [
                Constraint(name: "step", domain: .transition, .main(0, .next) - .main(0, .current) - .constant(.one))
            ])
        var column = (0..<256).map { Fp(UInt64($0)) }
        column[10] += .one
        let witness = BatchWitness(
            statement: BatchStatement(air: counter, publicInputs: []), trace: try TraceTable(columns: [column]))
        for limit in [Int.max, 0] {
            XCTAssertThrowsError(
                try proveBatch(
                    [witness],
                    options: ProverOptions(parameters: Profile.test.parameters, mainExtensionMemoryLimit: limit))
            ) { error in
                guard case .constraintsNotSatisfied(let failures) = error as? ProverError else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(failures.map(\.row), [9, 10], "memory limit \(limit)")
            }
        }
    }

    /// The statement is the verifier's: tables in another order, another table, another height, a table missing.
    func testStatementIsTheVerifiers() throws {
        let proof = try prove(Self.witnesses(values: [1, 2, 3], valueRows: 256, tableRows: 512))
        XCTAssertNoThrow(try verifyBatch(proof, statements: Self.statements, policy: lenient))
        XCTAssertThrowsError(try verifyBatch(proof, statements: Self.statements.reversed(), policy: lenient))
        XCTAssertThrowsError(try verifyBatch(proof, statements: [Self.statements[0]], policy: lenient))
        var taller = proof
        taller.tables[1].logTraceLength += 1
        XCTAssertThrowsError(try verifyBatch(taller, statements: Self.statements, policy: lenient))
        XCTAssertThrowsError(try verifyBatch(proof, statements: Self.statements)) { error in
            guard case .parametersRefused = error as? VerifierError else { return XCTFail("\(error)") }
        }
    }

    /// Every part of the proof is bound: a changed row of either table, a changed out-of-domain value, share or FRI
    /// value is rejected, and so is every single-bit flip of a sample of the encoding.
    func testTamperingIsRejected() throws {
        let proof = try prove(Self.witnesses(values: [5, 6, 7, 250], valueRows: 1024, tableRows: 256))
        func rejects(_ change: (inout BatchProof) -> Void, file: StaticString = #filePath, line: UInt = #line) {
            var forged = proof
            change(&forged)
            XCTAssertThrowsError(
                try verifyBatch(forged, statements: Self.statements, policy: lenient), file: file, line: line)
        }
        rejects { $0.mainOpening.rows[0][0][0] += 1 }
        rejects { $0.mainOpening.rows[1][0][1] += 1 }  // the shorter table's opened row
        rejects { $0.auxOpening!.rows[1][0][0] += 1 }
        rejects { $0.compositionOpening.rows[1][0][0] += 1 }
        rejects { $0.tables[1].outOfDomain.main[0] += 1 }
        rejects { $0.tables[0].outOfDomain.composition[0] += 1 }
        rejects { $0.tables[0].busShares[0] += 1 }
        rejects { $0.remainder[0] += 1 }
        rejects { $0.friOpenings[1].alterFirstValueSent() }
        rejects { $0.proofOfWorkNonce &+= 1 }

        let bytes = proof.encoded()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var flipped = bytes
            let i = Int.random(in: ProofFormat.magic.count..<bytes.count, using: &generator)
            flipped[i] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            guard let decoded = try? BatchProof(decoding: flipped) else { continue }
            XCTAssertThrowsError(
                try verifyBatch(decoded, statements: Self.statements, policy: lenient), "bit flip at byte \(i)")
        }
    }
}
