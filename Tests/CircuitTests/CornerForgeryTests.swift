import AIR
import Circuit
import Field
import Proof
import Prover
import RV32IM
import Verifier
import XCTest

/// The three corners where the circuit once proved what the machine never does, each rebuilt as the cheating prover
/// that found it: the machine refuses the program, so the prover runs a twin that the machine accepts (same
/// instructions at the same addresses but for one operand) and builds the trace from the forging program's own
/// instructions and register values. The circuit must reject what comes out, and the verifier the proof made from
/// it without the prover's own check.
final class CornerForgeryTests: XCTestCase {
    private static let (t1, a0, a1, a2, a7): (UInt8, UInt8, UInt8, UInt8, UInt8) = (6, 10, 11, 12, 17)

    private static func ins(
        _ op: Opcode, _ rd: UInt8 = 0, _ rs1: UInt8 = 0, _ rs2: UInt8 = 0, _ imm: Int32 = 0
    ) -> Instruction {
        Instruction(op: op, rd: rd, rs1: rs1, rs2: rs2, imm: UInt32(bitPattern: imm))
    }

    /// `rd = value` in two instructions, whatever the value, so that twins keep their layout.
    private static func li(_ rd: UInt8, _ value: UInt32) -> [Instruction] {
        let low = Int32(bitPattern: value << 20) >> 20
        return [Instruction(op: .lui, rd: rd, imm: value &- UInt32(bitPattern: low)), ins(.addi, rd, rd, 0, low)]
    }

    typealias Forgery = CircuitWitness

    /// The forging program's witness from the twin's execution.
    private static func forge(
        _ program: Program, twin: Program, input: [UInt8] = [], buffer: UInt32? = nil
    ) throws -> Forgery {
        var trace = try Machine(program: twin, input: input).trace()
        // The forging program's read goes to its own buffer.
        if let buffer, let i = trace.events.firstIndex(where: { $0.kind == .input }) { trace.events[i].address = buffer }
        // A tamper hook, even one that changes nothing, turns off the builder's cross-check against the machine.
        return try Forgery(program: program, trace: trace, _tamper: { _, _, _ in })
    }

    private func failures(_ f: Forgery) throws -> [String] { try f.failures() }

    private func assertProofRejected(_ f: Forgery, _ name: String) throws { f.assertRejected(name) }

    // MARK: - 1. Link value past 2^32

    /// JAL at 0xfffffffc would link 2^32, which is not a register value; a read whose length register held it
    /// returned bytes where the machine returns none. No program can put code there: the loader refuses it, and
    /// the verifier derives the program table only through the loader.
    func testCodeInTheLastWordIsRefused() throws {
        let jal = Self.ins(.jal, 1, 0, 0, -0xffc).encoded
        let text = (0..<1024).flatMap { i -> [UInt8] in
            let word = i == 1023 ? jal : Self.ins(.addi).encoded
            return [UInt8(word & 0xff), UInt8(word >> 8 & 0xff), UInt8(word >> 16 & 0xff), UInt8(word >> 24)]
        }
        let top = Segment(address: 0xffff_f000, size: 0x1000, data: text, executable: true)
        XCTAssertThrowsError(try Program(segments: [top], entry: 0xffff_f000)) {
            XCTAssertEqual($0 as? RV32IMError, .codeAtTopOfMemory(index: 0))
        }
        // One word lower, a JAL links 2^32 − 4, a 32-bit value like any other: it runs and its witness holds.
        let code = [
            Self.ins(.jal, 0, 0, 0, 0x18),  // 0xffffffe0: to 0xfffffff8
            Self.ins(.addi, Self.a0, 1, 0, 0),  // a0 = ra
            Self.ins(.addi, Self.a7, 0, 0, 93), Self.ins(.ecall), Self.ins(.addi), Self.ins(.addi),
            Self.ins(.jal, 1, 0, 0, -0x14),  // 0xfffffff8: back to 0xffffffe4, ra = 0xfffffffc
        ].flatMap { i -> [UInt8] in
            let w = i.encoded
            return [UInt8(w & 0xff), UInt8(w >> 8 & 0xff), UInt8(w >> 16 & 0xff), UInt8(w >> 24)]
        }
        let program = try Program(
            segments: [Segment(address: 0xffff_ffe0, size: UInt32(code.count), data: code, executable: true)],
            entry: 0xffff_ffe0)
        let trace = try Machine(program: program).trace()
        XCTAssertEqual(trace.result.exitCode, 0xffff_fffc)
        let honest = try Forgery(program: program, trace: trace)
        XCTAssertEqual(try failures(honest), [])
    }

    // MARK: - 2. Stores into code

    /// A program that stores `addi a0, x0, 42` over `addi a0, x0, 7` and runs that word: the machine refuses the
    /// store; the forged trace runs the word as loaded and exits 7.
    func testStoreIntoCodeIsRejected() throws {
        func program(storeAt address: Int32) throws -> Program {
            try Program(
                instructions: Self.li(Self.t1, Self.ins(.addi, Self.a0, 0, 0, 42).encoded) + [
                    Self.ins(.sw, 0, 0, Self.t1, address),  // pc 8
                    Self.ins(.addi, Self.a7, 0, 0, 93),
                    Self.ins(.addi, Self.a0, 0, 0, 7),  // pc 16: the word overwritten
                    Self.ins(.ecall),
                ])
        }
        let forging = try program(storeAt: 16)
        XCTAssertThrowsError(try Machine(program: forging).run()) {
            XCTAssertEqual($0 as? RV32IMError, .storeIntoCode(pc: 8, address: 16))
        }
        let twin = try program(storeAt: 0x400)
        XCTAssertEqual(try Machine(program: twin).run().exitCode, 7)
        let forgery = try Self.forge(forging, twin: twin)
        XCTAssertEqual(forgery.inputs[0], Fp(7))
        // Every rule within and between rows holds; only the memory argument, where code is marked read-only,
        // has no tuple for the store to take, so the buses' running sum does not close.
        XCTAssertEqual(try failures(forgery), ["buses.sum_balances", "memory unbalanced"])
        try assertProofRejected(forgery, "store into code")
    }

