import AIR
import Field
import Hashing
import RV32IM

/// Why an execution cannot be turned into a trace for the circuit.
public enum CircuitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The execution did not end in `exit`.
    case didNotExit
    /// The program does something the circuit cannot express; the message says what.
    case unsupported(String)
    /// The trace would need more rows than the prover handles (2^limit).
    case tooLong(rows: Int, limitLog: Int)
    /// The machine and the circuit disagree about a value: a bug, reported instead of producing a bad witness.
    case inconsistent(String)

    public var description: String {
        switch self {
        case .didNotExit: return "the program did not reach exit, so there is no result to prove"
        case .unsupported(let why): return "cannot prove this execution: \(why)"
        case .tooLong(let rows, let limit):
            return "the execution needs \(rows) trace rows; at most 2^\(limit) are supported in one proof"
        case .inconsistent(let why): return "internal error: machine and circuit disagree: \(why)"
        }
    }
}

/// What the trace builder makes of a segment.
public enum SegmentBuild: Sendable {
    /// Nothing: the segment is walked for its effect on the machine's state.
    case none
    /// Only the boundary columns (``Col/boundaryCount`` of them): what the boundary commitment needs.
    case boundary
    /// The whole trace.
    case full
}

/// One segment's witness: its index, trace, lookup table and public inputs. A segment built for its boundary alone
/// has only the boundary columns in `table`, and an empty lookup table.
public struct SegmentWitness: Sendable {
    public var index: Int
    public var table: TraceTable
    /// The segment's lookup table (``LookupCircuit``): how often its rows looked up each byte pair and 16-bit value.
    public var lookups: TraceTable
    public var publicInputs: [Fp]
}

/// The witness of a whole execution, every segment held at once (for tests and small runs; the prover builds one
/// segment at a time instead): the segments, the memory's closing table, and the statement's bus entries.
public struct ExecutionWitness: Sendable {
    /// Rows per segment, a power of two; every segment has as many.
    public var rowsPerSegment: Int
    public var segments: [SegmentWitness]
    /// The memory's closing table (``MemoryCircuit``); it has no public inputs.
    public var memory: TraceTable
    /// Every segment's local public bus entries, indexed like the circuit's buses (the program table's).
    public var publicBusEntries: [[PublicBusEntry]]
    /// The verifier's entries of the global bus.
    public var globalEntries: [PublicBusEntry]
}

/// Turns a machine execution into the circuit's traces: the execution cut into segments of equal size, each a trace
/// of the RV32IM circuit, built one at a time in order, and then the memory's closing table.
///
/// The builder keeps the machine's state from one segment to the next (registers, memory, the time of every
/// address's last access, the input's end, the journal position), so each segment's memory table records what the
/// segment receives of each address it touches and what it leaves. Nonces for the global bus come from a secret
/// key: the nonce of the value an address holds from time t on is a function of (key, address, t), so the segment
/// that sends it and the one that receives it (or the closing table) compute the same one, and anyone without the
/// key sees uniformly random values.
public struct TraceBuilder {
    /// The largest segment this builder makes: 2^19 rows. At 2^19 rows the prover peaks near 11 GB with the
    /// default profile.
    public static let maxLogRows = 19
    /// The segment size when an execution does not fit in one: 2^18 rows, which the prover holds in about 4.4 GB
    /// with the default profile (its main columns computed a coset at a time, see
    /// ``ProverOptions/mainExtensionMemoryLimit``). One proof of 2^18 rows is smaller than two of 2^17 by the
    /// part of a proof that does not depend on its width (`docs/prover.md`, "What a receipt cannot go below").
    public static let defaultLogSegmentRows = 18
    /// The smallest segment: 2^8 rows, more than the default profile's mask degree (174) and the reserved rows. The
    /// byte and 16-bit tables are the lookup table's, proven beside the segment at their own height.
    public static let minLogRows = 8
    /// Rows a segment keeps free of execution: the memory table holds every address the segment touches (one per
    /// executed row at most, plus the 32 registers and the state), and at least the last row is padding.
    static let reservedRows = 64
    /// The clocks of all segments stay below this, so every time fits the circuit's 32-bit time gaps.
    public static let maxTotalRows = 1 << 29
    /// The largest memory table: 2^26 rows, the most a proof supports.
    public static let maxMemoryLogRows = 26

    /// log₂ of the rows of every segment.
    public var logRows: Int { plan.logRows }
    /// How many segments the execution is cut into.
    public var segmentCount: Int { plan.segmentCount }

    private let program: Program
    private let plan: SegmentPlan
    private let exitCode: UInt32
    private let rom: [FetchedInstruction]
    private let romByPC: [UInt32: FetchedInstruction]
    private let nonceKey: Digest
    /// Whether segment k's trace is built; a segment that is not is walked (its effect on the machine's state
    /// recorded) without its table.
    private let builds: @Sendable (Int) -> SegmentBuild
    /// The segment being walked, and the machine row that starts the next one.
    private var segment = -1
    private var cycle = 0
    private var building = false
    private var buildsBoundary = false
    private var startState: [UInt64] = []

