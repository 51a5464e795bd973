/// Every main column of the RV32IM circuit, in declaration order, with the line that documents it.
///
/// The circuit (`CPUCircuit`) declares the committed ones in this order and the trace builder writes them by the same
/// positions (``traceIndex``), so the two cannot disagree about a column's position. A few cases are derived values
/// (``isDerived``): the builder's rows hold them, the trace does not.
public enum Col: Int, CaseIterable, Sendable {
    // Boundary columns, committed first: the segment's memory table (what it receives of each address it touches
    // and what it leaves) and its journal table, the values the segments' global bus carries.
    case mActive, mAddr, mInit, mInitTime, mInitNonce, mFinal, mTime, mFinalNonce, jActive, jIdx, jByte
    // Row kinds and control flow.
    case real, instr, setup, io, isFirst, segEnd, clk, pc, nextPC
    // The instruction, as fetched from the program table.
    case rd, rs1, rs2, imm, wr
    case opAdd, opSub, opSll, opSlt, opSltu, opXor, opSrl, opSra, opOr, opAnd
    case opMul, opMulh, opMulhsu, opMulhu, opDiv, opDivu, opRem, opRemu
    case opJal, opJalr, opBeq, opBne, opBlt, opBge, opBltu, opBgeu
    case opLb, opLh, opLw, opLbu, opLhu, opSb, opSh, opSw, opEcall
    // The operation as a cell of a 6 × 6 grid: flag i (in CPUCircuit.opFlags order) is opRow(i / 6)·opCol(i % 6).
    case opRow0, opRow1, opRow2, opRow3, opRow4, opRow5
    case opCol0, opCol1, opCol2, opCol3, opCol4, opCol5
    case useImm, usePC
    // Register accesses.
    case rs1Val, rs2Val, rdVal, rdPrev
    // 16-bit halves of (time now − previous access time − 1) for each of the four accesses of a row; the previous
    // access's time is not a column: the circuit computes it from these.
    case dRs1Lo, dRs1Hi, dRs2Lo, dRs2Hi, dMemLo, dMemHi, dRdLo, dRdHi
    // Operands, result and their bytes.
    case a, b, res, h, c, carry, out, lts
    case a0, a1, a2, a3, b0, b1, b2, b3, n0, n1, n2, n3, r0, r1, r2, r3, h0, h1, h2, h3, c0, c1, c2, c3
    case sa, sb, signAnd, top
    case zt, zero, zinv, taken, wrap
    // Shifts.
    case s0, s1, s2, s3, s4, shHigh, pow, powPartial, powRight, aAdj, resAdj
    // Division.
    case aAbs, bAbs, neg, rem, remLo, remHi, gLo, gHi
    // The memory port.
    case wordAddr, memPrev, memNew, sel0, sel1, sel2, sel3
    // System calls and I/O.
    case sysRead, sysWrite, sysExit, ioRead, journal, ioAddr, ioLeft, ioLeftInv, shortRead, eof, jidx
    // Table sections sharing the rows: memory (address order) and program.
    case mdLo, mdHi
    case romPC, romOp, romRd, romRs1, romRs2, romImm, romWr, romActive, romCount

    /// The column's name in the circuit.
    public var name: String { String(describing: self) }

    /// A value the trace builder works with but the trace does not hold: a fixed combination of committed columns
    /// (a word from its bytes, the remainder from its 16-bit halves, `real` from the row kinds, an operation flag
    /// from its row and column of the operation grid), which the circuit uses in its place. Committing it would
    /// only add a column and the constraint tying it to its parts.
    public var isDerived: Bool {
        switch self {
        case .real, .a, .b, .res, .h, .c, .rem: return true
        default: return isOperationFlag
        }
    }

    /// One of the 35 operation flags (``CPUCircuit/opFlags``), each the product of its grid row and column.
    public var isOperationFlag: Bool { CPUCircuit.opFlags.contains(self) }

    /// The committed columns, in trace order.
    public static let committed: [Col] = allCases.filter { !$0.isDerived }

    /// The boundary columns: the first this many committed columns (``AIR/boundaryColumnCount``).
    public static let boundaryCount = Col.jByte.rawValue + 1

