import Field
import XCTest

final class NTTTests: XCTestCase {
    private func randomVector(_ n: Int, seed: UInt64) -> [Fp] {
        var rng = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Fp.random(using: &rng) }
    }

    /// Horner's rule: the definition the transforms must agree with.
    private func naiveEvaluate(_ coefficients: [Fp], at x: Fp) -> Fp {
        coefficients.reversed().reduce(Fp.zero) { $0 * x + $1 }
    }

    func testForwardAgreesWithNaiveEvaluation() {
        for log in 0...8 {
            let n = 1 << log
            let coefficients = randomVector(n, seed: UInt64(log))
            var values = coefficients
            NTT.forward(&values)
            let domain = Domain(logSize: log)
            for i in 0..<n {
                XCTAssertEqual(values[i], naiveEvaluate(coefficients, at: domain.element(i)), "n = \(n), i = \(i)")
            }
            XCTAssertEqual(Polynomial(coefficients: coefficients).evaluate(at: domain.element(n - 1)), values[n - 1])
        }
    }

    func testExtremeValuesSurviveTheLazyButterflies() {
        // The butterflies keep values below 2p and reduce at the end; inputs at the top of the range push every
        // intermediate towards its bound. Sizes above 2^14 take the wide, memory-sweeping stages too.
        let top = Fp.zero - .one
        for log in [1, 2, 3, 5, 10, 15, 16] {
            let n = 1 << log
            let vectors: [[Fp]] = [
                [Fp](repeating: top, count: n),
                (0..<n).map { $0 % 2 == 0 ? top : .zero },
                (0..<n).map { $0 == n - 1 ? top : .one },
            ]
            let domain = Domain(logSize: log)
            for (v, coefficients) in vectors.enumerated() {
                var values = coefficients
                NTT.forward(&values)
                for i in Set([0, 1 % n, n / 2, n - 1, (n * 5) / 7]) {
                    XCTAssertEqual(
                        values[i], naiveEvaluate(coefficients, at: domain.element(i)), "2^\(log), vector \(v), \(i)")
                }
                NTT.inverse(&values)
                XCTAssertEqual(values, coefficients, "2^\(log), vector \(v)")
            }
        }
    }

    func testRoundTripsAtManySizes() {
        for log in [1, 2, 3, 7, 10, 13, 16] {
            let original = randomVector(1 << log, seed: 100 + UInt64(log))
            var v = original
            NTT.forward(&v)
            XCTAssertNotEqual(v, original)
            NTT.inverse(&v)
            XCTAssertEqual(v, original, "size 2^\(log)")
            var w = original
            NTT.inverse(&w, parallel: true)
            NTT.forward(&w, parallel: true)
            XCTAssertEqual(w, original, "parallel, size 2^\(log)")
        }
    }

    func testParallelAndBatchAgreeWithSerial() {
        let columns = (0..<5).map { randomVector(1 << 14, seed: 200 + UInt64($0)) }
        var batch = columns
        NTT.forward(columns: &batch)
        for (c, column) in columns.enumerated() {
            var serial = column
            NTT.forward(&serial)
            var parallel = column
            NTT.forward(&parallel, parallel: true)
            XCTAssertEqual(batch[c], serial)
            XCTAssertEqual(parallel, serial)
        }
        NTT.inverse(columns: &batch)
        XCTAssertEqual(batch, columns)
    }

    func testWideStagesSplitAcrossCoresAgreeWithTheDefinition() {
        // At 2^16 the first stages sweep the whole array in units split between the cores, so a core's range can
        // start inside a block, past the unit whose factors are 1 (which the kernel computes apart).
        let log = 16
        let coefficients = randomVector(1 << log, seed: 300)
        var serial = coefficients
        NTT.forward(&serial)
        var parallel = coefficients
        NTT.forward(&parallel, parallel: true)
        XCTAssertEqual(parallel, serial)
        let domain = Domain(logSize: log)
        for i in [0, 1, 2, 3, 4, 5, 1 << 13, (1 << 13) + 1, 1 << 15, (1 << 16) - 1, 40_503] {
            XCTAssertEqual(serial[i], naiveEvaluate(coefficients, at: domain.element(i)), "entry \(i)")
        }
    }

    func testCosetLowDegreeExtensionMatchesNaiveEvaluation() {
        let n = 64
        let blowup = 4
        let trace = randomVector(n, seed: 300)
        let traceDomain = Domain(logSize: 6)
        let coefficients = NTT.interpolate(evaluations: trace, on: traceDomain)
        // The interpolant really passes through the trace.
        for i in 0..<n { XCTAssertEqual(naiveEvaluate(coefficients, at: traceDomain.element(i)), trace[i]) }

        let lde = NTT.lowDegreeExtension(trace, blowup: blowup, offset: .generator)
        let ldeDomain = Domain(logSize: 8, offset: .generator)
        XCTAssertEqual(lde.count, n * blowup)
        for i in 0..<lde.count {
            XCTAssertEqual(lde[i], naiveEvaluate(coefficients, at: ldeDomain.element(i)), "LDE point \(i)")
        }
        // No LDE point lies in the trace domain: x^n = 1 exactly on the trace domain.
        XCTAssertFalse(ldeDomain.elements.contains { $0.power(UInt64(n)) == .one })
        XCTAssertEqual(
            NTT.lowDegreeExtension(columns: [trace, trace], blowup: blowup, offset: .generator), [lde, lde])

        // Interpolating the LDE on its coset gives back the same polynomial, padded with zeros.
        let back = NTT.interpolate(evaluations: lde, on: ldeDomain)
        XCTAssertEqual(Array(back[0..<n]), coefficients)
        XCTAssertTrue(back[n...].allSatisfy { $0.isZero })
    }

    func testOneCosetIsTheForwardTransformWithoutItsPermutation() {
        for log in [0, 1, 4, 15] {
            let coefficients = randomVector(1 << log, seed: 400 + UInt64(log))
            var natural = coefficients
            NTT.forward(&natural)
            var reversed = NTT.evaluateBitReversed(
                columns: [coefficients], on: Domain(logSize: log), logCosetSize: log)[0]
            for p in reversed.indices {
                XCTAssertEqual(reversed[p], natural[reverseBits(p, width: log)], "size 2^\(log), entry \(p)")
            }
            NTT.permuteBitReversed(&reversed)
            XCTAssertEqual(reversed, natural)
        }
    }

    func testCosetWiseEvaluationIsTheBitReversedEvaluation() {
        // Polynomials shorter and longer than a coset (the long ones fold modulo X^m − 1), cosets from one point
        // up to the whole domain.
        let columns = [randomVector(40, seed: 500), randomVector(64 + 9, seed: 501), randomVector(200, seed: 502)]
        let domain = Domain(logSize: 8, offset: .generator)
        for logCoset in [0, 3, 6, 8] {
            let values = NTT.evaluateBitReversed(columns: columns, on: domain, logCosetSize: logCoset)
            for (c, coefficients) in columns.enumerated() {
                XCTAssertEqual(values[c].count, 256)
                for p in [0, 1, 2, 63, 64, 100, 128, 255] {
                    let x = domain.element(reverseBits(p, width: 8))
                    XCTAssertEqual(
                        values[c][p], naiveEvaluate(coefficients, at: x), "coset 2^\(logCoset), column \(c), entry \(p)"
                    )
                }
            }
        }
        // The first M' entries are the subdomain of size M': here the first 64 evaluate on offset·⟨ω_64⟩.
        let full = NTT.evaluateBitReversed(columns: [columns[0]], on: domain, logCosetSize: 4)[0]
        var small = NTT.evaluate(coefficients: columns[0], on: Domain(logSize: 6, offset: .generator))
        NTT.permuteBitReversed(&small)
        XCTAssertEqual(Array(full[0..<64]), small)
    }

    func testOneCosetAloneIsItsRunOfTheBitReversedEvaluation() {
        let columns = [randomVector(40, seed: 510), randomVector(64 + 9, seed: 511), randomVector(200, seed: 512)]
        let domain = Domain(logSize: 8, offset: .generator)
        let logCoset = 6
        let all = NTT.evaluateBitReversed(columns: columns, on: domain, logCosetSize: logCoset)
        for c in 0..<4 {
            let outputs = columns.map { _ in UnsafeMutablePointer<Fp>.allocate(capacity: 64) }
            defer { outputs.forEach { $0.deallocate() } }
            NTT.evaluateCoset(c, columns: columns, on: domain, logCosetSize: logCoset, into: outputs)
            for i in columns.indices {
                XCTAssertEqual(
                    Array(UnsafeBufferPointer(start: outputs[i], count: 64)), Array(all[i][c * 64..<(c + 1) * 64]))
            }
        }
    }

    func testPrunedEvaluationGivesTheEntriesAskedFor() {
        // Few positions (pruned blocks), dense ones (the full kernel inside a block), repeats, every coset.
        let columns = [
            randomVector(1 << 10, seed: 520), randomVector((1 << 10) + 7, seed: 521), randomVector(3, seed: 522),
        ]
        let domain = Domain(logSize: 12, offset: .generator)
        let all = NTT.evaluateBitReversed(columns: columns, on: domain, logCosetSize: 10)
        var rng = SeededGenerator(seed: 523)
        let sparse = (0..<40).map { _ in Int.random(in: 0..<4096, using: &rng) }
        for positions in [[], [0], [4095], sparse, sparse + sparse, Array(1024..<1200), [7, 6, 2048, 2049, 7]] {
            let found = NTT.evaluateBitReversed(columns: columns, on: domain, logCosetSize: 10, at: positions)
            for i in columns.indices {
                XCTAssertEqual(found[i], positions.map { all[i][$0] }, "column \(i), positions \(positions.prefix(4))…")
            }
        }
    }

    func testInterpolationFromTheFirstCosetsInvertsTheEvaluation() {
        // Any number of cosets, powers of two or not, on domains of 8 and 16 cosets.
        for (logDomain, logCoset) in [(9, 6), (10, 6)] {
            let domain = Domain(logSize: logDomain, offset: .generator)
            for r in [1, 2, 3, 4, 5, 7, 8] {
                let coefficients = randomVector(r << logCoset, seed: 600 + UInt64(r))
                let values = NTT.evaluateBitReversed(columns: [coefficients], on: domain, logCosetSize: logCoset)[0]
                let back = NTT.interpolateBitReversed(
                    Array(values[..<(r << logCoset)]), cosets: r, on: domain, logCosetSize: logCoset,
                    parallel: r % 2 == 1)
                XCTAssertEqual(back, coefficients, "\(r) cosets of 2^\(logCoset) in 2^\(logDomain)")
            }
        }
        // Values that are not of low enough degree give other coefficients: a changed value changes the result.
        let domain = Domain(logSize: 8, offset: .generator)
        let coefficients = randomVector(3 << 5, seed: 610)
        var values = Array(
            NTT.evaluateBitReversed(columns: [coefficients], on: domain, logCosetSize: 5)[0][..<(3 << 5)])
        values[70] += .one
        XCTAssertNotEqual(NTT.interpolateBitReversed(values, cosets: 3, on: domain, logCosetSize: 5), coefficients)
    }

    func testInterpolationFromCosetsAndTheFirstPointsOfTheNextInvertsTheEvaluation() {
        // r − 1 whole cosets of 2^6 and the first ℓ points of coset r − 1: any polynomial of degree < (r − 1)·64 + ℓ.
        let domain = Domain(logSize: 9, offset: .generator)
        for r in [1, 2, 3, 4, 8] {
            for l in [1, 2, 16, 32, 64] {
                let count = (r - 1) * 64 + l
                let coefficients = randomVector(count, seed: 620 + UInt64(r * 100 + l))
                let values = NTT.evaluateBitReversed(columns: [coefficients], on: domain, logCosetSize: 6)[0]
                let back = NTT.interpolateBitReversed(
                    Array(values[..<count]), cosets: r, lastPoints: l, on: domain, logCosetSize: 6,
                    parallel: r % 2 == 0)
                XCTAssertEqual(back, coefficients, "\(r) cosets, \(l) points of the last")
            }
        }
        // A value off the polynomial gives other coefficients, one of them at or above the degree bound.
        let coefficients = randomVector(2 * 64 + 10, seed: 640)
        var values = Array(
            NTT.evaluateBitReversed(columns: [coefficients], on: domain, logCosetSize: 6)[0][..<(2 * 64 + 16)])
        values[2 * 64 + 3] += .one
        let back = NTT.interpolateBitReversed(values, cosets: 3, lastPoints: 16, on: domain, logCosetSize: 6)
        XCTAssertTrue(back[(2 * 64 + 10)...].contains { !$0.isZero })
    }

    func testEvaluationOnASmallerCosetMatchesTheFirstPointsOfTheLayout() {
        // The first ℓ entries of coset c in the layout are shift_c·⟨ω_ℓ⟩ in bit-reversed order.
        let domain = Domain(logSize: 9, offset: .generator)
        let columns = [randomVector(150, seed: 650), randomVector(64, seed: 651), randomVector(3, seed: 652)]
        let all = NTT.evaluateBitReversed(columns: columns, on: domain, logCosetSize: 7)
        for c in 0..<4 {
            for logL in [0, 3, 7] {
                let shift = NTT.cosetShift(c, cosets: 4, of: domain)
                let found = NTT.evaluateBitReversed(columns: columns, shift: shift, logSize: logL)
                for i in columns.indices {
                    XCTAssertEqual(
                        found[i], Array(all[i][(c << 7)..<((c << 7) + (1 << logL))]), "coset \(c), 2^\(logL)")
                }
            }
        }
    }

    func testDomainVanishingPolynomial() {
        let domain = Domain(logSize: 5, offset: Fp(7))
        for x in domain.elements { XCTAssertTrue(domain.vanishing(at: x).isZero) }
        XCTAssertFalse(domain.vanishing(at: Fp(7) * Fp(7)).isZero)
    }
}

