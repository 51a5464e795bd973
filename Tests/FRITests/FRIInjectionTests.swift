import FRI
import Field
import Hashing
import XCTest

/// One FRI run over functions of several heights, with a per-layer folding arity: honest runs verify, and each
/// negative twin is refused with its own error.
final class FRIInjectionTests: XCTestCase {
    // MARK: - The scenario

    /// Layer 0: 2^12 points, rate 1/4. The schedule folds 12 → 9 → 8 → 6 → 3 (arities 8, 2, 4, 8); the remainder
    /// has degree < 1024 / 2^9 = 2.
    static let logN = 12
    static let degree = 1024
    static let logArities = [3, 1, 2, 3]
    static let remainderLength = 2

    /// The degree bound of a function injected at 2^logSize: layer 0's, divided by the folds above it (the same
    /// rate 1/4).
    static func degreeBound(logSize: Int) -> Int { degree >> (logN - logSize) }

    /// Two functions at 2^8 and one at 2^6, each of the largest degree its layer allows.
    static let honestInjections = [
        (logSize: 8, degree: degreeBound(logSize: 8)), (logSize: 8, degree: degreeBound(logSize: 8)),
        (logSize: 6, degree: degreeBound(logSize: 6)),
    ]

    /// What the verifier is handed, and its call.
    struct Run {
        var positions: [Int]
        var values: [Fp]
        var betas: [Fp]
        var roots: [Digest]
        var openings: [MerkleOpening]
        var remainder: [Fp]
        var remainderLength: Int
        var logArities: [Int]
        var injected: [FRIInjectedValues]
        var salted: Bool

        func verify() throws(FRIError) {
            try FRIVerifier.verify(
                positions: positions, values: values, betas: betas, roots: roots, openings: openings,
                remainder: remainder, remainderLength: remainderLength, ldeSize: 1 << FRIInjectionTests.logN,
                offset: .generator, logArities: logArities, injected: injected, salted: salted)
        }
    }

    /// The polynomial's values in bit-reversed order over the coset offset·⟨ω⟩ of 2^logSize points.
    static func evaluations(_ coefficients: [Fp], logSize: Int, offset: Fp) -> [Fp] {
        var values = NTT.evaluate(coefficients: coefficients, on: Domain(logSize: logSize, offset: offset))
        NTT.permuteBitReversed(&values)
        return values
    }

    /// Random polynomials of the given degrees evaluated on their domains: layer 0 on g·⟨ω_N⟩, an injection of
    /// 2^s points on g^(N/2^s)·⟨ω_{2^s}⟩, the domain of the folded layer of that size.
    static func functions(
        seed: UInt64, layer0Degree: Int, injections: [(logSize: Int, degree: Int)]
    ) -> (layer0: [Fp], injections: [FRIInjection]) {
        var rng = SeededGenerator(seed: seed)
        func random(_ n: Int) -> [Fp] { (0..<n).map { _ in Fp.random(using: &rng) } }
        let layer0 = evaluations(random(layer0Degree), logSize: logN, offset: .generator)
        let injected = injections.map { s, d in
            FRIInjection(
                logSize: s,
                values: evaluations(random(d), logSize: s, offset: Fp.generator.power(UInt64(1 << (logN - s)))))
        }
        return (layer0, injected)
    }

    /// The verifier's side of a run: the challenges replayed from the roots, queries drawn after the remainder,
    /// layer 0 and the injections read at the positions the verifier needs them.
    static func run(
        _ state: FRIProverState, layer0: [Fp], injections: [FRIInjection], sending remainder: [Fp],
        remainderLength: Int, salted: Bool
    ) throws -> Run {
        var transcript = Transcript(domain: "fri-injection-tests")
        var betas: [Fp] = []
        for root in state.roots {
            transcript.absorb("fri-root", digest: root)
            betas.append(transcript.challenge("fri-fold"))
        }
        transcript.absorb("fri-remainder", elements: remainder)
        let positions = Array(Set(try transcript.queryIndices("fri-queries", count: 24, below: 1 << logN))).sorted()
        let sizes = try FRISchedule.foldedLogSizes(logLayer0Size: logN, logArities: state.logArities)
        let folded = FRISchedule.foldedPositions(positions, logArities: state.logArities)
        let injected = injections.map { injection in
            let layerPositions = folded[sizes.firstIndex(of: injection.logSize)!]
            return FRIInjectedValues(
                logSize: injection.logSize,
                values: Dictionary(uniqueKeysWithValues: layerPositions.map { ($0, injection.values[$0]) }))
        }
        return Run(
            positions: positions, values: positions.map { layer0[$0] }, betas: betas, roots: state.roots,
            openings: state.open(queries: positions), remainder: remainder, remainderLength: remainderLength,
            logArities: state.logArities, injected: injected, salted: salted)
    }

