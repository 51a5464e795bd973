import AIR
import Field
import Proof
import Prover
import Verifier
import XCTest

/// Packed columns (`pack N`): a proof commits every N columns as one polynomial over a domain N times larger, so a
/// query opens about N times fewer values. A circuit proves and verifies the same way in every packing, and a
/// prover who breaks a constraint, or puts anything in the missing places of a short group, is refused.
final class PackedColumnsTests: XCTestCase {
    /// A range check with a running total: `value` in [0, 2^8) by lookup, `total` the sum of the values so far.
    static func circuit(packing: Int, short: String = "") throws -> AIR {
        let layout = packing > 1 ? "pack \(packing)\(short)\n" : ""
        return try AIR(
            circuitSource: """
            air packed_range
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
            """, fileName: "packed_range.air")
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
        skipCheck: Bool = false, alter: ((inout [[Fp]]) -> Void)? = nil
    ) throws -> (BatchProof, BatchStatement) {
        var (trace, publics) = Self.trace(rows: rows, values: values)
        alter?(&trace.columns)
        let statement = BatchStatement(air: air, publicInputs: publics)
        var options = ProverOptions(parameters: parameters, _skipConstraintCheck: skipCheck)
        options._batchCheat = cheat
        let proof = try proveBatch([BatchWitness(statement: statement, trace: trace)], options: options)
        return (proof, statement)
    }

    let values: [UInt64] = (0..<300).map { UInt64(($0 * 37 + 11) % 256) }

    func testEveryLayoutProvesAndVerifies() throws {
        for k in [1, 2, 4, 8] {
            let air = try Self.circuit(packing: k)
            for parameters in [smallZK, Profile.test.parameters] {
                let (proof, statement) = try prove(air, rows: 512, values: values, parameters: parameters)
                let decoded = try BatchProof(decoding: proof.encoded())
                XCTAssertEqual(decoded, proof)
                XCTAssertEqual(proof.tables[0].logTraceLength, 9, "the proof states the height as written")
                XCTAssertNoThrow(try verifyBatch(decoded, statements: [statement], policy: lenient), "pack \(k)")
            }
        }
    }

    func testPackedCommitmentsAreNarrower() throws {
        let air = try Self.circuit(packing: 4)
        XCTAssertEqual(air.committedGroups, [[0, 1, 2, 3], [4], [5, 6]])
        XCTAssertEqual(air.committedMainCount, 2)
        XCTAssertEqual(air.committedAuxCount, 1)
        // `total` and `table` are read on the next row, and so is the running sum: their whole groups are opened at
        // z·ω.
        XCTAssertEqual(air.committedNextRowGroups, [0, 2])
        XCTAssertEqual(air.openedNextMainColumns, [0, 1, 2, 3])
        XCTAssertEqual(air.openedNextAuxColumns, [0, 1])
        // The packing is part of the circuit.
        XCTAssertNotEqual(air.canonicalDescription, try Self.circuit(packing: 1).canonicalDescription)
        let (proof, _) = try prove(air, rows: 256, values: values)
        let plain = try prove(try Self.circuit(packing: 1), rows: 256, values: values).0
        XCTAssertEqual(proof.mainOpening.rows[0][0].count, 2)
        XCTAssertEqual(plain.mainOpening.rows[0][0].count, 5)
    }

    /// A cheating prover whose trace breaks the running total (a transition) is refused.
    func testBrokenTransitionIsRefused() throws {
        let air = try Self.circuit(packing: 4)
        for parameters in [smallZK, Profile.test.parameters] {
            let (proof, statement) = try prove(
                air, rows: 256, values: values, parameters: parameters, skipCheck: true, alter: { $0[1][100] += .one })
            XCTAssertThrowsError(try verifyBatch(proof, statements: [statement], policy: lenient)) { error in
                XCTAssertEqual("\(error)", "\(VerifierError.outOfDomainMismatch)")
            }
        }
    }

