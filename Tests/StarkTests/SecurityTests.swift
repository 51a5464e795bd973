import AIR
import ExampleAIRs
import Field
import Proof
import XCTest

final class SecurityTests: XCTestCase {
    /// A typical small AIR: 12 columns, 30 constraints of degree up to 3, and one LogUp bus of three two-value
    /// entries (3 auxiliary columns: two inverse columns, the first shared by two entries, and a running sum;
    /// 5 generated constraints). Mirrored as "typical" in security_reference.py.
    static let typicalAIR: AIR = {
        let x = (0..<12).map { Expression.main($0, .current) }
        let next = (0..<12).map { Expression.main($0, .next) }
        var constraints: [Constraint] = []
        for i in 0..<12 {
            constraints.append(
                Constraint(name: "step_\(i)", domain: .transition, next[i] - .power(x[i], 3) - x[(i + 1) % 12]))
        }
        for i in 0..<12 {
            constraints.append(
                Constraint(name: "product_\(i)", domain: .everyRow, x[i] * x[(i + 5) % 12] - x[(i + 7) % 12]))
        }
        for i in 0..<6 {
            constraints.append(Constraint(name: "start_\(i)", domain: .firstRow, x[i] - .publicInput(i)))
        }
        return try! AIR(
            name: "typical",
            mainColumns: (0..<12).map { Column("c\($0)") },
            publicInputs: (0..<6).map { PublicInput("p\($0)") },
            constraints: constraints,
            buses: [
                LogUpBus(
                    "pairs",
                    entries: [
                        LogUpEntry(multiplicity: .constant(.one), values: [x[0], x[1]]),
                        LogUpEntry(multiplicity: x[2], values: [x[3], x[4]]),
                        LogUpEntry(multiplicity: -.constant(.one), values: [x[5], x[6]]),
                    ])
            ])
    }()

    static let airs: [String: AIR] = [
        "fibonacci": FibonacciAIR.air, "range_check_6": RangeCheckAIR(bits: 6).air,
        "rescue_shaped_12": RescueShapedAIR.air, "typical": typicalAIR,
    ]

    func shape(_ parameters: ProofParameters, _ air: AIR, logN: Int) throws -> StarkShape {
        try StarkShape(air: air, parameters: parameters, logTraceLength: logN)
    }

    func figures(_ parameters: ProofParameters, _ air: AIR, logN: Int) throws -> SecurityFigures {
        try shape(parameters, air, logN: logN).security(air: air)
    }

    // MARK: - Known answers from security_reference.py

