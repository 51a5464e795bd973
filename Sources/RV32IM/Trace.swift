/// The memory access of one instruction: none, or a load or store of 1, 2 or 4 bytes.
public struct MemoryAccess: Equatable, Sendable {
    /// Bits 0–2 hold the width in bytes (0 for no access); bit 3 is set for a store.
    public let rawValue: UInt8

    /// The instruction did not access memory.
    public static let none = MemoryAccess(rawValue: 0)

    /// An access from its raw encoding.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    static func load(_ width: UInt8) -> MemoryAccess { MemoryAccess(rawValue: width) }
    static func store(_ width: UInt8) -> MemoryAccess { MemoryAccess(rawValue: width | 8) }

    /// Width in bytes: 1, 2, 4, or 0 when there is no access.
    public var width: Int { Int(rawValue & 7) }
    /// Whether the instruction loaded from memory.
    public var isLoad: Bool { rawValue != 0 && rawValue & 8 == 0 }
    /// Whether the instruction stored to memory.
    public var isStore: Bool { rawValue & 8 != 0 }
}

/// What one executed instruction did: one row per cycle, 44 bytes, in the order an arithmetisation reads it.
///
/// Register fields: `rs1`/`rs2` are the source indices the instruction uses (0 when it uses none, so the value
/// is 0), `rd` the destination index (0 when it writes none) and `rdValue` the value written. An `ECALL` row
/// reads `a7` as `rs1` (the syscall number) and `a0` as `rs2` (the first argument) and writes its result to
/// `a0` as `rd` (`rd` is 0 for `exit`, which writes nothing); the bytes it moves are in the matching
/// ``IOEvent``.
///
/// Memory fields: for a load, `memValue` is the value read, zero-extended from its width (before any sign
/// extension into `rd`); for a store, `memValue` is the value written and `memPrevious` what the bytes held
/// before. `memPrevious` equals `memValue` for a load; both are 0 without an access.
public struct TraceRow: Equatable, Sendable {
    /// Address of the instruction.
    public var pc: UInt32 = 0
    /// Address of the next instruction executed.
    public var nextPC: UInt32 = 0
    /// The instruction word.
    public var word: UInt32 = 0
    /// Value of `rs1` before the instruction.
    public var rs1Value: UInt32 = 0
    /// Value of `rs2` before the instruction.
    public var rs2Value: UInt32 = 0
    /// Value written to `rd` (0 if `rd` is x0).
    public var rdValue: UInt32 = 0
    /// Address of the memory access (0 without one).
    public var memAddress: UInt32 = 0
    /// Value loaded or stored.
    public var memValue: UInt32 = 0
    /// Value the stored bytes held before a store; equal to `memValue` for a load.
    public var memPrevious: UInt32 = 0
    /// The decoded operation.
    public var op: Opcode = .illegal
    /// Destination register index.
    public var rd: UInt8 = 0
    /// First source register index.
    public var rs1: UInt8 = 0
    /// Second source register index.
    public var rs2: UInt8 = 0
    /// Kind and width of the memory access.
    public var memAccess: MemoryAccess = .none

    /// A row with every field zero.
    public init() {}
}

/// Data crossing the guest boundary through a syscall, for binding the public output and the private input.
public struct IOEvent: Equatable, Sendable {
    /// What the guest asked for.
    public enum Kind: Equatable, Sendable {
        /// `read(0, …)`: `bytes` from the private input were copied to `address`.
        case input
        /// `write(1, …)`: `bytes` at `address` were appended to the journal.
        case journal
        /// `write(2, …)`: `bytes` at `address` were appended to the diagnostic log.
        case log
        /// `exit(code)`.
        case exit(code: UInt32)
    }

    /// The cycle (row index) of the `ECALL`.
    public var cycle: UInt64
    /// The kind of event.
    public var kind: Kind
    /// The guest buffer address (0 for `exit`).
    public var address: UInt32
    /// The bytes moved (empty for `exit`).
    public var bytes: [UInt8]

    /// An event from its parts.
    public init(cycle: UInt64, kind: Kind, address: UInt32, bytes: [UInt8]) {
        (self.cycle, self.kind, self.address, self.bytes) = (cycle, kind, address, bytes)
    }
}

/// A consecutive run of trace rows handed to a consumer by ``Machine/run(chunkRows:consume:)``.
public struct TraceChunk {
    /// The cycle of `rows[0]`.
    public let firstCycle: UInt64
    /// The rows; valid only during the call that receives the chunk.
    public let rows: UnsafeBufferPointer<TraceRow>
    /// The I/O events of the cycles in this chunk, in order.
    public let events: [IOEvent]
}

/// A complete execution trace, as collected by ``Machine/trace()``.
public struct Trace: Sendable {
    /// One row per cycle.
    public var rows: [TraceRow]
    /// Every I/O event, in order.
    public var events: [IOEvent]
    /// How the execution ended.
    public var result: ExecutionResult
}

/// Receives what the interpreter does; specialised away entirely in fast mode.
protocol Recorder {
    static var isEnabled: Bool { get }
    /// Room for at least this many more rows before the interpreter must return.
    var capacity: Int { get }
    mutating func append(_ row: TraceRow)
    mutating func event(_ event: IOEvent)
}

/// Fast mode: records nothing.
struct NoRecorder: Recorder {
    static var isEnabled: Bool { false }
    var capacity: Int { Int.max }
    func append(_ row: TraceRow) {}
    func event(_ event: IOEvent) {}
}

/// Tracing mode: rows go into a fixed buffer that the driver drains between interpreter calls.
struct RowBuffer: Recorder {
    static var isEnabled: Bool { true }
    let rows: UnsafeMutablePointer<TraceRow>
    let limit: Int
    var count = 0
    var events: [IOEvent] = []

    init(limit: Int) {
        self.limit = limit
        rows = .allocate(capacity: limit)
    }

    var capacity: Int { limit - count }

    @inline(__always)
    mutating func append(_ row: TraceRow) {
        (rows + count).initialize(to: row)
        count += 1
    }

    mutating func event(_ event: IOEvent) { events.append(event) }
}
