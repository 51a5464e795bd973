import Foundation
import XCTest
import ZKVM

/// Prove and verify real guests with the test profile; every accepted receipt has rejected twins beside it.
final class RoundTripTests: XCTestCase {
    // MARK: - hello

    func testHelloRoundTrip() throws {
        let receipt = try Fixtures.hello.get()
        let program = try Examples.program("hello")
        let statement = try verify(receipt, expecting: program.id, policy: acceptTestProofs)
        XCTAssertEqual(String(decoding: statement.journal, as: UTF8.self), "hello, world!\n")
        XCTAssertEqual(statement.exitCode, 0)
        XCTAssertEqual(statement.programID.hex, "09ac393fe013edb8bca61d4587651586876a312f490eee66e5a3964ec15451e0")
        // A segment of the fewest rows, 2^8: its byte and 16-bit tables are the lookup table's, beside it.
        XCTAssertEqual(statement.traceLength, 1 << 8)
        XCTAssertEqual(statement.segmentCount, 1)
        XCTAssertEqual(statement.segmentLength, 1 << 8)
        // hello touches fewer words than the closing table's least rows, 2^11.
        XCTAssertEqual(statement.memoryTableLength, 1 << 11)
        XCTAssertEqual(statement.profile, .test)
        XCTAssertEqual(statement.parameters, Profile.test.parameters)
        XCTAssertEqual(statement.circuitID, ZKVM.circuitID)
        XCTAssertEqual(statement.formatVersion, ReceiptFormat.version)
        XCTAssertEqual(statement.provenBits, 10, accuracy: 1)
        XCTAssertGreaterThan(statement.conjecturedBits, statement.provenBits)
        // The same through the encoding, and through the overload that takes the program.
        let decoded = try Receipt(decoding: receipt.encoded())
        XCTAssertEqual(try verify(decoded, expecting: program, policy: acceptTestProofs), statement)
        XCTAssertEqual(
            try verify(decoded, expecting: try ProgramID(hex: program.id.hex.uppercased()), policy: acceptTestProofs),
            statement)
    }

    func testHelloWithChangedJournalIsRejected() throws {
        var receipt = try Fixtures.hello.get()
        receipt.journal = Array("hello, WORLD!\n".utf8)
        assertVerificationFails(receipt, "hello")
        receipt.journal = Array("hello, world!".utf8)  // one byte short
        assertVerificationFails(receipt, "hello")
        receipt.journal = Array("hello, world!\n\n".utf8)  // one byte more
        assertVerificationFails(receipt, "hello")
    }

    func testHelloWithChangedExitCodeIsRejected() throws {
        var receipt = try Fixtures.hello.get()
        receipt.exitCode = 1
        assertVerificationFails(receipt, "hello") {
            guard case .statementMismatch = $0 else { return XCTFail("\($0)") }
        }
    }

    func testHelloUnderAnotherProgramIDIsRejected() throws {
        let receipt = try Fixtures.hello.get()
        let fibonacci = try Examples.program("fibonacci")
        XCTAssertThrowsError(try verify(receipt, expecting: fibonacci.id, policy: acceptTestProofs)) {
            XCTAssertEqual($0 as? ZKVMError, .programMismatch(expected: fibonacci.id, found: receipt.programID))
        }
        XCTAssertThrowsError(try verify(receipt, expecting: fibonacci, policy: acceptTestProofs)) {
            XCTAssertEqual($0 as? ZKVMError, .programMismatch(expected: fibonacci.id, found: receipt.programID))
        }
    }

    func testHelloProofWithSubstitutedProgramIsRejected() throws {
        // A receipt claiming fibonacci ran, carrying hello's proof: the program id matches what the verifier
        // expects, so only the STARK verifier can notice.
        var receipt = try Fixtures.hello.get()
        let fibonacci = try Examples.program("fibonacci")
        receipt.program = fibonacci
        XCTAssertThrowsError(try verify(receipt, expecting: fibonacci.id, policy: acceptTestProofs)) {
            guard case .verificationFailed = $0 as? ZKVMError else { return XCTFail("\($0)") }
        }
    }

    func testHelloIsRefusedByTheDefaultPolicy() throws {
        let receipt = try Fixtures.hello.get()
        XCTAssertThrowsError(try verify(receipt, expecting: receipt.programID)) {
            guard case .verificationFailed(.parametersRefused(let proven, let required)) = $0 as? ZKVMError else {
                return XCTFail("\($0)")
            }
            XCTAssertEqual(required, 100)
            XCTAssertLessThan(proven, 100)
        }
    }

