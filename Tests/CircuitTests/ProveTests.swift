import AIR
import Circuit
import Field
import Proof
import Prover
import RV32IM
import Verifier
import XCTest

final class CircuitProveTests: XCTestCase {
    func testHelloProvesAndVerifies() throws {
        let (program, input) = try loadExample("hello")
        let trace = try Machine(program: program, input: input).trace()
        let (table, inputs) = try TraceBuilder.witness(program: program, trace: trace)
        let entries = CircuitStatement.publicBusEntries(program: program, journal: trace.result.journal)
        let clock = ContinuousClock()
        // The main columns kept, then computed a coset at a time.
        for limit in [ProverOptions.defaultMainExtensionMemoryLimit, 0] {
            let start = clock.now
            let proof = try prove(
                air: CPUCircuit.air, trace: table, publicInputs: inputs, publicBusEntries: entries,
                options: ProverOptions(
                    parameters: Profile.test.parameters, mainExtensionMemoryLimit: limit,
                    progress: { print("  \($0): \($1) s") }))
            print("hello: proved in \(clock.now - start), \(proof.encoded().count) bytes")
            try verify(
                proof: proof, air: CPUCircuit.air, publicInputs: inputs, publicBusEntries: entries,
                policy: VerifierPolicy(minimumProvenBits: 0))
            // A different journal is a different statement.
            var journal = trace.result.journal
            journal[0] ^= 1
            XCTAssertThrowsError(
                try verify(
                    proof: proof, air: CPUCircuit.air, publicInputs: inputs,
                    publicBusEntries: CircuitStatement.publicBusEntries(program: program, journal: journal),
                    policy: VerifierPolicy(minimumProvenBits: 0)))
            // A changed opened main row is not what was committed.
            var tampered = proof
            tampered.mainOpening.rows[0][3] += .one
            XCTAssertThrowsError(
                try verify(
                    proof: tampered, air: CPUCircuit.air, publicInputs: inputs, publicBusEntries: entries,
                    policy: VerifierPolicy(minimumProvenBits: 0)))
        }
    }
}
