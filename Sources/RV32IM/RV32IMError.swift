/// Everything that can go wrong while loading or running a guest program.
///
/// Loading errors describe a program file that cannot be run; execution errors describe a guest that faulted and
/// name the program counter; limit errors say which ``Limits`` field to raise. Input from outside (a program file,
/// an input file, a guest's behaviour) never traps the host: it ends in one of these cases.
public enum RV32IMError: Error, Equatable, Sendable {
    // MARK: Loading

    /// The program file is empty. Build the guest again; an empty file holds no instructions.
    case emptyProgram
    /// The ELF header or program header table ends before its declared size. The file is truncated or not ELF.
    case truncatedHeader(needed: UInt64, available: Int)
    /// The ELF header is inconsistent (bad version, bad header sizes, and the like). Rebuild the program.
    case malformedHeader(String)
    /// The ELF file targets another architecture (`e_machine`). Compile with `--target=riscv32-unknown-elf`.
    case notRISCV(machine: UInt16)
    /// The ELF file is 64-bit (`ELFCLASS64`). Compile for RV32 with `-march=rv32im -mabi=ilp32`.
    case not32Bit
    /// The ELF file is big-endian. RISC-V executables are little-endian; rebuild with a standard toolchain.
    case bigEndian
    /// The ELF file is not a static executable (`e_type` is not `ET_EXEC`). Link with `-static` and without PIE.
    case notExecutable(type: UInt16)
    /// The ELF header declares extensions or an ABI outside RV32IM/ilp32 (compressed instructions, hardware
    /// floating point, RV32E). Compile with `-march=rv32im -mabi=ilp32`.
    case unsupportedFeatures(flags: UInt32)
    /// A loadable segment's bytes lie (partly) beyond the end of the file. The file is truncated.
    case truncatedSegment(index: Int, offset: UInt64, size: UInt64, fileSize: Int)
    /// A loadable segment declares more file bytes than memory bytes (`p_filesz > p_memsz`).
    case malformedSegment(index: Int)
    /// A loadable segment does not fit in the 32-bit address space.
    case segmentOutOfRange(index: Int, address: UInt64, size: UInt64)
    /// A loadable segment overlaps the guest stack region (see ``AddressSpace``). Link the program below it.
    case segmentOverlapsStack(index: Int)
    /// An executable segment reaches into the last word of the address space (0xfffffffc...0xffffffff). An
    /// instruction there would continue at 2^32, and its link value `pc + 4` would not be a 32-bit value; link code
    /// lower.
    case codeAtTopOfMemory(index: Int)
    /// Two loadable segments overlap in memory. Fix the linker script.
    case overlappingSegments(first: Int, second: Int)
    /// The ELF file has no non-empty `PT_LOAD` segment, so there is nothing to run.
    case noLoadableSegments
    /// The entry point is not inside an executable segment. Check the linker script's `ENTRY` and the `_start`
    /// symbol.
    case entryNotExecutable(entry: UInt32)
    /// The entry point is not a multiple of 4 (RV32IM has no compressed instructions).
    case misalignedEntry(entry: UInt32)

    // MARK: Guest faults

    /// The word at `pc` is not an RV32IM instruction (for example a compressed, floating-point or CSR
    /// instruction). Compile with `-march=rv32im`.
    case illegalInstruction(pc: UInt32, word: UInt32)
    /// The guest executed `EBREAK`, which has no debugger to go to.
    case breakpoint(pc: UInt32)
    /// A jump or taken branch at `pc` targets an address that is not a multiple of 4.
    case misalignedJump(pc: UInt32, target: UInt32)
    /// A load or store at `pc` of `width` bytes uses an address that is not a multiple of `width`.
    case misalignedAccess(pc: UInt32, address: UInt32, width: Int)
    /// The guest jumped to `pc`, which is outside every executable segment of the program.
    case fetchOutsideCode(pc: UInt32)
    /// A store or a `read` at `pc` would write the byte at `address`, which lies in a word of an executable
    /// segment. Code is read-only: it is fixed at load time (it is what the program id commits to), so
    /// self-modifying code is not supported. Keep writable data in segments of its own (`Guest/guest.ld` does).
    case storeIntoCode(pc: UInt32, address: UInt32)
    /// `ECALL` at `pc` with a syscall number (in `a7`) outside the guest ABI (63 read, 64 write, 93/94 exit).
    case unsupportedSyscall(pc: UInt32, number: UInt32)
    /// `ECALL` at `pc` with a file descriptor the guest ABI does not offer: `read` takes 0, `write` takes 1 or 2.
    case badFileDescriptor(pc: UInt32, syscall: UInt32, fd: UInt32)
    /// A syscall buffer at `pc` runs past the end of the 32-bit address space.
    case bufferOutOfRange(pc: UInt32, address: UInt32, length: UInt32)

    // MARK: Limits

    /// The guest ran `limit` instructions without calling `exit`. Raise ``Limits/maxCycles``
    /// (`zkvm run --max-cycles`) if the program is meant to run that long.
    case cycleLimitExceeded(limit: UInt64)
    /// The private input is larger than ``Limits/maxInputBytes`` (`zkvm run --max-input-bytes`).
    case inputTooLarge(size: Int, limit: Int)
    /// The guest touched more than ``Limits/maxPages`` 4 KiB pages (`zkvm run --max-pages`).
    case pageLimitExceeded(limit: Int)
    /// The journal and log together grew past ``Limits/maxOutputBytes`` (`zkvm run --max-output-bytes`).
    case outputLimitExceeded(limit: Int)
}