    /// A value outside the range, consistent everywhere else, fails only on the bus.
    func testValueOutsideTheRangeIsRefused() throws {
        let air = try Self.circuit(packing: 2)
        var outside = values
        outside[7] = 300
        let (proof, statement) = try prove(air, rows: 512, values: outside, skipCheck: true)
        XCTAssertThrowsError(try verifyBatch(proof, statements: [statement], policy: lenient))
    }

    /// A group short of k columns has zero polynomials in its missing places: a prover who puts anything there
    /// is refused. So is one who fills the eleven missing places of a short table's five columns packed by 16.
    func testFilledGapInAShortGroupIsRefused() throws {
        for air in [try Self.circuit(packing: 4), try Self.circuit(packing: 4, short: ", 16 up to 2^8 rows")] {
            let honest = try prove(air, rows: 256, values: values)
            XCTAssertNoThrow(try verifyBatch(honest.0, statements: [honest.1], policy: lenient))
            for parameters in [smallZK, Profile.test.parameters] {
                let (proof, statement) = try prove(
                    air, rows: 256, values: values, parameters: parameters, cheat: BatchCheat(packedGap: Fp(5)),
                    skipCheck: true)
                // The constraints hold; only the packed polynomial's DEEP quotient is not a polynomial.
                XCTAssertThrowsError(try verifyBatch(proof, statements: [statement], policy: lenient)) { error in
                    guard case VerifierError.fri = error else { return XCTFail("\(error)") }
                }
            }
        }
    }

    /// A proof of the circuit in one packing does not verify as the same circuit in another.
    func testAProofDoesNotVerifyInAnotherPacking() throws {
        let (proof, _) = try prove(try Self.circuit(packing: 4), rows: 256, values: values)
        let (_, publics) = Self.trace(rows: 256, values: values)
        for k in [1, 2, 8] {
            let other = BatchStatement(air: try Self.circuit(packing: k), publicInputs: publics)
            XCTAssertThrowsError(try verifyBatch(proof, statements: [other], policy: lenient))
        }
    }

    /// A packing table's DEEP composition, columns' and segments' quotients together, joins FRI on its trace layer.
    /// A prover who leaves it out or adds it on layer 0 is refused, and so is one with a trace that breaks a
    /// constraint who states a composition segment at z other than the committed one, balanced so that the
    /// out-of-domain check passes: that leaves the packed segments' quotient a pole at z. The verifier computes the
    /// DEEP composition itself.
    func testDEEPCompositionLeftOutMovedOrMisstatedIsRefused() throws {
        let air = try Self.circuit(packing: 4)
        let (trace, publics) = Self.trace(rows: 256, values: values)
        let statement = BatchStatement(air: air, publicInputs: publics)
        // Beside a taller plain table, so that the packing table's trace layer is not layer 0.
        let table = BatchProofTests.table
        let tableTrace = try TraceTable(
            columns: [(0..<16384).map { Fp(UInt64($0)) }, Array(repeating: .zero, count: 16384)])
        let statements = [statement, BatchStatement(air: table, publicInputs: [])]
        let witnesses = [
            BatchWitness(statement: statement, trace: trace), BatchWitness(statement: statements[1], trace: tableTrace),
        ]
        let shape = try BatchShape(airs: [air, table], parameters: smallZK, logTraceLengths: [8, 14])
        let traceLayer = shape.traceLayers[0]
        XCTAssertGreaterThan(traceLayer, 0)
        XCTAssertEqual(shape.layers[0], traceLayer + 2)
        XCTAssertNoThrow(
            try verifyBatch(
                try proveBatch(witnesses, options: ProverOptions(parameters: smallZK)), statements: statements,
                policy: lenient))
        let cheats = [
            BatchCheat(deepLayer: { t, s in t == 0 ? nil : s }),
            BatchCheat(deepLayer: { t, s in t == 0 ? 0 : s }),
            BatchCheat(balanceOutOfDomain: [0]),
        ]
        var broken = witnesses
        broken[0].trace.columns[4][17] += .one  // double ≠ 2·value on row 17
        for (i, cheat) in cheats.enumerated() {
            var options = ProverOptions(parameters: smallZK, _skipConstraintCheck: true)
            options._batchCheat = cheat
            let proof = try proveBatch(cheat.balanceOutOfDomain.isEmpty ? witnesses : broken, options: options)
            // Every out-of-domain check passes: what catches each is FRI, on the DEEP values the verifier computes.
            XCTAssertThrowsError(try verifyBatch(proof, statements: statements, policy: lenient), "cheat \(i)") {
                guard case .fri = $0 as? VerifierError else { return XCTFail("cheat \(i): \($0)") }
            }
        }
    }

