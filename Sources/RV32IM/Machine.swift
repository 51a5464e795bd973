/// How a completed execution ended.
public struct ExecutionResult: Equatable, Sendable {
    /// The value the guest passed to `exit` (all 32 bits of `a0`; a Linux host shows only the low 8).
    public var exitCode: UInt32
    /// Instructions executed, the final `ECALL` included.
    public var cycles: UInt64
    /// The public output: every byte written to fd 1.
    public var journal: [UInt8]
    /// The diagnostic log: every byte written to fd 2; not part of any proof.
    public var log: [UInt8]
    /// 4 KiB pages touched, the loaded image included.
    public var pagesTouched: Int
}

/// An RV32IM machine running one guest program on one private input.
///
/// At start `pc` is the program's entry point, `sp` (x2) is ``AddressSpace/stackTop`` and every other register is
/// 0; memory holds the loaded segments and zeros elsewhere. Run it with one of:
///
/// - ``run()``: fast mode, records nothing;
/// - ``run(chunkRows:consume:)``: tracing mode, hands rows to a consumer in fixed-size chunks, so a trace of any
///   length streams through bounded memory;
/// - ``trace()``: tracing mode, collecting the whole trace;
/// - ``step()``: one instruction at a time.
///
/// These can be mixed: each continues where the machine stopped. A machine that exited returns the same result
/// again; one that faulted throws the same error again. The state (``pc``, ``cycles``, registers, memory) stays
/// available for inspection after a fault.
public final class Machine {
    /// The program being run.
    public let program: Program
    private var core: Core

    /// Loads `program` into a fresh machine with `input` as the private input.
    ///
    /// Throws ``RV32IMError/inputTooLarge(size:limit:)`` or ``RV32IMError/pageLimitExceeded(limit:)`` when the
    /// input or the loaded image exceed `limits`.
    public init(program: Program, input: [UInt8] = [], limits: Limits = .default) throws(RV32IMError) {
        if input.count > limits.maxInputBytes { throw .inputTooLarge(size: input.count, limit: limits.maxInputBytes) }
        var memory = PagedMemory(maxPages: limits.maxPages)
        for segment in program.segments where !memory.write(segment.data, at: segment.address) {
            memory.release()
            throw .pageLimitExceeded(limit: limits.maxPages)
        }

        var code: [CodeSegment] = []
        var executableRanges: [(UInt32, UInt64)] = []
        for segment in program.segments where segment.executable {
            executableRanges.append((segment.address, segment.end))
            let base = (UInt64(segment.address) + 3) & ~3
            let initialisedEnd = (UInt64(segment.address) + UInt64(segment.data.count) + 3) & ~3
            let end = min(initialisedEnd, segment.end & ~3)
            guard end > base else { continue }
            let count = Int((end - base) / 4)
            let ops = UnsafeMutablePointer<CachedInstruction>.allocate(capacity: count)
            let words = UnsafeMutablePointer<UInt32>.allocate(capacity: count)
            for i in 0..<count {
                let address = UInt32(base) + UInt32(4 * i)
                let word = (0..<4).reduce(UInt32(0)) { $0 | UInt32(memory.peek(address + UInt32($1))) << (8 * $1) }
                words[i] = word
                (ops + i).initialize(to: CachedInstruction(Instruction(decoding: word)))
            }
            code.append(CodeSegment(base: UInt32(base), count: count, ops: ops, words: words))
        }
        let codeWords = program.codeWordRanges
        let codeLow = UInt32(codeWords.map(\.lowerBound).min() ?? 0)
        let codeHigh = codeWords.map(\.upperBound).max() ?? 0
        if code.isEmpty {
            // The entry check guarantees an executable segment; an empty cache only happens when its only
            // words lie in a zero-filled tail, so give the loop a segment that matches nothing.
            let ops = UnsafeMutablePointer<CachedInstruction>.allocate(capacity: 1)
            let words = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
            code.append(CodeSegment(base: 0, count: 0, ops: ops, words: words))
        }

        let registers = UnsafeMutablePointer<UInt32>.allocate(capacity: 33)
        registers.initialize(repeating: 0, count: 33)
        registers[2] = AddressSpace.stackTop
        self.program = program
        core = Core(
            x: registers, pc: program.entry, memory: memory, code: code, codeLow: codeLow,
            codeSpan: UInt32(truncatingIfNeeded: codeHigh - UInt64(codeLow)), executableRanges: executableRanges,
            codeWords: codeWords,
            io: GuestIO(input: input), limits: limits)
    }

    deinit { core.release() }

    // MARK: - State

