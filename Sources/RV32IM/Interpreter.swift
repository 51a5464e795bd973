/// A decoded instruction as the interpreter keeps it: `rd` is 32 when the instruction writes x0, so writes to x0
/// land in a sink register and the loop needs no test for it.
struct CachedInstruction {
    var op: Opcode
    var rd: UInt8
    var rs1: UInt8
    var rs2: UInt8
    var imm: UInt32

    /// Register index that receives writes to x0.
    static let sink: UInt8 = 32

    init(_ instruction: Instruction) {
        op = instruction.op
        rd = instruction.rd == 0 ? CachedInstruction.sink : instruction.rd
        rs1 = instruction.rs1
        rs2 = instruction.rs2
        imm = instruction.imm
    }
}

/// The decoded words of one executable segment, decoded once at load time.
struct CodeSegment {
    /// Address of `ops[0]`, a multiple of 4.
    let base: UInt32
    let count: Int
    let ops: UnsafeMutablePointer<CachedInstruction>
    /// The raw words, for the trace.
    let words: UnsafeMutablePointer<UInt32>
}

/// Why the interpreter returned.
enum Stop {
    case exited
    case faulted
    case budgetSpent
}

/// The machine state and the interpreter loop.
///
/// The loop is a mutating method of a struct so that, once entered, it works on plain stored fields and locals
/// (a class's fields would be re-checked for exclusive access on every instruction). It is generic over the
/// ``Recorder`` so that fast mode and tracing mode are two specialisations of one loop, the fast one with every
/// recording statement compiled out.
struct Core {
    /// x0...x31, then the sink for writes to x0.
    let x: UnsafeMutablePointer<UInt32>
    var pc: UInt32
    var cycles: UInt64 = 0
    var memory: PagedMemory
    let code: [CodeSegment]
    /// Every word that holds a byte of an executable segment lies in `codeLow ..< codeLow + codeSpan`, so one
    /// comparison clears almost every store of the read-only check.
    let codeLow: UInt32
    let codeSpan: UInt32
    /// Executable ranges (segment starts and ends) including zero-filled tails that hold no cached words.
    let executableRanges: [(UInt32, UInt64)]
    /// The read-only words (``Program/codeWordRanges``).
    let codeWords: [Range<UInt64>]
    var io: GuestIO
    let limits: Limits
    var exitCode: UInt32?
    var fault: RV32IMError?

    func release() {
        x.deallocate()
        memory.release()
        for segment in code {
            segment.ops.deallocate()
            segment.words.deallocate()
        }
    }