extension RV32IMError: CustomStringConvertible {
    /// One line that names the fault and, where it helps, what to do about it.
    public var description: String {
        switch self {
        case .emptyProgram:
            return "the program file is empty"
        case .truncatedHeader(let needed, let available):
            return "truncated ELF header: needs \(needed) bytes, the file has \(available)"
        case .malformedHeader(let why):
            return "malformed ELF header: \(why)"
        case .notRISCV(let machine):
            return "not a RISC-V program (ELF e_machine \(machine), expected 243); compile with "
                + "--target=riscv32-unknown-elf"
        case .not32Bit:
            return "64-bit ELF file; zkvm runs RV32IM: compile with -march=rv32im -mabi=ilp32"
        case .bigEndian:
            return "big-endian ELF file; RISC-V programs are little-endian"
        case .notExecutable(let type):
            return "ELF type \(type) is not a static executable (ET_EXEC); link with -static and without -pie"
        case .unsupportedFeatures(let flags):
            return "ELF flags \(hex(flags)) ask for compressed instructions, hardware floating point or RV32E; "
                + "compile with -march=rv32im -mabi=ilp32"
        case .truncatedSegment(let index, let offset, let size, let fileSize):
            return "truncated segment \(index): bytes \(offset)..<\(offset + size) lie past the end of the "
                + "\(fileSize)-byte file"
        case .malformedSegment(let index):
            return "malformed segment \(index): more file bytes than memory bytes"
        case .segmentOutOfRange(let index, let address, let size):
            return "segment \(index) at \(hex(address)) of \(size) bytes does not fit in the 32-bit address space"
        case .segmentOverlapsStack(let index):
            return "segment \(index) overlaps the guest stack region \(hex(AddressSpace.stackBottom))..<"
                + "\(hex(UInt64(AddressSpace.stackTop))); link the program below it"
        case .codeAtTopOfMemory(let index):
            return "executable segment \(index) reaches the last word of the address space (0xfffffffc); link code below it"
        case .overlappingSegments(let first, let second):
            return "segments \(first) and \(second) overlap in memory"
        case .noLoadableSegments:
            return "the ELF file has no loadable segment"
        case .entryNotExecutable(let entry):
            return "entry point \(hex(entry)) is not inside an executable segment"
        case .misalignedEntry(let entry):
            return "entry point \(hex(entry)) is not a multiple of 4"
        case .illegalInstruction(let pc, let word):
            return "illegal instruction \(hex(word)) at pc \(hex(pc)) (not RV32IM)"
        case .breakpoint(let pc):
            return "EBREAK (instruction 0x00100073) at pc \(hex(pc)); there is no debugger to stop in"
        case .misalignedJump(let pc, let target):
            return "jump at pc \(hex(pc)) to \(hex(target)), which is not a multiple of 4"
        case .misalignedAccess(let pc, let address, let width):
            return "misaligned \(width)-byte access at pc \(hex(pc)) to address \(hex(address))"
        case .fetchOutsideCode(let pc):
            return "instruction fetch at pc \(hex(pc)) outside the program's executable segments"
        case .storeIntoCode(let pc, let address):
            return "store at pc \(hex(pc)) into code at address \(hex(address)); executable segments are read-only"
        case .unsupportedSyscall(let pc, let number):
            return "unsupported syscall \(number) at pc \(hex(pc)) (supported: 63 read, 64 write, 93/94 exit)"
        case .badFileDescriptor(let pc, let syscall, let fd):
            let allowed = syscall == Syscall.read ? "read takes fd 0" : "write takes fd 1 or 2"
            return "bad file descriptor \(fd) for syscall \(syscall) at pc \(hex(pc)) (\(allowed))"
        case .bufferOutOfRange(let pc, let address, let length):
            return "syscall buffer at \(hex(address)) of \(length) bytes at pc \(hex(pc)) runs past the end of memory"
        case .cycleLimitExceeded(let limit):
            return "cycle limit of \(limit) reached before the guest called exit; raise it with --max-cycles "
                + "(Limits.maxCycles)"
        case .inputTooLarge(let size, let limit):
            return "input of \(size) bytes exceeds the input limit of \(limit) bytes; raise it with "
                + "--max-input-bytes (Limits.maxInputBytes)"
        case .pageLimitExceeded(let limit):
            return "memory limit of \(limit) pages (4 KiB each) exceeded; raise it with --max-pages "
                + "(Limits.maxPages)"
        case .outputLimitExceeded(let limit):
            return "output limit of \(limit) bytes (journal and log together) exceeded; raise it with "
                + "--max-output-bytes (Limits.maxOutputBytes)"
        }
    }
}

/// `0x`-prefixed, zero-padded lowercase hex, as addresses and instruction words are printed in messages.
func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

func hex(_ value: UInt64) -> String {
    value <= UInt64(UInt32.max) ? hex(UInt32(value)) : "0x" + String(value, radix: 16)
}
