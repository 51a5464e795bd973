import FRI
import Field
import XCTest

/// The verifier folds one opened coset at a time (`Folding.foldCoset`); the prover folds whole layers
/// (`Folding.foldLayer`). The two must agree at every position, for every arity.
final class FoldingTests: XCTestCase {
    func testACosetFoldsToTheValueTheWholeLayerFoldsTo() {
        var rng = SeededGenerator(seed: 77)
        let logSize = 8
        let offset = Fp(7)
        let layer = (0..<(1 << logSize)).map { _ in Fp.random(using: &rng) }
        let beta = Fp.random(using: &rng)
        for logArity in 0...5 {
            var folded = layer
            var (o, b) = (offset, beta)
            for _ in 0..<logArity {
                folded = Folding.foldLayer(folded, offset: o, beta: b)
                (o, b) = (o.squared, b.squared)
            }
            let arity = 1 << logArity
            let rows = folded.indices.map { c in Array(layer[c * arity..<(c + 1) * arity]) }
            XCTAssertEqual(
                Folding.foldCosets(rows, cosets: Array(folded.indices), logSize: logSize, offset: offset, beta: beta),
                folded, "arity \(arity), every coset at once")
            for c in folded.indices {
                let coset = Array(layer[c * arity..<(c + 1) * arity])
                XCTAssertEqual(
                    Folding.foldCoset(coset, coset: c, logSize: logSize, offset: offset, beta: beta), folded[c],
                    "arity \(arity), coset \(c)")
            }
        }
    }

    /// A point from the roots of unity's table is the root raised by squaring, at every position.
    func testPointsArePowersOfTheRoot() {
        let offset = Fp(11)
        for (logSize, rootLogOrder) in [(0, 0), (1, 1), (5, 5), (5, 7), (12, 12)] {
            let root = Fp.rootOfUnity(logOrder: rootLogOrder)
            for position in Set([0, 1, (1 << logSize) / 3, (1 << logSize) - 1]) where position < 1 << logSize {
                let natural = UInt64(reverseBits(position, width: logSize))
                XCTAssertEqual(
                    Folding.point(position: position, logSize: logSize, offset: offset, rootLogOrder: rootLogOrder),
                    offset * root.power(natural), "2^\(logSize) points, root of order 2^\(rootLogOrder), \(position)")
            }
        }
    }

    /// The remainder's values at the last layer's positions are the same from one transform of the layer and from
    /// evaluating it at each position, for remainders shorter and longer than the layer.
    func testTheRemainderIsTheSameFromTheWholeLayerOrAtEachPosition() {
        var rng = SeededGenerator(seed: 78)
        for (logSize, length) in [(0, 1), (3, 2), (6, 64), (6, 100), (11, 512)] {
            let remainder = (0..<length).map { _ in Fp.random(using: &rng) }
            let positions = Array(Set((0..<20).map { _ in Int.random(in: 0..<(1 << logSize), using: &rng) })).sorted()
            let offset = Fp.random(using: &rng)
            func values(wholeLayer: Bool) -> [Fp] {
                FRIVerifier.remainderValues(
                    remainder, at: positions, logSize: logSize, offset: offset, wholeLayer: wholeLayer)
            }
            XCTAssertEqual(
                values(wholeLayer: true), values(wholeLayer: false), "2^\(logSize) points, \(length) coefficients")
        }
    }
}