    /// A read into code is a byte store on its I/O row: the same mark stops it.
    func testReadIntoCodeIsRejected() throws {
        func program(buffer: UInt32) throws -> Program {
            try Program(
                instructions: [Self.ins(.addi, Self.a7, 0, 0, 63), Self.ins(.addi, Self.a0, 0, 0, 0)]
                    + Self.li(Self.a1, buffer) + [
                        Self.ins(.addi, Self.a2, 0, 0, 4), Self.ins(.ecall),  // pc 20: read(0, buffer, 4)
                        Self.ins(.addi, Self.a7, 0, 0, 93), Self.ins(.addi, Self.a0, 0, 0, 3), Self.ins(.ecall),
                    ])
        }
        let input: [UInt8] = [0x13, 0x05, 0x30, 0x00]
        let forging = try program(buffer: 28)  // the word of `addi a0, x0, 3`
        XCTAssertThrowsError(try Machine(program: forging, input: input).run()) {
            XCTAssertEqual($0 as? RV32IMError, .storeIntoCode(pc: 20, address: 28))
        }
        let forgery = try Self.forge(forging, twin: try program(buffer: 0x800), input: input, buffer: 28)
        XCTAssertEqual(try failures(forgery), ["buses.sum_balances", "memory unbalanced"])
    }

    // MARK: - 3. System-call buffers past the end of memory

    /// `read(0, 0xfffff000, 0x10000)` then `exit(5)`: the machine refuses the buffer whatever the input; the forged
    /// trace reads nothing and exits 5.
    func testBufferPastTheEndOfMemoryIsRejected() throws {
        func program(length: UInt32) throws -> Program {
            try Program(
                instructions: [Self.ins(.addi, Self.a7, 0, 0, 63), Self.ins(.addi, Self.a0, 0, 0, 0)]
                    + Self.li(Self.a1, 0xffff_f000) + Self.li(Self.a2, length) + [
                        Self.ins(.ecall),  // pc 24
                        Self.ins(.addi, Self.a7, 0, 0, 93), Self.ins(.addi, Self.a0, 0, 0, 5), Self.ins(.ecall),
                    ])
        }
        let forging = try program(length: 0x1_0000)
        XCTAssertThrowsError(try Machine(program: forging).run()) {
            XCTAssertEqual($0 as? RV32IMError, .bufferOutOfRange(pc: 24, address: 0xffff_f000, length: 0x1_0000))
        }
        let twin = try program(length: 0x100)
        XCTAssertEqual(try Machine(program: twin).run().exitCode, 5)
        let forgery = try Self.forge(forging, twin: twin)
        XCTAssertEqual(try failures(forgery), ["buffer_in_memory"])
        try assertProofRejected(forgery, "buffer past the end of memory")
        // The largest buffer that fits, a1 + a2 = 2^32, is fine, and so is an empty one at address 0.
        for (buffer, length): (UInt32, UInt32) in [(0xffff_f000, 0x1000), (0, 0)] {
            let fits = try Program(
                instructions: [Self.ins(.addi, Self.a7, 0, 0, 63), Self.ins(.addi, Self.a0, 0, 0, 0)]
                    + Self.li(Self.a1, buffer) + Self.li(Self.a2, length) + [
                        Self.ins(.ecall), Self.ins(.addi, Self.a7, 0, 0, 93), Self.ins(.ecall),
                    ])
            let trace = try Machine(program: fits, input: [1, 2]).trace()
            let honest = try Forgery(program: fits, trace: trace)
            XCTAssertEqual(try failures(honest), [], "read(0, \(buffer), \(length))")
        }
    }
}

/// Completeness at the edge: every word of code takes a row of the memory's closing table, which has as many rows
/// as that needs, whatever the segments' size: a short run of a program with 2 MiB of code (zero-filled tail
/// included) proves, its closing table 2^20 rows.
final class CodeSizeLimitTests: XCTestCase {
    func testHugeCodeGetsAClosingTableOfItsSize() throws {
        let exit = [
            Instruction(op: .addi, rd: 17, imm: 93), Instruction(op: .addi, rd: 10), Instruction(op: .ecall),
        ].flatMap { i -> [UInt8] in
            let w = i.encoded
            return [UInt8(w & 0xff), UInt8(w >> 8 & 0xff), UInt8(w >> 16 & 0xff), UInt8(w >> 24)]
        }
        let segment = Segment(address: 0x1_0000, size: 2 << 20, data: exit, executable: true)
        let program = try Program(segments: [segment], entry: 0x1_0000)
        let trace = try Machine(program: program).trace()
        XCTAssertEqual(trace.rows.count, 3)
        let witness = try CircuitWitness(program: program, trace: trace)
        // The segment has the fewest rows; its lookup table its 2^16.
        XCTAssertEqual(witness.table.rowCount, 1 << TraceBuilder.minLogRows)
        XCTAssertEqual(witness.lookups.rowCount, 1 << 16)
        XCTAssertEqual(witness.execution.memory.rowCount, 1 << 20)
        XCTAssertEqual(try witness.failures(), [])
    }
}
