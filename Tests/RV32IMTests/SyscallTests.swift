import RV32IM
import XCTest

final class SyscallTests: XCTestCase {
    let buffer: UInt32 = 0x2_0000

    func testReadCopiesInputAndReportsEnd() throws {
        // Three reads of 4: "abcd", "ef" (2 left), then 0 at the end; results kept in s0, s1, t2.
        let program =
            sysRead(address: buffer, length: 4) + [ins(.addi, s0, a0)]
            + sysRead(address: buffer + 4, length: 4) + [ins(.addi, s1, a0)]
            + sysRead(address: buffer + 8, length: 4) + [ins(.addi, t2, a0)]
            + sysWrite(fd: 1, address: buffer, length: 6) + sysExit(3)
        let m = try runGuest(program, input: Array("abcdef".utf8))
        XCTAssertEqual([m.register(8), m.register(9), m.register(7)], [4, 2, 0])
        XCTAssertEqual(m.journal, Array("abcdef".utf8))
        XCTAssertEqual(m.exitCode, 3)
    }

    func testWriteToJournalAndLog() throws {
        let program =
            li(t0, 0x6948_6f79) + [ins(.sw, 0, zero, t0, imm: 0x400)]
            + sysWrite(fd: 1, address: 0x400, length: 2) + [ins(.addi, s0, a0)]
            + sysWrite(fd: 2, address: 0x402, length: 2) + sysWrite(fd: 1, address: 0x400, length: 0) + sysExit()
        let m = try runGuest(program)
        XCTAssertEqual(m.journal, Array("yo".utf8))
        XCTAssertEqual(m.log, Array("Hi".utf8))
        XCTAssertEqual(m.register(8), 2)
    }

    func testExitGroupAndFullExitCode() throws {
        let m = try runGuest(li(a0, 0xdead_beef) + [ins(.addi, a7, imm: 94), ins(.ecall)])
        XCTAssertEqual(m.exitCode, 0xdead_beef)
        XCTAssertEqual(m.cycles, 4)
        XCTAssertEqual(m.pc, 12)
        // An exited machine returns the same result again and steps no further.
        let again = try m.run()
        XCTAssertEqual(again.cycles, 4)
        XCTAssertNil(try m.step())
    }

    func testUnsupportedCallsNameThePC() throws {
        try assertFault([ins(.addi, a7, imm: 57), ins(.ecall)], .unsupportedSyscall(pc: 4, number: 57))
        try assertFault([ins(.ecall)], .unsupportedSyscall(pc: 0, number: 0))
        try assertFault(
            [ins(.addi, a7, imm: 63), ins(.addi, a0, imm: 3), ins(.ecall)],
            .badFileDescriptor(pc: 8, syscall: 63, fd: 3))
        try assertFault(
            [ins(.addi, a7, imm: 64), ins(.addi, a0, imm: 0), ins(.ecall)],
            .badFileDescriptor(pc: 8, syscall: 64, fd: 0))
        try assertFault(
            sysWrite(fd: 1, address: 0xffff_fff0, length: 32),
            .bufferOutOfRange(pc: 20, address: 0xffff_fff0, length: 32))
    }

    func testReadIntoCodeFaults() throws {
        try assertFault(
            sysRead(address: 24, length: 4) + [ins(.addi)], .storeIntoCode(pc: 20, address: 24), input: [0x13, 0, 0, 0])
        try assertFault(
            sysRead(address: 8, length: 4) + [ins(.addi)], .storeIntoCode(pc: 20, address: 8), input: [1])
        // Only the bytes actually moved count: with the input used up, a read into code moves nothing.
        let m = try runGuest(sysRead(address: 8, length: 4) + sysExit(), input: [])
        XCTAssertEqual(m.exitCode, 0)
    }