    private var columns: [[Fp]] = []
    private var rows = 0
    private var clkStart: UInt64 = 0
    private var registers: [UInt32]
    private var registerTime = [UInt64](repeating: 0, count: 32)
    private var memory: [UInt32: UInt32]
    /// Words of code, which the memory bus carries marked read-only (``CPUCircuit/codeMark``).
    private let code: Set<UInt32>
    private var memoryTime: [UInt32: UInt64] = [:]
    /// What the segment received of each address it touched: the value (with the code mark) and the time.
    private var received: [UInt64: (value: UInt64, time: UInt64)] = [:]
    private var journalBytes: [(index: UInt64, byte: UInt8)] = []
    private var andCount = [UInt64](repeating: 0, count: 65536)
    private var rangeCount = [UInt64](repeating: 0, count: 65536)
    private var eof = false
    private var tamper: _Tamper?
    private var journalIndex: UInt64 = 0
    private var lastNextPC: UInt32 = 0
    /// The state the last segment left: its value and time.
    private var finalState: (values: [UInt64], time: UInt64)?

    /// Test only: a cheating prover's edit of an instruction row, applied after the row's values are computed and
    /// before its register write and helper columns, so everything downstream stays consistent with the edit.
    /// Arguments: the row's clock (its index in a one-segment execution), the instruction, and the row's cells
    /// (indexed by `Col.rawValue`).
    public typealias _Tamper = (_ row: Int, _ instruction: FetchedInstruction, _ cells: inout [Fp]) -> Void

    /// A builder for an execution of `program` that exited with `exitCode`, cut as `plan` says, to be fed the
    /// execution's machine rows in order (``add(_:event:)``, then ``finish()``). `builds(k)` says whether segment
    /// k's trace is wanted (by default every one's). `nonceKey` must be secret and fresh for each proof; by
    /// default it is drawn at random.
    public init(
        program: Program, plan: SegmentPlan, exitCode: UInt32, nonceKey: Digest? = nil,
        builds: @escaping @Sendable (Int) -> SegmentBuild = { _ in .full }, _tamper: _Tamper? = nil
    ) {
        self.program = program
        self.plan = plan
        self.exitCode = exitCode
        self.builds = builds
        self.tamper = _tamper
        rom = CircuitStatement.programTable(program)
        romByPC = Dictionary(rom.map { ($0.pc, $0) }, uniquingKeysWith: { a, _ in a })
        registers = CircuitStatement.initialRegisters()
        memory = CircuitStatement.imageWords(program)
        code = CircuitStatement.codeWords(program)
        self.nonceKey = nonceKey ?? .random()
    }

    /// The whole execution's witness at once: every segment, the closing table and the statement's entries.
    public static func witness(
        program: Program, trace: Trace, logSegmentRows: Int? = nil, nonceKey: Digest? = nil, _tamper: _Tamper? = nil
    ) throws(CircuitError) -> ExecutionWitness {
        guard let last = trace.events.last, case .exit(let exitCode) = last.kind else { throw .didNotExit }
        var planner = try SegmentPlanner(program: program, logSegmentRows: logSegmentRows)
        var events = trace.events.makeIterator()
        for row in trace.rows { try planner.add(row, event: row.op == .ecall ? events.next() : nil) }
        var builder = TraceBuilder(
            program: program, plan: try planner.finish(), exitCode: exitCode, nonceKey: nonceKey, _tamper: _tamper)
        var segments: [SegmentWitness] = []
        events = trace.events.makeIterator()
        for row in trace.rows {
            if let done = try builder.add(row, event: row.op == .ecall ? events.next() : nil) { segments.append(done) }
        }
        if let done = try builder.finish() { segments.append(done) }
        let entries = CircuitStatement.publicBusEntries(program: program)
        return ExecutionWitness(
            rowsPerSegment: 1 << builder.logRows, segments: segments, memory: try builder.memoryTable(),
            publicBusEntries: entries,
            globalEntries: CircuitStatement.globalEntries(program: program, journal: trace.result.journal))
    }

    /// Takes the execution's next machine row (and, for an ECALL, its I/O event). When the row starts a new
    /// segment, returns the segment before it, if its trace is built.
    public mutating func add(_ row: TraceRow, event: IOEvent?) throws(CircuitError) -> SegmentWitness? {
        var done: SegmentWitness?
        if segment + 1 < plan.segmentCount && cycle == plan.starts[segment + 1] {
            done = try endSegment()
            startSegment(row)
        }
        guard segment >= 0 else { throw .inconsistent("the plan's first segment does not start at cycle 0") }
        cycle += 1
        guard let fetched = romByPC[row.pc] else { throw .inconsistent("pc \(hex(row.pc)) is not in the program table") }
        try instructionRow(fetched, row)
        if let event { try ioRows(event, fetched: fetched, vmRow: row) }
        return done
    }

    /// Ends the last segment after the last row; returns it if its trace is built.
    public mutating func finish() throws(CircuitError) -> SegmentWitness? {
        guard segment == plan.segmentCount - 1 else {
            throw .inconsistent("the execution ended in segment \(segment + 1) of \(plan.segmentCount)")
        }
        return try endSegment()
    }

