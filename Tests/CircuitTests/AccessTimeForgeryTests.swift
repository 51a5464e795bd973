import AIR
import Circuit
import Field
import RV32IM
import XCTest

/// Cheating provers against the order of memory accesses. An access takes its address's tuple at the time
/// `time − 1 − lo − 2^16·hi`, from the two 16-bit halves of its gap (dMemLo, dMemHi and the register ports'), which
/// the range bus checks; there is no column for the previous time to forge. Each test re-threads one word's chain of
/// accesses so that the memory bus balances with a forged value (a load that reads a later store's value, or an older
/// one) and the exit code shows it. One access must then take a tuple from its own future, which needs a negative gap:
/// the range bus has no 16-bit halves for it, and only that fails.
final class AccessTimeForgeryTests: XCTestCase {
    typealias W = CircuitWitness

    private static let (t0, sp, a0, a7): (UInt8, UInt8, UInt8, UInt8) = (5, 2, 10, 17)

    private static func ins(
        _ op: Opcode, _ rd: UInt8 = 0, _ rs1: UInt8 = 0, _ rs2: UInt8 = 0, _ imm: Int32 = 0
    ) -> Instruction {
        Instruction(op: op, rd: rd, rs1: rs1, rs2: rs2, imm: UInt32(bitPattern: imm))
    }

    /// The memory port's time on row `row` of a one-segment execution (clk = row): 4·clk + 4 + 2.
    private static func memoryTime(_ row: Int) -> UInt64 { 4 * UInt64(row) + 4 + 2 }
    /// The word both programs store to and load from.
    private static let word = UInt64((AddressSpace.stackTop - 8) >> 2)

    /// An edit of one row's memory port: the value a load reads and keeps (h, the old and new word, the value for
    /// rd), or nil to leave the values, and the time the access claims the previous one at, written as its gap's
    /// halves: the 16-bit halves of time − previous − 1 when the previous time is earlier, else that negative gap
    /// whole in the low half, since no pair of 16-bit halves makes it.
    private struct PortEdit {
        var row: Int
        var value: UInt64?
        var previous: UInt64
    }

    private static func gapHalves(now: UInt64, previous: UInt64) -> (Fp, Fp) {
        if previous < now {
            let gap = now - previous - 1
            return (Fp(gap & 0xffff), Fp(gap >> 16))
        }
        return (Fp(now) - Fp(previous) - .one, .zero)
    }

    /// The program's witness with the edits made as the rows are built (so the bytes of h and the byte and 16-bit
    /// tables' counts follow them, and the register the load writes carries the forged value on to the exit), the
    /// word's end in the memory table and the closing table moved to `finalTime`, and the exit code the forged value.
    private static func forge(
        _ program: Program, _ edits: [PortEdit], finalTime: UInt64, exitCode: UInt32
    ) throws -> W {
        let trace = try Machine(program: program).trace()
        var w = try W(program: program, trace: trace) { row, _, cells in
            guard let edit = edits.first(where: { $0.row == row }) else { return }
            if let value = edit.value {
                for c in [Col.h, .memPrev, .memNew, .out] { cells[c.rawValue] = Fp(value) }
            }
            let (lo, hi) = gapHalves(now: memoryTime(row), previous: edit.previous)
            cells[Col.dMemLo.rawValue] = lo
            cells[Col.dMemHi.rawValue] = hi
        }
        let m = try XCTUnwrap(
            (0..<w.table.rowCount).first {
                w.table.columns[Col.mActive.traceIndex][$0] == .one
                    && w.table.columns[Col.mAddr.traceIndex][$0] == Fp(word)
            })
        w.table.columns[Col.mTime.traceIndex][m] = Fp(finalTime)
        let memory = w.execution.memory
        let c = try XCTUnwrap(
            (0..<memory.rowCount).first {
                memory.columns[MemoryCol.cActive.rawValue][$0] == .one
                    && memory.columns[MemoryCol.cAddr.rawValue][$0] == Fp(word)
            })
        w.execution.memory.columns[MemoryCol.cTime.rawValue][c] = Fp(finalTime)
        w.exitCode = exitCode
        w.inputs[0] = Fp(UInt64(exitCode))
        return w
    }