    private static let traceIndices: [Int] = {
        var indices = [Int](repeating: -1, count: allCases.count)
        for (i, c) in committed.enumerated() { indices[c.rawValue] = i }
        return indices
    }()

    /// The column's position in the trace (a committed column only).
    public var traceIndex: Int {
        precondition(!isDerived, "\(name) is derived, not a trace column")
        return Col.traceIndices[rawValue]
    }

    /// One line saying what the column holds.
    public var doc: String {
        switch self {
        case .real: return "1 on rows that execute something (an instruction or an I/O step), 0 on padding"
        case .instr: return "1 on rows that execute an instruction fetched from the program"
        case .setup: return "1 on the row after a read/write ECALL that reads a1, a2 and writes the count to a0"
        case .io: return "1 on rows that move one byte of a read or write"
        case .isFirst: return "1 on the segment's first row, 0 below"
        case .segEnd: return "1 on the segment's last executed row, which hands the machine's state on"
        case .clk: return "the row's cycle count over the whole execution: the segment's first clock plus the row index"
        case .pc: return "address of the instruction (I/O rows: of the instruction after the ECALL)"
        case .nextPC: return "pc of the next executed row"
        case .rd: return "destination register index (0 when the instruction writes none)"
        case .rs1: return "first source register index (0 when unused)"
        case .rs2: return "second source register index (0 when unused)"
        case .imm: return "the immediate as a 32-bit pattern"
        case .wr: return "1 when the instruction writes a register other than x0"
        case .useImm: return "operand b is the immediate instead of rs2"
        case .usePC: return "operand a is pc instead of rs1 (AUIPC)"
        case .rs1Val: return "value of rs1"
        case .rs2Val: return "value of rs2"
        case .rdVal: return "value written to rd"
        case .rdPrev: return "value rd held before the write"
        case .a: return "first operand"
        case .b: return "second operand (for loads: the memory word)"
        case .res: return "32-bit result of the arithmetic (sum, difference, product half, address, …)"
        case .h: return "second 32-bit helper: product half, shifted-out bits, quotient, memory word"
        case .c: return "third 32-bit helper: the value a store writes, or the byte a read brings in"
        case .carry: return "carry, borrow or wrap bit of the arithmetic"
        case .out: return "the value the instruction produces for rd (before the x0 rule)"
        case .lts: return "1 when a < b as signed 32-bit values"
        case .zt: return "the value the zero test looks at: res (branches), b (division), len − count (reads)"
        case .ioRead: return "on set-up and I/O rows: the I/O is a read"
        case .shortRead: return "on a read's set-up row: fewer bytes came back than were asked for"
        case .a0, .a1, .a2, .a3: return "byte \(rawValue - Col.a0.rawValue) of a"
        case .b0, .b1, .b2, .b3: return "byte \(rawValue - Col.b0.rawValue) of b"
        case .n0, .n1, .n2, .n3: return "byte \(rawValue - Col.n0.rawValue) of a AND b"
        case .r0, .r1, .r2, .r3: return "byte \(rawValue - Col.r0.rawValue) of res"
        case .h0, .h1, .h2, .h3: return "byte \(rawValue - Col.h0.rawValue) of h"
        case .c0, .c1, .c2, .c3: return "byte \(rawValue - Col.c0.rawValue) of c"
        case .dRs1Lo, .dRs2Lo, .dMemLo, .dRdLo: return "low 16 bits of (this access's time − the previous one's − 1)"
        case .dRs1Hi, .dRs2Hi, .dMemHi, .dRdHi: return "high 16 bits of (this access's time − the previous one's − 1)"
        case .mdLo: return "memory table: low 16 bits of (next address − this address − 1)"
        case .mdHi: return "memory table: high 16 bits of (next address − this address − 1)"
        case .sa: return "sign bit of a"
        case .sb: return "sign bit of top (b, or a loaded byte or halfword)"
        case .signAnd: return "AND of the sign-stripped top bytes (for the sign lookup)"
        case .top: return "the byte whose sign sb is: b's top byte, or a loaded value's top byte"
        case .zero: return "1 when zt is zero"
        case .zinv: return "inverse of zt when it is not zero"
        case .taken: return "1 when a branch is taken"
        case .wrap: return "1 when a jump target or memory address wraps past 2^32"
        case .s0, .s1, .s2, .s3, .s4: return "bit \(rawValue - Col.s0.rawValue) of the shift amount"
        case .shHigh: return "b's low byte shifted right by 5"
        case .pow: return "2^shift"
        case .powPartial: return "(1 + s0)(1 + 3·s1)(1 + 15·s2), a step towards 2^shift"
        case .powRight: return "2^(32 − shift)"
        case .aAdj: return "a, bitwise inverted for a negative SRA operand"
        case .resAdj: return "res, bitwise inverted for a negative SRA operand"
        case .aAbs: return "|a| as a signed value for DIV/REM, else a"
        case .bAbs: return "|b| as a signed value for DIV/REM, else b"
        case .neg: return "1 when a signed quotient is negative (signs differ, divisor non-zero)"
        case .rem: return "the unsigned remainder |a| mod |b|"
        case .remLo, .remHi: return "16-bit halves of rem"
        case .gLo, .gHi: return "16-bit halves of |b| − rem − 1 (rem < |b|)"
        case .wordAddr: return "word address (byte address / 4) of the memory access"
        case .memPrev: return "memory word before the access (plus 2^32 for a word of code)"
        case .memNew: return "memory word after the access (plus 2^32 for a word of code)"
        case .sel0, .sel1, .sel2, .sel3:
            return "1 when the access starts at byte \(rawValue - Col.sel0.rawValue) of the word"
        case .sysRead: return "the ECALL is read (a7 = 63)"
        case .sysWrite: return "the ECALL is write (a7 = 64)"
        case .sysExit: return "the ECALL is exit (a7 = 93 or 94)"
        case .journal: return "the I/O goes to or from the journal (write to fd 1) rather than the input or the log"
        case .ioAddr: return "guest address of the I/O byte"
        case .ioLeft: return "bytes of the I/O left, this one included"
        case .ioLeftInv: return "inverse of the bytes left after this row, when not zero"
        case .eof: return "1 once a read has come back short: the input is exhausted"
        case .jidx: return "journal bytes written before this row"
        case .mActive: return "memory table: 1 on rows that hold an address the segment touches"
        case .mAddr: return "memory table: an address (registers at 2^32 + index, the state at 2^32 + 32..34, RAM by word)"
        case .mInit: return "memory table: the value the address holds when the segment starts (plus 2^32 for code)"
        case .mInitTime: return "memory table: time of the address's last access before the segment"
        case .mInitNonce: return "memory table: the nonce the previous holder sent the address's value with"
        case .mFinal: return "memory table: the value the segment leaves (plus 2^32 for a word of code)"
        case .mTime: return "memory table: time of the address's last access in the segment"
        case .mFinalNonce: return "memory table: a fresh random nonce the segment sends the value on with"
        case .jActive: return "journal table: 1 on rows that hold a journal byte the segment writes"
        case .jIdx: return "journal table: the byte's index in the journal"
        case .jByte: return "journal table: the byte"
        case .romPC: return "program table: an instruction address"
        case .romOp: return "program table: the instruction's operation code"
        case .romRd, .romRs1, .romRs2: return "program table: register index"
        case .romImm: return "program table: immediate"
        case .romWr: return "program table: writes a register other than x0"
        case .romActive: return "program table: 1 on rows that hold an instruction"
        case .romCount: return "program table: how many times the instruction ran"
        case .opRow0, .opRow1, .opRow2, .opRow3, .opRow4, .opRow5:
            let r = rawValue - Col.opRow0.rawValue
            return "1 when the operation is one of flags \(6 * r) to \(min(34, 6 * r + 5)) (row \(r) of the grid)"
        case .opCol0, .opCol1, .opCol2, .opCol3, .opCol4, .opCol5:
            let c = rawValue - Col.opCol0.rawValue
            return "1 when the operation's flag index is \(c) modulo 6 (column \(c) of the grid)"
        default:
            let op = name.dropFirst(2).lowercased()
            return "the instruction is \(op.uppercased())"
        }
    }
}
