/// The operation of a decoded instruction: every RV32I and RV32M instruction, plus ``illegal`` for every other
/// 32-bit word.
///
/// The raw values are stable: they appear in traces (``TraceRow/op``) that an arithmetisation reads.
public enum Opcode: UInt8, Sendable, CaseIterable {
    /// Any word that is not an RV32IM instruction; executing it faults.
    case illegal = 0
    /// Upper immediates and jumps (RV32I).
    case lui, auipc, jal, jalr
    /// Conditional branches (RV32I).
    case beq, bne, blt, bge, bltu, bgeu
    /// Loads, sign-extending (`lb`, `lh`) or zero-extending (`lbu`, `lhu`) (RV32I).
    case lb, lh, lw, lbu, lhu
    /// Stores (RV32I).
    case sb, sh, sw
    /// Register-immediate arithmetic, comparisons, logic and shifts (RV32I).
    case addi, slti, sltiu, xori, ori, andi, slli, srli, srai
    /// Register-register arithmetic, comparisons, logic and shifts (RV32I).
    case add, sub, sll, slt, sltu, xor, srl, sra, or, and
    /// Memory ordering (a no-op on this single-hart machine), system call, breakpoint (RV32I).
    case fence, ecall, ebreak
    /// Multiplication and division (RV32M).
    case mul, mulh, mulhsu, mulhu, div, divu, rem, remu

    /// The assembler mnemonic, as in the RISC-V unprivileged specification.
    public var mnemonic: String { self == .illegal ? "illegal" : String(describing: self) }
}

/// A decoded RV32IM instruction: operation, register indices and the immediate.
///
/// The immediate is sign-extended to 32 bits where the format says so and stored as its bit pattern: the branch,
/// `JAL` and load/store offsets, the I-type operand, the shift amount (0...31) of `SLLI`/`SRLI`/`SRAI`, and the
/// already-shifted upper immediate of `LUI`/`AUIPC`. Fields the format does not have are zero.
public struct Instruction: Equatable, Sendable {
    /// The operation; ``Opcode/illegal`` if the word is not RV32IM.
    public var op: Opcode
    /// Destination register index (0...31).
    public var rd: UInt8
    /// First source register index (0...31).
    public var rs1: UInt8
    /// Second source register index (0...31).
    public var rs2: UInt8
    /// The immediate, see the type's documentation.
    public var imm: UInt32

    /// An instruction from its fields.
    public init(op: Opcode, rd: UInt8 = 0, rs1: UInt8 = 0, rs2: UInt8 = 0, imm: UInt32 = 0) {
        (self.op, self.rd, self.rs1, self.rs2, self.imm) = (op, rd, rs1, rs2, imm)
    }

    /// Decodes a 32-bit instruction word. Every word decodes: one outside RV32IM gives ``Opcode/illegal``.
    public init(decoding word: UInt32) {
        self = Instruction.decode(word) ?? Instruction(op: .illegal)
    }

    /// Whether the instruction reads `rs1` / `rs2` (the trace records a zero index for an unused source).
    public var readsRS1: Bool {
        switch op {
        case .illegal, .lui, .auipc, .jal, .fence, .ecall, .ebreak: return false
        default: return true
        }
    }

    /// Whether the instruction reads `rs2`.
    public var readsRS2: Bool {
        switch op {
        case .beq, .bne, .blt, .bge, .bltu, .bgeu, .sb, .sh, .sw,
            .add, .sub, .sll, .slt, .sltu, .xor, .srl, .sra, .or, .and,
            .mul, .mulh, .mulhsu, .mulhu, .div, .divu, .rem, .remu:
            return true
        default: return false
        }
    }

