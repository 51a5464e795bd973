import AIR
import Field
import Proof
import Prover
import Verifier
import XCTest

/// Interleaved layouts (`rows per cycle N`): the committed trace has N rows to each written one and about N times
/// fewer columns. A circuit proves and verifies the same way in every layout, and a prover who breaks a constraint
/// or fills a cell no column owns is refused.
final class InterleavedLayoutTests: XCTestCase {
    /// A range check with a running total: `value` in [0, 2^8) by lookup, `total` the sum of the values so far.
    static func circuit(rowsPerCycle: Int) throws -> AIR {
        let layout = rowsPerCycle > 1 ? "rows per cycle \(rowsPerCycle)\n" : ""
        return try AIR(
            circuitSource: """
            air interleaved_range
            \(layout)
            column value         # a value that must lie in [0, 2^8)
            column total         # the sum of the values up to this row
            column table         # the range table: 0, 1, …, 255, its last entry repeated
            column multiplicity  # how many values equal this row's table entry (0 on repeats)
            column double        # twice the value

            public first         # the first value
            public sum           # the total on the last row

            let step = table' - table
            constraint table_start first_row:  table
            constraint table_step  transition: step * (step - 1)
            constraint table_end   last_row:   table - 255
            constraint total_start first_row:  total - value
            constraint total_step  transition: total' - total - value'
            constraint total_end   last_row:   total - sum
            constraint first       first_row:  value - first
            constraint double      every_row:  double - 2 * value

            bus range
                entry 1 : [value]
                entry -multiplicity : [table]
            """, fileName: "interleaved_range.air")
    }

    static func trace(rows: Int, values: [UInt64]) -> (TraceTable, [Fp]) {
        var value = [Fp](), total = [Fp](), table = [Fp](), counts = [UInt64](repeating: 0, count: rows)
        var running: UInt64 = 0
        for r in 0..<rows {
            let v = values[r % values.count]
            value.append(Fp(v))
            running += v
            total.append(Fp(running))
            table.append(Fp(UInt64(min(r, 255))))
            counts[min(Int(v), rows - 1)] += 1
        }
        let multiplicity = (0..<rows).map { r in r < 256 ? Fp(counts[r]) : .zero }
        let columns = [value, total, table, multiplicity, value.map { $0 + $0 }]
        return (try! TraceTable(columns: columns), [value[0], total[rows - 1]])
    }

    func prove(
        _ air: AIR, rows: Int, values: [UInt64], parameters: ProofParameters = smallZK, cheat: BatchCheat? = nil,
        skipCheck: Bool = false
    ) throws -> (BatchProof, BatchStatement) {
        let (trace, publics) = Self.trace(rows: rows, values: values)
        let statement = BatchStatement(air: air, publicInputs: publics)
        var options = ProverOptions(parameters: parameters, _skipConstraintCheck: skipCheck)
        options._batchCheat = cheat
        let proof = try proveBatch([BatchWitness(statement: statement, trace: trace)], options: options)
        return (proof, statement)
    }

    let values: [UInt64] = (0..<300).map { UInt64(($0 * 37 + 11) % 256) }

    func testEveryLayoutProvesAndVerifies() throws {
        for k in [1, 2, 4, 8] {
            let air = try Self.circuit(rowsPerCycle: k)
            for parameters in [smallZK, Profile.test.parameters] {
                let (proof, statement) = try prove(air, rows: 512, values: values, parameters: parameters)
                let decoded = try BatchProof(decoding: proof.encoded())
                XCTAssertEqual(decoded, proof)
                XCTAssertEqual(proof.tables[0].logTraceLength, 9, "the proof states the height as written")
                XCTAssertNoThrow(try verifyBatch(decoded, statements: [statement], policy: lenient), "\(k) rows a cycle")
            }
        }
    }

