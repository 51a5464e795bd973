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
}
