import RV32IM
import XCTest

/// Instruction semantics on hand-written programs; the differential tests cover the same ground at scale.
final class InterpreterTests: XCTestCase {
    func testInitialState() throws {
        let m = try machine(sysExit())
        XCTAssertEqual(m.pc, 0)
        XCTAssertEqual(m.register(2), AddressSpace.stackTop)
        XCTAssertEqual(
            m.registers.enumerated().filter { $0.offset != 2 }.map(\.element), Array(repeating: 0, count: 31))
        XCTAssertNil(m.exitCode)
        XCTAssertEqual(m.cycles, 0)
    }

    func testZeroRegisterIgnoresWrites() throws {
        let m = try runGuest(
            [ins(.addi, zero, zero, imm: 5), ins(.lui, zero, imm: 0x7000), ins(.add, t0, zero, zero)]
                + sysExit())
        XCTAssertEqual(m.register(0), 0)
        XCTAssertEqual(m.register(5), 0)
    }

    func testArithmeticAndShifts() throws {
        let m = try runGuest(
            li(t0, 0x8000_0001) + li(t1, 33) + [
                ins(.sll, 7, t0, t1),  // shift by 33 & 31 = 1
                ins(.srl, 8, t0, t1),
                ins(.sra, 9, t0, t1),
                ins(.srai, 18, t0, imm: 31),
                ins(.slli, 19, t0, imm: 0),
                ins(.slt, 20, t0, t1),
                ins(.sltu, 21, t0, t1),
                ins(.sltiu, 22, t1, imm: -1),  // -1 sign-extends to 0xffffffff, compared unsigned
                ins(.slti, 23, t0, imm: 0),
                ins(.sub, 24, zero, t0),
                ins(.auipc, 25, imm: 0x1000),
            ] + sysExit())
        XCTAssertEqual(m.register(7), 0x0000_0002)
        XCTAssertEqual(m.register(8), 0x4000_0000)
        XCTAssertEqual(m.register(9), 0xc000_0000)
        XCTAssertEqual(m.register(18), 0xffff_ffff)
        XCTAssertEqual(m.register(19), 0x8000_0001)
        XCTAssertEqual(m.register(20), 1)
        XCTAssertEqual(m.register(21), 0)
        XCTAssertEqual(m.register(22), 1)
        XCTAssertEqual(m.register(23), 1)
        XCTAssertEqual(m.register(24), 0x7fff_ffff)
        XCTAssertEqual(m.register(25), 0x1000 + 4 * 14)
    }

    func testMultiplyAndDivideEdgeCases() throws {
        let minimum: UInt32 = 0x8000_0000
        let minusOne: UInt32 = 0xffff_ffff
        let cases: [(Opcode, UInt32, UInt32, UInt32)] = [
            (.div, 7, 0, minusOne), (.divu, 7, 0, minusOne), (.rem, 7, 0, 7), (.remu, 7, 0, 7),
            (.div, minimum, minusOne, minimum), (.rem, minimum, minusOne, 0),
            (.div, UInt32(bitPattern: -7), 2, UInt32(bitPattern: -3)), (.rem, UInt32(bitPattern: -7), 2, minusOne),
            (.divu, minusOne, 2, 0x7fff_ffff), (.remu, minusOne, 2, 1),
            (.mul, minusOne, minusOne, 1), (.mulh, minusOne, minusOne, 0), (.mulhu, minusOne, minusOne, 0xffff_fffe),
            (.mulhsu, minusOne, minusOne, minusOne), (.mulh, minimum, minimum, 0x4000_0000),
            (.mulhsu, minimum, minusOne, 0x8000_0000), (.mulhu, minimum, 2, 1),
        ]
        for (op, a, b, expected) in cases {
            let m = try runGuest(li(t0, a) + li(t1, b) + [ins(op, t2, t0, t1)] + sysExit())
            XCTAssertEqual(m.register(7), expected, "\(op) \(a) \(b)")
        }
    }