    /// A prover who puts a constant in the zero places of a packing table's last group of composition segments (and
    /// adds it into its DEEP composition, as it would for a segment) is refused: no stated value at z accounts for
    /// it, so the group's DEEP quotient has a pole.
    func testFilledCompositionPaddingIsRefused() throws {
        let air = try Self.circuit(packing: 4)
        let shape = try BatchShape(airs: [air], parameters: smallZK, logTraceLengths: [8])
        XCTAssertNotEqual(shape.tables[0].segmentCount % 4, 0, "a last group with padded places")
        let (honest, statement) = try prove(air, rows: 256, values: values)
        XCTAssertNoThrow(try verifyBatch(honest, statements: [statement], policy: lenient))
        for filler in [Fp.one, Fp(12345)] {
            let (proof, _) = try prove(
                air, rows: 256, values: values, cheat: BatchCheat(compositionGap: filler), skipCheck: true)
            XCTAssertThrowsError(try verifyBatch(proof, statements: [statement], policy: lenient))
        }
    }

    /// A plain table and a packing one of equal committed height share layer 0: the plain one carries FRI's masking
    /// polynomial, and the batch proves and verifies with zero knowledge.
    func testPlainAndPackingTablesOnLayerZero() throws {
        let packed = try AIRBuilderFixture.values(packing: 4).build()
        let table = BatchProofTests.table
        let raw = (0..<200).map { _ in UInt64.random(in: 0..<256) }
        let witnesses = BatchProofTests.witnesses(values: raw, valueRows: 256, tableRows: 1024)
        let statements = [BatchStatement(air: packed, publicInputs: []), BatchStatement(air: table, publicInputs: [])]
        let shape = try BatchShape(airs: statements.map(\.air), parameters: smallZK, logTraceLengths: [8, 10])
        XCTAssertEqual(shape.traceLayers, [0, 0])
        XCTAssertEqual(shape.traceOrder, [1, 0], "the plain table first")
        let proof = try proveBatch(
            [
                BatchWitness(statement: statements[0], trace: witnesses[0].trace),
                BatchWitness(statement: statements[1], trace: witnesses[1].trace),
            ], options: ProverOptions(parameters: smallZK))
        XCTAssertNoThrow(try verifyBatch(proof, statements: statements, policy: lenient))
        // FRI's masking polynomial is one column beside the plain table's composition segments; the packing table's
        // segments are packed four to a polynomial.
        let plainClass = shape.traceOrder.firstIndex(of: 1)!
        XCTAssertEqual(proof.compositionOpening.rows[plainClass][0].count, shape.tables[1].segmentCount + 1)
        let packedClass = shape.traceOrder.firstIndex(of: 0)!
        XCTAssertEqual(proof.compositionOpening.rows[packedClass][0].count, (shape.tables[0].segmentCount + 3) / 4)
    }

