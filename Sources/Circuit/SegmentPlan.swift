import RV32IM

/// How an execution is cut into segments: their common size and the cycle (machine row) each one starts at.
public struct SegmentPlan: Equatable, Sendable {
    /// log₂ of every segment's rows.
    public let logRows: Int
    /// The cycle of each segment's first row: 0 first, increasing.
    public let starts: [Int]
    /// The rows the execution takes: a row per cycle, plus a set-up row per `read`/`write` and a row per byte moved.
    public let totalRows: Int
    /// log₂ of the rows of the memory's closing table: one per word the execution touches or the image sets, per
    /// register and for the state, and at least 2^``MemoryCircuit/minimumLogRows``.
    public let memoryLogRows: Int

    public var segmentCount: Int { starts.count }
}

/// Cuts an execution into segments as its rows go by, without keeping them: each machine row with the I/O rows its
/// call adds is one unit that no cut splits, and a segment takes units while they fit.
///
/// With a size given, segments have 2^k rows. Without, an execution that fits 2^``TraceBuilder/defaultLogSegmentRows``
/// rows is one segment of the fewest rows that hold it (at least 2^8), and a longer one is cut into segments of
/// that size.
public struct SegmentPlanner {
    private let requested: Int?
    /// The size the cuts are made for: the requested one, or the default for a long execution.
    private let cutLog: Int
    private let romCount: Int
    private let program: Program
    /// Every word the execution reads or writes.
    private var touched = Set<UInt32>()
    private var cycle = 0
    private var total = 0
    private var used = 0
    private var starts: [Int] = []
    /// The first unit too large for a segment of 2^cutLog rows, if any.
    private var oversized: (cycle: Int, bytes: Int)?

    public init(program: Program, logSegmentRows: Int?) throws(CircuitError) {
        if let logSegmentRows {
            guard (TraceBuilder.minLogRows...TraceBuilder.maxLogRows).contains(logSegmentRows) else {
                throw .unsupported(
                    "segments of 2^\(logSegmentRows) rows; the supported sizes are 2^\(TraceBuilder.minLogRows) "
                        + "to 2^\(TraceBuilder.maxLogRows)")
            }
        }
        requested = logSegmentRows
        cutLog = logSegmentRows ?? TraceBuilder.defaultLogSegmentRows
        romCount = CircuitStatement.programTable(program).count
        self.program = program
    }

    private var capacity: Int { (1 << cutLog) - TraceBuilder.reservedRows }

    /// Takes the execution's next machine row (and, for an ECALL, its I/O event).
    public mutating func add(_ row: TraceRow, event: IOEvent?) throws(CircuitError) {
        var cost = 1
        if row.op == .ecall, let event {
            switch event.kind {
            case .input, .journal: cost += 1 + event.bytes.count
            case .log: cost += 1
            case .exit: break
            }
        }
        if row.memAccess != .none { touched.insert(row.memAddress >> 2) }
        if let event, case .input = event.kind { touch(event) }
        if let event, case .journal = event.kind { touch(event) }
        total += cost
        guard total < TraceBuilder.maxTotalRows else {
            throw .tooLong(rows: total, limitLog: TraceBuilder.maxTotalRows.trailingZeroBitCount)
        }
        if cost > capacity, oversized == nil { oversized = (cycle, cost - 2) }
        if starts.isEmpty || used + cost > capacity {
            starts.append(cycle)
            used = 0
        }
        used += cost
        cycle += 1
    }

    private mutating func touch(_ event: IOEvent) {
        for i in event.bytes.indices { touched.insert((event.address &+ UInt32(i)) >> 2) }
    }

    /// The plan, once every row has been added.
    public func finish() throws(CircuitError) -> SegmentPlan {
        var log = cutLog
        var cuts = starts
        if requested == nil && total <= capacity {
            // One segment, of the fewest rows that hold it and the program table.
            log = TraceBuilder.minLogRows
            while (1 << log) - TraceBuilder.reservedRows < total || 1 << log < romCount { log += 1 }
            cuts = [0]
        } else if let oversized {
            throw .unsupported(
                "the system call at cycle \(oversized.cycle) moves \(oversized.bytes) bytes, more than a segment of "
                    + "2^\(log) rows holds (\(capacity) rows); use larger segments or smaller reads and writes")
        }
        guard romCount <= 1 << log else {
            throw .unsupported(
                "the program has \(romCount) instructions; its table must fit the segment's 2^\(log) rows (more rows "
                    + "per segment, up to 2^\(TraceBuilder.maxLogRows), hold up to that many)")
        }
        var addresses = CircuitStatement.imageAddresses(program)
        for word in touched { addresses.insert(UInt64(word)) }
        var memoryLog = MemoryCircuit.minimumLogRows
        while 1 << memoryLog < addresses.count + 1 { memoryLog += 1 }
        guard memoryLog <= TraceBuilder.maxMemoryLogRows else {
            throw .unsupported(
                "the execution touches or the image sets \(addresses.count) words, more than the memory table's "
                    + "2^\(TraceBuilder.maxMemoryLogRows) rows")
        }
        return SegmentPlan(
            logRows: log, starts: cuts.isEmpty ? [0] : cuts, totalRows: total, memoryLogRows: memoryLog)
    }
}
