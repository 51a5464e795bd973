import AIR
import Circuit
import Field
import RV32IM
import XCTest

/// Cheating provers against the segment's row markers (the first row, the row that hands the state on, the journal
/// table's rows, the first clock) and against the rules of the memory's closing table. Each test builds an honest
/// one-segment witness of a small program, edits it so that exactly the targeted rule breaks, adjusting every other
/// cell as a cheater would so that the rest still holds, and checks that the debug checker names that rule and that
/// the real verifier rejects the receipt proven from the witness. Where no edit can keep a bus balanced (or, for the
/// closing table's count, the table's shape), that failure is expected too, and the test says why.
final class MarkerForgeryTests: XCTestCase {
    typealias W = CircuitWitness

    private static let (t0, sp, a0, a1, a2, a7): (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (5, 2, 10, 11, 12, 17)

    private static func ins(
        _ op: Opcode, _ rd: UInt8 = 0, _ rs1: UInt8 = 0, _ rs2: UInt8 = 0, _ imm: Int32 = 0
    ) -> Instruction {
        Instruction(op: op, rd: rd, rs1: rs1, rs2: rs2, imm: UInt32(bitPattern: imm))
    }

    // MARK: - The programs

    /// Stores 0x255 below the stack, writes its three low bytes (0x55, 0x02, 0x00) to the journal and exits with 0:
    /// 14 executed rows (row 6 is the write's ECALL, 7 its set-up, 8 to 10 the bytes, 13 the exit).
    private static let journalProgram: RV32IM.Program = try! RV32IM.Program(
        instructions: [
            ins(.addi, t0, 0, 0, 0x255),  // 0
            ins(.sw, 0, sp, t0, -8),  // 4
            ins(.addi, a7, 0, 0, 64), ins(.addi, a0, 0, 0, 1), ins(.addi, a1, sp, 0, -8), ins(.addi, a2, 0, 0, 3),
            ins(.ecall),  // 24: write(1, sp - 8, 3)
            ins(.addi, a7, 0, 0, 93), ins(.addi, a0, 0, 0, 0),
            ins(.ecall),  // 36: exit(0)
        ])
    /// The row of the journal program's exit, its last executed row.
    private static let exitRow = 13
    /// The word the journal program stores.
    private static let stackWord = UInt64((AddressSpace.stackTop - 8) >> 2)

    /// The journal program's honest witness, built and checked once for the class: each test edits its own copy.
    private static func journalWitness() throws -> W { try honestJournalWitness.get() }

    private static let honestJournalWitness: Result<W, any Error> = Result {
        let w = try W(program: journalProgram, trace: try Machine(program: journalProgram).trace())
        XCTAssertEqual(w.journal, [0x55, 0x02, 0x00])
        XCTAssertEqual(get(w, .segEnd, exitRow), .one)
        XCTAssertEqual(try w.failures(), [])
        return w
    }

    /// Loads the word of code at address 0 (this very instruction) into a0 and exits with it.
    private static let codeLoadProgram: RV32IM.Program = try! RV32IM.Program(
        instructions: [ins(.lw, a0, 0, 0, 0), ins(.addi, a7, 0, 0, 93), ins(.ecall)])

    /// The code-load program run so that the segment receives the word of code at 0 as a fresh, unmarked zero: the
    /// load reads 0 and the receipt claims exit code 0, where the program exits with the instruction's encoding. The
    /// closing table's row for address 0 starts it at zero (no longer marked as the image's) and takes the zero the
    /// segment leaves; the verifier's entry for the word, with its value and code mark, is left over for a second
    /// row of the address to take, which returns with it. Built once for the class: each test edits its own copy.
    private static func freshCodeWord() throws -> (w: W, image: Fp) { try sharedFreshCodeWord.get() }

    private static let sharedFreshCodeWord: Result<(w: W, image: Fp), any Error> = Result {
        var trace = try Machine(program: codeLoadProgram).trace()
        XCTAssertEqual(trace.result.exitCode, ins(.lw, a0, 0, 0, 0).encoded)
        trace.events[trace.events.count - 1].kind = .exit(code: 0)
        trace.result.exitCode = 0
        var w = try W(program: codeLoadProgram, trace: trace) { _, f, cells in
            guard f.flag == .opLw else { return }
            for c in [Col.h, .memPrev, .memNew, .out] { cells[c.rawValue] = .zero }
        }
        let m = try memoryRow(w, 0)
        put(&w, .mInit, m, .zero)
        put(&w, .mFinal, m, .zero)
        let c = try closingRow(w, 0)
        let image = get(w, .cFinal, c)
        XCTAssertEqual(image, Fp(UInt64(ins(.lw, a0, 0, 0, 0).encoded) + CPUCircuit.codeMark))
        XCTAssertEqual(get(w, .cImage, c), .one)
        put(&w, .cImage, c, .zero)
        put(&w, .cFinal, c, .zero)
        // The segment is consistent and the closing table's first row gives it its start: only the verifier's
        // entry for the word is not taken.
        XCTAssertEqual(try w.failures(), ["boundary unbalanced"])
        return (w, image)
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
    private static func small(_ v: Fp) -> UInt64 { v.canonicalLimbs.0 }

    /// The row of the segment's memory table that holds `address`.
    private static func memoryRow(_ w: W, _ address: UInt64) throws -> Int {
        try XCTUnwrap(
            (0..<w.table.rowCount).first { get(w, .mActive, $0) == .one && get(w, .mAddr, $0) == Fp(address) },
            "the segment does not touch \(address)")
    }
    /// The row of the closing table that holds `address`.
    private static func closingRow(_ w: W, _ address: UInt64) throws -> Int {
        try XCTUnwrap(
            (0..<w.execution.memory.rowCount).first {
                get(w, .cActive, $0) == .one && get(w, .cAddr, $0) == Fp(address)
            }, "the closing table does not hold \(address)")
    }

    /// Writes `gap` (the next address minus this one, minus 1) as the closing table row's four gap bytes.
    private static func putGap(_ w: inout W, _ r: Int, _ gap: UInt64) {
        MemoryCircuit.setGap(gap, row: r, in: &w.execution.memory.columns)
    }

    /// Writes a closing-table row: active, at `address`, started by the image or not, taking (final, time, nonce).
    private static func putClosingRow(
        _ w: inout W, _ r: Int, address: Fp, image: Bool, final: Fp = .zero, time: Fp = .zero, nonce: Fp = .zero
    ) {
        put(&w, .cActive, r, .one)
        put(&w, .cImage, r, image ? .one : .zero)
        put(&w, .cAddr, r, address)
        put(&w, .cFinal, r, final)
        put(&w, .cTime, r, time)
        put(&w, .cNonce, r, nonce)
    }

    /// Recounts the segment's 16-bit table from its range-checked columns, as a cheating prover would.
    private static func recountSegmentRange(_ w: inout W) {
        let ranged: [Col] = [
            .dRs1Lo, .dRs1Hi, .dRs2Lo, .dRs2Hi, .dMemLo, .dMemHi, .dRdLo, .dRdHi, .remLo, .remHi, .gLo, .gHi, .mdLo,
            .mdHi,
        ]
        var counts = [UInt64](repeating: 0, count: 65536)
        for c in ranged {
            for v in w.table.columns[c.traceIndex] where small(v) < 65536 { counts[Int(small(v))] += 1 }
        }
        for r in 0..<65536 { w.lookups.columns[LookupCol.rangeCount.rawValue][r] = Fp(counts[r]) }
    }

    /// Recounts the closing table's byte table from its address gaps.
    private static func recountClosingRange(_ w: inout W) {
        MemoryCircuit.countBytes(in: &w.execution.memory.columns)
    }

    // MARK: - The segment's first row

    /// Unmarked, the first row would receive no state, so the segment could start from any pc it likes.
    func testSegmentWhoseFirstRowIsUnmarkedCannotSkipReceivingTheState() throws {
        var w = try Self.journalWitness()
        Self.put(&w, .isFirst, 0, .zero)
        // Unavoidable: only a row marked first takes the state the memory table receives, so it is left over.
        XCTAssertEqual(try w.failures(), ["buses.sum_balances", "first_row_marked", "memory unbalanced"])
        w.assertRejected("a segment whose first row is unmarked")
    }

    /// A second row marked first would take the state again, restarting the segment from a state of its choosing.
    func testASecondRowMarkedFirstCannotReceiveTheStateAgain() throws {
        var w = try Self.journalWitness()
        Self.put(&w, .isFirst, 11, .one)
        // The memory table gives each state address's received value once, to row 0: the second taking finds none.
        XCTAssertEqual(try w.failures(), ["buses.sum_balances", "first_row_only", "memory unbalanced"])
        w.assertRejected("a second row marked first")
    }

    /// A clock starting past clk_start would put the segment's accesses at times that belong to the next segment.
    func testSegmentClockCannotStartAfterClkStart() throws {
        var w = try Self.journalWitness()
        let d: UInt64 = 1
        let shift = Fp(4 * d)
        let memoryFlags: [Col] = [.opLb, .opLh, .opLw, .opLbu, .opLhu, .opSb, .opSh, .opSw]
        for r in 0..<w.table.rowCount {
            let honestClk = Self.small(Self.get(w, .clk, r))
            let clk = honestClk + d
            Self.put(&w, .clk, r, Fp(clk))
            var ports: [(UInt64, Col, Col)] = []
            if Self.get(w, .instr, r) == .one || Self.get(w, .setup, r) == .one {
                ports += [(0, .dRs1Lo, .dRs1Hi), (1, .dRs2Lo, .dRs2Hi), (3, .dRdLo, .dRdHi)]
            }
            if memoryFlags.contains(where: { Self.get(w, $0, r) == .one }) {
                ports.append((2, .dMemLo, .dMemHi))
            }
            for (slot, lo, hi) in ports {
                // The previous access's time, as the circuit reads it from the honest gap at the honest clock.
                let gap = Self.small(Self.get(w, lo, r)) + 65536 * Self.small(Self.get(w, hi, r))
                let previous = 4 * honestClk + 4 + slot - 1 - gap
                // An access within the segment moves with the clock; a value received (at time 0) does not, so
                // its gap grows by the shift.
                let moved = previous == 0 ? 0 : previous + 4 * d
                let forged = 4 * clk + 4 + slot - moved - 1
                Self.put(&w, lo, r, Fp(forged & 0xffff))
                Self.put(&w, hi, r, Fp(forged >> 16))
            }
        }
        let state = Set(CPUCircuit.stateAddresses.map { Fp($0) })
        for r in 0..<w.table.rowCount where Self.get(w, .mActive, r) == .one {
            if state.contains(Self.get(w, .mAddr, r)) {
                // The first row takes the state at its own clock, so the memory table receives it then.
                Self.put(&w, .mInitTime, r, Self.get(w, .mInitTime, r) + shift)
            } else {
                Self.put(&w, .mTime, r, Self.get(w, .mTime, r) + shift)
            }
        }
        for r in 0..<w.execution.memory.rowCount where Self.get(w, .cActive, r) == .one {
            if !state.contains(Self.get(w, .cAddr, r)) && Self.get(w, .cTime, r) != .zero {
                Self.put(&w, .cTime, r, Self.get(w, .cTime, r) + shift)
            }
        }
        Self.recountSegmentRange(&w)
        // The segment is consistent within itself, but receives the state at time 4, where the verifier sends the
        // initial state at time 0 (and a predecessor segment would send it at 4·clk_start).
        XCTAssertEqual(try w.failures(), ["boundary unbalanced", "clk_start"])
        w.assertRejected("a segment whose clock starts late")
    }

    // MARK: - The row that hands the state on

    /// Handing on row 0's state (pc 4, journal position 0) would let the next segment redo the rest, writes forgotten.
    func testSegmentCannotHandOnTheStateOfAnEarlierRow() throws {
        var w = try Self.journalWitness()
        Self.put(&w, .segEnd, Self.exitRow, .zero)
        Self.put(&w, .segEnd, 0, .one)
        XCTAssertEqual(Self.get(w, .nextPC, 0), Fp(4))
        XCTAssertEqual(Self.get(w, .jidx, 0), .zero)
        for (address, value) in [(CPUCircuit.statePC, Fp(4)), (CPUCircuit.stateJournal, Fp.zero)] {
            Self.put(&w, .mFinal, try Self.memoryRow(w, address), value)
            Self.put(&w, .cFinal, try Self.closingRow(w, address), value)
        }
        XCTAssertEqual(try w.failures(), ["segment_end"])
        w.assertRejected("the state handed on from row 0")
    }

    /// The padding row marked as the end would hand on a state no executed row reached: pc 0, to rerun the program.
    func testPaddingRowCannotHandOnASecondState() throws {
        var w = try Self.journalWitness()
        let last = w.table.rowCount - 1
        Self.put(&w, .segEnd, last, .one)
        Self.put(&w, .nextPC, last, .zero)
        Self.put(&w, .mFinal, try Self.memoryRow(w, CPUCircuit.statePC), .zero)
        Self.put(&w, .cFinal, try Self.closingRow(w, CPUCircuit.statePC), .zero)
        // The memory table takes one state, the forged one: the exit row's, which segment_end still requires it to
        // hand on, is left over.
        XCTAssertEqual(try w.failures(), ["buses.sum_balances", "memory unbalanced", "segment_end_not_padding"])
        w.assertRejected("a padding row handing on the state")
    }

    // MARK: - The journal table

    /// A row counted minus once would cancel a journal-table row for a byte the guest never wrote (0x99 at index 5).
    func testJournalTableCannotCancelAnUnwrittenByteWithANegativeCount() throws {
        var w = try Self.journalWitness()
        XCTAssertEqual(Self.get(w, .jActive, 3), .zero)
        for (r, count) in [(3, Fp.one), (4, -Fp.one)] {
            Self.put(&w, .jActive, r, count)
            Self.put(&w, .jIdx, r, Fp(5))
            Self.put(&w, .jByte, r, Fp(0x99))
        }
        XCTAssertEqual(try w.failures(), ["jActive_is_bit"])
        w.assertRejected("a journal row counted minus once")
    }

    // MARK: - The closing table's marks

    /// Counted minus once, a row would take its address's zero start and send 0x77 as journal byte 2, which was 0.
    func testAClosingTableRowCountedMinusOnceCannotRewriteAJournalByte() throws {
        var w = try Self.journalWitness()
        w.journal[2] = 0x77
        w.execution.globalEntries = CircuitStatement.globalEntries(program: Self.journalProgram, journal: w.journal)
        XCTAssertEqual(try w.failures(), ["boundary unbalanced"])
        // After the state's journal position, rows in steps the 16-bit gaps allow start their address at zero and
        // take that zero, up to the byte's journal address.
        let target = CPUCircuit.journalBase + 2
        var r = try Self.closingRow(w, CPUCircuit.stateJournal)
        var address = CPUCircuit.stateJournal
        while address < target {
            let step = min(1 << 32, target - address)
            Self.putGap(&w, r, step - 1)
            address += step
            r += 1
            Self.putClosingRow(&w, r, address: Fp(address), image: false)
        }
        Self.put(&w, .cActive, r, -Fp.one)
        Self.put(&w, .cFinal, r, Fp(0x77))
        Self.recountClosingRange(&w)
        // A count other than 0 or 1 leaves the next row inactive (table_contiguous), so the row ends the table,
        // which only the state's journal position may: table_ends_at_state fails with it, wherever the row is.
        XCTAssertEqual(try w.failures(), ["memory table: cActive_is_bit", "memory table: table_ends_at_state"])
        w.assertRejected("a closing-table row counted minus once")
    }

    /// An image mark of −1 would start the word at zero twice: a later holder could take it fresh after it was written.
    func testAClosingTableRowMarkedMinusOneCannotStartItsAddressTwice() throws {
        var w = try Self.journalWitness()
        let r = try Self.closingRow(w, Self.stackWord)
        XCTAssertEqual(Self.get(w, .cImage, r), .zero)
        Self.put(&w, .cImage, r, -Fp.one)
        // Only the segment takes the word's start, once: no other entry can take the second zero.
        XCTAssertEqual(try w.failures(), ["boundary unbalanced", "memory table: cImage_is_bit"])
        w.assertRejected("a closing-table row starting its address twice")
    }

    /// An image mark past the table's end would claim for the image an address the table does not hold.
    func testARowPastTheClosingTableCannotCarryTheImageMark() throws {
        var w = try Self.journalWitness()
        let r = try Self.closingRow(w, CPUCircuit.stateJournal) + 1
        XCTAssertEqual(Self.get(w, .cActive, r), .zero)
        Self.put(&w, .cImage, r, .one)
        XCTAssertEqual(try w.failures(), ["memory table: image_only_on_active"])
        w.assertRejected("an image mark past the closing table")
    }

    // MARK: - The closing table's shape

    /// A closing table starting inactive is empty: it would claim no end, leaving the final memory and state unpinned.
    func testAnEmptyClosingTableCannotLeaveTheEndsUnclaimed() throws {
        var w = try Self.journalWitness()
        for r in 0..<w.execution.memory.rowCount {
            Self.put(&w, .cActive, r, .zero)
            Self.put(&w, .cImage, r, .zero)
        }
        // The verifier's image and the segment's ends are then taken by nobody.
        XCTAssertEqual(try w.failures(), ["boundary unbalanced", "memory table: table_start"])
        w.assertRejected("an empty closing table")
    }

    /// After a gap the table could start over and hold code word 0 again, taking its image so the load reads a fresh 0.
    func testAClosingTableCannotResumeAfterAGapToHoldACodeWordTwice() throws {
        let fresh = try Self.freshCodeWord()
        var w = fresh.w
        let s = try Self.closingRow(w, CPUCircuit.stateJournal)
        // Row s + 1 is inactive, at address −1, so that address 0 follows it in order; the second run must end at
        // the state's journal position too, on a row that starts it at zero and takes that zero.
        XCTAssertEqual(Self.get(w, .cActive, s + 1), .zero)
        Self.put(&w, .cAddr, s + 1, -Fp.one)
        Self.putGap(&w, s + 1, 0)
        Self.putClosingRow(&w, s + 2, address: .zero, image: true, final: fresh.image)
        Self.putGap(&w, s + 2, CPUCircuit.registerBase - 1)
        Self.putClosingRow(&w, s + 3, address: Fp(CPUCircuit.registerBase), image: false)
        Self.putGap(&w, s + 3, CPUCircuit.stateJournal - CPUCircuit.registerBase - 1)
        Self.putClosingRow(&w, s + 4, address: Fp(CPUCircuit.stateJournal), image: false)
        Self.recountClosingRange(&w)
        XCTAssertEqual(try w.failures(), ["memory table: table_contiguous"])
        w.assertRejected("a closing table holding a word of code twice, after a gap")
    }

    /// The fresh-code-word witness with a second row for address 0 inserted after the first, taking the image's word
    /// (so the load reads a fresh 0), and a gap of 0 between the two: the closing table out of order, its byte
    /// table not yet recounted.
    private static func codeWordTwiceInARow() throws -> W {
        let fresh = try freshCodeWord()
        var w = fresh.w
        XCTAssertEqual(try closingRow(w, 0), 0)
        let gapBytes: [MemoryCol] = [.cd0, .cd1, .cd2, .cd3]
        let gap = gapBytes.map { get(w, $0, 0) }
        for c in MemoryCol.allCases where c != .byteCount {
            w.execution.memory.columns[c.rawValue].insert(.zero, at: 1)
            w.execution.memory.columns[c.rawValue].removeLast()
        }
        putClosingRow(&w, 1, address: .zero, image: true, final: fresh.image)
        for (c, v) in zip(gapBytes, gap) { put(&w, c, 1, v) }
        putGap(&w, 0, 0)
        return w
    }

    /// Out of order the table could hold code word 0 twice, one row taking its image so that the load reads a fresh 0.
    func testAClosingTableCannotHoldACodeWordTwiceOutOfOrder() throws {
        var w = try Self.codeWordTwiceInARow()
        Self.recountClosingRange(&w)
        XCTAssertEqual(try w.failures(), ["memory table: table_sorted"])
        w.assertRejected("a closing table holding a word of code twice, out of order")
    }

    /// Out of order again, with the gap written as the field's −1 so that the sorting rule holds: the gap's bytes
    /// must be bytes, and −1 is not one, so the closing table's byte table does not balance.
    func testAClosingTableCannotGoBackwardsThroughAGapThatIsNotBytes() throws {
        var w = try Self.codeWordTwiceInARow()
        // Address 0 follows address 0: the gap is −1, written whole into its first byte.
        Self.put(&w, .cd0, 0, Fp.zero - Fp.one)
        Self.recountClosingRange(&w)
        XCTAssertEqual(try w.failures(), ["memory table: buses.sum_balances", "memory table: range unbalanced"])
        w.assertRejected("a closing table going backwards through a gap that is not four bytes")
    }

    /// Full to its last row, the table could end past the state, at journal byte 2, and hide the byte from the receipt.
    func testAFullClosingTableCannotEndPastTheStateAtAJournalByte() throws {
        var w = try Self.journalWitness()
        let written = w.journal[2]
        w.journal = Array(w.journal.prefix(2))
        w.execution.globalEntries = CircuitStatement.globalEntries(program: Self.journalProgram, journal: w.journal)
        XCTAssertEqual(try w.failures(), ["boundary unbalanced"])
        // Every row after the state's journal position starts its address at zero and takes that zero, in steps
        // the 16-bit gaps allow, so that the journal byte's row is the table's last.
        let n = w.execution.memory.rowCount
        let target = CPUCircuit.journalBase + 2
        var address = CPUCircuit.stateJournal
        for r in try Self.closingRow(w, CPUCircuit.stateJournal)..<(n - 1) {
            let step = min(1 << 32, target - address - UInt64(n - 2 - r))
            Self.putGap(&w, r, step - 1)
            address += step
            Self.putClosingRow(&w, r + 1, address: Fp(address), image: false)
        }
        XCTAssertEqual(address, target)
        Self.putClosingRow(&w, n - 1, address: Fp(target), image: true, final: Fp(UInt64(written)))
        Self.recountClosingRange(&w)
        XCTAssertEqual(try w.failures(), ["memory table: full_table_ends_at_state"])
        w.assertRejected("a full closing table ending at a journal byte")
    }
}