final class PolynomialTests: XCTestCase {
    /// Every length, so that each way the coefficients fall into the four interleaved chains is covered, against
    /// the sum Σ c_i·x^i term by term; and lengths split into a run per core, evenly or with a longer last run.
    func testEvaluationMatchesTheSumOfTerms() {
        var rng = SeededGenerator(seed: 401)
        let x = Fp.random(using: &rng)
        for count in Array(0...21) + [1000, 1003, 1 << 14, (1 << 14) + 3, (3 << 13) + 1] {
            let c = (0..<count).map { _ in Fp.random(using: &rng) }
            var sum = Fp.zero
            var power = Fp.one
            for v in c {
                sum += v * power
                power *= x
            }
            XCTAssertEqual(Polynomial(coefficients: c).evaluate(at: x), sum, "\(count) coefficients")
        }
    }

    func testArithmeticAndLinearDivision() {
        var rng = SeededGenerator(seed: 400)
        let a = Polynomial(coefficients: (0..<9).map { _ in Fp.random(using: &rng) })
        let b = Polynomial(coefficients: (0..<5).map { _ in Fp.random(using: &rng) })
        let x = Fp.random(using: &rng)
        XCTAssertEqual((a * b).evaluate(at: x), a.evaluate(at: x) * b.evaluate(at: x))
        XCTAssertEqual((a + b).evaluate(at: x), a.evaluate(at: x) + b.evaluate(at: x))
        XCTAssertEqual((a * Fp(5)).evaluate(at: x), a.evaluate(at: x) * Fp(5))
        XCTAssertEqual((a * b).degree, 12)
        XCTAssertEqual(Polynomial(coefficients: [.zero, .zero]).degree, -1)

        let z = Fp.random(using: &rng)
        let (q, r) = a.divided(byLinear: z)
        XCTAssertEqual(r, a.evaluate(at: z))
        // a(X) = q(X)·(X − z) + r
        XCTAssertEqual(a.evaluate(at: x), q.evaluate(at: x) * (x - z) + r)
        XCTAssertEqual(q.degree, 7)
    }
}