    func testLoadsExtendAndStoresWriteLittleEndian() throws {
        let data: UInt32 = 0x0001_0000
        let m = try runGuest(
            li(s0, data) + li(t0, 0x80ff_7f01) + [
                ins(.sw, 0, s0, t0, imm: 0),
                ins(.lb, 10, s0, imm: 3), ins(.lbu, 11, s0, imm: 3), ins(.lb, 12, s0, imm: 1),
                ins(.lh, 13, s0, imm: 2), ins(.lhu, 14, s0, imm: 2), ins(.lh, 15, s0, imm: 0),
                ins(.lw, 16, s0, imm: 0),
                ins(.sb, 0, s0, t0, imm: 5), ins(.sh, 0, s0, t0, imm: 10),
            ] + [ins(.addi, a7, imm: 93), ins(.ecall)])
        XCTAssertEqual(m.register(10), 0xffff_ff80)
        XCTAssertEqual(m.register(11), 0x80)
        XCTAssertEqual(m.register(12), 0x7f)
        XCTAssertEqual(m.register(13), 0xffff_80ff)
        XCTAssertEqual(m.register(14), 0x80ff)
        XCTAssertEqual(m.register(15), 0x7f01)
        XCTAssertEqual(m.register(16), 0x80ff_7f01)
        XCTAssertEqual(m.peek(data, count: 12), [0x01, 0x7f, 0xff, 0x80, 0, 0x01, 0, 0, 0, 0, 0x01, 0x7f])
    }

    func testJumpsAndLinks() throws {
        // 0: jal ra, +8 (skips 4) ; 4: addi t0, t0, 1 ; 8: auipc t1, 0 ; 12: jalr t2, 9(t1) → 8 + 9 = 17, bit 0
        // cleared → 16 ; 16: addi t0, t0, 10 ; then exit.
        let m = try runGuest(
            [
                ins(.jal, ra, imm: 8), ins(.addi, t0, t0, imm: 1), ins(.auipc, t1), ins(.jalr, t2, t1, imm: 9),
                ins(.addi, t0, t0, imm: 10),
            ] + sysExit())
        XCTAssertEqual(m.register(1), 4)
        XCTAssertEqual(m.register(5), 10)
        XCTAssertEqual(m.register(7), 16)
    }

    func testJalrReadsSourceBeforeWritingLink() throws {
        let m = try runGuest(li(t0, 16) + [ins(.jalr, t0, t0, imm: 0), ins(.ebreak)] + sysExit())
        XCTAssertEqual(m.register(5), 12)
    }

    func testBranches() throws {
        let cases: [(Opcode, UInt32, UInt32, Bool)] = [
            (.beq, 5, 5, true), (.bne, 5, 5, false), (.blt, 0xffff_ffff, 0, true), (.bltu, 0xffff_ffff, 0, false),
            (.bge, 0, 0xffff_ffff, true), (.bgeu, 0, 0xffff_ffff, false), (.bge, 3, 3, true), (.bgeu, 3, 3, true),
        ]
        for (op, a, b, taken) in cases {
            let m = try runGuest(
                li(t0, a) + li(t1, b) + [ins(op, 0, t0, t1, imm: 8), ins(.addi, t2, imm: 1)] + sysExit())
            XCTAssertEqual(m.register(7), taken ? 0 : 1, "\(op) \(a) \(b)")
        }
    }

    func testFenceIsANoOp() throws {
        let m = try runGuest([ins(.fence), ins(.addi, t0, imm: 1)] + sysExit())
        XCTAssertEqual(m.register(5), 1)
        XCTAssertEqual(m.cycles, 5)
    }

    // MARK: - Faults

    func testMisalignedJumpsFault() throws {
        try assertFault([ins(.jal, imm: 6)], .misalignedJump(pc: 0, target: 6))
        try assertFault([ins(.addi, t0, imm: 2), ins(.jalr, 0, t0, imm: 0)], .misalignedJump(pc: 4, target: 2))
        try assertFault([ins(.beq, imm: 10)], .misalignedJump(pc: 0, target: 10))
        // A branch that is not taken does not check its target.
        let m = try runGuest([ins(.addi, t0, imm: 1), ins(.beq, 0, t0, 0, imm: 10)] + sysExit())
        XCTAssertEqual(m.exitCode, 0)
    }

    func testMisalignedAccessesFault() throws {
        try assertFault(li(s0, 0x1_0001) + [ins(.lw, t0, s0)], .misalignedAccess(pc: 8, address: 0x1_0001, width: 4))
        try assertFault(li(s0, 0x1_0002) + [ins(.sw, 0, s0, t0)], .misalignedAccess(pc: 8, address: 0x1_0002, width: 4))
        try assertFault(li(s0, 0x1_0001) + [ins(.lhu, t0, s0)], .misalignedAccess(pc: 8, address: 0x1_0001, width: 2))
        try assertFault(li(s0, 0x1_0003) + [ins(.sh, 0, s0, t0)], .misalignedAccess(pc: 8, address: 0x1_0003, width: 2))
    }

