/// The guest ABI: Linux RISC-V syscall numbers, so the same static binary also runs under `qemu-riscv32`.
///
/// `ECALL` takes the number in `a7`, arguments in `a0`–`a2` and returns its result in `a0`:
///
/// - 63 `read(0, buf, len)`: copies the next `min(len, remaining)` bytes of the private input to `buf` and returns
///   that count (0 once the input is used up);
/// - 64 `write(fd, buf, len)`: appends `buf[0..<len]` to the journal (fd 1, public) or to the diagnostic log (fd 2,
///   not part of any proof) and returns `len`;
/// - 93 `exit(code)` and 94 `exit_group(code)`: halt with exit code `a0`.
///
/// Any other number, another file descriptor, a buffer that runs past the end of memory (`buf + len > 2^32`,
/// whatever the count), or a `read` that would store a byte into code is an error that names the pc.
public enum Syscall {
    /// `read`.
    public static let read: UInt32 = 63
    /// `write`.
    public static let write: UInt32 = 64
    /// `exit`.
    public static let exit: UInt32 = 93
    /// `exit_group`, which is `exit` for a single-threaded guest.
    public static let exitGroup: UInt32 = 94
}

/// The guest's private input and its two output streams.
struct GuestIO {
    var input: [UInt8]
    var inputOffset = 0
    var journal: [UInt8] = []
    var log: [UInt8] = []
}

enum SyscallOutcome {
    case resumed
    case exited
    case faulted
}

extension Core {
    private static let a0 = 10
    private static let a7 = 17

    /// Performs the `ECALL` at `pc`. Registers are read from and written to `x`; `row` gets the register fields
    /// described in ``TraceRow``.
    mutating func syscall<R: Recorder>(
        pc: UInt32, cycle: UInt64, recorder: inout R, row: inout TraceRow
    )
        -> SyscallOutcome
    {
        let number = x[Core.a7]
        let (a0, a1, a2) = (x[Core.a0], x[Core.a0 + 1], x[Core.a0 + 2])
        if R.isEnabled {
            row.rs1 = UInt8(Core.a7)
            row.rs1Value = number
            row.rs2 = UInt8(Core.a0)
            row.rs2Value = a0
        }
        let result: UInt32
        switch number {
        case Syscall.exit, Syscall.exitGroup:
            exitCode = a0
            if R.isEnabled { recorder.event(IOEvent(cycle: cycle, kind: .exit(code: a0), address: 0, bytes: [])) }
            return .exited
        case Syscall.read:
            guard a0 == 0 else { return syscallFault(.badFileDescriptor(pc: pc, syscall: number, fd: a0)) }
            guard UInt64(a1) + UInt64(a2) <= 1 << 32 else {
                return syscallFault(.bufferOutOfRange(pc: pc, address: a1, length: a2))
            }
            let count = min(Int(a2), io.input.count - io.inputOffset)
            // Only the bytes actually moved are stored, so only they can fault on read-only code.
            if let address = firstCodeByte(from: a1, count: count) {
                return syscallFault(.storeIntoCode(pc: pc, address: address))
            }
            let bytes = io.input[io.inputOffset..<io.inputOffset + count]
            guard memory.write(bytes, at: a1) else { return syscallFault(.pageLimitExceeded(limit: memory.maxPages)) }
            io.inputOffset += count
            if R.isEnabled { recorder.event(IOEvent(cycle: cycle, kind: .input, address: a1, bytes: Array(bytes))) }
            result = UInt32(count)
        case Syscall.write:
            guard a0 == 1 || a0 == 2 else {
                return syscallFault(.badFileDescriptor(pc: pc, syscall: number, fd: a0))
            }
            guard UInt64(a1) + UInt64(a2) <= 1 << 32 else {
                return syscallFault(.bufferOutOfRange(pc: pc, address: a1, length: a2))
            }
            guard io.journal.count + io.log.count + Int(a2) <= limits.maxOutputBytes else {
                return syscallFault(.outputLimitExceeded(limit: limits.maxOutputBytes))
            }
            guard let bytes = memory.read(a1, count: Int(a2)) else {
                return syscallFault(.pageLimitExceeded(limit: memory.maxPages))
            }
            if a0 == 1 { io.journal += bytes } else { io.log += bytes }
            if R.isEnabled {
                recorder.event(IOEvent(cycle: cycle, kind: a0 == 1 ? .journal : .log, address: a1, bytes: bytes))
            }
            result = a2
        default:
            return syscallFault(.unsupportedSyscall(pc: pc, number: number))
        }
        x[Core.a0] = result
        if R.isEnabled {
            row.rd = UInt8(Core.a0)
            row.rdValue = result
        }
        return .resumed
    }

    private mutating func syscallFault(_ error: RV32IMError) -> SyscallOutcome {
        fault = error
        return .faulted
    }
}
