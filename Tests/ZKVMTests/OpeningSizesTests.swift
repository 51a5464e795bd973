import Field
import Hashing
import XCTest
import ZKVM

final class OpeningSizesTests: XCTestCase {
    /// The openings listed commitment by commitment are the receipt's opening bytes: they add up to the "trace
    /// openings" and "FRI layer openings" sections less their length prefixes and presence flags, every proof lists
    /// its commitments in order, and each opening's values fill its rows.
    func testOpeningsAddUpToTheReceiptsOpeningSections() throws {
        for receipt in [try Fixtures.hello.get(), try Fixtures.segmentedFibonacci.get()] {
            let sizes = receipt.openingSizes
            let sections = Dictionary(uniqueKeysWithValues: receipt.sections.map { ($0.name, $0.byteCount) })
            var prefixes = 0
            for proof in receipt.segmentProofs {
                let mixed = [proof.boundaryOpening, proof.mainOpening, proof.auxOpening, proof.compositionOpening]
                    .compactMap { $0 }
                // Per commitment: the classes' list; per class the rows' list and each row's, the salts' list; the
                // nodes' list.
                prefixes += mixed.reduce(0) { total, o in
                    total + 4 + o.rows.reduce(0) { $0 + 4 + 4 * $1.count + 4 } + 4
                }
                // Per FRI layer: the rows' list and each row's, the salts' list, the nodes' list.
                prefixes += proof.friOpenings.reduce(0) { $0 + 4 + 4 * $1.rows.count + 4 + 4 }
                // The two presence flags (boundary, auxiliary) and the FRI layers' list.
                prefixes += 2 + 4
            }
            XCTAssertEqual(
                sizes.reduce(0) { $0 + $1.total } + prefixes,
                sections["trace openings"]! + sections["FRI layer openings"]!)
            let names = receipt.segmentProofs.indices.map { "segment \($0 + 1)" }
            XCTAssertEqual(sizes.map(\.proof).reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }, names)
            for s in sizes {
                // A commitment to one table (or an FRI layer) opens rows of one width; one to several opens each
                // table at its own rows.
                // An FRI layer's rows leave out the values the verifier computes, one at least in each coset.
                if s.commitment.hasPrefix("FRI") {
                    let full = s.rows * s.width * Fp.byteCount
                    XCTAssertLessThanOrEqual(s.valueBytes, full, "\(s.proof) \(s.commitment)")
                    XCTAssertGreaterThan(s.valueBytes, 0, "\(s.proof) \(s.commitment)")
                }
                XCTAssertEqual(s.valueBytes % Fp.byteCount, 0)
                XCTAssertEqual(s.saltBytes % Salt.byteCount, 0)
                XCTAssertEqual(s.nodeBytes % Digest.merkleByteCount, 0)
            }
            // A one-segment receipt's proof, proven alone, has its boundary columns in its main commitment.
            let commitments = ["main", "auxiliary", "composition"]
            let expected = receipt.segmentProofs.count == 1 ? commitments + ["FRI layer 0"] : ["boundary"] + commitments
            XCTAssertEqual(sizes.filter { $0.proof == "segment 1" }.map(\.commitment).prefix(4), ArraySlice(expected))
        }
    }
}