    func testHelloWithTamperedProofIsRejected() throws {
        let receipt = try Fixtures.hello.get()
        // The proof's own fields, then the same tampering of the segment's table (0) and the memory table's (2).
        let proofTamperings: [(String, (inout BatchProof) -> Void)] = [
            ("proof-of-work nonce", { $0.proofOfWorkNonce ^= 1 }),
            ("main root", { $0.mainRoot = $0.compositionRoot }),
            ("boundary root", { $0.boundaryRoot = $0.mainRoot }),
        ]
        for (what, tamper) in proofTamperings {
            var tampered = receipt
            tamper(&tampered.segmentProofs[0])
            assertVerificationFails(tampered, "hello", what)
        }
        let tableTamperings: [(String, (inout BatchTablePart) -> Void)] = [
            ("out-of-domain value", { $0.outOfDomain.main[1] = $0.outOfDomain.main[0] }),
            ("global share", { $0.globalShares[0] = $0.outOfDomain.main[0] }),
        ]
        for (what, tamper) in tableTamperings {
            for t in [0, 2] {
                var tampered = receipt
                tamper(&tampered.segmentProofs[0].tables[t])
                assertVerificationFails(tampered, "hello", "table \(t): \(what)")
            }
        }
        // Public inputs the statement does not derive.
        var tampered = receipt
        tampered.segmentProofs[0].tables[0].publicInputs.swapAt(0, 1)
        assertVerificationFails(tampered, "hello")
        tampered = receipt
        tampered.segmentProofs[0].tables[2].publicInputs = tampered.segmentProofs[0].tables[0].publicInputs
        assertVerificationFails(tampered, "hello")
    }

    func testMissingOrSwappedProofsAreRejected() throws {
        let receipt = try Fixtures.hello.get()
        var swapped = receipt
        swapped.segmentProofs[0].tables.swapAt(0, 2)
        assertVerificationFails(swapped, "hello")
        var withoutMemory = receipt
        withoutMemory.segmentProofs[0].tables.removeLast()
        assertVerificationFails(withoutMemory, "hello") {
            guard case .malformedProof(let why) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(why.contains("the last with the memory's closing table too"), why)
        }
        var none = receipt
        none.segmentProofs = []
        assertVerificationFails(none, "hello") {
            XCTAssertEqual($0, .malformedProof("the receipt has no segment proof"))
        }
        XCTAssertEqual(none.claim.segmentCount, 0)
        var doubled = receipt
        doubled.segmentProofs += receipt.segmentProofs
        assertVerificationFails(doubled, "hello")
    }

    func testTraceLengthOutsideTheCircuitIsRejected() throws {
        let original = try Fixtures.hello.get()
        var receipt = original
        for log in [4, 7, 20, 23] {
            receipt.segmentProofs[0].tables[0].logTraceLength = log
            assertVerificationFails(receipt, "hello") {
                guard case .malformedProof(let why) = $0 else { return XCTFail("\($0)") }
                XCTAssertTrue(why.contains("one length in 2^8...2^19 rows, and at most 2^29 in all"), why)
            }
        }
        // A lookup table of another height than its 2^16 rows, or none.
        for log in [15, 17] {
            receipt = original
            receipt.segmentProofs[0].tables[1].logTraceLength = log
            assertVerificationFails(receipt, "hello") {
                guard case .malformedProof(let why) = $0 else { return XCTFail("\($0)") }
                XCTAssertTrue(why.contains("lookup table of 2^16 rows"), why)
            }
        }
        receipt = original
        receipt.segmentProofs[0].tables.remove(at: 1)
        assertVerificationFails(receipt, "hello") {
            guard case .malformedProof(let why) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(why.contains("lookup table of 2^16 rows"), why)
        }
        // Segments of two lengths.
        receipt = original
        receipt.segmentProofs.append(receipt.segmentProofs[0])
        receipt.segmentProofs[1].tables[0].logTraceLength += 1
        assertVerificationFails(receipt, "hello") {
            guard case .malformedProof(let why) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(why.contains("one length"), why)
        }
        // More rows in all than the circuit's clock counts: 2^11 segments of 2^19 rows.
        receipt = original
        receipt.segmentProofs[0].tables[0].logTraceLength = 19
        receipt.segmentProofs = Array(repeating: receipt.segmentProofs[0], count: 1 << 11)
        assertVerificationFails(receipt, "hello") {
            guard case .malformedProof(let why) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(why.contains("at most 2^29 in all"), why)
        }
        receipt = original
        receipt.segmentProofs[0].tables[2].logTraceLength = 10
        assertVerificationFails(receipt, "hello") {
            XCTAssertEqual($0, .malformedProof("the memory table's 2^10 rows are fewer than 2^11"))
        }
        XCTAssertEqual(maximumTraceRows, 1 << 29)
    }

    // MARK: - fibonacci

    func testFibonacciRoundTrip() throws {
        let receipt = try Fixtures.fibonacci.get()
        let statement = try verify(receipt, expecting: try Examples.program("fibonacci"), policy: acceptTestProofs)
        XCTAssertEqual(String(decoding: statement.journal, as: UTF8.self), "fib(20) mod 2^64 = 0x0000000000001a6d\n")
        XCTAssertEqual(statement.exitCode, 0)
    }

