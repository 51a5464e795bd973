import AIR
import Field

/// The AIR of the RV32IM machine: one row per executed instruction or I/O byte, with the program, the memory
/// (registers and RAM), a byte table and a 16-bit range table sharing the rows. `docs/cpu-circuit.md` explains
/// every part; the comments here say which rule each group enforces. The circuit proper is `Circuits/rv32im.air`;
/// this Swift definition is the reference it is tested against.
public enum CPUCircuit {
    /// Public input 0: the exit code. Inputs 1 and 2: the program id's two halves, which bind the proof to exactly
    /// one program id. Inputs 3–5: the segment's first clock, the next segment's, and whether it is the last.
    public static let publicInputNames = ["exit_code", "program_id_lo", "program_id_hi", "clk_start", "clk_next", "last"]

    /// The machine's state is three addresses of the memory bus above the registers, each holding one value: the pc,
    /// whether the input has been read to its end (0 or 1) and how many journal bytes have been written. What one
    /// segment leaves there, the next starts from. Unpacked, what a segment receives is exactly what was sent.
    public static let statePC: UInt64 = registerBase + 32
    public static let stateEOF: UInt64 = registerBase + 33
    public static let stateJournal: UInt64 = registerBase + 34
    /// The three state addresses, in order.
    public static let stateAddresses = [statePC, stateEOF, stateJournal]
    /// Journal byte i is sent on the global bus at this address plus i, above every address of memory.
    public static let journalBase: UInt64 = 1 << 40

    /// The state's three values, in the order of ``stateAddresses``.
    public static func stateValues(pc: UInt32, eof: Bool, journalIndex: UInt64) -> [UInt64] {
        [UInt64(pc), eof ? 1 : 0, journalIndex]
    }

    /// Register r lives at memory address 2^32 + r, above every RAM word address (< 2^30).
    public static let registerBase: UInt64 = 1 << 32
    /// A word of code carries its value plus this mark in the memory bus: loads read it, stores cannot consume it,
    /// so code is read-only.
    public static let codeMark: UInt64 = 1 << 32

    /// The operation flags in code order: flag i contributes code i + 1 to the fetched operation code.
    public static let opFlags: [Col] = [
        .opAdd, .opSub, .opSll, .opSlt, .opSltu, .opXor, .opSrl, .opSra, .opOr, .opAnd,
        .opMul, .opMulh, .opMulhsu, .opMulhu, .opDiv, .opDivu, .opRem, .opRemu,
        .opJal, .opJalr, .opBeq, .opBne, .opBlt, .opBge, .opBltu, .opBgeu,
        .opLb, .opLh, .opLw, .opLbu, .opLhu, .opSb, .opSh, .opSw, .opEcall,
    ]

    /// The grid's row columns: flag i is set exactly when opRows[i / 6] and opCols[i % 6] are.
    public static let opRows: [Col] = [.opRow0, .opRow1, .opRow2, .opRow3, .opRow4, .opRow5]
    /// The grid's column columns.
    public static let opCols: [Col] = [.opCol0, .opCol1, .opCol2, .opCol3, .opCol4, .opCol5]

    /// The row and column of the operation grid whose product is `flag` (one of ``opFlags``).
    public static func gridCell(of flag: Col) -> (row: Col, column: Col) {
        let i = opFlags.firstIndex(of: flag)!
        return (opRows[i / 6], opCols[i % 6])
    }

    /// The operation code the program table holds: the flag's code, plus 64 with an immediate operand and 128
    /// with pc as the first operand.
    public static func operationCode(flag: Col, useImm: Bool, usePC: Bool) -> UInt64 {
        UInt64(opFlags.firstIndex(of: flag)! + 1) + (useImm ? 64 : 0) + (usePC ? 128 : 0)
    }

    /// The circuit, as `Circuits/rv32im.air` defines it: what the prover, the verifier and the debug checker use.
    public static var air: AIR { loadedAIR }

    /// The same circuit built in Swift: an independent second statement of every rule, which the tests hold equal
    /// to the circuit file.
    public static let swiftReference: AIR = build()

