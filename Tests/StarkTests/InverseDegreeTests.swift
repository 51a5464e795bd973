import AIR
import Field
import Proof
import Prover
import Verifier
import XCTest

/// Proofs of an AIR whose inverse columns hold three bus entries each (inverse degree 4): they verify, they are the
/// same whichever way the prover holds its main columns, and a wrong value in such a column is refused.
final class InverseDegreeTests: XCTestCase {
    /// x and y each look up the periodic table t = 0…7 at multiplicity 1, and m counts the lookups of each table
    /// value; at inverse degree 4 the three entries share one column, checked by one constraint of degree 4.
    static let air = try! AIR(
        name: "three_lookups",
        mainColumns: [
            Column("x", doc: "a value in 0…7"), Column("y", doc: "another value in 0…7"),
            Column("m", doc: "how often x and y take this row's table value, on the table's first period"),
        ],
        periodicColumns: [PeriodicColumn("t", values: (0..<8).map { Fp(UInt64($0)) })],
        constraints: [],
        buses: [
            LogUpBus(
                "lookup",
                entries: [
                    LogUpEntry(multiplicity: .constant(.one), values: [.main(0, .current)]),
                    LogUpEntry(multiplicity: .constant(.one), values: [.main(1, .current)]),
                    LogUpEntry(multiplicity: -Expression.main(2, .current), values: [.periodic(0)]),
                ])
        ],
        inverseDegree: 4)

    static let rows = 256

    static let trace: TraceTable = {
        let x = (0..<rows).map { UInt64($0 % 8) }
        let y = (0..<rows).map { UInt64((3 * $0 + 1) % 8) }
        var m = [UInt64](repeating: 0, count: rows)
        for v in x + y { m[Int(v)] += 1 }
        return try! TraceTable(columns: [x, y, m].map { $0.map { Fp($0) } })
    }()

    func testThreeEntryColumnsProveAndVerify() throws {
        let air = Self.air
        XCTAssertEqual(air.auxColumns.map(\.name), ["lookup.inverses0_2", "buses.sum"])
        XCTAssertEqual(air.maxDegree, 4)
        for parameters in [Profile.test.parameters, smallZK] {
            let proof = try prove(
                air: air, trace: Self.trace, publicInputs: [], options: ProverOptions(parameters: parameters))
            try verify(proof: proof, air: air, publicInputs: [], policy: lenient)
            // Degree 4 over n rows: 3 segments, or 4 with the zero-knowledge mask raising the quotient past 3n
            // (when 4k − 3 ≤ n for a mask of degree k).
            let shape = try StarkShape(air: air, parameters: parameters, logTraceLength: proof.logTraceLength)
            XCTAssertEqual(shape.segmentCount, parameters.zeroKnowledge ? 4 : 3)
            XCTAssertEqual(shape.evaluationSize, 4 * Self.rows)
            XCTAssertEqual(proof.outOfDomain.aux.count, 2)
        }
        // Without zero knowledge a proof is deterministic: main columns kept whole and recomputed a coset at a
        // time (four cosets for the degree-4 class) give the same bytes.
        for parameters in [
            Profile.test.parameters,
            ProofParameters(logBlowup: 3, queryCount: 6, grindingBits: 0, logFoldingFactor: 2, zeroKnowledge: false),
        ] {
            let kept = try prove(
                air: air, trace: Self.trace, publicInputs: [], options: ProverOptions(parameters: parameters))
            let recomputed = try prove(
                air: air, trace: Self.trace, publicInputs: [],
                options: ProverOptions(parameters: parameters, mainExtensionMemoryLimit: 0))
            XCTAssertEqual(recomputed.encoded(), kept.encoded(), "blowup \(parameters.blowup)")
        }
    }

    func testAWrongValueInAThreeEntryColumnIsRejected() throws {
        let air = Self.air
        // Each cheat changes the committed inverse column on some rows. The second keeps the running sum's steps
        // consistent with it; the third also keeps its total, so only the three-entry column's own constraint fails.
        let cheats: [(name: String, onlyItsConstraint: Bool, change: @Sendable (inout [[Fp]]) -> Void)] = [
            ("one value off, the running sum left as built", false, { $0[0][5] += .one }),
            (
                "one value off, the running sum following it", false,
                { aux in
                    aux[0][5] += .one
                    for row in 5..<aux[1].count { aux[1][row] += .one }
                }
            ),
            (
                "a value moved between two rows, the running sum following it", true,
                { aux in
                    aux[0][5] += .one
                    aux[0][6] -= .one
                    aux[1][5] += .one
                }
            ),
            ("every value zero", false, { aux in aux[0] = [Fp](repeating: .zero, count: aux[0].count) }),
        ]
        var rng = SeededGenerator(seed: 4)
        for (name, onlyItsConstraint, cheat) in cheats {
            // The debug checker names the group's constraint.
            let challenges = (0..<air.challengeCount).map { _ in Fp.random(using: &rng) }
            var aux = try air.buildAuxiliaryColumns(main: Self.trace, publicInputs: [], challenges: challenges)
            cheat(&aux)
            let failures = try air.check(trace: Self.trace, publicInputs: [], challenges: challenges, auxiliary: aux)
            XCTAssertTrue(failures.map(\.constraintName).contains("lookup.inverses0_2"), "\(name): \(failures)")
            if onlyItsConstraint {
                XCTAssertEqual(failures.map(\.constraintName), ["lookup.inverses0_2", "lookup.inverses0_2"], name)
                XCTAssertEqual(failures.map(\.row), [5, 6], name)
            }

            for parameters in [Profile.test.parameters, smallZK] {
                var options = ProverOptions(parameters: parameters, _skipConstraintCheck: true)
                options._alterAuxiliary = cheat
                let proof = try prove(air: air, trace: Self.trace, publicInputs: [], options: options)
                XCTAssertThrowsError(
                    try verify(proof: proof, air: air, publicInputs: [], policy: lenient), "\(name) accepted"
                ) { error in
                    XCTAssertNotNil(error as? VerifierError, "\(name): \(error)")
                }
            }
        }
        // The honest twin verifies.
        let honest = try prove(
            air: air, trace: Self.trace, publicInputs: [],
            options: ProverOptions(parameters: Profile.test.parameters, _skipConstraintCheck: true))
        try verify(proof: honest, air: air, publicInputs: [], policy: lenient)
    }
}