    func testFibonacciWithAnotherResultIsRejected() throws {
        var receipt = try Fixtures.fibonacci.get()
        receipt.journal = Array("fib(20) mod 2^64 = 0x0000000000001a6e\n".utf8)
        assertVerificationFails(receipt, "fibonacci")
        // The other receipt's journal and exit code, both valid for their own program.
        receipt = try Fixtures.fibonacci.get()
        receipt.journal = try Fixtures.hello.get().journal
        assertVerificationFails(receipt, "fibonacci")
    }

    func testProofsAreNotInterchangeable() throws {
        let hello = try Fixtures.hello.get()
        var receipt = try Fixtures.fibonacci.get()
        receipt.segmentProofs = hello.segmentProofs
        assertVerificationFails(receipt, "fibonacci")
        receipt = try Fixtures.fibonacci.get()
        receipt.segmentProofs[0].tables[2] = hello.segmentProofs[0].tables[2]
        assertVerificationFails(receipt, "fibonacci")
    }

    // MARK: - Proving errors

    func testGuestFaultIsReportedWithTheMachinesMessage() throws {
        // addi x0, x0, 0 ; ebreak
        let program = try Program(bytes: [0x13, 0, 0, 0, 0x73, 0, 0x10, 0])
        XCTAssertThrowsError(try prove(program: program, input: [], options: ProveOptions(profile: .test))) {
            XCTAssertEqual(
                ($0 as? ZKVMError)?.description,
                "EBREAK (instruction 0x00100073) at pc 0x00000004; there is no debugger to stop in (after 1 cycle)")
        }
    }

    func testEndlessGuestDidNotExit() throws {
        // jal x0, 0
        let program = try Program(bytes: [0x6f, 0, 0, 0])
        let options = ProveOptions(profile: .test, limits: Limits(maxCycles: 1000))
        XCTAssertThrowsError(try prove(program: program, input: [], options: options)) {
            XCTAssertEqual($0 as? ZKVMError, .didNotExit(cycleLimit: 1000))
        }
    }

    func testTooLongExecutionIsRefusedBeforeTracing() throws {
        // addi a0, a0, -1 ; bne a0, zero, -4 ; addi a7, zero, 93 ; ecall — with a0 = 2^28 at the start
        // (lui a0, 0x10000): 2^29 cycles, beyond what all of a receipt's segments hold, within a raised cycle limit.
        let words: [UInt32] = [0x1000_0537, 0xfff5_0513, 0xfe05_1ee3, 0x05d0_0893, 0x0000_0073]
        let program = try Program(bytes: words.flatMap(littleEndian))
        let options = ProveOptions(profile: .test, limits: Limits(maxCycles: 1 << 30))
        XCTAssertThrowsError(try prove(program: program, input: [], options: options)) {
            guard case .traceTooLong(let rows, let maximum) = $0 as? ZKVMError else { return XCTFail("\($0)") }
            XCTAssertEqual(maximum, maximumTraceRows)
            XCTAssertGreaterThan(rows, maximum)
        }
    }

    func testUnloadableProgramAndBadIDs() throws {
        XCTAssertThrowsError(try Program(bytes: [])) {
            XCTAssertEqual($0 as? ZKVMError, .invalidProgram(.emptyProgram))
        }
        XCTAssertThrowsError(try Program(contentsOf: "/nonexistent/guest.elf")) {
            XCTAssertEqual($0 as? ZKVMError, .cannotReadFile(path: "/nonexistent/guest.elf", reason: "no such file"))
        }
        for text in [
            "", "00", String(repeating: "g", count: 64), String(repeating: "0", count: 63),
            "0x" + String(repeating: "0", count: 64),
        ] {
            XCTAssertThrowsError(try ProgramID(hex: text)) { XCTAssertEqual($0 as? ZKVMError, .invalidProgramID(text)) }
        }
    }

    // MARK: - Helpers

    /// Asserts that `receipt` is rejected by the STARK verifier when the expected program is the example `name`,
    /// and hands the verifier's reason to `check`.
    private func assertVerificationFails(
        _ receipt: Receipt, _ name: String, _ message: String = "", file: StaticString = #filePath,
        line: UInt = #line, _ check: (VerifierError) -> Void = { _ in }
    ) {
        XCTAssertThrowsError(
            try verify(receipt, expecting: try Examples.program(name).id, policy: acceptTestProofs), message,
            file: file, line: line
        ) {
            guard case .verificationFailed(let reason) = $0 as? ZKVMError else {
                return XCTFail("expected a verification failure, got \($0) \(message)", file: file, line: line)
            }
            check(reason)
        }
    }
}
