import AIR
import Circuit
import Field
import Hashing
import Proof
import RV32IM
import XCTest
import ZKVM

/// Cheating provers at the boundaries between segments: what a segment receives of the machine's state, registers
/// and memory must be what its predecessor sent; the segments must be the execution's, all of them, once each and in
/// order; the journal and the end of the execution belong where they were written. Each cheat is made consistent
/// inside every segment, so that only the check it targets can catch it; the debug checker names that check, and the
/// real verifier rejects the receipt proven from the witness.
final class BoundaryForgeryTests: XCTestCase {
    typealias W = CircuitWitness

    private static let (t0, t1, t2, sp, a0, a1, a2, a3, a7): (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (5, 6, 7, 2, 10, 11, 12, 13, 17)
    private static let logRows = 10
    private static let rows = 1 << logRows

    private static func ins(
        _ op: Opcode, _ rd: UInt8 = 0, _ rs1: UInt8 = 0, _ rs2: UInt8 = 0, _ imm: Int32 = 0
    ) -> Instruction {
        Instruction(op: op, rd: rd, rs1: rs1, rs2: rs2, imm: UInt32(bitPattern: imm))
    }

    private static func li(_ rd: UInt8, _ value: UInt32) -> [Instruction] {
        let low = Int32(bitPattern: value << 20) >> 20
        return [Instruction(op: .lui, rd: rd, imm: value &- UInt32(bitPattern: low)), ins(.addi, rd, rd, 0, low)]
    }

    // MARK: - The loop program

    /// The word segment 0 stores and segment 1 loads.
    private static let word: UInt32 = 0x0102_0304
    private static let iterations: UInt32 = 340
    private static let loopPC: UInt32 = 40
    private static let afterLoopPC: UInt32 = 52
    private static let addT2PC: UInt32 = 76
    /// Where segment 0 stores the word.
    private static let wordAddress = UInt64((AddressSpace.stackTop - 8) >> 2)

    /// A program of 1,045 rows, two segments of 2^10: segment 0 stores a word, writes two journal bytes and runs
    /// most of a loop; segment 1 ends the loop, loads the word, writes the loop count's low half to the journal and
    /// exits with count + word + t2 (t2 holds the word too, from segment 0).
    private static func loopProgram() throws -> RV32IM.Program {
        try RV32IM.Program(
            instructions: li(t2, word) + [
                ins(.sw, 0, sp, t2, -8),  // 8
                ins(.addi, a7, 0, 0, 64), ins(.addi, a0, 0, 0, 1), ins(.addi, a1, sp, 0, -8), ins(.addi, a2, 0, 0, 2),
                ins(.ecall),  // 28: write(1, sp - 8, 2)
            ] + li(t0, iterations) + [
                ins(.addi, t1, t1, 0, 1),  // 40: the loop
                ins(.addi, t0, t0, 0, -1), ins(.bne, 0, t0, 0, -8),
                ins(.lw, a3, sp, 0, -8),  // 52
                ins(.sw, 0, sp, t1, -16), ins(.addi, a0, 0, 0, 1), ins(.addi, a1, sp, 0, -16),
                ins(.ecall),  // 68: write(1, sp - 16, 2)
                ins(.add, a0, t1, a3),
                ins(.add, a0, a0, t2),  // 76
                ins(.addi, a7, 0, 0, 93), ins(.ecall),
            ])
    }

    /// `trace` reporting what a run of the loop program reports when its counter ends at `count` and its exit code is
    /// `extra` more: the second journal write (the counter's low half) and the exit.
    private static func claiming(_ trace: Trace, count: UInt32, extra: UInt32 = 0) -> Trace {
        var trace = trace
        let half = [UInt8(count & 0xff), UInt8(count >> 8 & 0xff)]
        let code = count &+ 2 &* word &+ extra
        trace.events[1].bytes = half
        trace.events[2].kind = .exit(code: code)
        trace.result.journal = Array(trace.result.journal.prefix(2)) + half
        trace.result.exitCode = code
        return trace
    }

    /// A witness in segments of 2^10 rows. A tamper hook, even one that changes nothing, turns off the builder's
    /// cross-check against the machine, which a forged trace fails.
    private static func witness(
        _ program: RV32IM.Program, _ trace: Trace, tamper: @escaping TraceBuilder._Tamper = { _, _, _ in }
    ) throws -> W {
        try W(program: program, trace: trace, logSegmentRows: logRows, _tamper: tamper)
    }

    // MARK: - Table editing

    private static func get(_ w: W, _ k: Int, _ c: Col, _ r: Int) -> Fp {
        w.execution.segments[k].table.columns[c.traceIndex][r]
    }
    private static func put(_ w: inout W, _ k: Int, _ c: Col, _ r: Int, _ v: Fp) {
        w.execution.segments[k].table.columns[c.traceIndex][r] = v
    }
    private static func add(_ w: inout W, _ k: Int, _ c: Col, _ r: Int, _ v: Fp) {
        put(&w, k, c, r, get(w, k, c, r) + v)
    }
    private static func get(_ w: W, _ c: MemoryCol, _ r: Int) -> Fp { w.execution.memory.columns[c.rawValue][r] }
    private static func put(_ w: inout W, _ c: MemoryCol, _ r: Int, _ v: Fp) {
        w.execution.memory.columns[c.rawValue][r] = v
    }
    private static func add(_ w: inout W, _ c: MemoryCol, _ r: Int, _ v: Fp) { put(&w, c, r, get(w, c, r) + v) }

    /// The row of segment k's memory table that holds `address`.
    private static func memoryRow(_ w: W, _ k: Int, _ address: UInt64) throws -> Int {
        try XCTUnwrap(
            (0..<rows).first { get(w, k, .mActive, $0) == .one && get(w, k, .mAddr, $0) == Fp(address) },
            "segment \(k) does not touch \(address)")
    }
    /// The row of the closing table that holds `address`.
    private static func closingRow(_ w: W, _ address: UInt64) throws -> Int {
        try XCTUnwrap(
            (0..<w.execution.memory.rowCount).first {
                get(w, .cActive, $0) == .one && get(w, .cAddr, $0) == Fp(address)
            }, "the closing table does not hold \(address)")
    }
    /// How many machine rows segment 0 executes: its instruction rows.
    private static func cut(_ w: W) -> Int { (0..<rows).filter { get(w, 0, .instr, $0) == .one }.count }

    /// Gives every segment the public inputs the verifier derives for its position in the receipt.
    private static func assignPublicInputs(_ w: inout W) {
        let count = w.execution.segments.count
        for k in 0..<count {
            w.execution.segments[k].publicInputs = CircuitStatement.segmentPublicInputs(
                program: w.program, exitCode: w.exitCode, segment: k, of: count, rows: rows)
        }
    }


    // MARK: - The honest execution

    /// The loop program, its run and its honest witness in two segments (built with the no-op tamper hook, as every
    /// forgery's is), made once for the class: a test that edits the witness edits its own copy.
    private static let honestLoop: Result<(program: RV32IM.Program, trace: Trace, witness: W), any Error> = Result {
        let program = try loopProgram()
        let trace = try Machine(program: program).trace()
        return (program, trace, try witness(program, trace))
    }

    func testLoopProgramRunsInTwoSegments() throws {
        let (program, trace, _) = try Self.honestLoop.get()
        XCTAssertEqual(trace.result.exitCode, Self.iterations + 2 * Self.word)
        XCTAssertEqual(
            trace.result.journal, [0x04, 0x03, UInt8(Self.iterations & 0xff), UInt8(Self.iterations >> 8 & 0xff)])
        let w = try W(program: program, trace: trace, logSegmentRows: Self.logRows)
        XCTAssertEqual(w.execution.segments.count, 2)
        XCTAssertEqual(try w.failures(), [])
        // Segment 1 starts inside the loop, and receives the word and t2 from segment 0.
        let pc = try Self.memoryRow(w, 1, CPUCircuit.statePC)
        XCTAssertEqual(Self.get(w, 1, .mInit, pc), Fp(UInt64(trace.rows[Self.cut(w)].pc)))
        XCTAssertEqual(Self.get(w, 1, .mInit, try Self.memoryRow(w, 1, CPUCircuit.stateJournal)), Fp(2))
        XCTAssertNotEqual(trace.rows[Self.cut(w)].pc, Self.afterLoopPC)
        let m = try Self.memoryRow(w, 1, Self.wordAddress)
        XCTAssertEqual(Self.get(w, 1, .mInit, m), Fp(UInt64(Self.word)))
        XCTAssertNotEqual(Self.get(w, 1, .mInitTime, m), .zero)
    }

    // MARK: - What a segment receives

    /// Segment 1 starts after the loop instead of where segment 0 stopped inside it, skipping the rest of the loop:
    /// the forged execution claims the count segment 0 reached. Each segment is the builder's own, consistent
    /// throughout; only the state segment 1 receives is not the one segment 0 sent.
    func testSegmentCannotStartFromAnotherPC() throws {
        let (program, trace, honest) = try Self.honestLoop.get()
        let cut = Self.cut(honest)
        let tail = try XCTUnwrap(trace.rows.firstIndex { $0.pc == Self.afterLoopPC })
        var skipping = trace
        skipping.rows = Array(trace.rows[..<cut] + trace.rows[tail...])
        let count = UInt32(trace.rows[..<cut].filter { $0.pc == Self.loopPC }.count)
        let w = try Self.witness(program, Self.claiming(skipping, count: count))
        XCTAssertEqual(w.execution.segments.count, 2)
        let pc = try Self.memoryRow(w, 1, CPUCircuit.statePC)
        XCTAssertEqual(Self.get(w, 1, .mInit, pc), Fp(UInt64(Self.afterLoopPC)))
        XCTAssertEqual(try w.failures(), ["boundary unbalanced"])
        w.assertRejected("a segment starting after the loop")
    }

    /// Segment 1 receives t2 as 1000 more than segment 0 left it; the add that reads it, the exit code and the
    /// closing table follow.
    func testSegmentCannotStartFromAnotherRegisterValue() throws {
        let (program, honest, _) = try Self.honestLoop.get()
        let d: UInt64 = 1000
        let trace = Self.claiming(honest, count: Self.iterations, extra: UInt32(d))
        var w = try Self.witness(program, trace) { _, f, cells in
            guard f.pc == Self.addT2PC else { return }
            for c in [Col.rs2Val, .b, .res, .out] { cells[c.rawValue] = cells[c.rawValue] + Fp(d) }
        }
        let register = CPUCircuit.registerBase + UInt64(Self.t2)
        let m = try Self.memoryRow(w, 1, register)
        Self.add(&w, 1, .mInit, m, Fp(d))
        Self.add(&w, 1, .mFinal, m, Fp(d))
        Self.add(&w, .cFinal, try Self.closingRow(w, register), Fp(d))
        XCTAssertEqual(try w.failures(), ["boundary unbalanced"])
        w.assertRejected("a register changed across the boundary")
    }

    /// Segment 1 receives the stored word as 1000 more than segment 0 left it; the load, the exit code and the
    /// closing table follow.
    func testSegmentCannotStartFromAnotherMemoryValue() throws {
        let (program, honest, _) = try Self.honestLoop.get()
        let d: UInt64 = 1000
        let trace = Self.claiming(honest, count: Self.iterations, extra: UInt32(d))
        var w = try Self.witness(program, trace) { _, f, cells in
            guard f.flag == .opLw else { return }
            for c in [Col.h, .memPrev, .memNew, .out] { cells[c.rawValue] = cells[c.rawValue] + Fp(d) }
        }
        let m = try Self.memoryRow(w, 1, Self.wordAddress)
        Self.add(&w, 1, .mInit, m, Fp(d))
        Self.add(&w, 1, .mFinal, m, Fp(d))
        Self.add(&w, .cFinal, try Self.closingRow(w, Self.wordAddress), Fp(d))
        XCTAssertEqual(try w.failures(), ["boundary unbalanced"])
        w.assertRejected("a memory word changed across the boundary")
    }

    /// Segment 1 runs with the input exhausted (eof set on every row), or with the journal position one on (every
    /// row's jidx and its journal table's indices), receiving and leaving the state accordingly.
    func testStateCannotChangeAcrossTheBoundary() throws {
        let honest = try Self.honestLoop.get().witness
        var eof = honest
        let eofRow = try Self.memoryRow(honest, 1, CPUCircuit.stateEOF)
        for r in 0..<Self.rows { Self.put(&eof, 1, .eof, r, .one) }
        Self.add(&eof, 1, .mInit, eofRow, .one)
        Self.add(&eof, 1, .mFinal, eofRow, .one)
        Self.add(&eof, .cFinal, try Self.closingRow(honest, CPUCircuit.stateEOF), .one)
        XCTAssertEqual(try eof.failures(), ["boundary unbalanced"])
        eof.assertRejected("eof set across the boundary")

        var moved = honest
        for r in 0..<Self.rows {
            Self.add(&moved, 1, .jidx, r, .one)
            if Self.get(moved, 1, .jActive, r) == .one { Self.add(&moved, 1, .jIdx, r, .one) }
        }
        let journalRow = try Self.memoryRow(honest, 1, CPUCircuit.stateJournal)
        Self.add(&moved, 1, .mInit, journalRow, .one)
        Self.add(&moved, 1, .mFinal, journalRow, .one)
        Self.add(&moved, .cFinal, try Self.closingRow(honest, CPUCircuit.stateJournal), .one)
        XCTAssertEqual(try moved.failures(), ["boundary unbalanced"])
        moved.assertRejected("the journal position moved across the boundary")
    }

    // MARK: - The journal

    /// Segment 1's journal table claims byte 1, which segment 0 wrote: the global bus still balances, but neither
    /// segment's journal bus does.
    func testJournalBytesCannotMoveBetweenSegments() throws {
        var w = try Self.honestLoop.get().witness
        let from = try XCTUnwrap((0..<Self.rows).first { Self.get(w, 0, .jIdx, $0) == .one })
        let to = try XCTUnwrap((0..<Self.rows).first { Self.get(w, 1, .jActive, $0) == .zero })
        for c in [Col.jActive, .jIdx, .jByte] {
            Self.put(&w, 1, c, to, Self.get(w, 0, c, from))
            Self.put(&w, 0, c, from, .zero)
        }
        XCTAssertEqual(try w.failures(), ["buses.sum_balances", "journal unbalanced"])
        w.assertRejected("a journal byte moved to another segment")
    }

    /// Appends rows to the closing table after the state's journal position (the largest address of memory), one for each
    /// of `ends` in increasing address order: marked as the image's, a row starts nothing and takes one tuple
    /// (address, final, 0, 0); unmarked, it starts its address at zero and takes `final`. Rows in between, in steps
    /// the 32-bit gaps allow, start their address at zero and end it there, cancelling themselves.
    private static func extendClosingTable(_ w: inout W, with ends: [(address: UInt64, image: Bool, final: Fp)]) throws {
        var r = try closingRow(w, CPUCircuit.stateJournal)
        var address = CPUCircuit.stateJournal
        func append(_ next: UInt64, image: Bool, final: Fp) {
            MemoryCircuit.setGap(next - address - 1, row: r, in: &w.execution.memory.columns)
            r += 1
            address = next
            put(&w, .cActive, r, .one)
            put(&w, .cImage, r, image ? .one : .zero)
            put(&w, .cAddr, r, Fp(next))
            put(&w, .cFinal, r, final)
        }
        for end in ends {
            while end.address - address > 1 << 32 { append(address + (1 << 32), image: false, final: .zero) }
            append(end.address, image: end.image, final: end.final)
        }
        MemoryCircuit.countBytes(in: &w.execution.memory.columns)
    }

    /// The receipt claims the journal without the two bytes segment 1 wrote; the closing table takes them, on rows
    /// at their journal addresses marked as the image's.
    func testJournalCannotBeTruncated() throws {
        var w = try Self.honestLoop.get().witness
        let dropped = Array(w.journal.dropFirst(2))
        w.journal = Array(w.journal.prefix(2))
        w.execution.globalEntries = CircuitStatement.globalEntries(program: w.program, journal: w.journal)
        XCTAssertEqual(try w.failures(), ["boundary unbalanced"])
        try Self.extendClosingTable(
            &w,
            with: dropped.enumerated().map { (CPUCircuit.journalBase + 2 + UInt64($0), true, Fp(UInt64($1))) })
        // Only the closing table's bound on its addresses is left to break.
        XCTAssertEqual(try w.failures(), ["memory table: table_ends_at_state"])
        w.assertRejected("a journal without its last bytes")
    }

    /// The receipt claims byte 2 of the journal is 0; segment 1 wrote 0xf0. An unmarked closing-table row at the
    /// byte's journal address starts it at zero, which the verifier's entry takes, and takes the written byte.
    func testJournalByteCannotBeClaimedAsZero() throws {
        var w = try Self.honestLoop.get().witness
        let written = w.journal[2]
        XCTAssertNotEqual(written, 0)
        w.journal[2] = 0
        w.execution.globalEntries = CircuitStatement.globalEntries(program: w.program, journal: w.journal)
        XCTAssertEqual(try w.failures(), ["boundary unbalanced"])
        try Self.extendClosingTable(&w, with: [(CPUCircuit.journalBase + 2, false, Fp(UInt64(written)))])
        XCTAssertEqual(try w.failures(), ["memory table: table_ends_at_state"])
        w.assertRejected("a journal byte claimed as zero")
    }

    // MARK: - The end of the execution

    /// The exit's pc in the halting program.
    private static let haltPC: UInt32 = 32

    /// A program of exactly one segment's executed rows (3 + 3·318 + 3 = 2^10 − 64), its last row the exit(0) at
    /// 32. After it lies code no run reaches: a7 = 93 and a second exit, with a0 still 0.
    private static func haltingProgram() throws -> RV32IM.Program {
        try RV32IM.Program(
            instructions: li(t0, 318) + [
                ins(.addi, a0, 0, 0, 0),
                ins(.addi, t1, t1, 0, 1),  // 12: the loop
                ins(.addi, t0, t0, 0, -1), ins(.bne, 0, t0, 0, -8),
                ins(.addi, a7, 0, 0, 93), ins(.addi, a1, 0, 0, 0), ins(.ecall),  // 24: exit(0), at 32
                ins(.addi, a7, 0, 0, 93), ins(.ecall),  // 36: exit(0) again, at 40
            ])
    }

    /// The halting program's run, continued past its exit into a segment 1 that runs the second exit: segment 0
    /// halts and hands the state on at pc 36, where segment 1 takes it. Every tuple on the global bus finds its
    /// partner and each segment is consistent within itself, with the exit code of both exits. Built once for the
    /// class; a test that edits it edits its own copy.
    private static let haltedInSegmentZero: Result<W, any Error> = Result { try haltInSegmentZero() }

    private static func haltInSegmentZero() throws -> W {
        let program = try haltingProgram()
        let trace = try Machine(program: program).trace()
        XCTAssertEqual(trace.rows.count, rows - 64)
        XCTAssertEqual(trace.rows.last?.pc, haltPC)
        XCTAssertEqual(try W(program: program, trace: trace, logSegmentRows: logRows).execution.segments.count, 1)
        var continued = trace
        let setA7 = trace.rows[trace.rows.count - 3]
        for (row, pc) in [(setA7, haltPC + 4), (trace.rows[trace.rows.count - 1], haltPC + 8)] {
            var moved = row
            (moved.pc, moved.nextPC) = (pc, pc + 4)
            continued.rows.append(moved)
        }
        continued.events.append(trace.events[trace.events.count - 1])
        let w = try witness(program, continued)
        XCTAssertEqual(w.execution.segments.count, 2)
        XCTAssertEqual(get(w, 0, .sysExit, rows - 65), .one)
        XCTAssertEqual(get(w, 0, .segEnd, rows - 65), .one)
        return w
    }

    /// Segment 0 exits and still hands the state on; the receipt claims segment 1 after it. Segment 0 is not the last,
    /// so its exit breaks exactly `exit_only_in_last`.
    func testExitCannotFallBeforeTheLastSegment() throws {
        let w = try Self.haltedInSegmentZero.get()
        XCTAssertEqual(w.execution.segments[0].publicInputs.last, .zero)
        XCTAssertEqual(try w.failures(), ["exit_only_in_last"])
        w.assertRejected("an exit in segment 0 of two")
    }

    /// The same halt, with segment 0 proven as a last segment (`last` = 1 in its public inputs): every rule holds
    /// under the inputs it was proven with, but the verifier derives segment 0's inputs itself, with `last` = 0.
    func testNonLastSegmentCannotClaimToBeLast() throws {
        var w = try Self.haltedInSegmentZero.get()
        w.inputs[CPUCircuit.publicInputNames.firstIndex(of: "last")!] = .one
        XCTAssertEqual(try w.failures(), [])
        w.assertRejected("segment 0 of two proven as the last")
    }

    /// `last` = 1 on segment 0 of the honest two-segment run, which ends by handing the state on: its last executed
    /// row is not an exit, which `last_is_exit` names; the verifier also derives `last` = 0.
    func testSegmentEndingWithoutExitCannotBeLast() throws {
        var w = try Self.honestLoop.get().witness
        w.inputs[CPUCircuit.publicInputNames.firstIndex(of: "last")!] = .one
        XCTAssertEqual(try w.failures(), ["last_is_exit"])
        w.assertRejected("a segment handing the state on, proven as the last")
    }

    // MARK: - Hiding the boundary

    /// Every proof's share of the global bus, recomputed from its trace under the receipt's own joint challenges.
    private static func shares(_ w: W, _ receipt: Receipt, zeroingNonces: Bool = false) throws -> [[Fp]] {
        let context = Join.context(
            Join.transcript(
                programID: receipt.programID, journal: receipt.journal, exitCode: receipt.exitCode,
                segmentLogRows: receipt.segmentProofs.map(\.logTraceLength),
                memoryLogRows: receipt.memoryLogRows!),
            boundaryRoots: Join.roots(of: receipt.segmentProofs)!)
        var result: [[Fp]] = []
        for segment in w.execution.segments {
            var table = segment.table
            if zeroingNonces {
                for c in [Col.mInitNonce, .mFinalNonce] {
                    table.columns[c.traceIndex] = [Fp](repeating: .zero, count: rows)
                }
            }
            result.append(
                try CPUCircuit.air.globalShares(
                    main: table, publicInputs: segment.publicInputs,
                    challenges: StarkProtocol.globalChallengeVector(air: CPUCircuit.air, global: context)))
        }
        // The last proof also holds the memory's closing table: its share adds to the last segment's.
        var memory = w.execution.memory
        if zeroingNonces {
            memory.columns[MemoryCol.cNonce.rawValue] = [Fp](repeating: .zero, count: memory.rowCount)
        }
        let memoryShare = try MemoryCircuit.air.globalShares(
            main: memory, publicInputs: [],
            challenges: StarkProtocol.globalChallengeVector(air: MemoryCircuit.air, global: context))
        result[result.count - 1] = zip(result[result.count - 1], memoryShare).map { $0 + $1 }
        return result
    }

    /// The receipt proven from the class's honest witness, made once: the two tests of the shares read it.
    private static let honestLoopReceipt: Result<Receipt, any Error> = Result {
        try honestLoop.get().witness.proveReceipt()
    }

    /// One execution proven twice, under two nonce keys (each witness draws its own at random): no segment's share
    /// of the global bus, nor the closing table's, is the same in the two receipts.
    func testSharesDifferBetweenTwoProofsOfOneExecution() throws {
        let (program, trace, _) = try Self.honestLoop.get()
        let again = try W(program: program, trace: trace, logSegmentRows: Self.logRows, nonceKey: .random())
        let receipts = [try Self.honestLoopReceipt.get(), try again.proveReceipt()]
        XCTAssertEqual(receipts[0].segmentProofs.count, 2)
        for (first, second) in zip(receipts[0].segmentProofs, receipts[1].segmentProofs) {
            XCTAssertNotEqual(first.globalShares, second.globalShares)
        }
    }

    /// Someone who knows every boundary value (the state, each register and word a segment receives and leaves, and
    /// their times) but not the nonces recomputes each segment's share with the nonces zero, under the receipt's
    /// own challenges: no guess matches the proof's share, while the same computation with the nonces does.
    func testShareCannotBeRecomputedWithoutTheNonces() throws {
        let w = try Self.honestLoop.get().witness
        let receipt = try Self.honestLoopReceipt.get()
        let stated = receipt.segmentProofs.map(\.globalShares)
        XCTAssertEqual(try Self.shares(w, receipt), stated)
        let guessed = try Self.shares(w, receipt, zeroingNonces: true)
        for (guess, share) in zip(guessed, stated) { XCTAssertNotEqual(guess, share) }
    }

    // MARK: - ACCEPTED FORGERY: the journal position is not range-checked

    /// Where the dead exit starts.
    private static let deadExitPC: UInt32 = 32

    /// A program that reads no input and always exits with 0 after a loop of 340 iterations (two segments of
    /// 2^10 rows). The three instructions after its exit would exit with 42, but nothing jumps to them.
    private static func deadExitProgram() throws -> RV32IM.Program {
        try RV32IM.Program(
            instructions: li(t0, iterations) + [
                ins(.addi, t1, t1, 0, 1),  // 8: the loop
                ins(.addi, t0, t0, 0, -1), ins(.bne, 0, t0, 0, -8),
                ins(.addi, a0, 0, 0, 0), ins(.addi, a7, 0, 0, 93), ins(.ecall),  // 20: exit(0)
                ins(.addi, a0, 0, 0, 42), ins(.addi, a7, 0, 0, 93), ins(.ecall),  // 32: exit(42), never run
            ])
    }

    /// A segment cannot start anywhere by choosing its journal position. When the state was packed as
    /// pc + 2^34·eof + 2^35·jidx, segment 1 could start at the dead exit (pc 32) with the journal position
    /// (sent − 32) / 2^35, a field element no run reaches, so that the packed value matched what segment 0 sent,
    /// and the receipt claimed exit code 42, which the program produces on no input. With the state's three values
    /// received one by one, the pc segment 1 starts from is exactly the one segment 0 sent: the forged start leaves
    /// the global bus unbalanced, and receiving the sent pc instead leaves the segment's own memory bus unbalanced.
    func testSegmentCannotStartAnywhereThroughItsJournalPosition() throws {
        let program = try Self.deadExitProgram()
        let trace = try Machine(program: program).trace()
        XCTAssertEqual(trace.result.exitCode, 0)
        let cut = Self.cut(try Self.witness(program, trace))
        var forged = trace
        // The rows of exit(0), moved to the dead exit's addresses: the builder fetches each row's instruction by pc.
        let offset = Self.deadExitPC - trace.rows[trace.rows.count - 3].pc
        let deadRows = trace.rows.suffix(3).map { row -> TraceRow in
            var row = row
            (row.pc, row.nextPC) = (row.pc + offset, row.nextPC + offset)
            return row
        }
        forged.rows = Array(trace.rows[..<cut]) + deadRows
        forged.events[forged.events.count - 1].kind = .exit(code: 42)
        forged.result.exitCode = 42
        var w = try Self.witness(program, forged)
        XCTAssertEqual(w.execution.segments.count, 2)
        XCTAssertEqual(try w.failures(), ["boundary unbalanced"])
        w.assertRejected("a segment starting at the dead exit")

        // Receiving the pc segment 0 sent, and running from the dead exit all the same.
        let pc = try Self.memoryRow(w, 1, CPUCircuit.statePC)
        let shift = Fp(UInt64(trace.rows[cut].pc)) - Fp(UInt64(Self.deadExitPC))
        Self.add(&w, 1, .mInit, pc, shift)
        XCTAssertEqual(try w.failures(), ["buses.sum_balances", "memory unbalanced"])
        w.assertRejected("a segment receiving one pc and starting from another")
    }
}
