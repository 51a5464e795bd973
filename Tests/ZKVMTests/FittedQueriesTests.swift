import Circuit
import Proof
import XCTest
import ZKVM

/// The prover fits each proof's query count to its shape (`ProveOptions.fitsQueries`): the fewest queries, at most
/// the profile's, that still give the default policy's 100 proven bits, plus a tenth of a bit.
final class FittedQueriesTests: XCTestCase {
    func testEachProofTakesTheFewestQueriesThatMeetThePolicy() throws {
        let program = try Examples.program("hello")
        let input = Array("world".utf8)
        let fitted = try prove(program: program, input: input)
        var options = ProveOptions.default
        options.fitsQueries = false
        let full = try prove(program: program, input: input, options: options)

        for (k, proof) in fitted.segmentProofs.enumerated() {
            let airs = k == fitted.segmentProofs.count - 1 ? LookupCircuit.lastSegmentAIRs : LookupCircuit.segmentAIRs
            let logs = proof.tables.map(\.logTraceLength)
            XCTAssertLessThan(proof.parameters.queryCount, Profile.default.parameters.queryCount)
            XCTAssertEqual(
                proof.parameters,
                BatchShape.fewestQueries(
                    Profile.default.parameters, reaching: ProveOptions.fittedProvenBits, airs: airs,
                    logTraceLengths: logs))
        }
        for proof in full.segmentProofs { XCTAssertEqual(proof.parameters, Profile.default.parameters) }

        for receipt in [fitted, full] {
            let statement = try verify(try Receipt(decoding: receipt.encoded()), expecting: program)
            XCTAssertEqual(statement.profile, .default)
            XCTAssertGreaterThanOrEqual(statement.provenBits, ProveOptions.fittedProvenBits)
        }
        XCTAssertLessThan(fitted.encoded().count, full.encoded().count)

        // The twin: one query fewer than the fitted count falls below the policy, and the verifier refuses it.
        var weaker = ProveOptions(parameters: fitted.segmentProofs[0].parameters)
        weaker.parameters.queryCount -= 1
        weaker.fitsQueries = false
        let weak = try prove(program: program, input: input, options: weaker)
        XCTAssertLessThan(weak.claim.provenBits, 100)
        XCTAssertThrowsError(try verify(weak, expecting: program)) { error in
            XCTAssertTrue("\(error)".contains("proven bits"), "\(error)")
        }
    }
}