    /// Printed by `python3 Tests/StarkTests/security_reference.py`; regenerate both tables together.
    static let referenceFigures: [(profile: String, air: String, logN: Int, conjectured: Double, proven: Double)] = [
        ("default", "fibonacci", 10, 104.0000, 96.1606),
        ("default", "fibonacci", 16, 104.0000, 104.0000),
        ("default", "fibonacci", 20, 104.0000, 104.0000),
        ("default", "fibonacci", 22, 104.0000, 104.0000),
        ("default", "range_check_6", 10, 104.0000, 96.1606),
        ("default", "range_check_6", 16, 104.0000, 104.0000),
        ("default", "range_check_6", 20, 104.0000, 104.0000),
        ("default", "range_check_6", 22, 104.0000, 104.0000),
        ("default", "rescue_shaped_12", 10, 104.0000, 96.1606),
        ("default", "rescue_shaped_12", 16, 104.0000, 104.0000),
        ("default", "rescue_shaped_12", 20, 104.0000, 104.0000),
        ("default", "rescue_shaped_12", 22, 104.0000, 104.0000),
        ("default", "typical", 10, 104.0000, 96.1606),
        ("default", "typical", 16, 104.0000, 104.0000),
        ("default", "typical", 20, 104.0000, 104.0000),
        ("default", "typical", 22, 104.0000, 104.0000),
        ("fast", "fibonacci", 10, 97.3366, 58.6148),
        ("fast", "fibonacci", 16, 101.9242, 60.9325),
        ("fast", "fibonacci", 20, 101.9953, 60.9681),
        ("fast", "fibonacci", 22, 101.9988, 60.9698),
        ("fast", "range_check_6", 10, 97.3366, 58.6148),
        ("fast", "range_check_6", 16, 101.9242, 60.9325),
        ("fast", "range_check_6", 20, 101.9953, 60.9681),
        ("fast", "range_check_6", 22, 101.9988, 60.9698),
        ("fast", "rescue_shaped_12", 10, 97.3366, 58.6148),
        ("fast", "rescue_shaped_12", 16, 101.9242, 60.9325),
        ("fast", "rescue_shaped_12", 20, 101.9953, 60.9681),
        ("fast", "rescue_shaped_12", 22, 101.9988, 60.9698),
        ("fast", "typical", 10, 97.3366, 58.6148),
        ("fast", "typical", 16, 101.9242, 60.9325),
        ("fast", "typical", 20, 101.9953, 60.9681),
        ("fast", "typical", 22, 101.9988, 60.9698),
        ("test", "fibonacci", 10, 18.0000, 9.9887),
        ("test", "fibonacci", 16, 18.0000, 9.9942),
        ("test", "fibonacci", 20, 18.0000, 9.9942),
        ("test", "fibonacci", 22, 18.0000, 9.9942),
        ("test", "range_check_6", 10, 18.0000, 9.9887),
        ("test", "range_check_6", 16, 18.0000, 9.9942),
        ("test", "range_check_6", 20, 18.0000, 9.9942),
        ("test", "range_check_6", 22, 18.0000, 9.9942),
        ("test", "rescue_shaped_12", 10, 18.0000, 9.9887),
        ("test", "rescue_shaped_12", 16, 18.0000, 9.9942),
        ("test", "rescue_shaped_12", 20, 18.0000, 9.9942),
        ("test", "rescue_shaped_12", 22, 18.0000, 9.9942),
        ("test", "typical", 10, 18.0000, 9.9887),
        ("test", "typical", 16, 18.0000, 9.9942),
        ("test", "typical", 20, 18.0000, 9.9942),
        ("test", "typical", 22, 18.0000, 9.9942),
        ("ethstark", "fibonacci", 10, 77.4557, 48.6880),
        ("ethstark", "fibonacci", 16, 79.9591, 49.9579),
        ("ethstark", "fibonacci", 20, 79.9974, 49.9771),
        ("ethstark", "fibonacci", 22, 79.9994, 49.9780),
        ("ethstark", "range_check_6", 10, 77.4557, 48.6880),
        ("ethstark", "range_check_6", 16, 79.9591, 49.9579),
        ("ethstark", "range_check_6", 20, 79.9974, 49.9771),
        ("ethstark", "range_check_6", 22, 79.9994, 49.9780),
        ("ethstark", "rescue_shaped_12", 10, 77.4557, 48.6880),
        ("ethstark", "rescue_shaped_12", 16, 79.9591, 49.9579),
        ("ethstark", "rescue_shaped_12", 20, 79.9974, 49.9771),
        ("ethstark", "rescue_shaped_12", 22, 79.9994, 49.9780),
        ("ethstark", "typical", 10, 77.4557, 48.6880),
        ("ethstark", "typical", 16, 79.9591, 49.9579),
        ("ethstark", "typical", 20, 79.9974, 49.9771),
        ("ethstark", "typical", 22, 79.9994, 49.9780),
        ("compact", "fibonacci", 10, 104.0000, 98.3120),
        ("compact", "fibonacci", 16, 104.0000, 102.3926),
        ("compact", "fibonacci", 20, 104.0000, 102.4561),
        ("compact", "fibonacci", 22, 104.0000, 102.4593),
        ("compact", "range_check_6", 10, 104.0000, 98.3120),
        ("compact", "range_check_6", 16, 104.0000, 102.3926),
        ("compact", "range_check_6", 20, 104.0000, 102.4561),
        ("compact", "range_check_6", 22, 104.0000, 102.4593),
        ("compact", "rescue_shaped_12", 10, 104.0000, 98.3120),
        ("compact", "rescue_shaped_12", 16, 104.0000, 102.3926),
        ("compact", "rescue_shaped_12", 20, 104.0000, 102.4561),
        ("compact", "rescue_shaped_12", 22, 104.0000, 102.4593),
        ("compact", "typical", 10, 104.0000, 98.3120),
        ("compact", "typical", 16, 104.0000, 102.3926),
        ("compact", "typical", 20, 104.0000, 102.4561),
        ("compact", "typical", 22, 104.0000, 102.4593),
    ]

