import AIR
import Field

/// Every column of a segment's lookup table (`Circuits/rv32im_lookups.air`), in trace order.
public enum LookupCol: Int, CaseIterable, Sendable {
    case andCount, rangeCount
}

/// The lookup table proven beside each segment: every pair of bytes with their AND and every 16-bit value, a row
/// each, with how often the segment looked it up. A proof of a segment is a batch of the segment's table and this
/// one (``segmentAIRs``), which meet on the buses `bytes` and `range`.
public enum LookupCircuit {
    /// log₂ of the table's rows: one per pair of bytes, one per 16-bit value.
    public static let logRows = 16

    /// The circuit, loaded from the text embedded in ``CircuitSource``; the tests compare it with the file.
    public static let air: AIR = {
        do {
            return try AIR(circuitSource: CircuitSource.rv32imLookups, fileName: "Circuits/rv32im_lookups.air")
        } catch {
            fatalError("the embedded Circuits/rv32im_lookups.air does not load: \(error)")
        }
    }()

    /// The tables of a segment's batch proof, in order: the segment's, then its lookup table.
    public static var segmentAIRs: [AIR] { [CPUCircuit.air, air] }

    /// The tables of the last segment's batch proof: a segment's, then the memory's closing table.
    public static var lastSegmentAIRs: [AIR] { segmentAIRs + [MemoryCircuit.air] }

    /// The table of these counts: `andCounts[x + 256·y]` lookups of the byte pair (x, y), `rangeCounts[v]` of the
    /// 16-bit value v (2^16 each).
    public static func trace(andCounts: [UInt64], rangeCounts: [UInt64]) -> TraceTable {
        precondition(andCounts.count == 1 << logRows && rangeCounts.count == 1 << logRows)
        return try! TraceTable(columns: [andCounts.map { Fp($0) }, rangeCounts.map { Fp($0) }])
    }
}