    /// With a packing table, each table sits on its furthest layer or up to three nearer, whichever makes FRI land
    /// on fewest layers; FRI lands on every layer a DEEP composition joins it at, each table's trace layer. The
    /// shape of `hello`'s batch: a 2^8-row segment packing 4, its 2^16-row lookup table, and a 2^11-row closing
    /// table.
    func testPlacementLandsOnEveryLayerWithFewFolds() throws {
        let packed = try Self.circuit(packing: 4)
        let plain = BatchProofTests.table
        let parameters = Profile.default.parameters
        let airs = [packed, plain, plain]
        let shape = try BatchShape(airs: airs, parameters: parameters, logTraceLengths: [8, 16, 11])
        let stops = Set(shape.logArities.indices.map { shape.logArities[...$0].reduce(0, +) })
        for t in 0..<3 {
            if shape.traceLayers[t] > 0 { XCTAssertTrue(stops.contains(shape.traceLayers[t])) }
        }
        XCTAssertEqual(shape.layers[0], shape.traceLayers[0] + 2)
        // On their furthest layers (5 and 4) FRI would have to stop at both, folding by 2 between them. The
        // placement keeps the segment on layer 5 and moves the closing table to 3; FRI folds by 8, by 4 and by 8 to
        // the remainder (degree < 2^9): three committed layers.
        XCTAssertEqual(shape.traceLayers, [5, 0, 3])
        XCTAssertEqual(shape.logArities, [3, 2, 3])
        XCTAssertGreaterThanOrEqual(shape.security(airs: airs).provenBits, 100)
    }

    /// The proximity parameter m is limited by every table's slack: α, at layer 0's rate, must exceed the square root
    /// of each table's rate on its trace layer after its DEEP openings (2k points for a table that packs k). In
    /// `hello`'s shape the segment, packing four on layer 5, is the one that binds.
    func testProximityParameterRespectsEveryTablesSlack() throws {
        let airs = [try Self.circuit(packing: 4), BatchProofTests.table, BatchProofTests.table]
        let shape = try BatchShape(airs: airs, parameters: Profile.default.parameters, logTraceLengths: [8, 16, 11])
        XCTAssertEqual(shape.traceLayers, [5, 0, 3])
        let m = shape.proximityParameterLimit(airs: airs)
        func holds(_ m: Int, _ t: Int) -> Bool {
            let s = shape.traceLayers[t]
            let (d0, n0) = (Double(shape.friDegreeBound), Double(shape.ldeSize))
            let (ds, ns) = (Double((shape.friDegreeBound + (1 << s) - 1) >> s), n0 / Double(1 << s))
            let slack = 1 + 1 / (2 * Double(m))
            return slack * slack * d0 / n0 > (ds + 2 * Double(airs[t].packing)) / ns
        }
        XCTAssertGreaterThanOrEqual(m, 3)
        XCTAssertLessThan(m, 1000)
        for t in airs.indices { XCTAssertTrue(holds(m, t), "table \(t) at m = \(m)") }
        XCTAssertFalse(holds(m + 1, 0), "the packing table binds at m = \(m + 1)")
        XCTAssertTrue(holds(m + 1, 1) && holds(m + 1, 2))
    }

