import RV32IM
import XCTest

final class TraceTests: XCTestCase {
    func testRowsAreCompact() {
        XCTAssertLessThanOrEqual(MemoryLayout<TraceRow>.stride, 64)
        XCTAssertEqual(MemoryLayout<TraceRow>.stride, 44)
    }

    func testRowFields() throws {
        let data: UInt32 = 0x2_0000
        let program =
            li(s0, data) + li(t0, 0x1234_5678) + [
                ins(.sw, 0, s0, t0, imm: 4),  // 16
                ins(.sb, 0, s0, t0, imm: 5),  // 20: overwrites 0x56 with 0x78
                ins(.lh, t1, s0, imm: 4),  // 24
                ins(.add, zero, t0, t0),  // 28: writes x0
            ] + sysRead(address: data, length: 8) + sysExit(7)
        let trace = try machine(program, input: [9, 8, 7]).trace()
        XCTAssertEqual(trace.rows.count, Int(trace.result.cycles))
        XCTAssertEqual(trace.result.exitCode, 7)

        let sw = trace.rows[4]
        XCTAssertEqual(sw.op, .sw)
        XCTAssertEqual(sw.pc, 16)
        XCTAssertEqual(sw.nextPC, 20)
        XCTAssertEqual(sw.word, ins(.sw, 0, s0, t0, imm: 4).encoded)
        XCTAssertEqual([sw.rs1, sw.rs2, sw.rd], [s0, t0, 0])
        XCTAssertEqual([sw.rs1Value, sw.rs2Value], [data, 0x1234_5678])
        XCTAssertEqual(sw.memAccess.isStore, true)
        XCTAssertEqual(sw.memAccess.width, 4)
        XCTAssertEqual([sw.memAddress, sw.memValue, sw.memPrevious], [data + 4, 0x1234_5678, 0])

        let sb = trace.rows[5]
        XCTAssertEqual([sb.memAddress, sb.memValue, sb.memPrevious], [data + 5, 0x78, 0x56])
        XCTAssertEqual(sb.memAccess.width, 1)

        let lh = trace.rows[6]
        XCTAssertTrue(lh.memAccess.isLoad)
        XCTAssertEqual([lh.memAddress, lh.memValue, lh.memPrevious], [data + 4, 0x7878, 0x7878])
        XCTAssertEqual(lh.rd, t1)
        XCTAssertEqual(lh.rdValue, 0x7878)

        let addToZero = trace.rows[7]
        XCTAssertEqual([addToZero.rd], [0])
        XCTAssertEqual(addToZero.rdValue, 0)
        XCTAssertEqual(addToZero.memAccess, .none)

        let readCall = trace.rows[13]
        XCTAssertEqual(readCall.op, .ecall)
        XCTAssertEqual([readCall.rs1, readCall.rs2, readCall.rd], [a7, a0, a0])
        XCTAssertEqual([readCall.rs1Value, readCall.rs2Value, readCall.rdValue], [63, 0, 3])

        let exitCall = trace.rows.last!
        XCTAssertEqual(exitCall.op, .ecall)
        XCTAssertEqual(exitCall.rd, 0)
        XCTAssertEqual(exitCall.nextPC, exitCall.pc)

        XCTAssertEqual(
            trace.events,
            [
                IOEvent(cycle: 13, kind: .input, address: data, bytes: [9, 8, 7]),
                IOEvent(cycle: UInt64(trace.rows.count - 1), kind: .exit(code: 7), address: 0, bytes: []),
            ])
        // Consecutive rows chain: each row's next pc is the following row's pc.
        for (row, next) in zip(trace.rows, trace.rows.dropFirst()) { XCTAssertEqual(row.nextPC, next.pc) }
    }

    /// Fast mode, tracing in chunks of any size and single stepping all agree on every example program.
    func testModesAgreeOnExamples() throws {
        for name in ["hello", "merkle", "bigint"] {
            let program = try Program(bytes: try exampleFile(name, "program.elf"))
            let input = try exampleFile(name, "input.bin")
            let fast = try Machine(program: program, input: input).run()
            let full = try Machine(program: program, input: input).trace()
            XCTAssertEqual(full.result, fast, name)
            XCTAssertEqual(full.rows.count, Int(fast.cycles), name)

            let chunked = try Machine(program: program, input: input)
            var rows: [TraceRow] = []
            var events: [IOEvent] = []
            var expectedFirst: UInt64 = 0
            try chunked.run(chunkRows: 1000) { chunk in
                XCTAssertEqual(chunk.firstCycle, expectedFirst)
                XCTAssertLessThanOrEqual(chunk.rows.count, 1000)
                expectedFirst += UInt64(chunk.rows.count)
                rows += chunk.rows
                events += chunk.events
            }
            XCTAssertEqual(rows, full.rows, name)
            XCTAssertEqual(events, full.events, name)
            XCTAssertEqual(events.filter { $0.kind == .journal }.flatMap(\.bytes), fast.journal, name)

            if name == "hello" {
                let stepped = try Machine(program: program, input: input)
                var steps: [TraceRow] = []
                while let row = try stepped.step() { steps.append(row) }
                XCTAssertEqual(steps, full.rows)
            }
        }
    }