    func testCommittedFormHasFewerColumnsAndReadsTheCycle() throws {
        let air = try Self.circuit(rowsPerCycle: 4).committed
        XCTAssertEqual(air.mainColumns.count, 2)
        XCTAssertEqual(air.mainColumns[0].name, "value|total|table|multiplicity")
        XCTAssertEqual(air.mainColumns[1].name, "double|-|-|-")
        XCTAssertEqual(air.rowOpenings.map(\.offset), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(air.openedRowCount, 7)
        // Cycles of 4 committed rows: the total steps once a cycle, reading the next cycle's value.
        let step = air.constraints.first { $0.name == "total_step" }!
        XCTAssertEqual(step.domain, .cycleSteps(4))
        // Cells that belong to no written column are pinned to zero: three of the second main column, two of the
        // auxiliary one (one inverse column and the running sum).
        XCTAssertEqual(air.auxColumns.map(\.name), ["range.inverses0_1|buses.sum|-|-"])
        XCTAssertEqual(air.constraints.filter { $0.name.hasPrefix("layout.empty") }.count, 5)
        // The written AIR and its layout name one circuit, different from the plain layout's.
        XCTAssertEqual(air.canonicalDescription, try Self.circuit(rowsPerCycle: 4).canonicalDescription)
        XCTAssertNotEqual(
            try Self.circuit(rowsPerCycle: 4).canonicalDescription, try Self.circuit(rowsPerCycle: 1).canonicalDescription)
    }

    func testTheSameWitnessCheckedInBothLayoutsAgrees() throws {
        let plain = try Self.circuit(rowsPerCycle: 1)
        let interleaved = try Self.circuit(rowsPerCycle: 4)
        var (trace, publics) = Self.trace(rows: 256, values: values)
        let challenges = [Fp(12345), Fp(678)]
        XCTAssertTrue(try plain.check(trace: trace, publicInputs: publics, challenges: challenges).isEmpty)
        let committed = interleaved.committed
        XCTAssertTrue(
            try committed.check(
                trace: try interleaved.committedTrace(trace), publicInputs: publics, challenges: challenges
            ).isEmpty)
        trace.columns[1][10] += .one
        XCTAssertFalse(try plain.check(trace: trace, publicInputs: publics, challenges: challenges).isEmpty)
        let failures = try committed.check(
            trace: try interleaved.committedTrace(trace), publicInputs: publics, challenges: challenges)
        XCTAssertEqual(Set(failures.map(\.constraintName)), ["total_step"])
        // Row 9 of the written trace starts committed row 36; its step to row 10 fails there, and row 10's there.
        XCTAssertEqual(failures.map(\.row), [36, 40])
    }

    /// A cheating prover whose written trace breaks the running total (checked across cycles) is refused.
    func testBrokenTransitionAcrossCyclesIsRefused() throws {
        let air = try Self.circuit(rowsPerCycle: 4)
        let cheat = BatchCheat(committedTrace: { _, columns in
            // Cell `total` (column 0, row 1 of its cycle) on written row 100.
            columns[0][100 * 4 + 1] += .one
        })
        for parameters in [smallZK, Profile.test.parameters] {
            let (proof, statement) = try prove(
                air, rows: 256, values: values, parameters: parameters, cheat: cheat, skipCheck: true)
            XCTAssertThrowsError(try verifyBatch(proof, statements: [statement], policy: lenient))
        }
    }

    /// A value outside the range, consistent everywhere else, fails only on the bus.
    func testValueOutsideTheRangeIsRefused() throws {
        let air = try Self.circuit(rowsPerCycle: 2)
        var outside = values
        outside[7] = 300
        let (proof, statement) = try prove(air, rows: 512, values: outside, skipCheck: true)
        XCTAssertThrowsError(try verifyBatch(proof, statements: [statement], policy: lenient))
    }

    /// A cell no written column owns must hold zero: a prover who fills one is refused.
    func testFilledEmptyCellIsRefused() throws {
        let air = try Self.circuit(rowsPerCycle: 4)
        let honest = try prove(air, rows: 256, values: values)
        XCTAssertNoThrow(try verifyBatch(honest.0, statements: [honest.1], policy: lenient))
        let cheat = BatchCheat(committedTrace: { _, columns in columns[1][17 * 4 + 2] = Fp(5) })
        let (proof, statement) = try prove(air, rows: 256, values: values, cheat: cheat, skipCheck: true)
        XCTAssertThrowsError(try verifyBatch(proof, statements: [statement], policy: lenient))
    }

    /// An interleaved table beside a plain one of another height, joined by a shared bus.
    func testInterleavedTableInABatchWithAPlainTable() throws {
        let values = try AIRBuilderFixture.values(rowsPerCycle: 4).build()
        let table = BatchProofTests.table
        let raw = (0..<700).map { _ in UInt64.random(in: 0..<256) }
        let witnesses = BatchProofTests.witnesses(values: raw, valueRows: 1024, tableRows: 256)
        let statements = [BatchStatement(air: values, publicInputs: []), BatchStatement(air: table, publicInputs: [])]
        let interleaved = [
            BatchWitness(statement: statements[0], trace: witnesses[0].trace),
            BatchWitness(statement: statements[1], trace: witnesses[1].trace),
        ]
        for parameters in [smallZK, Profile.test.parameters] {
            let proof = try proveBatch(interleaved, options: ProverOptions(parameters: parameters))
            XCTAssertNoThrow(try verifyBatch(proof, statements: statements, policy: lenient))
            // The plain circuit's statement is not this proof's.
            XCTAssertThrowsError(try verifyBatch(proof, statements: BatchProofTests.statements, policy: lenient))
        }
    }

    /// The interleaved AIR's one-table proof path says to prove it as a batch.
    func testOneTableProverRefusesAnInterleavedAIR() throws {
        let air = try Self.circuit(rowsPerCycle: 2)
        let (trace, publics) = Self.trace(rows: 64, values: values)
        XCTAssertThrowsError(
            try Prover.prove(air: air, trace: trace, publicInputs: publics, options: ProverOptions(parameters: smallZK))
        ) { error in XCTAssertTrue("\(error)".contains("batch"), "\(error)") }
    }

    func testCircuitFileRefusesABadLayout() throws {
        for (text, expected) in [
            ("air a\nrows per cycle 3\ncolumn x # x\nconstraint c every_row: x", "not 1, 2, 4 or 8"),
            ("air a\ncolumn x # x\nrows per cycle 2\nconstraint c every_row: x", "right after 'air NAME'"),
            ("air a\nrows per cycle 2\nrows per cycle 2\ncolumn x # x\nconstraint c every_row: x", "already set"),
        ] {
            XCTAssertThrowsError(try AIR(circuitSource: text, fileName: "a.air")) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }
}

/// The values table of ``BatchProofTests`` rebuilt with an ``AIRBuilder``, to set its layout.
enum AIRBuilderFixture {
    static func values(rowsPerCycle: Int) throws -> AIRBuilder {
        var b = AIRBuilder(name: "batch_values")
        b.rowsPerCycle = rowsPerCycle
        let value = b.column("value", "a value that must be in the range table")
        let double = b.column("double", "2·value")
        b.constrain("double", .everyRow, double - Expression.constant(2) * value)
        b.busEntry("range", shared: true, multiplicity: .constant(.one), [value])
        return b
    }
}
