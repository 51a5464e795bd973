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
    /// one-factor prover gave them before it was written as the general form (made again when the Merkle trees'
    /// digests became 26 bytes, and when the openings left out the queried values, which the verifier computes).
    static let pinned = [
        (
            "1565967f4b4a81748b3845183b2b1108a1a4954c09d13c645d04d7b296560ccb",
            "68476c53626d4dac2a594090c232e9fe7b3979a5bc75bce0719f2d14fc5ed8fc"
        ),
        (
            "005690ad6139c0c36f61adac99d1e454ea721b180739efac1a2a5994f9664862",
            "b54956f3aaaa144ebfb14b94a899f828f8607e56481587ff3ac3a7e2cb129b9d"
        ),
        (
            "3bb0fea56e01b4b39fb021d79dd655bca386a2b3dbfe78fca4fb2e1e5296e690",
            "a3ca57ae9fd91ef0452c4e6fbdfab1267a81085f6b9b7e7ffb0694450da088bc"
        ),
        (
            "282ae33ad77eab9fa8101eb462b31479540634b80efbfc6970607b99d76bd7f1",
            "ee088cb1a76564a14dc6505bb1e668c17d1c69c4db3744842285af3ed9253e6d"
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
                    XCTAssertEqual(error as? FRIError, .layerMismatch(layer: 0))
                }
            }
        }
    }
}