    func testRunInSteps() throws {
        let m = try machine(
            [ins(.addi, t0, imm: 1), ins(.addi, t0, t0, imm: 1), ins(.addi, t0, t0, imm: 1)] + sysExit())
        XCTAssertNil(try m.run(steps: 2))
        XCTAssertEqual(m.register(5), 2)
        XCTAssertEqual(m.pc, 8)
        XCTAssertEqual(try m.run(steps: 100)?.cycles, 6)
    }

    func testTraceStopsAtFaultWithRowsSoFar() throws {
        let m = try machine([ins(.addi, t0, imm: 1), ins(.ebreak)])
        var rows = 0
        XCTAssertThrowsError(try m.run(chunkRows: 16) { rows += $0.rows.count }) {
            XCTAssertEqual($0 as? RV32IMError, .breakpoint(pc: 4))
        }
        XCTAssertEqual(rows, 1)
    }
}

final class ExampleProgramTests: XCTestCase {
    /// The committed expectations come from qemu-riscv32 and Python (Vectors/programs/build.py).
    func testExamplesReproduceExpectedOutputs() throws {
        for name in ["fibonacci", "sha256", "merkle", "sort", "bigint", "hello"] {
            let expected =
                try JSONSerialization.jsonObject(
                    with: Data(try exampleFile(name, "expected.json"))) as! [String: Any]
            let program = try Program(bytes: try exampleFile(name, "program.elf"))
            let result = try Machine(program: program, input: try exampleFile(name, "input.bin")).run()
            XCTAssertEqual(hex(result.journal), expected["journal"] as? String, name)
            XCTAssertEqual(Int(result.exitCode), expected["exit_code"] as? Int, name)
        }
    }
}

/// Replays traces against a register file and a byte memory rebuilt from the rows alone, as an arithmetisation's
/// register and memory arguments will: every value a row reads must be the last value written there.
final class TraceConsistencyTests: XCTestCase {
    func testTracesAreSelfConsistent() throws {
        var checked = 0
        for name in ["fibonacci", "sha256", "merkle", "sort", "bigint", "hello"] {
            let program = try Program(bytes: try exampleFile(name, "program.elf"))
            let trace = try Machine(program: program, input: try exampleFile(name, "input.bin")).trace()
            var registers = [UInt32](repeating: 0, count: 32)
            registers[2] = AddressSpace.stackTop
            var memory: [UInt32: UInt8] = [:]
            for segment in program.segments {
                for (i, byte) in segment.data.enumerated() { memory[segment.address + UInt32(i)] = byte }
            }
            func read(_ address: UInt32, _ width: Int) -> UInt32 {
                (0..<width).reduce(0) { $0 | UInt32(memory[address &+ UInt32($1)] ?? 0) << (8 * $1) }
            }
            var events = trace.events[...]
            for (cycle, row) in trace.rows.enumerated() {
                XCTAssertEqual(row.rs1Value, registers[Int(row.rs1)], "\(name) cycle \(cycle) rs1")
                XCTAssertEqual(row.rs2Value, registers[Int(row.rs2)], "\(name) cycle \(cycle) rs2")
                XCTAssertEqual(Instruction(decoding: row.word).op, row.op, "\(name) cycle \(cycle) op")
                let access = row.memAccess
                if access.isLoad {
                    XCTAssertEqual(row.memValue, read(row.memAddress, access.width), "\(name) cycle \(cycle) load")
                } else if access.isStore {
                    XCTAssertEqual(row.memPrevious, read(row.memAddress, access.width), "\(name) cycle \(cycle) store")
                    for i in 0..<access.width {
                        memory[row.memAddress + UInt32(i)] = UInt8(truncatingIfNeeded: row.memValue >> (8 * i))
                    }
                }
                while let event = events.first, event.cycle == UInt64(cycle) {
                    events.removeFirst()
                    if event.kind == .input {
                        for (i, byte) in event.bytes.enumerated() { memory[event.address + UInt32(i)] = byte }
                    } else if event.kind == .journal || event.kind == .log {
                        XCTAssertEqual(
                            event.bytes, (0..<event.bytes.count).map { memory[event.address + UInt32($0)] ?? 0 })
                    }
                }
                if row.rd != 0 { registers[Int(row.rd)] = row.rdValue }
                checked += 1
            }
            XCTAssertTrue(events.isEmpty)
        }
        print("trace consistency: \(checked) rows replayed against registers and memory")
    }
}
