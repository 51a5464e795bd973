import AIR
import Circuit
import Field
import RV32IM
import XCTest

/// Cheating witnesses against the read-only mark of code (value + 2^32 in the memory bus) and the memory table. Each
/// builds a trace from an honest (or twin) execution, edits the trace table directly (so values that are not 32-bit
/// can be written, which the builder's tamper hook truncates), then recomputes the lookup multiplicities (andCount,
/// rangeCount, romCount) as a cheating prover would, and asks the debug checker and the buses what breaks.
final class ReadOnlyMarkForgeryTests: XCTestCase {
    private static let (t0, t1, sp, a0, a1, a2, a7): (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (5, 6, 2, 10, 11, 12, 17)
    private static let two32 = Fp(UInt64(1) << 32)

    private static func ins(
        _ op: Opcode, _ rd: UInt8 = 0, _ rs1: UInt8 = 0, _ rs2: UInt8 = 0, _ imm: Int32 = 0
    ) -> Instruction {
        Instruction(op: op, rd: rd, rs1: rs1, rs2: rs2, imm: UInt32(bitPattern: imm))
    }

    private static func li(_ rd: UInt8, _ value: UInt32) -> [Instruction] {
        let low = Int32(bitPattern: value << 20) >> 20
        return [Instruction(op: .lui, rd: rd, imm: value &- UInt32(bitPattern: low)), ins(.addi, rd, rd, 0, low)]
    }

    private static func exit(_ code: Int32) -> [Instruction] {
        [ins(.addi, a7, 0, 0, 93), ins(.addi, a0, 0, 0, code), ins(.ecall)]
    }

    typealias W = CircuitWitness

    private static func witness(
        _ program: Program, trace: Trace, tamper: TraceBuilder._Tamper? = { _, _, _ in }
    ) throws -> W {
        let (table, inputs) = try TraceBuilder.witness(program: program, trace: trace, _tamper: tamper)
        return W(
            table: table, inputs: inputs,
            entries: CircuitStatement.publicBusEntries(program: program, journal: trace.result.journal))
    }

    // MARK: - Table editing

    private static func get(_ w: W, _ c: Col, _ r: Int) -> Fp { w.table.columns[c.traceIndex][r] }
    private static func put(_ w: inout W, _ c: Col, _ r: Int, _ v: Fp) { w.table.columns[c.traceIndex][r] = v }
    private static func small(_ v: Fp) -> UInt64? {
        let l = v.canonicalLimbs
        return l.1 == 0 && l.2 == 0 && l.3 == 0 ? l.0 : nil
    }
    /// Writes a word into four byte columns; a value ≥ 2^32 leaves a top "byte" above 255.
    private static func putWord(_ w: inout W, _ cols: [Col], _ r: Int, _ v: UInt64) {
        for k in 0..<3 { put(&w, cols[k], r, Fp((v >> UInt64(8 * k)) & 0xff)) }
        put(&w, cols[3], r, Fp(v >> 24))
    }
    private static let hCols: [Col] = [.h0, .h1, .h2, .h3]
    private static func rows(_ w: W, _ f: Col) -> [Int] {
        (0..<w.table.rowCount).filter { get(w, f, $0) == .one }
    }
    private static func memoryRow(_ w: W, _ address: UInt64) -> Int? {
        (0..<w.table.rowCount).first { get(w, .mActive, $0) == .one && get(w, .mAddr, $0) == Fp(address) }
    }

    /// Recomputes the table sides of the byte, range and fetch lookups from the (edited) rows.
    private static func rebalance(_ w: inout W) {
        let n = w.table.rowCount
        var and = [UInt64](repeating: 0, count: 65536)
        var range = [UInt64](repeating: 0, count: 65536)
        func look(_ x: Fp, _ y: Fp, _ z: Fp) {
            guard let x = small(x), let y = small(y), let z = small(z), x < 256, y < 256, z == x & y else { return }
            and[Int(x + 256 * y)] += 1
        }
        let pairs: [(Col, Col, Col)] = [(.a0, .b0, .n0), (.a1, .b1, .n1), (.a2, .b2, .n2), (.a3, .b3, .n3)]
        let singles: [Col] = [.r0, .r1, .r2, .r3, .h0, .h1, .h2, .h3, .c0, .c1, .c2, .c3, .shHigh]
        let ranged: [Col] = [
            .dRs1Lo, .dRs1Hi, .dRs2Lo, .dRs2Hi, .dMemLo, .dMemHi, .dRdLo, .dRdHi, .remLo, .remHi, .gLo, .gHi, .mdLo,
            .mdHi,
        ]
        var executed: [Fp: UInt64] = [:]
        for r in 0..<n {
            for (x, y, z) in pairs { look(get(w, x, r), get(w, y, r), get(w, z, r)) }
            for c in singles { look(get(w, c, r), .zero, .zero) }
            look(
                Fp(2) * (get(w, .a3, r) - Fp(128) * get(w, .sa, r)), Fp(2) * (get(w, .top, r) - Fp(128) * get(w, .sb, r)),
                get(w, .signAnd, r))
            for c in ranged { if let v = small(get(w, c, r)), v < 65536 { range[Int(v)] += 1 } }
            if get(w, .instr, r) == .one { executed[get(w, .pc, r), default: 0] += 1 }
        }
        for r in 0..<n {
            put(&w, .andCount, r, r < 65536 ? Fp(and[r]) : .zero)
            put(&w, .rangeCount, r, r < 65536 ? Fp(range[r]) : .zero)
            if get(w, .romActive, r) == .one { put(&w, .romCount, r, Fp(executed[get(w, .romPC, r)] ?? 0)) }
        }
    }

    private func failures(_ w: W) throws -> [String] { try w.failures() }

    // MARK: - The read-only mark

    /// A load reads h + 2^32 from a word that is not code (and keeps the mark to the memory table's final value):
    /// no access ever produced the marked tuple.
    func testLoadCannotMarkAPlainWord() throws {
        let program = try Program(
            instructions: [
                Self.ins(.addi, Self.t0, 0, 0, 0x55), Self.ins(.sw, 0, Self.sp, Self.t0, -8),
                Self.ins(.lw, Self.a0, Self.sp, 0, -8),
            ] + Self.exit(0))
        var w = try Self.witness(program, trace: try Machine(program: program).trace())
        XCTAssertEqual(try failures(w), [])
        let r = Self.rows(w, .opLw)[0]
        Self.put(&w, .memPrev, r, Self.get(w, .memPrev, r) + Self.two32)
        Self.put(&w, .memNew, r, Self.get(w, .memNew, r) + Self.two32)
        let m = try XCTUnwrap(Self.memoryRow(w, UInt64((AddressSpace.stackTop - 8) >> 2)))
        Self.put(&w, .mFinal, m, Self.get(w, .mFinal, m) + Self.two32)
        Self.rebalance(&w)
        let f = try failures(w)
        XCTAssertEqual(f, ["buses.sum_balances", "memory unbalanced"])
    }

    /// The two load rules on their own: a load's old word is h or h + 2^32 and nothing else (`load_reads`), and it
    /// leaves the word as it found it, mark included (`load_keeps`).
    func testLoadRulesEachCatchTheirCheat() throws {
        let program = try Program(instructions: [Self.ins(.lw, Self.a0, 0, 0, 0)] + Self.exit(0))
        let base = try Self.witness(program, trace: try Machine(program: program).trace())
        XCTAssertEqual(try failures(base), [])
        let r = Self.rows(base, .opLw)[0]
        var twice = base
        Self.put(&twice, .memPrev, r, Self.get(twice, .memPrev, r) + Self.two32)
        Self.put(&twice, .memNew, r, Self.get(twice, .memPrev, r))
        XCTAssertTrue(try failures(twice).contains("load_reads"))
        XCTAssertFalse(try failures(twice).contains("load_keeps"))
        var changed = base
        Self.put(&changed, .memNew, r, Self.get(changed, .memNew, r) - Self.two32)
        XCTAssertTrue(try failures(changed).contains("load_keeps"))
        XCTAssertFalse(try failures(changed).contains("load_reads"))
    }

    /// A load of code that drops the mark (memPrev = h), so that a later store could take the word: the verifier's
    /// marked entry is then consumed by nobody. With mImage = 0 on the word's memory-table row the table offers a
    /// fresh (w, 0, 0) instead, and the marked entry is still left over.
    func testCodeWordCannotBeUnmarked() throws {
        let program = try Program(instructions: [Self.ins(.lw, Self.a0, 0, 0, 0)] + Self.exit(0))
        let base = try Self.witness(program, trace: try Machine(program: program).trace())
        XCTAssertEqual(try failures(base), [])
        for freshStart in [false, true] {
            var w = base
            let r = Self.rows(w, .opLw)[0]
            let m = try XCTUnwrap(Self.memoryRow(w, 0))
            if freshStart {
                // The load reads the table's fresh zero, unmarked; the final value is that zero.
                Self.put(&w, .mImage, m, .zero)
                Self.putWord(&w, Self.hCols, r, 0)
                Self.put(&w, .memPrev, r, .zero)
                Self.put(&w, .memNew, r, .zero)
                Self.put(&w, .mFinal, m, .zero)
                // rd gets 0 instead of the word: rewrite the register chain of a0 (only the exit's ECALL reads it,
                // and a0 is set again before it), so only the lw's own row changes.
                Self.put(&w, .out, r, .zero)
                Self.put(&w, .rdVal, r, .zero)
                let next = r + 1 + 1  // addi a7; addi a0 reads a0's old value as rdPrev
                Self.put(&w, .rdPrev, next, .zero)
            } else {
                Self.put(&w, .memPrev, r, Self.get(w, .memPrev, r) - Self.two32)
                Self.put(&w, .memNew, r, Self.get(w, .memNew, r) - Self.two32)
                Self.put(&w, .mFinal, m, Self.get(w, .mFinal, m) - Self.two32)
            }
            Self.rebalance(&w)
            let f = try failures(w)
            XCTAssertEqual(f, ["buses.sum_balances", "memory unbalanced"])
        }
    }

    /// The store-into-code forgery again, but the store takes the marked tuple by claiming the old word h = v + 2^32
    /// (its top byte above 255) and the memory table closes with the stored, unmarked word: every rule and the
    /// memory bus hold; only the byte range check of h stops it.
    func testStoreCannotTakeTheMarkedTupleWithAWideOldWord() throws {
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
        XCTAssertThrowsError(try Machine(program: forging).run())
        var w = try Self.witness(forging, trace: try Machine(program: try program(storeAt: 0x400)).trace())
        let r = Self.rows(w, .opSw)[0]
        let old = Self.small(Self.get(w, .memPrev, r))!
        Self.putWord(&w, Self.hCols, r, old + (1 << 32))
        Self.put(&w, .memPrev, r, Fp(old + (1 << 32)))
        let m = try XCTUnwrap(Self.memoryRow(w, 4))
        Self.put(&w, .mFinal, m, Self.get(w, .memNew, r))
        Self.rebalance(&w)
        let f = try failures(w)
        XCTAssertEqual(f, ["buses.sum_balances", "bytes unbalanced"])
        // The same with h a proper word and memPrev = h + 2^32: store_reads.
        var w2 = try Self.witness(forging, trace: try Machine(program: try program(storeAt: 0x400)).trace())
        Self.put(&w2, .memPrev, r, Self.get(w2, .memPrev, r) + Self.two32)
        Self.put(&w2, .mFinal, m, Self.get(w2, .memNew, r))
        Self.rebalance(&w2)
        let f2 = try failures(w2)
        XCTAssertEqual(f2, ["store_reads"])
    }

    /// mImage = 1 on a word outside the image, to start it with a chosen value (here a load of an untouched stack
    /// word returns 7 and the program exits 7): no public entry starts the chain.
    func testMemoryTableCannotInventAnInitialValue() throws {
        let program = try Program(
            instructions: [
                Self.ins(.lw, Self.a0, Self.sp, 0, -8), Self.ins(.addi, Self.a7, 0, 0, 93), Self.ins(.ecall),
            ])
        let trace = try Machine(program: program).trace()
        XCTAssertEqual(trace.result.exitCode, 0)
        var w = try Self.witness(
            program, trace: trace,
            tamper: { _, f, cells in
                if f.flag == .opLw {
                    cells[Col.h.rawValue] = Fp(7)
                    cells[Col.memPrev.rawValue] = Fp(7)
                    cells[Col.memNew.rawValue] = Fp(7)
                    cells[Col.out.rawValue] = Fp(7)
                }
            })
        w.inputs[1] = Fp(7)
        let m = try XCTUnwrap(Self.memoryRow(w, UInt64((AddressSpace.stackTop - 8) >> 2)))
        XCTAssertEqual(try failures(w), ["buses.sum_balances", "memory unbalanced"])
        Self.put(&w, .mImage, m, .one)
        Self.put(&w, .mFinal, m, Fp(7))
        Self.rebalance(&w)
        let f = try failures(w)
        XCTAssertEqual(f, ["buses.sum_balances", "memory unbalanced"])
    }
}