    /// Runs until the guest exits or faults, the cycle limit is hit, or `budget` more instructions have run
    /// (or the recorder is full).
    mutating func run<R: Recorder>(budget: UInt64, recorder: inout R) -> Stop {
        let x = self.x
        var pc = self.pc
        var cycles = self.cycles
        let room = min(budget, UInt64(recorder.capacity))
        let stop = min(limits.maxCycles, cycles &+ min(room, UInt64.max &- cycles))
        var segment = code[0]

        while true {
            if cycles >= stop {
                self.pc = pc
                self.cycles = cycles
                if cycles >= limits.maxCycles {
                    fault = .cycleLimitExceeded(limit: limits.maxCycles)
                    return .faulted
                }
                return .budgetSpent
            }
            let index = Int(truncatingIfNeeded: (pc &- segment.base) >> 2)
            if index >= segment.count {
                guard let found = codeSegment(containing: pc) else {
                    return faulted(fetchFault(pc), pc, cycles)
                }
                segment = found
                continue
            }
            let ins = segment.ops[index]
            var next = pc &+ 4
            var row = TraceRow()
            if R.isEnabled {
                row.pc = pc
                row.word = segment.words[index]
                row.op = ins.op
                row.rs1 = ins.rs1
                row.rs2 = ins.rs2
                row.rs1Value = x[Int(ins.rs1)]
                row.rs2Value = x[Int(ins.rs2)]
            }
            let rd = Int(ins.rd)
            let rs1 = x[Int(ins.rs1)]
            let rs2 = x[Int(ins.rs2)]

            switch ins.op {
            case .lui: x[rd] = ins.imm
            case .auipc: x[rd] = pc &+ ins.imm
            case .jal:
                next = pc &+ ins.imm
                if next & 3 != 0 { return faulted(.misalignedJump(pc: pc, target: next), pc, cycles) }
                x[rd] = pc &+ 4
            case .jalr:
                next = (rs1 &+ ins.imm) & ~1
                if next & 3 != 0 { return faulted(.misalignedJump(pc: pc, target: next), pc, cycles) }
                x[rd] = pc &+ 4
            case .beq, .bne, .blt, .bge, .bltu, .bgeu:
                let taken: Bool
                switch ins.op {
                case .beq: taken = rs1 == rs2
                case .bne: taken = rs1 != rs2
                case .blt: taken = Int32(bitPattern: rs1) < Int32(bitPattern: rs2)
                case .bge: taken = Int32(bitPattern: rs1) >= Int32(bitPattern: rs2)
                case .bltu: taken = rs1 < rs2
                default: taken = rs1 >= rs2
                }
                if taken {
                    next = pc &+ ins.imm
                    if next & 3 != 0 { return faulted(.misalignedJump(pc: pc, target: next), pc, cycles) }
                }
            case .lb, .lbu:
                let address = rs1 &+ ins.imm
                guard let page = memory.page(address) else { return faulted(pageFault, pc, cycles) }
                let byte = page.load(fromByteOffset: Int(address & PagedMemory.pageMask), as: UInt8.self)
                x[rd] = ins.op == .lb ? UInt32(bitPattern: Int32(Int8(bitPattern: byte))) : UInt32(byte)
                if R.isEnabled { row.recordLoad(address, UInt32(byte), width: 1) }
            case .lh, .lhu:
                let address = rs1 &+ ins.imm
                if address & 1 != 0 { return faulted(misaligned(pc, address, 2), pc, cycles) }
                guard let page = memory.page(address) else { return faulted(pageFault, pc, cycles) }
                let half = UInt16(
                    littleEndian: page.load(fromByteOffset: Int(address & PagedMemory.pageMask), as: UInt16.self))
                x[rd] = ins.op == .lh ? UInt32(bitPattern: Int32(Int16(bitPattern: half))) : UInt32(half)
                if R.isEnabled { row.recordLoad(address, UInt32(half), width: 2) }
            case .lw:
                let address = rs1 &+ ins.imm
                if address & 3 != 0 { return faulted(misaligned(pc, address, 4), pc, cycles) }
                guard let page = memory.page(address) else { return faulted(pageFault, pc, cycles) }
                let word = UInt32(
                    littleEndian: page.load(fromByteOffset: Int(address & PagedMemory.pageMask), as: UInt32.self))
                x[rd] = word
                if R.isEnabled { row.recordLoad(address, word, width: 4) }
            case .sb:
                let address = rs1 &+ ins.imm
                if isCode(address) { return faulted(.storeIntoCode(pc: pc, address: address), pc, cycles) }
                guard let page = memory.page(address) else { return faulted(pageFault, pc, cycles) }
                let offset = Int(address & PagedMemory.pageMask)
                if R.isEnabled {
                    let old = page.load(fromByteOffset: offset, as: UInt8.self)
                    row.recordStore(address, rs2 & 0xff, previous: UInt32(old), width: 1)
                }
                page.storeBytes(of: UInt8(truncatingIfNeeded: rs2), toByteOffset: offset, as: UInt8.self)
            case .sh:
                let address = rs1 &+ ins.imm
                if address & 1 != 0 { return faulted(misaligned(pc, address, 2), pc, cycles) }
                if isCode(address) { return faulted(.storeIntoCode(pc: pc, address: address), pc, cycles) }
                guard let page = memory.page(address) else { return faulted(pageFault, pc, cycles) }
                let offset = Int(address & PagedMemory.pageMask)
                if R.isEnabled {
                    let old = UInt16(littleEndian: page.load(fromByteOffset: offset, as: UInt16.self))
                    row.recordStore(address, rs2 & 0xffff, previous: UInt32(old), width: 2)
                }
                page.storeBytes(of: UInt16(truncatingIfNeeded: rs2).littleEndian, toByteOffset: offset, as: UInt16.self)
            case .sw:
                let address = rs1 &+ ins.imm
                if address & 3 != 0 { return faulted(misaligned(pc, address, 4), pc, cycles) }
                if isCode(address) { return faulted(.storeIntoCode(pc: pc, address: address), pc, cycles) }
                guard let page = memory.page(address) else { return faulted(pageFault, pc, cycles) }
                let offset = Int(address & PagedMemory.pageMask)
                if R.isEnabled {
                    let old = UInt32(littleEndian: page.load(fromByteOffset: offset, as: UInt32.self))
                    row.recordStore(address, rs2, previous: old, width: 4)
                }
                page.storeBytes(of: rs2.littleEndian, toByteOffset: offset, as: UInt32.self)
            case .addi: x[rd] = rs1 &+ ins.imm
            case .slti: x[rd] = Int32(bitPattern: rs1) < Int32(bitPattern: ins.imm) ? 1 : 0
            case .sltiu: x[rd] = rs1 < ins.imm ? 1 : 0
            case .xori: x[rd] = rs1 ^ ins.imm
            case .ori: x[rd] = rs1 | ins.imm
            case .andi: x[rd] = rs1 & ins.imm
            case .slli: x[rd] = rs1 &<< ins.imm
            case .srli: x[rd] = rs1 &>> ins.imm
            case .srai: x[rd] = UInt32(bitPattern: Int32(bitPattern: rs1) &>> Int32(bitPattern: ins.imm))
            case .add: x[rd] = rs1 &+ rs2
            case .sub: x[rd] = rs1 &- rs2
            // `&<<` and `&>>` take the shift amount modulo 32, which is exactly the low 5 bits RISC-V uses.
            case .sll: x[rd] = rs1 &<< rs2
            case .slt: x[rd] = Int32(bitPattern: rs1) < Int32(bitPattern: rs2) ? 1 : 0
            case .sltu: x[rd] = rs1 < rs2 ? 1 : 0
            case .xor: x[rd] = rs1 ^ rs2
            case .srl: x[rd] = rs1 &>> rs2
            case .sra: x[rd] = UInt32(bitPattern: Int32(bitPattern: rs1) &>> Int32(bitPattern: rs2))
            case .or: x[rd] = rs1 | rs2
            case .and: x[rd] = rs1 & rs2
            case .mul: x[rd] = rs1 &* rs2
            case .mulh:
                let product = Int64(Int32(bitPattern: rs1)) * Int64(Int32(bitPattern: rs2))
                x[rd] = UInt32(truncatingIfNeeded: product >> 32)
            case .mulhsu:
                let product = Int64(Int32(bitPattern: rs1)) * Int64(rs2)
                x[rd] = UInt32(truncatingIfNeeded: product >> 32)
            case .mulhu: x[rd] = UInt32(truncatingIfNeeded: (UInt64(rs1) * UInt64(rs2)) >> 32)
            // Division never traps in RISC-V: by zero gives all ones (quotient) or the dividend (remainder), and
            // INT_MIN / -1 overflows to INT_MIN with remainder 0.
            case .div:
                let a = Int32(bitPattern: rs1)
                let b = Int32(bitPattern: rs2)
                if b == 0 {
                    x[rd] = .max
                } else if a == .min && b == -1 {
                    x[rd] = rs1
                } else {
                    x[rd] = UInt32(bitPattern: a / b)
                }
            case .divu: x[rd] = rs2 == 0 ? .max : rs1 / rs2
            case .rem:
                let a = Int32(bitPattern: rs1)
                let b = Int32(bitPattern: rs2)
                if b == 0 {
                    x[rd] = rs1
                } else if a == .min && b == -1 {
                    x[rd] = 0
                } else {
                    x[rd] = UInt32(bitPattern: a % b)
                }
            case .remu: x[rd] = rs2 == 0 ? rs1 : rs1 % rs2
            case .fence: break
            case .ecall:
                self.pc = pc
                self.cycles = cycles
                let outcome = syscall(pc: pc, cycle: cycles, recorder: &recorder, row: &row)
                if outcome == .faulted { return .faulted }
                if outcome == .exited {
                    if R.isEnabled {
                        row.nextPC = pc
                        recorder.append(row)
                    }
                    self.cycles = cycles &+ 1
                    return .exited
                }
            case .ebreak: return faulted(.breakpoint(pc: pc), pc, cycles)
            case .illegal:
                return faulted(.illegalInstruction(pc: pc, word: segment.words[index]), pc, cycles)
            }

            if R.isEnabled {
                if ins.op != .ecall {
                    row.rd = rd == Int(CachedInstruction.sink) ? 0 : ins.rd
                    row.rdValue = rd == Int(CachedInstruction.sink) ? 0 : x[rd]
                }
                row.nextPC = next
                recorder.append(row)
            }
            pc = next
            cycles &+= 1
        }
    }