    func testIllegalInstructionsAndBreakpoints() throws {
        try assertFault([ins(.addi), Instruction(op: .illegal)], .illegalInstruction(pc: 4, word: 0))
        try assertFault([ins(.ebreak)], .breakpoint(pc: 0))
        let image = le([0x0000_0013, 0x3000_2573])  // nop; csrrs a0, mstatus, zero
        let m = try Machine(program: try Program(bytes: image))
        XCTAssertThrowsError(try m.run()) {
            XCTAssertEqual($0 as? RV32IMError, .illegalInstruction(pc: 4, word: 0x3000_2573))
        }
        XCTAssertEqual(m.pc, 4)
        XCTAssertEqual(m.cycles, 1)
        // The error persists: running again reports the same fault.
        XCTAssertThrowsError(try m.run()) {
            XCTAssertEqual($0 as? RV32IMError, .illegalInstruction(pc: 4, word: 0x3000_2573))
        }
    }

    func testFetchOnlyFromExecutableSegments() throws {
        // Jump into a non-executable data segment.
        let code = le([0x0002_00b7, 0x0000_8067])  // lui ra, 0x20 ; jalr zero, 0(ra)
        let program = try Program(
            segments: [
                Segment(address: 0x1_0000, size: 8, data: code, executable: true),
                Segment(address: 0x2_0000, size: 8, data: le([0x13, 0x13]), executable: false),
            ], entry: 0x1_0000)
        let m = try Machine(program: program)
        XCTAssertThrowsError(try m.run()) { XCTAssertEqual($0 as? RV32IMError, .fetchOutsideCode(pc: 0x2_0000)) }
        // Running off the end of the code.
        try assertFault([ins(.addi)], .fetchOutsideCode(pc: 4))
    }

    func testZeroFilledTailOfCodeSegmentHoldsIllegalWords() throws {
        let program = try Program(
            segments: [Segment(address: 0x1_0000, size: 64, data: le([0x13]), executable: true)], entry: 0x1_0000)
        let m = try Machine(program: program)
        XCTAssertThrowsError(try m.run()) {
            XCTAssertEqual($0 as? RV32IMError, .illegalInstruction(pc: 0x1_0004, word: 0))
        }
    }

    func testCodeIsReadOnly() throws {
        // The raw image is one executable segment: a store anywhere in it faults before it writes, whatever the
        // width, and whether or not the word would run again.
        try assertFault(
            li(t0, 0x0010_0093) + [ins(.sw, 0, zero, t0, imm: 16), ins(.addi), ins(.addi)],
            .storeIntoCode(pc: 8, address: 16))
        try assertFault([ins(.sb, 0, zero, zero, imm: 3)] + sysExit(), .storeIntoCode(pc: 0, address: 3))
        try assertFault([ins(.sh, 0, zero, zero, imm: 14)] + sysExit(), .storeIntoCode(pc: 0, address: 14))
        // Just past the image is ordinary memory.
        let m = try runGuest([ins(.sw, 0, zero, zero, imm: 16)] + sysExit())
        XCTAssertEqual(m.exitCode, 0)
        // Loads from code are fine.
        let l = try runGuest([ins(.lw, a0, zero, zero, imm: 4)] + sysExit())
        XCTAssertEqual(l.register(Int(a0)), 0)  // sysExit's `addi a0, x0, 0` overwrote the loaded word
    }

    func testCodeIsReadOnlyToTheEndOfItsSegmentWordByWord() throws {
        // Five instructions, then a zero-filled tail of 6 bytes: the words at 0x10000...0x10018 hold bytes of the
        // executable segment (the last one only two), so all of them are read-only; 0x1001c is ordinary memory.
        func storeByte(at offset: Int32) throws -> Machine {
            let text = le(([ins(.lui, t0, imm: 0x1_0000), ins(.sb, 0, t0, zero, imm: offset)] + sysExit()).map(\.encoded))
            let segment = Segment(address: 0x1_0000, size: UInt32(text.count) + 6, data: text, executable: true)
            return try Machine(program: try Program(segments: [segment], entry: 0x1_0000))
        }
        for offset: Int32 in [0, 21, 25, 27] {
            XCTAssertThrowsError(try storeByte(at: offset).run(), "offset \(offset)") {
                XCTAssertEqual($0 as? RV32IMError, .storeIntoCode(pc: 0x1_0004, address: 0x1_0000 + UInt32(offset)))
            }
        }
        XCTAssertEqual(try storeByte(at: 28).run().exitCode, 0)
    }
}