    func testBuffersPastTheEndOfMemoryFaultWhateverTheCount() throws {
        // The buffer is checked as a whole (buf + len ≤ 2^32) before a byte moves, even when no byte would.
        try assertFault(
            sysRead(address: 0xffff_f000, length: 0x7ff) + [ins(.addi, a2, a2, imm: 0x7ff), ins(.addi, a2, a2, imm: 0x7ff)]
                + [ins(.ecall)] + sysExit(5),
            .bufferOutOfRange(pc: 32, address: 0xffff_f000, length: 0x7ff * 3), input: [])
    }

    func testErrorMessagesNameWhatToDo() {
        XCTAssertEqual(
            RV32IMError.illegalInstruction(pc: 0x1_0074, word: 0x3000_2573).description,
            "illegal instruction 0x30002573 at pc 0x00010074 (not RV32IM)")
        XCTAssertEqual(
            RV32IMError.misalignedAccess(pc: 0x10, address: 0x2_0001, width: 4).description,
            "misaligned 4-byte access at pc 0x00000010 to address 0x00020001")
        XCTAssertEqual(
            RV32IMError.unsupportedSyscall(pc: 0x20, number: 57).description,
            "unsupported syscall 57 at pc 0x00000020 (supported: 63 read, 64 write, 93/94 exit)")
        XCTAssertEqual(
            RV32IMError.cycleLimitExceeded(limit: 1000).description,
            "cycle limit of 1000 reached before the guest called exit; raise it with --max-cycles (Limits.maxCycles)")
        XCTAssertTrue(RV32IMError.pageLimitExceeded(limit: 8).description.contains("--max-pages"))
        XCTAssertTrue(RV32IMError.inputTooLarge(size: 9, limit: 8).description.contains("--max-input-bytes"))
        XCTAssertTrue(RV32IMError.outputLimitExceeded(limit: 8).description.contains("--max-output-bytes"))
    }
}

final class LimitTests: XCTestCase {
    func testCycleLimitStopsAnInfiniteLoop() throws {
        let limits = Limits(maxCycles: 1000)
        try assertFault([ins(.jal, imm: 0)], .cycleLimitExceeded(limit: 1000), limits: limits)
        let m = try machine([ins(.jal, imm: 0)], limits: limits)
        XCTAssertThrowsError(try m.run())
        XCTAssertEqual(m.cycles, 1000)
        // A guest that exits on exactly the last allowed cycle is fine.
        let exact = try machine(sysExit(), limits: Limits(maxCycles: 3))
        XCTAssertEqual(try exact.run().cycles, 3)
    }

    func testInputLimit() {
        XCTAssertThrowsError(try machine(sysExit(), input: [1, 2, 3], limits: Limits(maxInputBytes: 2))) {
            XCTAssertEqual($0 as? RV32IMError, .inputTooLarge(size: 3, limit: 2))
        }
    }

    func testPageLimitCountsEveryTouchedPage() throws {
        // Walk down from 0x10000 one page at a time, loading a word from each; the image is page 0.
        let loop =
            li(s0, 0x1_0000) + [
                ins(.lw, t0, s0), ins(.addi, s0, s0, imm: -2048), ins(.addi, s0, s0, imm: -2048),
                ins(.jal, imm: -12),
            ]
        let m = try machine(loop, limits: Limits(maxPages: 8))
        XCTAssertThrowsError(try m.run()) { XCTAssertEqual($0 as? RV32IMError, .pageLimitExceeded(limit: 8)) }
        XCTAssertEqual(m.pagesTouched, 8)
        // The loaded image itself must fit.
        XCTAssertThrowsError(
            try Machine(program: try Program(bytes: [UInt8](repeating: 0x13, count: 8193)), limits: Limits(maxPages: 2))
        ) {
            XCTAssertEqual($0 as? RV32IMError, .pageLimitExceeded(limit: 2))
        }
    }

    func testOutputLimit() throws {
        let program = sysWrite(fd: 2, address: 0, length: 100) + sysWrite(fd: 1, address: 0, length: 100) + sysExit()
        try assertFault(program, .outputLimitExceeded(limit: 150), limits: Limits(maxOutputBytes: 150))
    }
}