    static let referenceTerms: [(profile: String, air: String, logN: Int, m: Int, terms: [(String, Double)])] = [
        (
            "default", "typical", 10, 3,
            [
                ("ALI", 242.5049), ("LogUp", 225.4624), ("DEEP", 232.0414), ("FRI batching", 207.6437),
                ("FRI fold 1", 209.8808), ("FRI queries", 77.1385),
            ]
        ),
        (
            "default", "typical", 22, 1000,
            [
                ("ALI", 233.9043), ("LogUp", 192.8637), ("DEEP", 203.0671), ("FRI batching", 126.1902),
                ("FRI fold 1", 128.4272), ("FRI fold 2", 134.4272), ("FRI fold 3", 140.4272), ("FRI fold 4", 146.4274),
                ("FRI fold 5", 152.4292), ("FRI queries", 105.9354),
            ]
        ),
        (
            "default", "range_check_6", 16, 50,
            [
                ("ALI", 240.5504), ("LogUp", 225.3578), ("DEEP", 217.7117), ("FRI batching", 169.6978),
                ("FRI fold 1", 170.5909), ("FRI fold 2", 176.5910), ("FRI fold 3", 182.5915), ("FRI queries", 104.6010),
            ]
        ),
        (
            "fast", "rescue_shaped_12", 20, 1000,
            [
                ("ALI", 233.8617), ("DEEP", 205.0630), ("FRI batching", 130.4797), ("FRI fold 1", 133.6497),
                ("FRI fold 2", 137.6497), ("FRI fold 3", 141.6497), ("FRI fold 4", 145.6498), ("FRI fold 5", 149.6500),
                ("FRI fold 6", 153.6516), ("FRI fold 7", 157.6579), ("FRI fold 8", 161.6831), ("FRI queries", 60.9681),
            ]
        ),
        (
            "ethstark", "typical", 14, 7,
            [
                ("ALI", 241.0676), ("LogUp", 216.0268), ("DEEP", 225.3882), ("FRI batching", 191.6155),
                ("FRI fold 1", 193.8526), ("FRI fold 2", 199.8528), ("FRI fold 3", 205.8528), ("FRI fold 4", 211.9110),
                ("FRI queries", 46.9322),
            ]
        ),
        (
            "test", "fibonacci", 12, 3,
            [
                ("ALI", 245.0910), ("DEEP", 230.8258), ("FRI batching", 206.3485), ("FRI fold 1", 206.7636),
                ("FRI fold 2", 210.7636), ("FRI fold 3", 214.7636), ("FRI fold 4", 218.7636), ("FRI queries", 8.2209),
            ]
        ),
    ]

    // The script and this code compute the same formulas in double precision, so they agree far more closely
    // than this; the tolerance only absorbs differences in the order of floating-point operations.
    static let tolerance = 0.01

    func testFiguresMatchTheReferenceScript() throws {
        var largest = 0.0
        for r in Self.referenceFigures {
            let parameters = try XCTUnwrap(Profile(rawValue: r.profile)).parameters
            let f = try figures(parameters, try XCTUnwrap(Self.airs[r.air]), logN: r.logN)
            let label = "\(r.profile) \(r.air) 2^\(r.logN)"
            XCTAssertEqual(f.conjecturedBits, r.conjectured, accuracy: Self.tolerance, label)
            XCTAssertEqual(f.provenBits, r.proven, accuracy: Self.tolerance, label)
            largest = max(largest, abs(f.conjecturedBits - r.conjectured), abs(f.provenBits - r.proven))
        }
        print("security: \(Self.referenceFigures.count) figure pairs match the reference script within \(largest) bits")
    }

    func testErrorTermsMatchTheReferenceScript() throws {
        var largest = 0.0
        var count = 0
        for r in Self.referenceTerms {
            let parameters = try XCTUnwrap(Profile(rawValue: r.profile)).parameters
            let air = try XCTUnwrap(Self.airs[r.air])
            let terms = try shape(parameters, air, logN: r.logN).provenSecurityTerms(air: air, proximityParameter: r.m)
            let label = "\(r.profile) \(r.air) 2^\(r.logN) m=\(r.m)"
            XCTAssertEqual(terms.map(\.name), r.terms.map(\.0), label)
            for (term, expected) in zip(terms, r.terms) {
                XCTAssertEqual(term.bits, expected.1, accuracy: Self.tolerance, "\(label) \(term.name)")
                largest = max(largest, abs(term.bits - expected.1))
                count += 1
            }
        }
        print("security: \(count) error terms match the reference script within \(largest) bits")
    }

    // MARK: - Properties

    func testFiguresGrowWithQueries() throws {
        for logBlowup in 2...4 {
            var previous = SecurityFigures(conjecturedBits: 0, provenBits: 0)
            for queries in 1...120 {
                let p = ProofParameters(logBlowup: logBlowup, queryCount: queries, grindingBits: 10)
                let f = try figures(p, Self.typicalAIR, logN: 16)
                XCTAssertGreaterThanOrEqual(
                    f.conjecturedBits, previous.conjecturedBits, "blowup 2^\(logBlowup), q \(queries)")
                XCTAssertGreaterThanOrEqual(f.provenBits, previous.provenBits, "blowup 2^\(logBlowup), q \(queries)")
                previous = f
            }
            XCTAssertEqual(previous.conjecturedBits, 104, "enough queries reach the hash's collision resistance")
        }
    }

