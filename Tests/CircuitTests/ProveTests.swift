import AIR
import Circuit
import Field
import Proof
import Prover
import RV32IM
import Verifier
import XCTest

final class CircuitProveTests: XCTestCase {
    /// The example proves in one segment and in several, each receipt accepted by the verifier; the same proofs
    /// claiming another journal are not.
    func testHelloProvesAndVerifies() throws {
        let (program, input) = try loadExample("hello")
        let trace = try Machine(program: program, input: input).trace()
        let witness = try CircuitWitness(program: program, trace: trace)
        let clock = ContinuousClock()
        let start = clock.now
        try witness.proveAndVerify()
        print("hello: proved and verified in \(clock.now - start)")
        // A different journal is a different statement.
        var other = witness
        other.journal[0] ^= 1
        other.assertRejected("another journal")
    }

    func testSegmentedExecutionProvesAndVerifies() throws {
        let (program, _) = try loadExample("fibonacci")
        let trace = try Machine(program: program, input: [0x2c, 0x01, 0, 0]).trace()
        let witness = try CircuitWitness(program: program, trace: trace, logSegmentRows: 11)
        XCTAssertEqual(witness.execution.segments.count, 2)
        try witness.proveAndVerify()
        // The same receipt claiming another exit code is rejected.
        var other = witness
        other.exitCode += 1
        other.assertRejected("another exit code")
    }
}
