import FRI
import Field
import Hashing
import XCTest

/// The one-factor entry points are the general form with a uniform schedule and nothing injected: they give the
/// same roots, remainder, transcript and openings, and the same as before the general form existed.
final class FRIUniformTests: XCTestCase {
    /// (log folding factor, committed layers after layer 0, log₂ N, remainder length), each layer 0 of degree N/4.
    static let configurations = [(1, 3, 6, 4), (2, 1, 8, 4), (3, 0, 9, 16), (3, 1, 11, 8)]

    /// The transcript state after the commit phase, and a hash of the openings of positions 1, 5 and 17, as the
    /// one-factor prover gave them before it was written as the general form.
    static let pinned = [
        (
            "8bf77eb5de7fb0f88f829a28be7e91827c8cbe5eedef30337a745048df6ec9e5",
            "fe2265ee82294b27923244da9ff71c897edd49e0c927b583d05ed7a239fc705e"
        ),
        (
            "cd79e71fed81f7aa49dc58e790bc65ecad7f99b952c1edc50a2d9a4fb79d8c52",
            "19f6237981df8d7c7a005e392230f3ae003a6dcd4e4c7ead7e9aea9e94b10e97"
        ),
        (
            "4ccf2c7172a133bb94b497ff1b0ea2a86a437536aa57ad5df233b43edf6adaf4",
            "ecae1b9595df70308d3daea6885e7e7cb654733965ac953d77abf99b1e4e371c"
        ),
        (
            "e8710e21c9ed43f23f7257d1d4643ff0e0669e6fa3e55dc4de4fa60c98e257e7",
            "603890202e6fcdcbe7bf055daa2d7457a8dd59e9dd6396813ecb1d72c57d5a80"
        ),
    ]

    static let queries = [1, 5, 17]

    static func layer0(logFoldingFactor r: Int, logN: Int) -> [Fp] {
        var rng = SeededGenerator(seed: UInt64(100 + r))
        let coefficients = (0..<(1 << (logN - 2))).map { _ in Fp.random(using: &rng) }
        var values = NTT.evaluate(coefficients: coefficients, on: Domain(logSize: logN, offset: .generator))
        NTT.permuteBitReversed(&values)
        return values
    }

    static func fingerprint(_ openings: [MerkleOpening]) -> Digest {
        var h = Transcript(domain: "openings")
        for opening in openings {
            for row in opening.rows { h.absorb("r", elements: row) }
            for node in opening.nodes { h.absorb("n", digest: node) }
        }
        return h.state
    }

    func testTheOneFactorProverIsTheGeneralOneAndUnchanged() throws {
        for ((r, layers, logN, remainderLength), (state, openings)) in zip(Self.configurations, Self.pinned) {
            let layer0 = Self.layer0(logFoldingFactor: r, logN: logN)
            var old = Transcript(domain: "fri-pin")
            let one = try FRIProverState(
                layer0: layer0, offset: .generator, logFoldingFactor: r, committedLayers: layers,
                remainderLength: remainderLength, salted: false, transcript: &old)
            var new = Transcript(domain: "fri-pin")
            let arities = try FRISchedule.arities(
                logLayer0Size: logN, stopAt: logN - (layers + 1) * r, maxLogArity: r, landingOn: [])
            XCTAssertEqual(arities, Array(repeating: r, count: layers + 1))
            let general = try FRIProverState(
                layer0: layer0, offset: .generator, logArities: arities, injections: [],
                remainderLength: remainderLength, salted: false, transcript: &new)

            XCTAssertEqual(one.roots, general.roots)
            XCTAssertEqual(one.remainder, general.remainder)
            XCTAssertEqual(old.state, new.state)
            XCTAssertEqual(one.open(queries: Self.queries), general.open(queries: Self.queries))
            XCTAssertEqual(old.state.description, state)
            XCTAssertEqual(Self.fingerprint(one.open(queries: Self.queries)).description, openings)
        }
    }

    func testBothVerifierEntryPointsAcceptAUniformRunAndRefuseATamperedOne() throws {
        for (r, layers, logN, remainderLength) in Self.configurations {
            let layer0 = Self.layer0(logFoldingFactor: r, logN: logN)
            var transcript = Transcript(domain: "fri-pin")
            let state = try FRIProverState(
                layer0: layer0, offset: .generator, logFoldingFactor: r, committedLayers: layers,
                remainderLength: remainderLength, salted: false, transcript: &transcript)
            var replay = Transcript(domain: "fri-pin")
            let betas = state.roots.map { root in
                replay.absorb("fri-root", digest: root)
                return replay.challenge("fri-fold")
            }
            func verify(_ values: [Fp], general: Bool) throws(FRIError) {
                let openings = state.open(queries: Self.queries)
                if general {
                    try FRIVerifier.verify(
                        positions: Self.queries, values: values, betas: betas, roots: state.roots,
                        openings: openings, remainder: state.remainder, remainderLength: remainderLength,
                        ldeSize: 1 << logN, offset: .generator, logArities: state.logArities, injected: [],
                        salted: false)
                } else {
                    try FRIVerifier.verify(
                        positions: Self.queries, values: values, betas: betas, roots: state.roots,
                        openings: openings, remainder: state.remainder, remainderLength: remainderLength,
                        ldeSize: 1 << logN, offset: .generator, logFoldingFactor: r, salted: false)
                }
            }
            let values = Self.queries.map { layer0[$0] }
            var wrong = values
            wrong[1] += .one
            for general in [false, true] {
                XCTAssertNoThrow(try verify(values, general: general))
                XCTAssertThrowsError(try verify(wrong, general: general)) { error in
                    XCTAssertEqual(error as? FRIError, .foldMismatch(layer: 0, position: Self.queries[1]))
                }
            }
        }
    }
}
