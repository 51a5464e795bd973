/// Resource limits for one execution. Exceeding one ends the run with the matching ``RV32IMError`` case, so a
/// guest can neither hang the host nor exhaust its memory.
public struct Limits: Equatable, Sendable {
    /// Most instructions executed before the guest must have called `exit` (default 2^28, under a second in fast
    /// mode).
    public var maxCycles: UInt64
    /// Largest private input in bytes (default 64 MiB).
    public var maxInputBytes: Int
    /// Most 4 KiB memory pages the program may touch, its loaded image included (default 65,536: 256 MiB).
    public var maxPages: Int
    /// Largest journal plus diagnostic log in bytes (default 64 MiB).
    public var maxOutputBytes: Int

    /// Limits from their values; each defaults to the documented default.
    public init(
        maxCycles: UInt64 = 1 << 28, maxInputBytes: Int = 64 << 20, maxPages: Int = 1 << 16,
        maxOutputBytes: Int = 64 << 20
    ) {
        self.maxCycles = maxCycles
        self.maxInputBytes = maxInputBytes
        self.maxPages = maxPages
        self.maxOutputBytes = maxOutputBytes
    }

    /// The documented defaults.
    public static let `default` = Limits()
}

/// The fixed parts of the guest's 32-bit address space.
///
/// Programs are loaded where their ELF segments say (or at 0 for a raw image). The stack is the 16 MiB below
/// ``stackTop``: `sp` starts at ``stackTop`` and grows down. No loaded segment may overlap the stack region.
/// Memory outside both is ordinary zero-initialised memory the guest may use; every touched 4 KiB page counts
/// towards ``Limits/maxPages``. Executable segments are read-only: a store or `read` into any word holding a byte
/// of one faults (``RV32IMError/storeIntoCode(pc:address:)``).
public enum AddressSpace {
    /// The initial stack pointer (16-byte aligned, as the RISC-V psABI requires), one past the stack's top byte.
    public static let stackTop: UInt32 = 0x8000_0000
    /// The lowest address of the stack region.
    public static let stackBottom: UInt32 = 0x7f00_0000
    /// The last word of the address space. No executable segment may reach it: an instruction there would continue
    /// at 2^32 and link `pc + 4 = 2^32`, which is not a 32-bit value (the loader refuses such programs).
    public static let lastWord: UInt32 = 0xffff_fffc
    /// Size of a memory page in bytes: the unit of ``Limits/maxPages``.
    public static let pageSize = 4096
}