    /// Proves honestly (for the given functions) and returns what the verifier sees.
    static func prove(
        seed: UInt64 = 1, logArities: [Int] = logArities,
        injections: [(logSize: Int, degree: Int)] = honestInjections, salted: Bool = false
    ) throws -> Run {
        let (layer0, injected) = functions(seed: seed, layer0Degree: degree, injections: injections)
        var transcript = Transcript(domain: "fri-injection-tests")
        let state = try FRIProverState(
            layer0: layer0, offset: .generator, logArities: logArities, injections: injected,
            remainderLength: remainderLength, salted: salted, transcript: &transcript)
        return try run(
            state, layer0: layer0, injections: injected, sending: state.remainder, remainderLength: remainderLength,
            salted: salted)
    }

    /// Fails unless `body` throws exactly `expected`.
    func assertThrows(
        _ expected: FRIError, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
    ) {
        do {
            try body()
            XCTFail("accepted; expected \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error as? FRIError, expected, file: file, line: line)
        }
    }

    // MARK: - Honest runs

    func testFunctionsOfThreeHeightsWithMixedAritiesVerify() throws {
        for salted in [false, true] {
            let run = try Self.prove(salted: salted)
            XCTAssertEqual(run.roots.count, 4)
            XCTAssertEqual(run.remainder.count, Self.remainderLength)
            XCTAssertNoThrow(try run.verify())
        }
    }

    func testAnInjectionAtTheRemainderSizeVerifies() throws {
        let run = try Self.prove(injections: Self.honestInjections + [(3, Self.degreeBound(logSize: 3))])
        XCTAssertNoThrow(try run.verify())
    }

    func testTheScheduleHelperGivesTheMixedScheduleAndItVerifies() throws {
        let arities = try FRISchedule.arities(
            logLayer0Size: Self.logN, stopAt: 3, maxLogArity: 3, landingOn: Set(Self.honestInjections.map(\.logSize)))
        XCTAssertEqual(arities, Self.logArities)
        XCTAssertNoThrow(try Self.prove(logArities: arities).verify())
    }

    /// The injections change the run: without them the same layer 0 gives other roots after layer 1.
    func testInjectionsAreFoldedIn() throws {
        let with = try Self.prove()
        let without = try Self.prove(injections: [])
        XCTAssertEqual(with.roots[0], without.roots[0])
        XCTAssertEqual(with.roots[1], without.roots[1])
        XCTAssertNotEqual(with.roots[2], without.roots[2])
        XCTAssertNoThrow(try without.verify())
    }

    // MARK: - Negative twins

    func testAWrongInjectedValueIsRefusedAtTheNextLayer() throws {
        var run = try Self.prove()
        // The second function at 2^8: produced by fold 1, so the next committed layer, 2, disagrees.
        let p = FRISchedule.foldedPositions(run.positions, logArities: run.logArities)[1][3]
        run.injected[1].values[p]! += .one
        assertThrows(.layerMismatch(layer: 2)) { try run.verify() }
    }

    func testAWrongInjectedValueAtTheRemainderSizeIsRefusedByTheRemainder() throws {
        var run = try Self.prove(injections: Self.honestInjections + [(3, Self.degreeBound(logSize: 3))])
        let p = FRISchedule.foldedPositions(run.positions, logArities: run.logArities)[3][0]
        run.injected[3].values[p]! += .one
        assertThrows(.remainderMismatch(position: p)) { try run.verify() }
    }

    func testAMissingInjectedValueIsRefused() throws {
        var run = try Self.prove()
        let p = FRISchedule.foldedPositions(run.positions, logArities: run.logArities)[2][0]
        run.injected[2].values[p] = nil
        assertThrows(.missingInjectedValue(injection: 2, position: p)) { try run.verify() }
    }

    /// An injection of twice its layer's degree bound: the honest prover refuses to send a remainder for it.
    func testAnInjectionOfTooHighDegreeBreaksTheProversRemainder() {
        var injections = Self.honestInjections
        injections[2].degree = 2 * Self.degreeBound(logSize: 6)
        assertThrows(.remainderDegreeTooHigh) { _ = try Self.prove(injections: injections) }
    }

    /// The same injection from a prover that skips its own check (it commits with no degree bound and sends the
    /// low coefficients only): the verifier's remainder check refuses it.
    func testAnInjectionOfTooHighDegreeIsRefusedByTheVerifier() throws {
        var injections = Self.honestInjections
        injections[2].degree = 2 * Self.degreeBound(logSize: 6)
        let (layer0, injected) = Self.functions(seed: 1, layer0Degree: Self.degree, injections: injections)
        var transcript = Transcript(domain: "fri-injection-tests")
        let unbounded = 1 << 3
        let state = try FRIProverState(
            layer0: layer0, offset: .generator, logArities: Self.logArities, injections: injected,
            remainderLength: unbounded, salted: false, transcript: &transcript)
        XCTAssertFalse(state.remainder[Self.remainderLength...].allSatisfy(\.isZero))
        let run = try Self.run(
            state, layer0: layer0, injections: injected, sending: Array(state.remainder.prefix(Self.remainderLength)),
            remainderLength: Self.remainderLength, salted: false)
        let first = FRISchedule.foldedPositions(run.positions, logArities: run.logArities)[3][0]
        assertThrows(.remainderMismatch(position: first)) { try run.verify() }
    }

    func testAnInjectionSizeOffTheScheduleIsRefused() throws {
        let sizes = [9, 8, 6, 3]
        // 7 is passed through by the binary folds of fold 2 but never the output of a fold; 12 is layer 0's size
        // and 2 is below the remainder.
        for logSize in [7, 12, 2] {
            let (layer0, injected) = Self.functions(
                seed: 2, layer0Degree: Self.degree, injections: Self.honestInjections + [(logSize, 1)])
            var transcript = Transcript(domain: "fri-injection-tests")
            let before = transcript.state
            assertThrows(.injectionNotOnSchedule(injection: 3, logSize: logSize, foldedLogSizes: sizes)) {
                _ = try FRIProverState(
                    layer0: layer0, offset: .generator, logArities: Self.logArities, injections: injected,
                    remainderLength: Self.remainderLength, salted: false, transcript: &transcript)
            }
            XCTAssertEqual(transcript.state, before, "a refused run must leave the transcript alone")

            var run = try Self.prove()
            run.injected.append(FRIInjectedValues(logSize: logSize, values: [:]))
            assertThrows(.injectionNotOnSchedule(injection: 3, logSize: logSize, foldedLogSizes: sizes)) {
                try run.verify()
            }
        }
    }

    func testAnInjectionOfTheWrongLengthIsRefusedByTheProver() {
        var (layer0, injected) = Self.functions(seed: 3, layer0Degree: Self.degree, injections: Self.honestInjections)
        injected[0].values.removeLast()
        var transcript = Transcript(domain: "fri-injection-tests")
        assertThrows(.injectionLength(injection: 0, expected: 256, found: 255)) {
            _ = try FRIProverState(
                layer0: layer0, offset: .generator, logArities: Self.logArities, injections: injected,
                remainderLength: Self.remainderLength, salted: false, transcript: &transcript)
        }
    }

    func testATamperedLayerOpeningIsRefused() throws {
        for layer in 0..<Self.logArities.count {
            var run = try Self.prove()
            // A coset is sent without its queried values, so the first row that has a value left.
            let row = try XCTUnwrap(run.openings[layer].rows.firstIndex { !$0.isEmpty })
            run.openings[layer].rows[row][0] += .one
            assertThrows(.layerMismatch(layer: layer)) { try run.verify() }
        }
    }

    func testOpenedCosetsLeaveOutExactlyTheQueriedValues() throws {
        let run = try Self.prove()
        // Layer ℓ's known positions are the distinct cosets of layer ℓ − 1 (layer 0's, the queries).
        var known = run.positions.count
        for (layer, r) in run.logArities.enumerated() {
            let opening = run.openings[layer]
            XCTAssertEqual(opening.rows.reduce(0) { $0 + $1.count }, opening.rows.count * (1 << r) - known)
            known = opening.rows.count
        }
        // A prover who sends a coset whole, its queried value included, is refused by the row's width.
        var whole = run
        let p = run.positions[0]
        let r = run.logArities[0]
        whole.openings[0].rows[0].insert(run.values[0], at: p & ((1 << r) - 1))
        let sent = run.openings[0].rows[0].count
        assertThrows(.openingRowWidth(layer: 0, row: 0, expected: sent, found: sent + 1)) { try whole.verify() }
        // Positions are a set the verifier hands over in order: repeated or unordered ones are refused.
        var repeated = run
        repeated.positions.insert(run.positions[0], at: 1)
        repeated.values.insert(run.values[0], at: 1)
        assertThrows(.positionsNotIncreasing) { try repeated.verify() }
        // A prover who leaves out a value the verifier does not know is refused by the width too.
        var short = run
        short.openings[2].rows[0].removeLast()
        let count = run.openings[2].rows[0].count
        assertThrows(.openingRowWidth(layer: 2, row: 0, expected: count, found: count - 1)) { try short.verify() }
    }

    func testLayerListsThatDoNotNumberTheSameAreRefused() throws {
        let run = try Self.prove()
        var fewerBetas = run
        fewerBetas.betas.removeLast()
        assertThrows(.layerCount(roots: 4, openings: 4, challenges: 3)) { try fewerBetas.verify() }
        var fewerRoots = run
        fewerRoots.roots.removeLast()
        assertThrows(.layerCount(roots: 3, openings: 4, challenges: 4)) { try fewerRoots.verify() }
        var moreOpenings = run
        moreOpenings.openings.append(run.openings[0])
        assertThrows(.layerCount(roots: 4, openings: 5, challenges: 4)) { try moreOpenings.verify() }
        var shortSchedule = run
        shortSchedule.logArities.removeLast()
        assertThrows(.scheduleLength(arities: 3, roots: 4)) { try shortSchedule.verify() }
        var fewerValues = run
        fewerValues.values.removeLast()
        assertThrows(.layerCount(roots: 4, openings: 4, challenges: 4)) { try fewerValues.verify() }
    }

    /// The verifier's own schedule and sizes must fit: checked before anything is opened.
    func testSchedulesThatDoNotFitAreRefused() throws {
        let run = try Self.prove()
        var tooFar = run
        tooFar.logArities = [3, 3, 3, 4]
        assertThrows(.invalidSchedule(logLayer0Size: 12, logArities: [3, 3, 3, 4])) { try tooFar.verify() }
        var zero = run
        zero.logArities = [3, 0, 3, 3]
        assertThrows(.invalidSchedule(logLayer0Size: 12, logArities: [3, 0, 3, 3])) { try zero.verify() }
        var longRemainder = run
        longRemainder.remainderLength = 9
        longRemainder.remainder += [Fp](repeating: .zero, count: 7)
        assertThrows(.remainderLengthOutOfRange(remainderLength: 9, domainSize: 8)) { try longRemainder.verify() }

        var transcript = Transcript(domain: "fri-injection-tests")
        assertThrows(.layer0Size(3)) {
            _ = try FRIProverState(
                layer0: [.one, .one, .one], offset: .generator, logArities: [1], injections: [], remainderLength: 1,
                salted: false, transcript: &transcript)
        }
        assertThrows(.invalidSchedule(logLayer0Size: 2, logArities: [])) {
            _ = try FRIProverState(
                layer0: [.one, .one, .one, .one], offset: .generator, logArities: [], injections: [],
                remainderLength: 1, salted: false, transcript: &transcript)
        }
    }
}