    private static func decode(_ word: UInt32) -> Instruction? {
        let opcode = word & 0x7f
        let rd = UInt8(truncatingIfNeeded: word >> 7) & 31
        let funct3 = (word >> 12) & 7
        let rs1 = UInt8(truncatingIfNeeded: word >> 15) & 31
        let rs2 = UInt8(truncatingIfNeeded: word >> 20) & 31
        let funct7 = word >> 25
        let immI = UInt32(bitPattern: Int32(bitPattern: word) >> 20)
        let immS = UInt32(bitPattern: Int32(bitPattern: word & 0xfe00_0000) >> 20) | (word >> 7) & 0x1f
        let immB =
            UInt32(bitPattern: Int32(bitPattern: word & 0x8000_0000) >> 19) | (word << 4) & 0x800
            | (word >> 20) & 0x7e0 | (word >> 7) & 0x1e
        let immJ =
            UInt32(bitPattern: Int32(bitPattern: word & 0x8000_0000) >> 11) | word & 0xf_f000
            | (word >> 9) & 0x800 | (word >> 20) & 0x7fe

        switch opcode {
        case 0x37: return Instruction(op: .lui, rd: rd, imm: word & 0xffff_f000)
        case 0x17: return Instruction(op: .auipc, rd: rd, imm: word & 0xffff_f000)
        case 0x6f: return Instruction(op: .jal, rd: rd, imm: immJ)
        case 0x67:
            return funct3 == 0 ? Instruction(op: .jalr, rd: rd, rs1: rs1, imm: immI) : nil
        case 0x63:
            let ops: [Opcode?] = [.beq, .bne, nil, nil, .blt, .bge, .bltu, .bgeu]
            return ops[Int(funct3)].map { Instruction(op: $0, rs1: rs1, rs2: rs2, imm: immB) }
        case 0x03:
            let ops: [Opcode?] = [.lb, .lh, .lw, nil, .lbu, .lhu, nil, nil]
            return ops[Int(funct3)].map { Instruction(op: $0, rd: rd, rs1: rs1, imm: immI) }
        case 0x23:
            let ops: [Opcode?] = [.sb, .sh, .sw, nil, nil, nil, nil, nil]
            return ops[Int(funct3)].map { Instruction(op: $0, rs1: rs1, rs2: rs2, imm: immS) }
        case 0x13:
            let shamt = UInt32(rs2)
            switch funct3 {
            case 1: return funct7 == 0 ? Instruction(op: .slli, rd: rd, rs1: rs1, imm: shamt) : nil
            case 5:
                if funct7 == 0 { return Instruction(op: .srli, rd: rd, rs1: rs1, imm: shamt) }
                if funct7 == 0x20 { return Instruction(op: .srai, rd: rd, rs1: rs1, imm: shamt) }
                return nil
            default:
                let ops: [Opcode] = [.addi, .illegal, .slti, .sltiu, .xori, .illegal, .ori, .andi]
                return Instruction(op: ops[Int(funct3)], rd: rd, rs1: rs1, imm: immI)
            }
        case 0x33:
            let ops: [Opcode]
            switch funct7 {
            case 0x00: ops = [.add, .sll, .slt, .sltu, .xor, .srl, .or, .and]
            case 0x20:
                guard funct3 == 0 || funct3 == 5 else { return nil }
                ops = [.sub, .illegal, .illegal, .illegal, .illegal, .sra, .illegal, .illegal]
            case 0x01: ops = [.mul, .mulh, .mulhsu, .mulhu, .div, .divu, .rem, .remu]
            default: return nil
            }
            return Instruction(op: ops[Int(funct3)], rd: rd, rs1: rs1, rs2: rs2)
        case 0x0f:
            // FENCE (and its FENCE.TSO / PAUSE hints) orders memory on a multi-hart system; with one hart and no
            // devices it has no effect. The unprivileged spec asks implementations to ignore its rd, rs1 and
            // fm/pred/succ fields, so only funct3 is checked. FENCE.I (funct3 = 1) is Zifencei, outside RV32IM.
            return funct3 == 0 ? Instruction(op: .fence) : nil
        case 0x73:
            if word == 0x0000_0073 { return Instruction(op: .ecall) }
            if word == 0x0010_0073 { return Instruction(op: .ebreak) }
            return nil
        default:
            return nil
        }
    }
}
