extension Instruction {
    /// The instruction word, the inverse of ``init(decoding:)`` for every RV32IM instruction.
    ///
    /// Immediates are truncated to what the format holds (the low 12 bits for I and S types, bits 1–12 for
    /// branches, bits 1–20 for `JAL`, bits 12–31 for `LUI`/`AUIPC`, the low 5 bits for shift amounts). `FENCE`
    /// encodes as `fence iorw, iorw`; ``Opcode/illegal`` as 0, the defined illegal instruction.
    public var encoded: UInt32 {
        let rd = UInt32(self.rd & 31) << 7
        let rs1 = UInt32(self.rs1 & 31) << 15
        let rs2 = UInt32(self.rs2 & 31) << 20
        func iType(_ funct3: UInt32, _ opcode: UInt32) -> UInt32 {
            (imm & 0xfff) << 20 | rs1 | funct3 << 12 | rd | opcode
        }
        func sType(_ funct3: UInt32) -> UInt32 {
            (imm >> 5 & 0x7f) << 25 | rs2 | rs1 | funct3 << 12 | (imm & 0x1f) << 7 | 0x23
        }
        func bType(_ funct3: UInt32) -> UInt32 {
            (imm >> 12 & 1) << 31 | (imm >> 5 & 0x3f) << 25 | rs2 | rs1 | funct3 << 12 | (imm >> 1 & 0xf) << 8
                | (imm >> 11 & 1) << 7 | 0x63
        }
        func rType(_ funct7: UInt32, _ funct3: UInt32) -> UInt32 {
            funct7 << 25 | rs2 | rs1 | funct3 << 12 | rd | 0x33
        }
        func shift(_ funct7: UInt32, _ funct3: UInt32) -> UInt32 {
            funct7 << 25 | (imm & 31) << 20 | rs1 | funct3 << 12 | rd | 0x13
        }
        switch op {
        case .illegal: return 0
        case .lui: return imm & 0xffff_f000 | rd | 0x37
        case .auipc: return imm & 0xffff_f000 | rd | 0x17
        case .jal:
            return (imm >> 20 & 1) << 31 | (imm >> 1 & 0x3ff) << 21 | (imm >> 11 & 1) << 20 | imm & 0xf_f000 | rd
                | 0x6f
        case .jalr: return iType(0, 0x67)
        case .beq: return bType(0)
        case .bne: return bType(1)
        case .blt: return bType(4)
        case .bge: return bType(5)
        case .bltu: return bType(6)
        case .bgeu: return bType(7)
        case .lb: return iType(0, 0x03)
        case .lh: return iType(1, 0x03)
        case .lw: return iType(2, 0x03)
        case .lbu: return iType(4, 0x03)
        case .lhu: return iType(5, 0x03)
        case .sb: return sType(0)
        case .sh: return sType(1)
        case .sw: return sType(2)
        case .addi: return iType(0, 0x13)
        case .slti: return iType(2, 0x13)
        case .sltiu: return iType(3, 0x13)
        case .xori: return iType(4, 0x13)
        case .ori: return iType(6, 0x13)
        case .andi: return iType(7, 0x13)
        case .slli: return shift(0, 1)
        case .srli: return shift(0, 5)
        case .srai: return shift(0x20, 5)
        case .add: return rType(0, 0)
        case .sub: return rType(0x20, 0)
        case .sll: return rType(0, 1)
        case .slt: return rType(0, 2)
        case .sltu: return rType(0, 3)
        case .xor: return rType(0, 4)
        case .srl: return rType(0, 5)
        case .sra: return rType(0x20, 5)
        case .or: return rType(0, 6)
        case .and: return rType(0, 7)
        case .mul: return rType(1, 0)
        case .mulh: return rType(1, 1)
        case .mulhsu: return rType(1, 2)
        case .mulhu: return rType(1, 3)
        case .div: return rType(1, 4)
        case .divu: return rType(1, 5)
        case .rem: return rType(1, 6)
        case .remu: return rType(1, 7)
        case .fence: return 0x0ff0_000f
        case .ecall: return 0x0000_0073
        case .ebreak: return 0x0010_0073
        }
    }
}

extension Program {
    /// A raw-image program from instructions, as if their words had been read from a file: loaded at 0, entry 0.
    /// Convenient for tests and benchmarks that assemble a guest in Swift.
    public init(instructions: [Instruction]) throws(RV32IMError) {
        var bytes: [UInt8] = []
        for word in instructions.map(\.encoded) {
            bytes += [UInt8(word & 0xff), UInt8(word >> 8 & 0xff), UInt8(word >> 16 & 0xff), UInt8(word >> 24)]
        }
        try self.init(bytes: bytes)
    }
}