    /// Address of the next instruction (of the faulting one after a fault, of the `exit` call after an exit).
    public var pc: UInt32 { core.pc }
    /// Instructions executed so far.
    public var cycles: UInt64 { core.cycles }
    /// The exit code once the guest has called `exit`, else `nil`.
    public var exitCode: UInt32? { core.exitCode }
    /// The error that stopped the machine, if any.
    public var fault: RV32IMError? { core.fault }
    /// The journal so far.
    public var journal: [UInt8] { core.io.journal }
    /// The diagnostic log so far.
    public var log: [UInt8] { core.io.log }
    /// 4 KiB pages touched so far.
    public var pagesTouched: Int { core.memory.pagesTouched }
    /// The limits the machine runs under.
    public var limits: Limits { core.limits }

    /// The value of register `x[index]`, `index` in 0...31.
    public func register(_ index: Int) -> UInt32 {
        precondition((0..<32).contains(index), "register index \(index) is not in 0...31")
        return core.x[index]
    }

    /// All 32 registers, x0 first.
    public var registers: [UInt32] { (0..<32).map { core.x[$0] } }

    /// Sets register `x[index]`, `index` in 0...31; writes to x0 are ignored, as the hardware does. For tests and
    /// tools that start a guest from a chosen state.
    public func setRegister(_ index: Int, to value: UInt32) {
        precondition((0..<32).contains(index), "register index \(index) is not in 0...31")
        if index != 0 { core.x[index] = value }
    }

    /// `count` bytes of memory from `address` (wrapping at 2^32), without touching any page.
    public func peek(_ address: UInt32, count: Int) -> [UInt8] {
        (0..<count).map { core.memory.peek(address &+ UInt32(truncatingIfNeeded: $0)) }
    }

    // MARK: - Running

    /// Runs in fast mode until the guest exits; throws the fault or exceeded limit otherwise.
    @discardableResult
    public func run() throws(RV32IMError) -> ExecutionResult {
        var recorder = NoRecorder()
        while true {
            if let done = try finished() { return done }
            _ = core.run(budget: .max, recorder: &recorder)
        }
    }

    /// Runs at most `steps` more instructions in fast mode; returns the result if the guest exited, `nil` if it is
    /// still running.
    public func run(steps: UInt64) throws(RV32IMError) -> ExecutionResult? {
        if let done = try finished() { return done }
        var recorder = NoRecorder()
        _ = core.run(budget: steps, recorder: &recorder)
        return try finished()
    }

    /// Runs in tracing mode until the guest exits, handing the trace to `consume` in chunks of `chunkRows` rows
    /// (the last may be shorter). Throws like ``run()``; rows executed before a fault have been consumed by then.
    @discardableResult
    public func run(chunkRows: Int = 1 << 16, consume: (TraceChunk) -> Void) throws(RV32IMError) -> ExecutionResult {
        var buffer = RowBuffer(limit: max(1, chunkRows))
        defer { buffer.rows.deallocate() }
        while true {
            let firstCycle = core.cycles
            if let done = try finished() { return done }
            _ = core.run(budget: .max, recorder: &buffer)
            if buffer.count > 0 {
                consume(
                    TraceChunk(
                        firstCycle: firstCycle, rows: UnsafeBufferPointer(start: buffer.rows, count: buffer.count),
                        events: buffer.events))
                buffer.count = 0
                buffer.events.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Runs in tracing mode until the guest exits and returns every row and event. The trace takes
    /// `MemoryLayout<TraceRow>.stride` bytes per cycle; for long runs prefer ``run(chunkRows:consume:)``.
    public func trace() throws(RV32IMError) -> Trace {
        var rows: [TraceRow] = []
        var events: [IOEvent] = []
        let result = try run { chunk in
            rows.append(contentsOf: chunk.rows)
            events.append(contentsOf: chunk.events)
        }
        return Trace(rows: rows, events: events, result: result)
    }

    /// Executes one instruction and returns its trace row, or `nil` if the guest has already exited.
    public func step() throws(RV32IMError) -> TraceRow? {
        if try finished() != nil { return nil }
        var buffer = RowBuffer(limit: 1)
        defer { buffer.rows.deallocate() }
        _ = core.run(budget: 1, recorder: &buffer)
        if buffer.count == 1 { return buffer.rows[0] }
        _ = try finished()
        return nil
    }

    /// The result if the guest exited, a throw if it faulted, `nil` if it can go on.
    private func finished() throws(RV32IMError) -> ExecutionResult? {
        if let fault = core.fault { throw fault }
        guard let exitCode = core.exitCode else { return nil }
        return ExecutionResult(
            exitCode: exitCode, cycles: core.cycles, journal: core.io.journal, log: core.io.log,
            pagesTouched: core.memory.pagesTouched)
    }
}
