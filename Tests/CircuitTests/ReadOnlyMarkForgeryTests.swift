import AIR
import Circuit
import Field
import RV32IM
import XCTest

/// Cheating witnesses against the read-only mark of code (value + 2^32 in the memory bus), the segment's memory table
/// and the memory's closing table. Each builds a witness from an honest (or twin) execution, edits segment 0's trace
/// and the closing table directly (so values that are not 32-bit can be written, which the builder's tamper hook
/// truncates), then recomputes the lookup multiplicities (the lookup table's andCount and rangeCount, romCount) as a cheating prover would,
/// and asks the debug checker, the buses and the global bus what breaks.
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

    /// A tamper hook, even one that changes nothing, turns off the builder's cross-check against the machine.
    private static func witness(
        _ program: Program, trace: Trace, tamper: @escaping TraceBuilder._Tamper = { _, _, _ in }
    ) throws -> W {
        try W(program: program, trace: trace, _tamper: tamper)
    }

    // MARK: - Table editing

    /// A column's value at row r; an operation flag is the product of its grid row and column.
    private static func get(_ w: W, _ c: Col, _ r: Int) -> Fp {
        guard c.isOperationFlag else { return w.table.columns[c.traceIndex][r] }
        let cell = CPUCircuit.gridCell(of: c)
        return get(w, cell.row, r) * get(w, cell.column, r)
    }
    private static func put(_ w: inout W, _ c: Col, _ r: Int, _ v: Fp) { w.table.columns[c.traceIndex][r] = v }
    private static func get(_ w: W, _ c: MemoryCol, _ r: Int) -> Fp { w.execution.memory.columns[c.rawValue][r] }
    private static func put(_ w: inout W, _ c: MemoryCol, _ r: Int, _ v: Fp) {
        w.execution.memory.columns[c.rawValue][r] = v
    }
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
    /// The row of segment 0's memory table that holds `address`.
    private static func memoryRow(_ w: W, _ address: UInt64) -> Int? {
        (0..<w.table.rowCount).first { get(w, .mActive, $0) == .one && get(w, .mAddr, $0) == Fp(address) }
    }
    /// The row of the closing table that holds `address`.
    private static func closingRow(_ w: W, _ address: UInt64) -> Int? {
        (0..<w.execution.memory.rowCount).first {
            get(w, .cActive, $0) == .one && get(w, .cAddr, $0) == Fp(address)
        }
    }

    /// Recomputes the table sides of the byte, range and fetch lookups from the (edited) rows: segment 0's, the
    /// memory table's address gaps (mdLo, mdHi) among them, and the closing table's own (cd0 to cd3).
    private static func rebalance(_ w: inout W) {
        let n = w.table.rowCount
        var and = [UInt64](repeating: 0, count: 65536)
        var range = [UInt64](repeating: 0, count: 65536)
        func look(_ x: Fp, _ y: Fp, _ z: Fp) {
            guard let x = small(x), let y = small(y), let z = small(z), x < 256, y < 256, z == x & y else { return }
            and[Int(x + 256 * y)] += 1
        }
        func count(_ v: Fp, in counts: inout [UInt64]) {
            if let v = small(v), v < 65536 { counts[Int(v)] += 1 }
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
            for c in ranged { count(get(w, c, r), in: &range) }
            if get(w, .instr, r) == .one { executed[get(w, .pc, r), default: 0] += 1 }
        }
        for r in 0..<65536 {
            w.lookups.columns[LookupCol.andCount.rawValue][r] = Fp(and[r])
            w.lookups.columns[LookupCol.rangeCount.rawValue][r] = Fp(range[r])
        }
        for r in 0..<n where get(w, .romActive, r) == .one {
            put(&w, .romCount, r, Fp(executed[get(w, .romPC, r)] ?? 0))
        }
        MemoryCircuit.countBytes(in: &w.execution.memory.columns)
    }

    private func failures(_ w: W) throws -> [String] { try w.failures() }

    /// The witness of a program that loads the word of code at address 0 and exits with 0, built once for the class
    /// (with the no-op tamper hook): each test edits its own copy.
    private static let codeLoad: Result<W, any Error> = Result {
        let program = try Program(instructions: [ins(.lw, a0, 0, 0, 0)] + exit(0))
        return try witness(program, trace: try Machine(program: program).trace())
    }

    // MARK: - The read-only mark

    /// A load reads h + 2^32 from a word that is not code and keeps the mark to the memory table's final value and
    /// on to the closing table, so the global bus balances: no access ever produced the marked tuple the load takes.
    func testLoadCannotMarkAPlainWord() throws {
        let program = try Program(
            instructions: [
                Self.ins(.addi, Self.t0, 0, 0, 0x55), Self.ins(.sw, 0, Self.sp, Self.t0, -8),
                Self.ins(.lw, Self.a0, Self.sp, 0, -8),
            ] + Self.exit(0))
        var w = try Self.witness(program, trace: try Machine(program: program).trace())
        XCTAssertEqual(try failures(w), [])
        let word = UInt64((AddressSpace.stackTop - 8) >> 2)
        let r = Self.rows(w, .opLw)[0]
        Self.put(&w, .memPrev, r, Self.get(w, .memPrev, r) + Self.two32)
        Self.put(&w, .memNew, r, Self.get(w, .memNew, r) + Self.two32)
        let m = try XCTUnwrap(Self.memoryRow(w, word))
        Self.put(&w, .mFinal, m, Self.get(w, .mFinal, m) + Self.two32)
        let c = try XCTUnwrap(Self.closingRow(w, word))
        Self.put(&w, .cFinal, c, Self.get(w, .cFinal, c) + Self.two32)
        Self.rebalance(&w)
        XCTAssertEqual(try failures(w), ["buses.sum_balances", "memory unbalanced"])
    }

    /// The two load rules on their own: a load's old word is h or h + 2^32 and nothing else (`load_reads`), and it
    /// leaves the word as it found it, mark included (`load_keeps`).
    func testLoadRulesEachCatchTheirCheat() throws {
        let base = try Self.codeLoad.get()
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

    /// A load of code that drops the mark, so that a later store could take the word. Three ways: the load alone
    /// (the segment received the marked word, which the load does not take); the segment also receiving it unmarked
    /// (a tuple nobody sent, and the verifier's marked entry left over); or starting the word fresh, the segment
    /// receiving (w, 0, 0, 0) and the closing table marking the word as not from the image so that it sends that
    /// zero (the verifier's marked entry is still left over).
    func testCodeWordCannotBeUnmarked() throws {
        let base = try Self.codeLoad.get()
        XCTAssertEqual(try failures(base), [])
        let r = Self.rows(base, .opLw)[0]
        let m = try XCTUnwrap(Self.memoryRow(base, 0))
        let c = try XCTUnwrap(Self.closingRow(base, 0))
        XCTAssertEqual(Self.get(base, .cImage, c), .one)

        func unmarked(receivedUnmarked: Bool) -> W {
            var w = base
            Self.put(&w, .memPrev, r, Self.get(w, .memPrev, r) - Self.two32)
            Self.put(&w, .memNew, r, Self.get(w, .memNew, r) - Self.two32)
            Self.put(&w, .mFinal, m, Self.get(w, .mFinal, m) - Self.two32)
            Self.put(&w, .cFinal, c, Self.get(w, .cFinal, c) - Self.two32)
            if receivedUnmarked { Self.put(&w, .mInit, m, Self.get(w, .mInit, m) - Self.two32) }
            return w
        }
        XCTAssertEqual(try failures(unmarked(receivedUnmarked: false)), ["buses.sum_balances", "memory unbalanced"])
        XCTAssertEqual(try failures(unmarked(receivedUnmarked: true)), ["boundary unbalanced"])

        // Fresh: the load reads the closing table's zero, unmarked, and the word ends as that zero.
        var fresh = base
        Self.putWord(&fresh, Self.hCols, r, 0)
        for col in [Col.memPrev, .memNew] { Self.put(&fresh, col, r, .zero) }
        for col in [Col.mInit, .mFinal] { Self.put(&fresh, col, m, .zero) }
        Self.put(&fresh, .cFinal, c, .zero)
        Self.put(&fresh, .cImage, c, .zero)
        // rd gets 0 instead of the word: rewrite the register chain of a0 (only the exit's ECALL reads it, and a0 is
        // set again before it), so only the lw's own row changes.
        Self.put(&fresh, .out, r, .zero)
        Self.put(&fresh, .rdVal, r, .zero)
        let next = r + 1 + 1  // addi a7; addi a0 reads a0's old value as rdPrev
        Self.put(&fresh, .rdPrev, next, .zero)
        Self.rebalance(&fresh)
        XCTAssertEqual(try failures(fresh), ["boundary unbalanced"])
        fresh.assertRejected("code started fresh by the closing table")
    }

    /// The store-into-code forgery again, but the store takes the marked tuple by claiming the old word h = v + 2^32
    /// (its top byte above 255), and the memory table and closing table end with the stored, unmarked word: every
    /// rule, the memory bus and the global bus hold; only the byte range check of h stops it.
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
        let twinTrace = try Machine(program: try program(storeAt: 0x400)).trace()
        let base = try Self.witness(forging, trace: twinTrace)
        let r = Self.rows(base, .opSw)[0]
        let m = try XCTUnwrap(Self.memoryRow(base, 4))
        let c = try XCTUnwrap(Self.closingRow(base, 4))
        var w = base
        let old = Self.small(Self.get(w, .memPrev, r))!
        Self.putWord(&w, Self.hCols, r, old + (1 << 32))
        Self.put(&w, .memPrev, r, Fp(old + (1 << 32)))
        Self.put(&w, .mFinal, m, Self.get(w, .memNew, r))
        Self.put(&w, .cFinal, c, Self.get(w, .memNew, r))
        Self.rebalance(&w)
        XCTAssertEqual(try failures(w), ["bytes unbalanced"])
        // The segment's own rules hold; only its share of `bytes` and its lookup table's fail to cancel, which the
        // verifier of the batch refuses.
        w.assertRejected("a word that is no four bytes, with the segment's lookups and table apart")
        // The same with h a proper word and memPrev = h + 2^32: store_reads.
        var w2 = base
        Self.put(&w2, .memPrev, r, Self.get(w2, .memPrev, r) + Self.two32)
        Self.put(&w2, .mFinal, m, Self.get(w2, .memNew, r))
        Self.put(&w2, .cFinal, c, Self.get(w2, .memNew, r))
        Self.rebalance(&w2)
        XCTAssertEqual(try failures(w2), ["store_reads"])
    }

    /// A load of an untouched stack word returns 7 and the program exits 7. The segment's memory table cannot make
    /// that the word's initial value: received as (w, 7, 0, 0), it is a tuple nobody sent (the closing table's
    /// (w, 0, 0, 0) left over), and the closing table claiming the word is the image's (cImage = 1), so that it sends
    /// nothing, leaves the received tuple unmatched all the same.
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
        w.inputs[0] = Fp(7)
        w.exitCode = 7
        let word = UInt64((AddressSpace.stackTop - 8) >> 2)
        let m = try XCTUnwrap(Self.memoryRow(w, word))
        let c = try XCTUnwrap(Self.closingRow(w, word))
        XCTAssertEqual(Self.get(w, .cImage, c), .zero)
        XCTAssertEqual(try failures(w), ["buses.sum_balances", "memory unbalanced"])
        Self.put(&w, .mInit, m, Fp(7))
        Self.put(&w, .mFinal, m, Fp(7))
        Self.put(&w, .cFinal, c, Fp(7))
        XCTAssertEqual(try failures(w), ["boundary unbalanced"])
        Self.put(&w, .cImage, c, .one)
        XCTAssertEqual(try failures(w), ["boundary unbalanced"])
        w.assertRejected("an initial value outside the image")
    }
}