    private var pageFault: RV32IMError { .pageLimitExceeded(limit: memory.maxPages) }

    private func misaligned(_ pc: UInt32, _ address: UInt32, _ width: Int) -> RV32IMError {
        .misalignedAccess(pc: pc, address: address, width: width)
    }

    private mutating func faulted(_ error: RV32IMError, _ pc: UInt32, _ cycles: UInt64) -> Stop {
        self.pc = pc
        self.cycles = cycles
        fault = error
        return .faulted
    }

    private func codeSegment(containing pc: UInt32) -> CodeSegment? {
        code.first { pc &- $0.base < UInt32(truncatingIfNeeded: $0.count) &* 4 && pc >= $0.base }
    }

    /// A fetch outside the cached words: either the zero-filled tail of an executable segment (which holds the
    /// word 0, an illegal instruction) or no code at all.
    private func fetchFault(_ pc: UInt32) -> RV32IMError {
        let inTail = executableRanges.contains { $0.0 <= pc && UInt64(pc) + 4 <= $0.1 }
        return inTail ? .illegalInstruction(pc: pc, word: 0) : .fetchOutsideCode(pc: pc)
    }

    /// Whether the word holding `address` holds a byte of an executable segment. Code is read-only, at the
    /// granularity of whole words, which is how the circuit's memory argument marks it.
    @inline(__always)
    func isCode(_ address: UInt32) -> Bool {
        address &- codeLow < codeSpan && firstCodeByte(from: address, count: 1) != nil
    }

    /// The first address in `address ..< address + count` whose word holds a byte of an executable segment.
    @inline(never)
    func firstCodeByte(from address: UInt32, count: Int) -> UInt32? {
        guard count > 0 else { return nil }
        let end = UInt64(address) + UInt64(count)
        var first: UInt64?
        for words in codeWords {
            let from = max(UInt64(address), words.lowerBound)
            if from < min(end, words.upperBound) { first = min(first ?? from, from) }
        }
        return first.map { UInt32($0) }
    }
}

extension TraceRow {
    @inline(__always)
    mutating func recordLoad(_ address: UInt32, _ value: UInt32, width: UInt8) {
        memAddress = address
        memValue = value
        memPrevious = value
        memAccess = .load(width)
    }

    @inline(__always)
    mutating func recordStore(_ address: UInt32, _ value: UInt32, previous: UInt32, width: UInt8) {
        memAddress = address
        memValue = value
        memPrevious = previous
        memAccess = .store(width)
    }
}
