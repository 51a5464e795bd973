import AIR
import ExampleAIRs
import Field
import Proof
import Prover
import Verifier
import XCTest

/// A prover that skips its own constraint check and proves a corrupted trace must be caught by the verifier.
final class CheatingProverTests: XCTestCase {
    private func cheat(air: AIR, trace: TraceTable, publicInputs: [Fp], parameters: ProofParameters) -> VerifierError? {
        do {
            let proof = try prove(
                air: air, trace: trace, publicInputs: publicInputs,
                options: ProverOptions(parameters: parameters, _skipConstraintCheck: true))
            try verify(proof: proof, air: air, publicInputs: publicInputs, policy: lenient)
            return nil
        } catch let error as VerifierError {
            return error
        } catch ProverError.shape(let error) {
            // Parameters that do not fit the trace prove nothing: that would be a broken test, not a rejection.
            XCTFail("\(air.name): \(error)")
            return nil
        } catch {
            // The prover itself could not go on (e.g. a zero denominator): nothing was accepted.
            return .malformedProof("prover: \(error)")
        }
    }

    func testOneCorruptedCellInEachColumnIsRejected() throws {
        var rejected = 0
        let cases: [(AIR, TraceTable, [Fp])] = [
            (FibonacciAIR.air, FibonacciAIR.trace(rows: 128).trace, FibonacciAIR.trace(rows: 128).publicInputs),
            (
                RescueShapedAIR.air, RescueShapedAIR.trace(rows: 128).trace,
                RescueShapedAIR.trace(rows: 128).publicInputs
            ),
            (RangeCheckAIR(bits: 6).air, RangeCheckAIR(bits: 6).trace(values: Array(0..<128).map { $0 % 64 }), []),
        ]
        var rng = SeededGenerator(seed: 77)
        var reasons: [Substring: Int] = [:]
        for (air, trace, inputs) in cases {
            for column in 0..<air.mainColumns.count {
                for parameters in [Profile.test.parameters, smallZK] {
                    var bad = trace
                    let row = Int(rng.next() % UInt64(trace.rowCount))
                    bad.columns[column][row] += .one
                    let error = cheat(air: air, trace: bad, publicInputs: inputs, parameters: parameters)
                    XCTAssertNotNil(error, "\(air.name): column \(column), row \(row) accepted")
                    if let error { reasons["\(error)".prefix(24), default: 0] += 1 }
                    rejected += 1
                }
            }
        }
        print("cheating prover: \(rejected) corrupted traces, all rejected: \(reasons)")
    }

    func testALayer0ThatIsNotTheDEEPCompositionIsRejectedAtLayer0() throws {
        // Layer 0 shifted by a constant is still of low degree, so FRI alone would accept it: only the check of each
        // queried value against the opened columns catches it.
        let (trace, inputs) = RescueShapedAIR.trace(rows: 128)
        for parameters in [Profile.test.parameters, smallZK] {
            var options = ProverOptions(parameters: parameters)
            options._alterLayer0 = { layer0 in
                for i in layer0.indices { layer0[i] += .one }
            }
            let proof = try prove(air: RescueShapedAIR.air, trace: trace, publicInputs: inputs, options: options)
            XCTAssertThrowsError(
                try verify(proof: proof, air: RescueShapedAIR.air, publicInputs: inputs, policy: lenient)
            ) { error in
                guard case .fri(.layerMismatch(layer: 0)) = error as? VerifierError else {
                    return XCTFail("rejected by \(error), not by the layer-0 check")
                }
            }
            // The honest twin verifies.
            let honest = try prove(
                air: RescueShapedAIR.air, trace: trace, publicInputs: inputs,
                options: ProverOptions(parameters: parameters))
            try verify(proof: honest, air: RescueShapedAIR.air, publicInputs: inputs, policy: lenient)
        }
    }
}