    /// Proves the forged witness without the prover's own check: the verifier must refuse the receipt because the
    /// segment's and the lookup table's shares of the range bus do not cancel.
    private static func assertRangeRejected(_ w: W, _ message: String, line: UInt = #line) {
        XCTAssertThrowsError(try w.proveAndVerify(), "\(message): the forged receipt verified", line: line) { error in
            XCTAssertTrue("\(error)".contains("bus 'range' do not cancel"), "\(message): \(error)", line: line)
        }
    }

    /// Stores 0x55, loads it into a0, stores 0x66 over it and exits with a0 (0x55).
    private static let futureProgram: Program = try! Program(instructions: [
        ins(.addi, t0, 0, 0, 0x55),  // 0
        ins(.sw, 0, sp, t0, -8),  // 1: (word, 0x55) at time 10
        ins(.lw, a0, sp, 0, -8),  // 2: at time 14
        ins(.addi, t0, 0, 0, 0x66),  // 3
        ins(.sw, 0, sp, t0, -8),  // 4: (word, 0x66) at time 22
        ins(.addi, a7, 0, 0, 93), ins(.ecall),  // exit(a0)
    ])

    /// The load reads 0x66, the value the later store writes: it takes the store's tuple at time 22, the store takes
    /// the first store's (0x55 at time 10), and the memory table takes the load's (0x66 at 14) as the word's end.
    /// Every tuple is taken as often as it is put; only the load's gap, 14 − 22 − 1, is no pair of 16-bit halves.
    func testLoadCannotReadAValueFromTheFuture() throws {
        let honest = try W(program: Self.futureProgram, trace: try Machine(program: Self.futureProgram).trace())
        XCTAssertEqual(honest.exitCode, 0x55)
        XCTAssertEqual(try honest.failures(), [])

        let forged = try Self.forge(
            Self.futureProgram,
            [
                PortEdit(row: 2, value: 0x66, previous: Self.memoryTime(4)),
                PortEdit(row: 4, value: nil, previous: Self.memoryTime(1)),
            ], finalTime: Self.memoryTime(2), exitCode: 0x66)
        XCTAssertEqual(try forged.failures(), ["range unbalanced"])
        Self.assertRangeRejected(forged, "a load that reads a later store's value")

        // The gap is what carries the forged time: with the load's honest gap (previous time 10) the chain breaks.
        let honestGap = try Self.forge(
            Self.futureProgram,
            [
                PortEdit(row: 2, value: 0x66, previous: Self.memoryTime(1)),
                PortEdit(row: 4, value: nil, previous: Self.memoryTime(1)),
            ], finalTime: Self.memoryTime(2), exitCode: 0x66)
        // The memory bus is left unbalanced, which the one running sum of the segment's own buses shows too.
        XCTAssertEqual(try honestGap.failures(), ["buses.sum_balances", "memory unbalanced"])
    }

    /// Stores 0x55, stores 0x66 over it, loads the word into a0 and exits with a0 (0x66).
    private static let staleProgram: Program = try! Program(instructions: [
        ins(.addi, t0, 0, 0, 0x55),  // 0
        ins(.sw, 0, sp, t0, -8),  // 1: (word, 0x55) at time 10
        ins(.addi, t0, 0, 0, 0x66),  // 2
        ins(.sw, 0, sp, t0, -8),  // 3: (word, 0x66) at time 18
        ins(.lw, a0, sp, 0, -8),  // 4: at time 22
        ins(.addi, a7, 0, 0, 93), ins(.ecall),  // exit(a0)
    ])

    /// The load reads the stale 0x55: it takes the first store's tuple at time 10, a gap of 11 that the range bus
    /// accepts. The second store, whose old word 0x55 is now left to it only at the load's time 22, must take it
    /// from its future (gap 18 − 22 − 1), and the memory table takes the second store's (0x66 at 18) as the end.
    func testLoadCannotReadAStaleValue() throws {
        let honest = try W(program: Self.staleProgram, trace: try Machine(program: Self.staleProgram).trace())
        XCTAssertEqual(honest.exitCode, 0x66)
        XCTAssertEqual(try honest.failures(), [])

        let forged = try Self.forge(
            Self.staleProgram,
            [
                PortEdit(row: 4, value: 0x55, previous: Self.memoryTime(1)),
                PortEdit(row: 3, value: nil, previous: Self.memoryTime(4)),
            ], finalTime: Self.memoryTime(3), exitCode: 0x55)
        XCTAssertEqual(try forged.failures(), ["range unbalanced"])
        Self.assertRangeRejected(forged, "a load that reads an overwritten value")
    }
}