    private mutating func startSegment(_ row: TraceRow) {
        segment += 1
        let build = builds(segment)
        building = build == .full
        buildsBoundary = build == .boundary
        let n = 1 << logRows
        columns = []
        if building { columns.reserveCapacity(n) }
        rows = 0
        clkStart = UInt64(segment * n)
        received = [:]
        journalBytes = []
        andCount = [UInt64](repeating: 0, count: 65536)
        rangeCount = [UInt64](repeating: 0, count: 65536)
        startState = CPUCircuit.stateValues(pc: row.pc, eof: eof, journalIndex: journalIndex)
    }

    private mutating func endSegment() throws(CircuitError) -> SegmentWitness? {
        if segment < 0 { return nil }
        let n = 1 << logRows
        guard rows > 0, rows <= n - TraceBuilder.reservedRows / 2 else {
            throw .inconsistent("segment \(segment) of \(rows) rows does not fit 2^\(logRows)")
        }
        let endState = CPUCircuit.stateValues(pc: lastNextPC, eof: eof, journalIndex: journalIndex)
        finalState = (endState, 4 * (clkStart + UInt64(n)))
        let table: TraceTable
        let lookups: TraceTable
        if building {
            table = try finishSegment(startState: startState)
            lookups = LookupCircuit.trace(andCounts: andCount, rangeCounts: rangeCount)
        } else if buildsBoundary {
            table = try boundaryTable(startState: startState)
            lookups = LookupCircuit.trace(
                andCounts: [UInt64](repeating: 0, count: 65536), rangeCounts: [UInt64](repeating: 0, count: 65536))
        } else {
            return nil
        }
        return SegmentWitness(
            index: segment, table: table, lookups: lookups,
            publicInputs: CircuitStatement.segmentPublicInputs(
                program: program, exitCode: exitCode, segment: segment, of: plan.segmentCount, rows: n))
    }