    /// A packing table beside a plain one of another height, joined by a shared bus.
    func testPackingTableInABatchWithAPlainTable() throws {
        let values = try AIRBuilderFixture.values(packing: 4).build()
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

    /// The one-table prover says to prove a packing AIR as a batch.
    func testOneTableProverRefusesAPackingAIR() throws {
        let air = try Self.circuit(packing: 2)
        let (trace, publics) = Self.trace(rows: 64, values: values)
        XCTAssertThrowsError(
            try Prover.prove(air: air, trace: trace, publicInputs: publics, options: ProverOptions(parameters: smallZK))
        ) { error in XCTAssertTrue("\(error)".contains("batch"), "\(error)") }
    }

    // MARK: - Short tables (`pack N, K up to 2^L rows`)

    /// A table of at most 2^L rows packs K columns, a taller one N, in the same circuit with one circuit id.
    func testShortTablesPackMoreColumns() throws {
        let air = try Self.circuit(packing: 4, short: ", 16 up to 2^8 rows")
        XCTAssertEqual(air.shortTablePacking, AIR.ShortTablePacking(columns: 16, maxLogRows: 8))
        XCTAssertEqual((6...10).map { air.packing(forLogRows: $0) }, [16, 16, 16, 4, 4])
        let short = air.forTable(logRows: 8)
        XCTAssertEqual(short.packing, 16)
        XCTAssertEqual(air.forTable(logRows: 9).packing, 4)
        XCTAssertEqual(short.committedGroups, [[0, 1, 2, 3, 4], [5, 6]])
        XCTAssertEqual(air.committedGroups, [[0, 1, 2, 3], [4], [5, 6]], "the circuit as declared packs 4")
        XCTAssertEqual(StarkProtocol.circuitDigest(of: short), StarkProtocol.circuitDigest(of: air))
        XCTAssertTrue(air.canonicalDescription.contains("pack 4, 16 up to 2^8 rows"))
        XCTAssertNotEqual(
            StarkProtocol.circuitDigest(of: air), StarkProtocol.circuitDigest(of: try Self.circuit(packing: 4)),
            "the short tables' packing is part of the circuit")
        // Printed and parsed again, the circuit is the same.
        let again = try AIR(circuitSource: air.circuitSource, fileName: "again.air")
        XCTAssertEqual(again.canonicalDescription, air.canonicalDescription)

        for (rows, width) in [(256, 1), (512, 2)] {
            let (proof, statement) = try prove(air, rows: rows, values: values)
            XCTAssertEqual(proof.mainOpening.rows[0][0].count, width, "\(rows) rows")
            XCTAssertNoThrow(try verifyBatch(proof, statements: [statement], policy: lenient), "\(rows) rows")
            // The same rows under the circuit without the short tables' packing: another circuit.
            let plain = BatchStatement(air: try Self.circuit(packing: 4), publicInputs: statement.publicInputs)
            XCTAssertThrowsError(try verifyBatch(proof, statements: [plain], policy: lenient))
        }
    }

    func testCircuitFileRefusesABadLayout() throws {
        for (text, expected) in [
            ("air a\npack 3\ncolumn x # x\nconstraint c every_row: x", "not 1, 2, 4 or 8"),
            ("air a\ncolumn x # x\npack 2\nconstraint c every_row: x", "right after 'air NAME'"),
            ("air a\npack 2\npack 2\ncolumn x # x\nconstraint c every_row: x", "already set"),
            ("air a\npack 4, 2 up to 2^8 rows\ncolumn x # x\nconstraint c every_row: x", "not 4, 8, 16 or 32"),
            ("air a\npack 4, 64 up to 2^8 rows\ncolumn x # x\nconstraint c every_row: x", "not 4, 8, 16 or 32"),
            ("air a\npack 4, 16 to 2^8 rows\ncolumn x # x\nconstraint c every_row: x", "'up' after '16'"),
            ("air a\npack 4, 16 up to 3^8 rows\ncolumn x # x\nconstraint c every_row: x", "2^L"),
            ("air a\npack 4, 16 up to 2^27 rows\ncolumn x # x\nconstraint c every_row: x", "from 1 to 26"),
            ("air a\npack 4, 16 up to 2^8\ncolumn x # x\nconstraint c every_row: x", "'rows' after '2^8'"),
            ("air a\npack 1, 16 up to 2^8 rows\ncolumn x # x\nconstraint c every_row: x", "of a packing circuit"),
        ] {
            XCTAssertThrowsError(try AIR(circuitSource: text, fileName: "a.air")) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }
}

/// The values table of ``BatchProofTests`` rebuilt with an ``AIRBuilder``, to set its packing.
enum AIRBuilderFixture {
    static func values(packing: Int) throws -> AIRBuilder {
        var b = AIRBuilder(name: "batch_values")
        b.packing = packing
        let value = b.column("value", "a value that must be in the range table")
        let double = b.column("double", "2·value")
        b.constrain("double", .everyRow, double - Expression.constant(2) * value)
        b.busEntry("range", shared: true, multiplicity: .constant(.one), [value])
        return b
    }
}