    func testFiguresGrowWithBlowup() throws {
        for queries in [10, 30, 60] {
            var previous = SecurityFigures(conjecturedBits: 0, provenBits: 0)
            for logBlowup in ProofParameters.logBlowupRange {
                let p = ProofParameters(logBlowup: logBlowup, queryCount: queries, grindingBits: 0)
                let f = try figures(p, Self.typicalAIR, logN: 18)
                XCTAssertGreaterThanOrEqual(f.conjecturedBits, previous.conjecturedBits, "blowup 2^\(logBlowup)")
                XCTAssertGreaterThanOrEqual(f.provenBits, previous.provenBits, "blowup 2^\(logBlowup)")
                previous = f
            }
        }
    }

    func testDefaultProfileProvesAtLeast100BitsFrom2KTo4MRows() throws {
        var lowest = Double.infinity
        for (name, air) in Self.airs {
            for logN in 11...22 {
                let f = try figures(Profile.default.parameters, air, logN: logN)
                XCTAssertGreaterThanOrEqual(f.provenBits, 100, "\(name) 2^\(logN)")
                lowest = min(lowest, f.provenBits)
            }
        }
        print("security: default profile, lowest proven figure over 2^11…2^22 rows: \(lowest) bits")
    }

    func testTestProfileIsFarBelow100Bits() throws {
        for logN in 3...20 {
            let f = try figures(Profile.test.parameters, FibonacciAIR.air, logN: logN)
            XCTAssertLessThan(f.conjecturedBits, 20)
            XCTAssertLessThan(f.provenBits, 12)
        }
    }

    func testEthstarkProfileConjecturesAbout80Bits() throws {
        // 30 queries at blowup 4 give 2 bits each, plus 20 grinding bits; the mask costs a little at 2^20 rows.
        let f = try figures(Profile.ethstark.parameters, RescueShapedAIR.air, logN: 20)
        XCTAssertEqual(f.conjecturedBits, 80, accuracy: 0.5)
        XCTAssertEqual(f.provenBits, 50, accuracy: 0.5)
    }

    func testFastProfileReliesOnTheConjecture() throws {
        for logN in 14...22 {
            let f = try figures(Profile.fast.parameters, RescueShapedAIR.air, logN: logN)
            XCTAssertGreaterThanOrEqual(f.conjecturedBits, 100, "2^\(logN)")
            XCTAssertLessThan(f.provenBits, 100, "2^\(logN)")
        }
    }

    func testProvenIsBelowConjectured() throws {
        for profile in Profile.allCases {
            for (name, air) in Self.airs {
                for logN in [10, 13, 16, 20, 22] {
                    let f = try figures(profile.parameters, air, logN: logN)
                    // Both can reach the Merkle trees' collision resistance, 104 bits, and stop there.
                    if f.provenBits < 104 {
                        XCTAssertLessThan(f.provenBits, f.conjecturedBits, "\(profile) \(name) 2^\(logN)")
                    } else {
                        XCTAssertEqual(f.conjecturedBits, 104, "\(profile) \(name) 2^\(logN)")
                    }
                }
            }
        }
    }

    func testMaskingRaisesTheRateOfShortTraces() throws {
        // With zero knowledge the committed polynomials have degree < n + k, so the same parameters are weaker on
        // a short trace than on a long one, and weaker than without the mask.
        let p = Profile.default.parameters
        var plain = p
        plain.zeroKnowledge = false
        let short = try figures(p, Self.typicalAIR, logN: 10)
        let long = try figures(p, Self.typicalAIR, logN: 20)
        let unmasked = try figures(plain, Self.typicalAIR, logN: 10)
        XCTAssertLessThan(short.provenBits, long.provenBits - 5)
        XCTAssertLessThan(short.provenBits, unmasked.provenBits - 5)
    }

    func testTooShortForTheJohnsonAnalysisProvesNothing() throws {
        // A degree bound of 4 leaves no admissible proximity parameter (m ≥ 3 needs 2m < d).
        let f = try figures(Profile.test.parameters, FibonacciAIR.air, logN: 2)
        XCTAssertEqual(f.provenBits, 0)
        XCTAssertGreaterThan(f.conjecturedBits, 0)
    }
}