    /// The nonce that the value `address` holds from `time` on travels with: 0 at time 0 (the image's and the
    /// closing table's public starts), else derived from the secret key.
    private func nonce(_ address: UInt64, _ time: UInt64) -> Fp {
        guard time > 0 else { return .zero }
        var input = nonceKey.bytes
        for v in [address, time] { for i in 0..<8 { input.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        return Fp(reducing: Blake2b.wideHash(input))
    }

    /// Records, before a segment's first access to `address`, what the segment receives of it.
    private mutating func receive(_ address: UInt64, value: UInt64, time: UInt64) {
        if received[address] == nil { received[address] = (value, time) }
    }

    // MARK: - Rows

    private var row: [Fp] = []

    private mutating func set(_ c: Col, _ v: UInt64) { row[c.rawValue] = Fp(v) }
    private mutating func set(_ c: Col, _ v: Fp) { row[c.rawValue] = v }
    private mutating func set(_ c: Col, _ v: Bool) { row[c.rawValue] = v ? .one : .zero }
    private func get(_ c: Col) -> Fp { row[c.rawValue] }

    private mutating func startRow() {
        row = [Fp](repeating: .zero, count: Col.allCases.count)
        set(.clk, clkStart + UInt64(rows))
    }

    /// Sets the operand bytes, AND bytes and all the always-present helper columns, records the row's lookups and
    /// appends it.
    private mutating func finishRow() {
        // A segment walked without its table keeps only what the next segments need.
        guard building else {
            if get(.real) == .one { lastNextPC = UInt32(truncatingIfNeeded: get(.nextPC).canonicalLimbs.0) }
            rows += 1
            return
        }
        // The operation flag the row set, as its row and column of the operation grid (the trace holds those). A
        // tampered row with several flags gets every one's row and column added up.
        for flag in CPUCircuit.opFlags where get(flag) != .zero {
            let cell = CPUCircuit.gridCell(of: flag)
            set(cell.row, get(cell.row) + get(flag))
            set(cell.column, get(cell.column) + get(flag))
        }
        let a = UInt32(truncatingIfNeeded: get(.a).canonicalLimbs.0)
        let b = UInt32(truncatingIfNeeded: get(.b).canonicalLimbs.0)
        let res = UInt32(truncatingIfNeeded: get(.res).canonicalLimbs.0)
        let h = UInt32(truncatingIfNeeded: get(.h).canonicalLimbs.0)
        let c = UInt32(truncatingIfNeeded: get(.c).canonicalLimbs.0)
        let byteCols: [(UInt32, [Col])] = [
            (a, [.a0, .a1, .a2, .a3]), (b, [.b0, .b1, .b2, .b3]), (res, [.r0, .r1, .r2, .r3]),
            (h, [.h0, .h1, .h2, .h3]), (c, [.c0, .c1, .c2, .c3]),
        ]
        for (value, cols) in byteCols {
            for (k, col) in cols.enumerated() { set(col, UInt64((value >> UInt32(8 * k)) & 0xff)) }
        }
        for k in 0..<4 {
            let x = (a >> UInt32(8 * k)) & 0xff
            let y = (b >> UInt32(8 * k)) & 0xff
            set([Col.n0, .n1, .n2, .n3][k], UInt64(x & y))
            lookupAnd(x, y)
        }
        for value in [res, h, c] {
            for k in 0..<4 { lookupAnd((value >> UInt32(8 * k)) & 0xff, 0) }
        }
        // Signs: of a, and of `top` (b's top byte, or a signed load's top byte).
        let sa = a >> 31
        let top = UInt32(truncatingIfNeeded: get(.top).canonicalLimbs.0)
        let sb = top >> 7
        set(.sa, UInt64(sa))
        set(.sb, UInt64(sb))
        let sx = 2 * ((a >> 24) & 0x7f)
        let sy = 2 * (top & 0x7f)
        set(.signAnd, UInt64(sx & sy))
        lookupAnd(sx, sy)
        // Shift amount, from b's low byte, and its powers of two.
        let b0 = b & 0xff
        let s = b0 & 31
        for k in 0..<5 { set([Col.s0, .s1, .s2, .s3, .s4][k], UInt64((s >> UInt32(k)) & 1)) }
        set(.shHigh, UInt64(b0 >> 5))
        lookupAnd(b0 >> 5, 0)
        set(.powPartial, UInt64(1 << (s & 7)))
        set(.pow, UInt64(1) << UInt64(s))
        set(.powRight, UInt64(1) << UInt64(32 - s))
        // lts, by its formula, from the row's carry.
        let carry = get(.carry)
        let fa = Fp(UInt64(sa))
        let fb = Fp(UInt64(sb))
        set(.lts, fa * (1 - fb) + (1 - fa - fb + 2 * fa * fb) * carry)
        // Zero test.
        let zt = get(.zt)
        set(.zero, zt.isZero)
        set(.zinv, zt.isZero ? .zero : zt.inverse())
        set(.neg, (1 - get(.zero)) * (fa + fb - 2 * fa * fb))
        let divSigned = get(.opDiv) + get(.opRem)
        let fA = get(.a)
        let fB = get(.b)
        let two32 = Fp(1 << 32)
        set(.aAbs, fA + divSigned * fa * (two32 - 2 * fA))
        set(.bAbs, fB + divSigned * fb * (two32 - 2 * fB))
        let allOnes = Fp(0xffff_ffff)
        set(.aAdj, fA + get(.opSra) * fa * (allOnes - 2 * fA))
        set(.resAdj, get(.res) + get(.opSra) * fa * (allOnes - 2 * get(.res)))
        let rem = UInt32(truncatingIfNeeded: get(.rem).canonicalLimbs.0)
        set(.remLo, UInt64(rem & 0xffff))
        set(.remHi, UInt64(rem >> 16))
        for col in [
            Col.dRs1Lo, .dRs1Hi, .dRs2Lo, .dRs2Hi, .dMemLo, .dMemHi, .dRdLo, .dRdHi, .remLo, .remHi, .gLo, .gHi,
        ] {
            lookupRange(get(col))
        }
        // The memory-table difference columns are filled in later; their lookups are counted there.
        if get(.real) == .one { lastNextPC = UInt32(truncatingIfNeeded: get(.nextPC).canonicalLimbs.0) }
        columns.append(row)
        rows += 1
    }

    // Out-of-range values only occur in a tampered witness; they have no table row to count.
    private mutating func lookupAnd(_ x: UInt32, _ y: UInt32) {
        if x < 256 && y < 256 { andCount[Int(x | y << 8)] += 1 }
    }
    private mutating func lookupRange(_ v: Fp) {
        if v.canonicalLimbs.0 < 65536 && v.canonicalLimbs.1 == 0 { rangeCount[Int(v.canonicalLimbs.0)] += 1 }
    }

    // MARK: - Instructions

    /// Reads two registers through the row's two read ports, at times 4·clk and 4·clk + 1.
    private mutating func readRegisters(_ rs1: UInt8, _ rs2: UInt8) -> (UInt32, UInt32) {
        let t = 4 * (clkStart + UInt64(rows)) + 4
        for r in [rs1, rs2] { receiveRegister(r) }
        let v1 = registers[Int(rs1)]
        set(.rs1, UInt64(rs1))
        set(.rs1Val, UInt64(v1))
        timeGap(previous: registerTime[Int(rs1)], now: t, lo: .dRs1Lo, hi: .dRs1Hi)
        registerTime[Int(rs1)] = t
        let v2 = registers[Int(rs2)]
        set(.rs2, UInt64(rs2))
        set(.rs2Val, UInt64(v2))
        timeGap(previous: registerTime[Int(rs2)], now: t + 1, lo: .dRs2Lo, hi: .dRs2Hi)
        registerTime[Int(rs2)] = t + 1
        return (v1, v2)
    }

    private mutating func receiveRegister(_ r: UInt8) {
        receive(CPUCircuit.registerBase + UInt64(r), value: UInt64(registers[Int(r)]), time: registerTime[Int(r)])
    }

    private mutating func writeRegister(_ rd: UInt8, _ value: UInt32) {
        let t = 4 * (clkStart + UInt64(rows)) + 4 + 3
        receiveRegister(rd)
        set(.rd, UInt64(rd))
        set(.rdPrev, UInt64(registers[Int(rd)]))
        set(.rdVal, UInt64(value))
        timeGap(previous: registerTime[Int(rd)], now: t, lo: .dRdLo, hi: .dRdHi)
        registerTime[Int(rd)] = t
        registers[Int(rd)] = value
    }

    /// The two 16-bit halves of the gap between an access at `now` and the address's previous access, less one. The
    /// circuit recomputes the previous access's time from them; it is not a column.
    private mutating func timeGap(previous: UInt64, now: UInt64, lo: Col, hi: Col) {
        let d = now - previous - 1
        set(lo, d & 0xffff)
        set(hi, d >> 16)
    }

    /// One access to the word holding `address`; returns the old word. `newWord` computes the new one; a load
    /// passes none.
    private mutating func accessMemory(_ address: UInt32, _ newWord: ((UInt32) -> UInt32)? = nil) -> UInt32 {
        let word = address >> 2
        let old = memory[word] ?? 0
        let new = newWord?(old) ?? old
        // A load of code reads and keeps the read-only mark. A store takes the word unmarked: the machine never
        // stores into code, and a prover that does finds no marked tuple to match, so the memory bus fails.
        let mark = newWord == nil && code.contains(word) ? CPUCircuit.codeMark : 0
        // What the segment receives carries the mark whatever the access: the image enters code marked.
        let held = code.contains(word) ? CPUCircuit.codeMark : 0
        receive(UInt64(word), value: UInt64(old) + held, time: memoryTime[word] ?? 0)
        set(.wordAddr, UInt64(word))
        set(.memPrev, UInt64(old) + mark)
        set(.memNew, UInt64(new) + mark)
        set([Col.sel0, .sel1, .sel2, .sel3][Int(address & 3)], true)
        let t = 4 * (clkStart + UInt64(rows)) + 4 + 2
        timeGap(previous: memoryTime[word] ?? 0, now: t, lo: .dMemLo, hi: .dMemHi)
        memoryTime[word] = t
        memory[word] = new
        return old
    }

    private mutating func instructionRow(_ f: FetchedInstruction, _ vm: TraceRow) throws(CircuitError) {
        startRow()
        set(.real, true)
        set(.instr, true)
        set(.pc, UInt64(vm.pc))
        // exit halts the machine where it is; the circuit's ECALL always continues at pc + 4 (nothing follows).
        set(.nextPC, UInt64(f.flag == .opEcall ? vm.pc &+ 4 : vm.nextPC))
        set(f.flag, true)
        set(.useImm, f.useImm)
        set(.usePC, f.usePC)
        set(.imm, UInt64(f.imm))
        set(.wr, f.wr)
        set(.rd, UInt64(f.rd))
        let (rs1, rs2) = readRegisters(f.rs1, f.rs2)
        let a = f.usePC ? vm.pc : rs1
        let b = f.useImm ? f.imm : rs2
        set(.a, UInt64(a))
        set(.b, UInt64(b))
        set(.top, UInt64(b >> 24))
        let (sum, sumCarry) = a.addingReportingOverflow(b)
        let (difference, borrow) = a.subtractingReportingOverflow(b)
        var out: UInt32 = 0
        func setRes(_ v: UInt32) { set(.res, UInt64(v)) }
        switch f.flag {
        case .opAdd:
            setRes(sum)
            set(.carry, sumCarry)
            out = sum
        case .opSub, .opSlt, .opSltu:
            setRes(difference)
            set(.carry, borrow)
            out =
                f.flag == .opSub
                ? difference
                : f.flag == .opSltu ? (borrow ? 1 : 0) : (Int32(bitPattern: a) < Int32(bitPattern: b) ? 1 : 0)
        case .opXor: out = a ^ b
        case .opOr: out = a | b
        case .opAnd: out = a & b
        case .opSll, .opSrl, .opSra:
            let s = b & 31
            if f.flag == .opSll {
                let wide = UInt64(a) << UInt64(s)
                setRes(UInt32(truncatingIfNeeded: wide))
                set(.h, wide >> 32)
                out = UInt32(truncatingIfNeeded: wide)
            } else {
                let negative = f.flag == .opSra && a >> 31 == 1
                let adjusted = negative ? ~a : a
                let wide = UInt64(adjusted) << UInt64(32 - s)
                let shifted = UInt32(truncatingIfNeeded: wide >> 32)
                out = negative ? ~shifted : shifted
                setRes(out)
                set(.h, wide & 0xffff_ffff)
            }
        case .opMul, .opMulhu:
            let p = UInt64(a) * UInt64(b)
            let (lo, hi) = (p & 0xffff_ffff, p >> 32)
            out = UInt32(f.flag == .opMul ? lo : hi)
            setRes(out)
            set(.h, f.flag == .opMul ? hi : lo)
        case .opMulh, .opMulhsu:
            let sa = Int64(Int32(bitPattern: a))
            let sbv = f.flag == .opMulh ? Int64(Int32(bitPattern: b)) : Int64(b)
            let p = UInt64(bitPattern: sa * sbv)
            out = UInt32(p >> 32)
            setRes(out)
            set(.h, p & 0xffff_ffff)
            set(.carry, sa * sbv < 0)
        case .opDiv, .opDivu, .opRem, .opRemu:
            // Divide the magnitudes, then give quotient and remainder their signs.
            let signed = f.flag == .opDiv || f.flag == .opRem
            let negA = signed && a >> 31 == 1
            let negB = signed && b >> 31 == 1
            let absA = negA ? (UInt64(1) << 32) - UInt64(a) : UInt64(a)
            let absB = negB ? (UInt64(1) << 32) - UInt64(b) : UInt64(b)
            set(.zt, UInt64(b))
            var q: UInt64 = 0
            var r = absA
            if absB == 0 {
                if f.flag == .opDiv || f.flag == .opDivu { q = 0xffff_ffff }
            } else {
                q = absA / absB
                r = absA % absB
                let g = absB - r - 1
                set(.gLo, g & 0xffff)
                set(.gHi, g >> 16)
            }
            set(.h, q)
            set(.rem, r)
            switch f.flag {
            case .opDivu: out = UInt32(q)
            case .opRemu: out = UInt32(r)
            case .opDiv:
                let negative = b != 0 && negA != negB
                out = negative ? 0 &- UInt32(truncatingIfNeeded: q) : UInt32(truncatingIfNeeded: q)
                set(.carry, negative && q != 0)
            default:
                out = negA ? 0 &- UInt32(truncatingIfNeeded: r) : UInt32(truncatingIfNeeded: r)
                set(.carry, negA && r != 0)
            }
            setRes(out)
        case .opJal:
            out = vm.pc &+ 4
            set(.wrap, UInt64(vm.pc) + UInt64(f.imm) >= 1 << 32)
        case .opJalr:
            setRes(sum)
            set(.carry, sumCarry)
            set(.wrap, sum & 1 == 1)
            out = vm.pc &+ 4
        case .opBeq, .opBne, .opBlt, .opBge, .opBltu, .opBgeu:
            setRes(difference)
            set(.carry, borrow)
            set(.zt, UInt64(difference))
            let signedLess = Int32(bitPattern: a) < Int32(bitPattern: b)
            let taken: Bool
            switch f.flag {
            case .opBeq: taken = a == b
            case .opBne: taken = a != b
            case .opBlt: taken = signedLess
            case .opBge: taken = !signedLess
            case .opBltu: taken = a < b
            default: taken = a >= b
            }
            set(.taken, taken)
            set(.wrap, taken && UInt64(vm.pc) + UInt64(f.imm) >= 1 << 32)
        case .opLb, .opLh, .opLw, .opLbu, .opLhu, .opSb, .opSh, .opSw:
            setRes(sum)
            set(.carry, sumCarry)
            let address = sum
            let shift = UInt32(8 * (address & 3))
            switch f.flag {
            case .opSb, .opSh, .opSw:
                set(.c, UInt64(rs2))
                let old = accessMemory(address) { old in
                    switch f.flag {
                    case .opSw: return rs2
                    case .opSh: return old & ~(0xffff << shift) | (rs2 & 0xffff) << shift
                    default: return old & ~(0xff << shift) | (rs2 & 0xff) << shift
                    }
                }
                set(.h, UInt64(old))
            default:
                let word = accessMemory(address)
                set(.h, UInt64(word))
                switch f.flag {
                case .opLw: out = word
                case .opLbu: out = (word >> shift) & 0xff
                case .opLhu: out = (word >> shift) & 0xffff
                case .opLb:
                    let byte = (word >> shift) & 0xff
                    set(.top, UInt64(byte))
                    out = UInt32(bitPattern: Int32(Int8(bitPattern: UInt8(byte))))
                default:
                    let halfword = (word >> shift) & 0xffff
                    set(.top, UInt64(halfword >> 8))
                    out = UInt32(bitPattern: Int32(Int16(bitPattern: UInt16(halfword))))
                }
            }
        case .opEcall:
            out = rs2
            let number = rs1
            set(.sysRead, number == 63)
            set(.sysWrite, number == 64)
            set(.sysExit, number == 93 || number == 94)
            if number == 64 { set(.journal, rs2 == 1) }
        default:
            throw .inconsistent("unexpected operation \(f.flag)")
        }
        set(.out, UInt64(out))
        set(.eof, eof)
        set(.jidx, journalIndex)
        if let tamper {
            tamper(Int(clkStart) + rows, f, &row)
            out = UInt32(truncatingIfNeeded: get(.out).canonicalLimbs.0)
        }
        let writes = get(.wr) == .one
        let written = writes ? out : 0
        if tamper == nil && f.wr && vm.rd == f.rd && f.flag != .opEcall && vm.rdValue != written {
            throw .inconsistent("pc \(hex(vm.pc)): machine wrote \(hex(vm.rdValue)), circuit computes \(hex(written))")
        }
        writeRegister(UInt8(truncatingIfNeeded: get(.rd).canonicalLimbs.0 & 31), written)
        finishRow()
    }

    // MARK: - System call continuations

    private mutating func ioRows(_ event: IOEvent, fetched: FetchedInstruction, vmRow: TraceRow) throws(CircuitError) {
        let continuation = vmRow.pc &+ 4
        let isRead: Bool
        let journal: Bool
        switch event.kind {
        case .exit: return
        case .input: (isRead, journal) = (true, false)
        case .journal: (isRead, journal) = (false, true)
        case .log: (isRead, journal) = (false, false)
        }
        // The set-up row: a1, a2 in; the count out to a0.
        startRow()
        set(.real, true)
        set(.setup, true)
        set(.pc, UInt64(continuation))
        set(.nextPC, UInt64(continuation))
        set(.ioRead, isRead)
        set(.journal, journal)
        let (buffer, length) = readRegisters(11, 12)
        // The buffer lies in memory: h + 2^32·carry = 2^32 − a1 − a2. The machine refuses any other buffer, so a
        // negative room only comes from a tampered trace, which the circuit then rejects.
        let room = (Int64(1) << 32) - Int64(buffer) - Int64(length)
        set(.h, UInt64(truncatingIfNeeded: room) & 0xffff_ffff)
        set(.carry, room >= 1 << 32)
        let count = UInt32(event.bytes.count)
        guard event.address == buffer else { throw .inconsistent("I/O buffer \(hex(event.address)) is not a1") }
        set(.res, UInt64(count))
        let moved = isRead || journal ? count : 0
        set(.ioLeft, UInt64(moved))
        set(.ioLeftInv, moved == 0 ? .zero : Fp(UInt64(moved)).inverse())
        set(.ioAddr, UInt64(buffer))
        if isRead {
            let g = UInt64(length) - UInt64(count)
            set(.gLo, g & 0xffff)
            set(.gHi, g >> 16)
            set(.zt, g)
            if g != 0 {
                set(.shortRead, true)
                eof = true
            }
        }
        set(.eof, eof)
        set(.jidx, journalIndex)
        writeRegister(10, count)
        finishRow()
        // One row per byte moved.
        for (i, byte) in event.bytes.enumerated() where isRead || journal {
            startRow()
            set(.real, true)
            set(.io, true)
            set(.pc, UInt64(continuation))
            set(.nextPC, UInt64(continuation))
            set(.ioRead, isRead)
            set(.journal, journal)
            let address = buffer &+ UInt32(i)
            set(.ioAddr, UInt64(address))
            let left = UInt64(moved) - UInt64(i)
            set(.ioLeft, left)
            set(.ioLeftInv, left == 1 ? .zero : Fp(left - 1).inverse())
            set(.a, UInt64(address))
            set(.res, UInt64(address))
            let shift = UInt32(8 * (address & 3))
            if isRead {
                set(.opSb, true)
                set(.c, UInt64(byte))
                set(.rs2Val, UInt64(byte))
                let old = accessMemory(address) { $0 & ~(0xff << shift) | UInt32(byte) << shift }
                set(.h, UInt64(old))
            } else {
                set(.opLbu, true)
                let word = accessMemory(address)
                set(.h, UInt64(word))
                let value = (word >> shift) & 0xff
                guard value == UInt32(byte) else { throw .inconsistent("journal byte \(i) differs from memory") }
                set(.out, UInt64(value))
            }
            set(.eof, eof)
            set(.jidx, journalIndex)
            if journal {
                journalBytes.append((journalIndex, byte))
                journalIndex += 1
            }
            finishRow()
        }
    }

    // MARK: - Padding and tables

    /// Pads the segment, marks its first and last executed rows, and fills in its tables.
    private mutating func finishSegment(startState: [UInt64]) throws(CircuitError) -> TraceTable {
        let n = 1 << logRows
        columns[0][Col.isFirst.rawValue] = .one
        columns[rows - 1][Col.segEnd.rawValue] = .one
        while rows < n {
            startRow()
            set(.eof, eof)
            set(.jidx, journalIndex)
            finishRow()
        }
        let table = try memoryTableRows(startState: startState)
        for (i, entry) in table.enumerated() {
            let (address, initial, time, final, last) = entry
            var r = columns[i]
            r[Col.mActive.rawValue] = .one
            r[Col.mAddr.rawValue] = Fp(address)
            r[Col.mInit.rawValue] = Fp(initial)
            r[Col.mInitTime.rawValue] = Fp(time)
            r[Col.mInitNonce.rawValue] = nonce(address, time)
            r[Col.mFinal.rawValue] = Fp(final)
            r[Col.mTime.rawValue] = Fp(last)
            r[Col.mFinalNonce.rawValue] = nonce(address, last)
            if i + 1 < table.count {
                let d = table[i + 1].0 - address - 1
                r[Col.mdLo.rawValue] = Fp(d & 0xffff)
                r[Col.mdHi.rawValue] = Fp(d >> 16)
            }
            columns[i] = r
        }
        for (i, entry) in journalBytes.enumerated() {
            columns[i][Col.jActive.rawValue] = .one
            columns[i][Col.jIdx.rawValue] = Fp(entry.index)
            columns[i][Col.jByte.rawValue] = Fp(UInt64(entry.byte))
        }
        for i in 0..<n {
            rangeCount[Int(columns[i][Col.mdLo.rawValue].canonicalLimbs.0)] += 1
            rangeCount[Int(columns[i][Col.mdHi.rawValue].canonicalLimbs.0)] += 1
        }
        var executed: [UInt32: UInt64] = [:]
        for i in 0..<n where columns[i][Col.instr.rawValue] == .one {
            executed[UInt32(columns[i][Col.pc.rawValue].canonicalLimbs.0), default: 0] += 1
        }
        for (i, entry) in rom.enumerated() {
            let values = entry.values
            let cols: [Col] = [.romPC, .romOp, .romRd, .romRs1, .romRs2, .romImm, .romWr]
            for (k, col) in cols.enumerated() { columns[i][col.rawValue] = values[k] }
            columns[i][Col.romActive.rawValue] = .one
            columns[i][Col.romCount.rawValue] = Fp(executed[entry.pc] ?? 0)
        }
        // Transpose the committed columns to column-major; derived values stay behind.
        let committed = Col.committed.map(\.rawValue)
        var result = [[Fp]](repeating: [Fp](repeating: .zero, count: n), count: committed.count)
        for (i, r) in columns.enumerated() {
            for (c, cell) in committed.enumerated() { result[c][i] = r[cell] }
        }
        columns = []
        return try! TraceTable(columns: result)
    }

    /// The segment's memory table, row by row (address, value and time received, value and time left): every
    /// address the segment touched, in order, then the state's three (the largest addresses).
    private func memoryTableRows(
        startState: [UInt64]
    ) throws(CircuitError) -> [(UInt64, UInt64, UInt64, UInt64, UInt64)] {
        let n = 1 << logRows
        let (endState, clkNext) = (finalState!.values, clkStart + UInt64(n))
        var table = received.keys.sorted().map { address -> (UInt64, UInt64, UInt64, UInt64, UInt64) in
            let (initial, time) = received[address]!
            let (final, last) = current(address)
            return (address, initial, time, final, last)
        }
        for (k, address) in CPUCircuit.stateAddresses.enumerated() {
            table.append((address, startState[k], 4 * clkStart, endState[k], 4 * clkNext))
        }
        guard table.count <= n else { throw .inconsistent("the segment touches \(table.count) addresses") }
        return table
    }

    /// The segment's boundary columns alone, as ``finishSegment(startState:)`` fills them.
    private func boundaryTable(startState: [UInt64]) throws(CircuitError) -> TraceTable {
        let n = 1 << logRows
        let table = try memoryTableRows(startState: startState)
        var cols = [[Fp]](repeating: [Fp](repeating: .zero, count: n), count: Col.boundaryCount)
        for (i, (address, initial, time, final, last)) in table.enumerated() {
            cols[Col.mActive.rawValue][i] = .one
            cols[Col.mAddr.rawValue][i] = Fp(address)
            cols[Col.mInit.rawValue][i] = Fp(initial)
            cols[Col.mInitTime.rawValue][i] = Fp(time)
            cols[Col.mInitNonce.rawValue][i] = nonce(address, time)
            cols[Col.mFinal.rawValue][i] = Fp(final)
            cols[Col.mTime.rawValue][i] = Fp(last)
            cols[Col.mFinalNonce.rawValue][i] = nonce(address, last)
        }
        for (i, entry) in journalBytes.enumerated() {
            cols[Col.jActive.rawValue][i] = .one
            cols[Col.jIdx.rawValue][i] = Fp(entry.index)
            cols[Col.jByte.rawValue][i] = Fp(UInt64(entry.byte))
        }
        return try! TraceTable(columns: cols)
    }

    /// An address's value now (with the code mark) and the time of its last access.
    private func current(_ address: UInt64) -> (value: UInt64, time: UInt64) {
        if address >= CPUCircuit.registerBase {
            let r = Int(address - CPUCircuit.registerBase)
            return (UInt64(registers[r]), registerTime[r])
        }
        let word = UInt32(address)
        let mark = code.contains(word) ? CPUCircuit.codeMark : 0
        return (UInt64(memory[word] ?? 0) + mark, memoryTime[word] ?? 0)
    }

    /// The memory's closing table (``MemoryCircuit``), once every segment is built: one row per address the
    /// execution touched or the image sets, with the last value, time and nonce it was left with.
    public func memoryTable() throws(CircuitError) -> TraceTable {
        guard segment == plan.segmentCount - 1, let finalState else {
            throw .inconsistent("the memory table is built after the last segment")
        }
        let image = CircuitStatement.imageAddresses(program)
        var addresses = image
        for word in memoryTime.keys { addresses.insert(UInt64(word)) }
        let sorted = addresses.sorted()
        guard 1 << plan.memoryLogRows >= sorted.count + 1 else {
            throw .inconsistent("the memory table needs \(sorted.count) rows; the plan has 2^\(plan.memoryLogRows)")
        }
        let n = 1 << plan.memoryLogRows
        var cols = [[Fp]](repeating: [Fp](repeating: .zero, count: n), count: MemoryCol.allCases.count)
        for (i, address) in sorted.enumerated() {
            let state = CPUCircuit.stateAddresses.firstIndex(of: address)
            let (value, time) = state.map { (finalState.values[$0], finalState.time) } ?? current(address)
            cols[MemoryCol.cActive.rawValue][i] = .one
            cols[MemoryCol.cImage.rawValue][i] = image.contains(address) ? .one : .zero
            cols[MemoryCol.cAddr.rawValue][i] = Fp(address)
            cols[MemoryCol.cFinal.rawValue][i] = Fp(value)
            cols[MemoryCol.cTime.rawValue][i] = Fp(time)
            cols[MemoryCol.cNonce.rawValue][i] = nonce(address, time)
            if i + 1 < sorted.count { MemoryCircuit.setGap(sorted[i + 1] - address - 1, row: i, in: &cols) }
        }
        MemoryCircuit.countBytes(in: &cols)
        return try! TraceTable(columns: cols)
    }
}

func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