    private static func build() -> AIR {
        // Three bus entries to an inverse column, as `inverse degree 4` in the circuit file.
        var air = AIRBuilder(name: "rv32im", inverseDegree: 4)
        air.packing = 4
        air.shortTablePacking = AIR.ShortTablePacking(columns: 16, maxLogRows: 12)
        for c in Col.committed {
            _ = c.rawValue < Col.boundaryCount ? air.boundaryColumn(c.name, c.doc) : air.column(c.name, c.doc)
        }
        let exitCode = air.publicInput("exit_code", "the value passed to exit")
        _ = air.publicInput("program_id_lo", "bytes 0-15 of the program id as a little-endian number")
        _ = air.publicInput("program_id_hi", "bytes 16-31 of the program id as a little-endian number")
        let clkStart = air.publicInput(
            "clk_start", "the clock of the segment's first row: the rows of the segments before it")
        let clkNext = air.publicInput(
            "clk_next", "the clock of the next segment's first row: clk_start plus this segment's rows")
        let last = air.publicInput("last", "1 for the execution's last segment, 0 for the others")
        let two32: Expression = 4_294_967_296
        let two16: Expression = 65536
        func bytes(_ c: [Col]) -> Expression { x(c[0]) + 256 * x(c[1]) + 65536 * x(c[2]) + 16_777_216 * x(c[3]) }
        // A derived value stands for its definition, like a macro of the circuit file.
        func x(_ c: Col) -> Expression {
            switch c {
            case .real: return x(.instr) + x(.setup) + x(.io)
            case _ where c.isOperationFlag:
                let cell = CPUCircuit.gridCell(of: c)
                return x(cell.row) * x(cell.column)
            case .a: return bytes([.a0, .a1, .a2, .a3])
            case .b: return bytes([.b0, .b1, .b2, .b3])
            case .res: return bytes([.r0, .r1, .r2, .r3])
            case .h: return bytes([.h0, .h1, .h2, .h3])
            case .c: return bytes([.c0, .c1, .c2, .c3])
            case .rem: return x(.remLo) + two16 * x(.remHi)
            default: return .main(c.traceIndex, .current)
            }
        }
        func sum(_ cols: [Col]) -> Expression { cols.dropFirst().reduce(x(cols[0])) { $0 + x($1) } }

        let loads = sum([.opLb, .opLh, .opLw, .opLbu, .opLhu])
        let stores = sum([.opSb, .opSh, .opSw])
        let memOp = loads + stores
        let isMem = memOp  // I/O rows set opSb or opLbu, so they count here too
        let branch = sum([.opBeq, .opBne, .opBlt, .opBge, .opBltu, .opBgeu])
        let addLike = x(.opAdd) + memOp + x(.opJalr)
        let subLike = x(.opSub) + x(.opSlt) + x(.opSltu) + branch
        let divAny = sum([.opDiv, .opDivu, .opRem, .opRemu])
        let divSigned = x(.opDiv) + x(.opRem)
        let regPorts = x(.instr) + x(.setup)
        let clk4 = 4 * x(.clk) + 4  // times start at 4: the initial values are at time 0
        let nAnd = bytes([.n0, .n1, .n2, .n3])
        let selected = x(.sel0) * x(.h0) + x(.sel1) * x(.h1) + x(.sel2) * x(.h2) + x(.sel3) * x(.h3)
        let half = x(.sel0) * (x(.h0) + 256 * x(.h1)) + x(.sel2) * (x(.h2) + 256 * x(.h3))
        func boolean(_ c: Col) { air.constrain("\(c.name)_is_bit", .everyRow, x(c) * (x(c) - 1)) }

        // MARK: Row kinds: instructions, then I/O steps after read/write calls, then padding.
        for c in [Col.real, .instr, .setup, .io] { boolean(c) }
        air.constrain("padding_at_end", .transition, x(.real).next * (1 - x(.real)))
        air.constrain("starts_with_instruction", .firstRow, x(.instr) - 1)
        air.constrain("ends_with_padding", .lastRow, x(.real))
        air.constrain("clk_start", .firstRow, x(.clk) - clkStart)
        air.constrain("first_row_marked", .firstRow, x(.isFirst) - 1)
        air.constrain("first_row_only", .transition, x(.isFirst).next)
        air.constrain("segment_end", .transition, x(.segEnd) - x(.real) * (1 - x(.real).next))
        air.constrain("segment_end_not_padding", .lastRow, x(.segEnd))
        air.constrain("clk_step", .transition, x(.clk).next - x(.clk) - 1)

        // MARK: Fetch: the instruction at pc, decoded, is one of the program's (the program table, pinned by the
        // verifier's own list).
        // The operation is one cell of a 6 × 6 grid: one row and one column set on instruction and I/O rows, none
        // on the others, and never the grid's 36th cell, which is no operation.
        for c in opRows + opCols + [.useImm, .usePC] { boolean(c) }
        air.constrain("one_operation_row", .everyRow, sum(opRows) - x(.instr) - x(.io))
        air.constrain("one_operation_column", .everyRow, sum(opCols) - x(.instr) - x(.io))
        air.constrain("no_operation_36", .everyRow, x(.opRow5) * x(.opCol5))
        // Flag i's code i + 1 = 6·row + column + 1, linear in the grid's columns.
        var opCode = x(.useImm) * 64 + x(.usePC) * 128
        for (r, row) in opRows.enumerated() { opCode = opCode + Expression.int(6 * r + 1) * x(row) }
        for (c, column) in opCols.enumerated().dropFirst() { opCode = opCode + Expression.int(c) * x(column) }
        air.busEntry(
            "fetch", multiplicity: -x(.instr), [x(.pc), opCode, x(.rd), x(.rs1), x(.rs2), x(.imm), x(.wr)])
        air.busEntry(
            "fetch", multiplicity: x(.romCount),
            [x(.romPC), x(.romOp), x(.romRd), x(.romRs1), x(.romRs2), x(.romImm), x(.romWr)])
        boolean(.romActive)
        air.constrain("rom_count_only_on_rom_rows", .everyRow, x(.romCount) * (1 - x(.romActive)))
        air.busEntry(
            "program", multiplicity: -x(.romActive),
            [x(.romPC), x(.romOp), x(.romRd), x(.romRs1), x(.romRs2), x(.romImm), x(.romWr)])
        air.constrain("pc_flow", .transition, x(.real).next * (x(.pc).next - x(.nextPC)))

        // MARK: Registers and the memory port: read rs1 and rs2, access the memory word, write rd, each at its own
        // time 4·clk + 4 + slot after the address's previous access. That previous time is not a column: it is the
        // access's own time less one less the gap's two range-checked 16-bit halves, so it is earlier by
        // construction.
        func access(
            address: Expression, old: Expression, new: Expression, slot: Int, lo: Col, hi: Col, active: Expression
        ) {
            let now = clk4 + .int(slot)
            air.busEntry("memory", multiplicity: -active, [address, old, now - 1 - x(lo) - two16 * x(hi)])
            air.busEntry("memory", multiplicity: active, [address, new, now])
            air.busEntry("range", shared: true, multiplicity: .int(-1), [x(lo)])
            air.busEntry("range", shared: true, multiplicity: .int(-1), [x(hi)])
        }
        let reg = Expression.constant(Fp(registerBase))
        access(
            address: reg + x(.rs1), old: x(.rs1Val), new: x(.rs1Val), slot: 0, lo: .dRs1Lo, hi: .dRs1Hi,
            active: regPorts)
        access(
            address: reg + x(.rs2), old: x(.rs2Val), new: x(.rs2Val), slot: 1, lo: .dRs2Lo, hi: .dRs2Hi,
            active: regPorts)
        access(
            address: x(.wordAddr), old: x(.memPrev), new: x(.memNew), slot: 2, lo: .dMemLo, hi: .dMemHi,
            active: isMem)
        access(
            address: reg + x(.rd), old: x(.rdPrev), new: x(.rdVal), slot: 3, lo: .dRdLo, hi: .dRdHi,
            active: regPorts)
        boolean(.wr)
        air.constrain(
            "rd_value", .everyRow, x(.rdVal) - x(.instr) * x(.wr) * x(.out) - x(.setup) * x(.res))

        // MARK: Operands and their bytes; every byte is range-checked by a lookup in the byte table.
        air.constrain(
            "operand_a", .everyRow,
            x(.instr) * (x(.a) - x(.usePC) * x(.pc) - (1 - x(.usePC)) * x(.rs1Val)))
        air.constrain(
            "operand_b", .everyRow,
            x(.instr) * (x(.b) - x(.useImm) * x(.imm) - (1 - x(.useImm)) * x(.rs2Val)))
        for (av, bv, nv) in [(Col.a0, Col.b0, Col.n0), (.a1, .b1, .n1), (.a2, .b2, .n2), (.a3, .b3, .n3)] {
            air.busEntry("bytes", shared: true, multiplicity: .int(-1), [x(av), x(bv), x(nv)])
        }
        for v in [Col.r0, .r1, .r2, .r3, .h0, .h1, .h2, .h3, .c0, .c1, .c2, .c3] {
            air.busEntry("bytes", shared: true, multiplicity: .int(-1), [x(v), 0, 0])
        }
        // Sign bits: 2·(byte − 128·sign) is a byte exactly when sign is the byte's top bit.
        boolean(.sa)
        boolean(.sb)
        air.busEntry(
            "bytes", multiplicity: .int(-1), [2 * (x(.a3) - 128 * x(.sa)), 2 * (x(.top) - 128 * x(.sb)), x(.signAnd)])
        air.constrain(
            "sign_source", .everyRow,
            x(.top) - (1 - x(.opLb) - x(.opLh)) * x(.b3) - x(.opLb) * selected
                - x(.opLh) * (x(.sel0) * x(.h1) + x(.sel2) * x(.h3)))

        // MARK: Addition, subtraction and comparison.
        boolean(.carry)
        air.constrain("add", .everyRow, addLike * (x(.a) + x(.b) - x(.res) - x(.carry) * two32))
        air.constrain("sub", .everyRow, subLike * (x(.a) - x(.b) - x(.res) + x(.carry) * two32))
        air.constrain(
            "signed_less", .everyRow,
            x(.lts) - x(.sa) * (1 - x(.sb))
                - (1 - x(.sa) - x(.sb) + 2 * x(.sa) * x(.sb)) * x(.carry))

        // MARK: Zero test (branches on equality, division by zero, short reads).
        air.constrain(
            "zero_test_target", .everyRow,
            x(.zt) - branch * x(.res) - divAny * x(.b)
                - x(.setup) * x(.ioRead) * (x(.gLo) + two16 * x(.gHi)))
        air.constrain("zero_when_zero", .everyRow, x(.zero) * x(.zt))
        air.constrain("zero_or_inverse", .everyRow, 1 - x(.zero) - x(.zt) * x(.zinv))

        // MARK: Control flow.
        boolean(.taken)
        boolean(.wrap)
        air.constrain(
            "branch_taken", .everyRow,
            x(.taken) - x(.opBeq) * x(.zero) - x(.opBne) * (1 - x(.zero)) - x(.opBlt) * x(.lts)
                - x(.opBge) * (1 - x(.lts)) - x(.opBltu) * x(.carry) - x(.opBgeu) * (1 - x(.carry)))
        air.constrain(
            "branch_target", .everyRow,
            branch * (x(.nextPC) - x(.pc) - 4 - x(.taken) * (x(.imm) - x(.wrap) * two32 - 4)))
        air.constrain("jal_target", .everyRow, x(.opJal) * (x(.nextPC) - x(.pc) - x(.imm) + x(.wrap) * two32))
        air.constrain("jalr_target", .everyRow, x(.opJalr) * (x(.nextPC) - x(.res) + x(.wrap)))
        air.constrain(
            "sequential", .everyRow,
            (x(.instr) - branch - x(.opJal) - x(.opJalr)) * (x(.nextPC) - x(.pc) - 4))
        air.constrain("io_keeps_pc", .everyRow, (x(.setup) + x(.io)) * (x(.nextPC) - x(.pc)))

        // MARK: Shifts: 2^s from the bits of s = b mod 32.
        for s in [Col.s0, .s1, .s2, .s3, .s4] { boolean(s) }
        air.constrain(
            "shift_amount", .everyRow,
            x(.b0) - x(.s0) - 2 * x(.s1) - 4 * x(.s2) - 8 * x(.s3) - 16 * x(.s4) - 32 * x(.shHigh))
        air.busEntry("bytes", shared: true, multiplicity: .int(-1), [x(.shHigh), 0, 0])
        air.constrain(
            "pow_partial", .everyRow, x(.powPartial) - (1 + x(.s0)) * (1 + 3 * x(.s1)) * (1 + 15 * x(.s2)))
        air.constrain(
            "pow", .everyRow, x(.pow) - x(.powPartial) * (1 + 255 * x(.s3)) * (1 + 65535 * x(.s4)))
        air.constrain("pow_right", .everyRow, x(.powRight) * x(.pow) - two32)
        air.constrain("sll", .everyRow, x(.opSll) * (x(.a) * x(.pow) - x(.res) - x(.h) * two32))
        let allOnes: Expression = 4_294_967_295
        air.constrain(
            "a_adjusted", .everyRow, x(.aAdj) - x(.a) - x(.opSra) * x(.sa) * (allOnes - 2 * x(.a)))
        air.constrain(
            "res_adjusted", .everyRow, x(.resAdj) - x(.res) - x(.opSra) * x(.sa) * (allOnes - 2 * x(.res)))
        air.constrain(
            "shift_right", .everyRow,
            (x(.opSrl) + x(.opSra)) * (x(.aAdj) * x(.powRight) - x(.resAdj) * two32 - x(.h)))

        // MARK: Multiplication.
        let signedA = x(.a) - x(.sa) * two32
        let signedB = x(.b) - x(.sb) * two32
        let two64 = Expression.constant(Fp(1 << 32) * Fp(1 << 32))
        air.constrain("mul", .everyRow, x(.opMul) * (x(.a) * x(.b) - x(.res) - x(.h) * two32))
        air.constrain("mulhu", .everyRow, x(.opMulhu) * (x(.a) * x(.b) - x(.h) - x(.res) * two32))
        air.constrain(
            "mulh", .everyRow,
            x(.opMulh) * (signedA * signedB + x(.carry) * two64 - x(.h) - x(.res) * two32))
        air.constrain(
            "mulhsu", .everyRow,
            x(.opMulhsu) * (signedA * x(.b) + x(.carry) * two64 - x(.h) - x(.res) * two32))

        // MARK: Division: |a| = q·|b| + rem with 0 ≤ rem < |b| (q in h), then signs.
        air.constrain("a_abs", .everyRow, x(.aAbs) - x(.a) - divSigned * x(.sa) * (two32 - 2 * x(.a)))
        air.constrain("b_abs", .everyRow, x(.bAbs) - x(.b) - divSigned * x(.sb) * (two32 - 2 * x(.b)))
        air.constrain(
            "quotient_negative", .everyRow,
            x(.neg) - (1 - x(.zero)) * (x(.sa) + x(.sb) - 2 * x(.sa) * x(.sb)))
        air.busEntry("range", shared: true, multiplicity: .int(-1), [x(.remLo)])
        air.busEntry("range", shared: true, multiplicity: .int(-1), [x(.remHi)])
        air.busEntry("range", shared: true, multiplicity: .int(-1), [x(.gLo)])
        air.busEntry("range", shared: true, multiplicity: .int(-1), [x(.gHi)])
        air.constrain("division", .everyRow, divAny * (x(.aAbs) - x(.h) * x(.bAbs) - x(.rem)))
        air.constrain(
            "remainder_below_divisor", .everyRow,
            divAny * (1 - x(.zero)) * (x(.bAbs) - x(.rem) - 1 - x(.gLo) - two16 * x(.gHi)))
        air.constrain(
            "divide_by_zero", .everyRow, (x(.opDiv) + x(.opDivu)) * x(.zero) * (x(.h) - allOnes))
        air.constrain("divu", .everyRow, x(.opDivu) * (x(.res) - x(.h)))
        air.constrain("remu", .everyRow, x(.opRemu) * (x(.res) - x(.rem)))
        air.constrain(
            "div", .everyRow,
            x(.opDiv) * (x(.neg) * (x(.res) + x(.h) - x(.carry) * two32) + (1 - x(.neg)) * (x(.res) - x(.h))))
        air.constrain(
            "rem", .everyRow,
            x(.opRem) * (x(.sa) * (x(.res) + x(.rem) - x(.carry) * two32) + (1 - x(.sa)) * (x(.res) - x(.rem))))

        // MARK: Memory: a naturally aligned access to one word, at time 4·clk + 2.
        for s in [Col.sel0, .sel1, .sel2, .sel3] { boolean(s) }
        air.constrain("one_byte_offset", .everyRow, x(.sel0) + x(.sel1) + x(.sel2) + x(.sel3) - isMem)
        air.constrain(
            "word_address", .everyRow,
            isMem * (x(.res) - 4 * x(.wordAddr) - x(.sel1) - 2 * x(.sel2) - 3 * x(.sel3)))
        air.constrain("word_aligned", .everyRow, (x(.opLw) + x(.opSw)) * (1 - x(.sel0)))
        air.constrain("half_aligned", .everyRow, (x(.opLh) + x(.opLhu) + x(.opSh)) * (x(.sel1) + x(.sel3)))
        // Code is read-only: its words enter the memory bus as value + 2^32, which a load reads and keeps and a
        // store (whose old word is the 32-bit h) cannot consume.
        air.constrain("load_reads", .everyRow, loads * (x(.memPrev) - x(.h)) * (x(.memPrev) - x(.h) - two32))
        air.constrain("load_keeps", .everyRow, loads * (x(.memNew) - x(.memPrev)))
        air.constrain("store_reads", .everyRow, stores * (x(.memPrev) - x(.h)))
        air.constrain("store_value", .everyRow, stores * (1 - x(.io)) * (x(.c) - x(.rs2Val)))
        air.constrain("sw", .everyRow, x(.opSw) * (x(.memNew) - x(.c)))
        let oldByte = [Col.h0, .h1, .h2, .h3]
        var sbReplace: Expression = 0
        for k in 0..<4 {
            sbReplace =
                sbReplace + x([Col.sel0, .sel1, .sel2, .sel3][k]) * .int(1 << (8 * k)) * (x(oldByte[k]) - x(.c0))
        }
        air.constrain("sb", .everyRow, x(.opSb) * (x(.memNew) - x(.h) + sbReplace))
        air.constrain(
            "sh", .everyRow,
            x(.opSh)
                * (x(.memNew) - x(.h)
                    + x(.sel0) * (x(.h0) + 256 * x(.h1) - x(.c0) - 256 * x(.c1))
                    + x(.sel2) * two16 * (x(.h2) + 256 * x(.h3) - x(.c0) - 256 * x(.c1))))

        // MARK: The value for rd.
        let loaded =
            x(.opLw) * x(.h) + x(.opLbu) * selected + x(.opLhu) * half
            + x(.opLb) * (selected + x(.sb) * 4_294_967_040) + x(.opLh) * (half + x(.sb) * 4_294_901_760)
        air.constrain(
            "out", .everyRow,
            x(.out) - (x(.opAdd) + x(.opSub)) * x(.res) - x(.opSlt) * x(.lts) - x(.opSltu) * x(.carry)
                - x(.opXor) * (x(.a) + x(.b) - 2 * nAnd) - x(.opOr) * (x(.a) + x(.b) - nAnd) - x(.opAnd) * nAnd
                - (x(.opSll) + x(.opSrl) + x(.opSra)) * x(.res)
                - (x(.opMul) + x(.opMulh) + x(.opMulhsu) + x(.opMulhu)) * x(.res) - divAny * x(.res)
                - (x(.opJal) + x(.opJalr)) * (x(.pc) + 4) - loaded - x(.opEcall) * x(.rs2Val))

        // MARK: System calls. a7 picks the call; read and write continue on a set-up row (a1, a2 in, count out
        // to a0) and one I/O row per byte.
        for c in [Col.sysRead, .sysWrite, .sysExit, .ioRead, .journal, .eof, .shortRead] { boolean(c) }
        air.constrain("one_call", .everyRow, x(.instr) * (x(.sysRead) + x(.sysWrite) + x(.sysExit) - x(.opEcall)))
        air.constrain("calls_only_on_ecall", .everyRow, (1 - x(.instr)) * (x(.sysRead) + x(.sysWrite) + x(.sysExit)))
        air.constrain("read_number", .everyRow, x(.sysRead) * (x(.rs1Val) - 63))
        air.constrain("write_number", .everyRow, x(.sysWrite) * (x(.rs1Val) - 64))
        air.constrain("exit_number", .everyRow, x(.sysExit) * (x(.rs1Val) - 93) * (x(.rs1Val) - 94))
        air.constrain("read_fd", .everyRow, x(.sysRead) * x(.rs2Val))
        air.constrain("write_fd", .everyRow, x(.sysWrite) * (x(.rs2Val) - 2 + x(.journal)))
        air.constrain("read_not_journal", .everyRow, x(.sysRead) * x(.journal))
        air.constrain("exit_code", .everyRow, x(.sysExit) * (x(.rs2Val) - exitCode))
        air.constrain("exit_is_last", .transition, x(.sysExit) * x(.real).next)
        air.constrain("exit_only_in_last", .everyRow, x(.sysExit) * (1 - last))
        air.constrain(
            "last_is_exit", .transition, last * x(.real) * (1 - x(.real).next) * (1 - x(.sysExit)))
        air.constrain(
            "setup_follows_call", .transition, (x(.sysRead) + x(.sysWrite)) * (1 - x(.setup).next))
        air.constrain(
            "setup_only_after_call", .transition, x(.setup).next * (1 - x(.sysRead) - x(.sysWrite)))
        air.constrain("setup_mode", .transition, x(.setup).next * (x(.ioRead).next - x(.sysRead)))
        air.constrain("setup_journal", .transition, x(.setup).next * (x(.journal).next - x(.journal)))
        air.constrain("io_mode", .transition, x(.io).next * (x(.ioRead).next - x(.ioRead)))
        air.constrain("io_journal", .transition, x(.io).next * (x(.journal).next - x(.journal)))
        for (name, col, value) in [("setup_rs1", Col.rs1, 11), ("setup_rs2", .rs2, 12), ("setup_rd", .rd, 10)] {
            air.constrain(name, .everyRow, x(.setup) * (x(col) - .int(value)))
        }
        air.constrain("write_count", .everyRow, x(.setup) * (1 - x(.ioRead)) * (x(.res) - x(.rs2Val)))
        air.constrain(
            "read_count", .everyRow,
            x(.setup) * x(.ioRead) * (x(.rs2Val) - x(.res) - x(.gLo) - two16 * x(.gHi)))
        air.constrain(
            "io_bytes", .everyRow, x(.setup) * (x(.ioLeft) - x(.res) * (x(.ioRead) + x(.journal))))
        air.constrain("io_start", .everyRow, x(.setup) * (x(.ioAddr) - x(.rs1Val)))
        // The whole buffer lies in memory (a1 + a2 ≤ 2^32), whatever the count, as the machine requires.
        air.constrain(
            "buffer_in_memory", .everyRow, x(.setup) * (x(.rs1Val) + x(.rs2Val) + x(.h) + x(.carry) * two32 - two32))
        air.constrain("short_read", .everyRow, x(.shortRead) - x(.setup) * x(.ioRead) * (1 - x(.zero)))
        air.constrain("eof_step", .transition, x(.eof).next - x(.eof) - (1 - x(.eof)) * x(.shortRead).next)
        air.constrain("nothing_after_eof", .transition, x(.eof) * x(.sysRead) * x(.res).next)
        let left = x(.ioLeft) - x(.io)
        air.constrain("io_continues", .transition, (x(.setup) + x(.io)) * (x(.io).next - left * x(.ioLeftInv)))
        air.constrain("io_finishes", .transition, (x(.setup) + x(.io)) * left * (1 - x(.io).next))
        air.constrain("io_only_after_setup", .transition, x(.io).next * (1 - x(.setup) - x(.io)))
        air.constrain("io_address_step", .transition, x(.io).next * (x(.ioAddr).next - x(.ioAddr) - x(.io)))
        air.constrain("io_left_step", .transition, x(.io).next * (x(.ioLeft).next - x(.ioLeft) + x(.io)))
        air.constrain("io_read_is_byte_store", .everyRow, x(.io) * x(.ioRead) * (1 - x(.opSb)))
        air.constrain("io_write_is_byte_load", .everyRow, x(.io) * (1 - x(.ioRead)) * (1 - x(.opLbu)))
        air.constrain("io_write_is_journal", .everyRow, x(.io) * (1 - x(.ioRead)) * (1 - x(.journal)))
        air.constrain("io_address", .everyRow, x(.io) * (x(.a) - x(.ioAddr)))
        air.constrain("io_offset", .everyRow, x(.io) * x(.b))
        air.constrain("io_read_byte", .everyRow, x(.io) * (x(.c1) + x(.c2) + x(.c3)))
        air.constrain("journal_step", .transition, x(.jidx).next - x(.jidx) - x(.io) * x(.journal))
        air.busEntry("journal", multiplicity: x(.io) * x(.journal), [x(.jidx), x(.out)])
        air.busEntry("journal", multiplicity: -x(.jActive), [x(.jIdx), x(.jByte)])

        // MARK: Memory table: one row per address the segment touches, sorted; each receives the address from the
        // global bus and sends on what the segment leaves. The state is one more address.
        boolean(.mActive)
        air.constrain("memory_table_start", .firstRow, x(.mActive) - 1)
        air.constrain("memory_table_contiguous", .transition, x(.mActive).next * (1 - x(.mActive)))
        air.constrain(
            "memory_table_sorted", .transition,
            x(.mActive).next * (x(.mAddr).next - x(.mAddr) - 1 - x(.mdLo) - two16 * x(.mdHi)))
        boolean(.jActive)
        air.busEntry("range", shared: true, multiplicity: .int(-1), [x(.mdLo)])
        air.busEntry("range", shared: true, multiplicity: .int(-1), [x(.mdHi)])
        air.busEntry("memory", multiplicity: x(.mActive), [x(.mAddr), x(.mInit), x(.mInitTime)])
        air.busEntry("memory", multiplicity: -x(.mActive), [x(.mAddr), x(.mFinal), x(.mTime)])
        let state = stateAddresses.map { Expression.constant(Fp($0)) }
        for (address, value) in zip(state, [x(.pc), x(.eof), x(.jidx)]) {
            air.busEntry("memory", multiplicity: -x(.isFirst), [address, value, 4 * x(.clk)])
        }
        for (address, value) in zip(state, [x(.nextPC), x(.eof), x(.jidx) + x(.io) * x(.journal)]) {
            air.busEntry("memory", multiplicity: x(.segEnd), [address, value, 4 * clkNext])
        }

        // MARK: The global bus: the memory table's receipts and hand-ons, and the journal table's bytes.
        air.busEntry(
            "boundary", global: true, multiplicity: -x(.mActive),
            [x(.mAddr), x(.mInit), x(.mInitTime), x(.mInitNonce)])
        air.busEntry(
            "boundary", global: true, multiplicity: x(.mActive), [x(.mAddr), x(.mFinal), x(.mTime), x(.mFinalNonce)])
        air.busEntry(
            "boundary", global: true, multiplicity: x(.jActive),
            [Expression.constant(Fp(journalBase)) + x(.jIdx), x(.jByte), 0, 0])

        return try! air.build()
    }
}

extension Expression {
    static func int(_ value: Int) -> Expression {
        value >= 0 ? .constant(Fp(UInt64(value))) : .constant(-Fp(UInt64(-value)))
    }
}
