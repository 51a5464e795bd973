import RV32IM
import XCTest

final class DecoderTests: XCTestCase {
    /// Words from the LLVM disassembler, decoded field by field.
    func testKnownWords() {
        XCTAssertEqual(Instruction(decoding: 0x0001_05b7), Instruction(op: .lui, rd: 11, imm: 0x10000))
        XCTAssertEqual(Instruction(decoding: 0x0d45_8593), ins(.addi, 11, 11, imm: 0xd4))
        XCTAssertEqual(Instruction(decoding: 0x0030_0613), ins(.addi, 12, 0, imm: 3))
        XCTAssertEqual(Instruction(decoding: 0xfff0_0513), ins(.addi, 10, 0, imm: -1))
        XCTAssertEqual(Instruction(decoding: 0x0000_0073), Instruction(op: .ecall))
        XCTAssertEqual(Instruction(decoding: 0x0010_0073), Instruction(op: .ebreak))
        XCTAssertEqual(Instruction(decoding: 0x02a5_05b3), ins(.mul, 11, 10, 10))
        XCTAssertEqual(Instruction(decoding: 0x4000_d093), ins(.srai, 1, 1, imm: 0))  // srai ra, ra, 0
        XCTAssertEqual(Instruction(decoding: 0xfe00_0ee3), ins(.beq, 0, 0, 0, imm: -4))  // beqz zero, -4
        XCTAssertEqual(Instruction(decoding: 0x8000_006f), ins(.jal, 0, imm: -1 << 20))  // j -1 MiB
        XCTAssertEqual(Instruction(decoding: 0xfe11_2e23), ins(.sw, 0, 2, 1, imm: -4))  // sw ra, -4(sp)
        XCTAssertEqual(Instruction(decoding: 0x0000_8067), ins(.jalr, 0, 1, imm: 0))  // ret
        XCTAssertEqual(Instruction(decoding: 0x0ff0_000f), Instruction(op: .fence))
        XCTAssertEqual(Instruction(decoding: 0x8330_000f), Instruction(op: .fence))  // fence.tso
        XCTAssertEqual(Instruction(decoding: 0x0100_000f), Instruction(op: .fence))  // pause
    }

    /// Every instruction with random fields survives encode then decode.
    func testEncodeDecodeRoundTrip() {
        var rng = SystemRandomNumberGenerator()
        var count = 0
        for op in Opcode.allCases where op != .illegal {
            for _ in 0..<500 {
                var instruction = Instruction(
                    op: op, rd: UInt8.random(in: 0...31, using: &rng), rs1: UInt8.random(in: 0...31, using: &rng),
                    rs2: UInt8.random(in: 0...31, using: &rng), imm: UInt32.random(in: .min ... .max, using: &rng))
                instruction = canonical(instruction)
                XCTAssertEqual(Instruction(decoding: instruction.encoded), instruction, "\(op)")
                count += 1
            }
        }
        print("decoder: \(count) encode/decode round trips")
    }

    /// The fields an instruction format has, with its immediate reduced to what the format can hold.
    private func canonical(_ i: Instruction) -> Instruction {
        let signed12 = UInt32(bitPattern: Int32(bitPattern: i.imm << 20) >> 20)
        switch i.op {
        case .lui, .auipc: return Instruction(op: i.op, rd: i.rd, imm: i.imm & 0xffff_f000)
        case .jal:
            return Instruction(op: i.op, rd: i.rd, imm: UInt32(bitPattern: Int32(bitPattern: i.imm << 11) >> 11) & ~1)
        case .jalr, .lb, .lh, .lw, .lbu, .lhu, .addi, .slti, .sltiu, .xori, .ori, .andi:
            return Instruction(op: i.op, rd: i.rd, rs1: i.rs1, imm: signed12)
        case .slli, .srli, .srai: return Instruction(op: i.op, rd: i.rd, rs1: i.rs1, imm: i.imm & 31)
        case .beq, .bne, .blt, .bge, .bltu, .bgeu:
            return Instruction(
                op: i.op, rs1: i.rs1, rs2: i.rs2, imm: UInt32(bitPattern: Int32(bitPattern: i.imm << 19) >> 19) & ~1)
        case .sb, .sh, .sw: return Instruction(op: i.op, rs1: i.rs1, rs2: i.rs2, imm: signed12)
        case .fence, .ecall, .ebreak, .illegal: return Instruction(op: i.op)
        default: return Instruction(op: i.op, rd: i.rd, rs1: i.rs1, rs2: i.rs2)
        }
    }

    func testEncodingsOutsideRV32IMAreIllegal() {
        let illegal: [(UInt32, String)] = [
            (0x0000_0000, "the defined illegal instruction"),
            (0xffff_ffff, "all ones"),
            (0x0000_4501, "a compressed instruction (c.li)"),
            (0x0000_100f, "FENCE.I (Zifencei)"),
            (0x3000_2573, "CSRRS (Zicsr)"),
            (0x1050_0073, "WFI (privileged)"),
            (0x3020_0073, "MRET (privileged)"),
            (0x0020_0073, "URET / unknown SYSTEM"),
            (0x0000_0173, "ECALL with rd set"),
            (0x0200_9093, "SLLI with shamt[5] set (RV64 only)"),
            (0x4200_d093, "SRAI with shamt[5] set"),
            (0x8000_d093, "SRLI with a bad funct7"),
            (0x0000_3003, "LD (RV64)"),
            (0x0000_6003, "LWU (RV64)"),
            (0x0000_7003, "load funct3 7"),
            (0x0000_3023, "SD (RV64)"),
            (0x0000_2063, "branch funct3 2"),
            (0x0000_3063, "branch funct3 3"),
            (0x0000_1067, "JALR with funct3 1"),
            (0x4000_1033, "SLL with funct7 0x20"),
            (0x0400_0033, "R-type with funct7 2"),
            (0x0000_001b, "ADDIW (RV64)"),
            (0x0000_0007, "FLW (F extension)"),
            (0x0000_0053, "FADD.S (F extension)"),
            (0x0000_202f, "LR.W (A extension)"),
        ]
        for (word, what) in illegal {
            XCTAssertEqual(Instruction(decoding: word).op, .illegal, what)
        }
    }

    func testRegisterUse() {
        XCTAssertTrue(ins(.add, 1, 2, 3).readsRS2)
        XCTAssertFalse(ins(.addi, 1, 2).readsRS2)
        XCTAssertTrue(ins(.sw, 0, 2, 3).readsRS1)
        XCTAssertFalse(ins(.lui, 1).readsRS1)
        XCTAssertEqual(Opcode.mulhsu.mnemonic, "mulhsu")
        XCTAssertEqual(Opcode.and.mnemonic, "and")
    }
}
