import AIR
import Field
import RV32IM

/// One instruction as the circuit fetches it: its address and decoded fields. Prover and verifier both derive the
/// program table from the program image, so the proof is bound to every instruction the program could run.
public struct FetchedInstruction: Hashable, Sendable {
    public var pc: UInt32
    public var flag: Col
    public var useImm: Bool
    public var usePC: Bool
    public var rd: UInt8
    public var rs1: UInt8
    public var rs2: UInt8
    public var imm: UInt32
    /// Writes a register other than x0.
    public var wr: Bool

    /// The operation code the circuit's fetch bus carries.
    public var code: UInt64 { CPUCircuit.operationCode(flag: flag, useImm: useImm, usePC: usePC) }

    /// The fetch tuple: (pc, code, rd, rs1, rs2, imm, wr).
    public var values: [Fp] {
        [Fp(UInt64(pc)), Fp(code), Fp(UInt64(rd)), Fp(UInt64(rs1)), Fp(UInt64(rs2)), Fp(UInt64(imm)), wr ? .one : .zero]
    }

    /// The circuit's view of `instruction` at `pc`; nil for words the machine refuses to run (illegal, EBREAK).
    public init?(_ instruction: Instruction, pc: UInt32) {
        self.pc = pc
        var rd = instruction.rd
        var rs1 = instruction.readsRS1 ? instruction.rs1 : 0
        var rs2 = instruction.readsRS2 ? instruction.rs2 : 0
        var imm = instruction.imm
        var useImm = false
        var usePC = false
        var writes = true
        switch instruction.op {
        case .illegal, .ebreak: return nil
        case .lui: (flag, useImm) = (.opAdd, true)
        case .auipc: (flag, useImm, usePC) = (.opAdd, true, true)
        case .jal: (flag, useImm) = (.opJal, true)
        case .jalr: (flag, useImm) = (.opJalr, true)
        case .beq: flag = .opBeq
        case .bne: flag = .opBne
        case .blt: flag = .opBlt
        case .bge: flag = .opBge
        case .bltu: flag = .opBltu
        case .bgeu: flag = .opBgeu
        case .lb: (flag, useImm) = (.opLb, true)
        case .lh: (flag, useImm) = (.opLh, true)
        case .lw: (flag, useImm) = (.opLw, true)
        case .lbu: (flag, useImm) = (.opLbu, true)
        case .lhu: (flag, useImm) = (.opLhu, true)
        case .sb: (flag, useImm) = (.opSb, true)
        case .sh: (flag, useImm) = (.opSh, true)
        case .sw: (flag, useImm) = (.opSw, true)
        case .addi: (flag, useImm) = (.opAdd, true)
        case .slti: (flag, useImm) = (.opSlt, true)
        case .sltiu: (flag, useImm) = (.opSltu, true)
        case .xori: (flag, useImm) = (.opXor, true)
        case .ori: (flag, useImm) = (.opOr, true)
        case .andi: (flag, useImm) = (.opAnd, true)
        case .slli: (flag, useImm) = (.opSll, true)
        case .srli: (flag, useImm) = (.opSrl, true)
        case .srai: (flag, useImm) = (.opSra, true)
        case .add: flag = .opAdd
        case .sub: flag = .opSub
        case .sll: flag = .opSll
        case .slt: flag = .opSlt
        case .sltu: flag = .opSltu
        case .xor: flag = .opXor
        case .srl: flag = .opSrl
        case .sra: flag = .opSra
        case .or: flag = .opOr
        case .and: flag = .opAnd
        case .fence: (flag, useImm, rd, rs1, rs2, imm) = (.opAdd, true, 0, 0, 0, 0)
        case .ecall: (flag, rd, rs1, rs2) = (.opEcall, 10, 17, 10)
        case .mul: flag = .opMul
        case .mulh: flag = .opMulh
        case .mulhsu: flag = .opMulhsu
        case .mulhu: flag = .opMulhu
        case .div: flag = .opDiv
        case .divu: flag = .opDivu
        case .rem: flag = .opRem
        case .remu: flag = .opRemu
        }
        switch instruction.op {
        case .beq, .bne, .blt, .bge, .bltu, .bgeu, .sb, .sh, .sw: writes = false
        default: break
        }
        if !writes { rd = 0 }
        (self.rd, self.rs1, self.rs2, self.imm, self.useImm, self.usePC) = (rd, rs1, rs2, imm, useImm, usePC)
        wr = writes && rd != 0
    }
}

/// What the verifier derives from the statement alone: the program table, the initial memory and registers, the
/// journal, and the public inputs.
public enum CircuitStatement {
    /// Every instruction in the program's executable segments that the machine would run, by address.
    public static func programTable(_ program: Program) -> [FetchedInstruction] {
        var table: [FetchedInstruction] = []
        for segment in program.segments where segment.executable {
            // Bytes past the file's data are zero, as the machine loads them.
            func byte(_ i: Int) -> UInt32 { i < segment.data.count ? UInt32(segment.data[i]) : 0 }
            var offset = Int((4 - segment.address % 4) % 4)
            while offset + 4 <= Int(segment.size) {
                let address = segment.address &+ UInt32(offset)
                let word = byte(offset) | byte(offset + 1) << 8 | byte(offset + 2) << 16 | byte(offset + 3) << 24
                if let fetched = FetchedInstruction(Instruction(decoding: word), pc: address) {
                    table.append(fetched)
                }
                offset += 4
            }
        }
        return table.sorted { $0.pc < $1.pc }
    }

    /// The initial memory image as words: word address → value, for every word of a segment that is not zero.
    /// Zero words need no entry: memory the image does not set starts at zero anyway.
    public static func imageWords(_ program: Program) -> [UInt32: UInt32] {
        var words: [UInt32: UInt32] = [:]
        for segment in program.segments {
            for i in 0..<min(segment.data.count, Int(segment.size)) {
                let address = segment.address &+ UInt32(i)
                let byte = segment.data[i]
                words[address >> 2, default: 0] |= UInt32(byte) << UInt32(8 * (address & 3))
            }
        }
        return words.filter { $0.value != 0 }
    }

    /// The word addresses of code: every word holding a byte of an executable segment, zero-filled tail included.
    /// Code is read-only, in the machine and in the circuit alike: these words enter the memory bus marked with
    /// ``CPUCircuit/codeMark``, which loads read and keep and which no store can consume.
    public static func codeWords(_ program: Program) -> Set<UInt32> {
        var words = Set<UInt32>()
        for range in program.codeWordRanges {
            for byte in stride(from: range.lowerBound, to: range.upperBound, by: 4) { words.insert(UInt32(byte >> 2)) }
        }
        return words
    }

    /// How many words ``codeWords(_:)`` holds, counted without building the set: each takes a memory-table row, so
    /// a verifier can refuse a program too large for any proof before it builds its side of the buses.
    public static func codeWordCount(_ program: Program) -> Int {
        program.codeWordRanges.reduce(0) { $0 + $1.count / 4 }
    }

    /// The value a word starts with in the memory bus: its image value, plus ``CPUCircuit/codeMark`` for code.
    public static func initialMemory(_ program: Program) -> [UInt32: UInt64] {
        var memory = imageWords(program).mapValues { UInt64($0) }
        for word in codeWords(program) { memory[word, default: 0] += CPUCircuit.codeMark }
        return memory
    }

    /// The registers' initial values: sp at the top of the stack, every other register zero.
    public static func initialRegisters() -> [UInt32] {
        var registers = [UInt32](repeating: 0, count: 32)
        registers[2] = AddressSpace.stackTop
        return registers
    }

    /// The program id's two 16-byte halves (little-endian), public inputs of every proof. No rule reads them: they
    /// are there to be absorbed into the transcript, so that a proof holds for exactly one program id, even where
    /// two ids load to the same execution (they differ only in what the execution never reads, such as a data
    /// segment's zero fill).
    public static func programIDHalves(_ program: Program) -> (lo: Fp, hi: Fp) {
        func half(_ bytes: ArraySlice<UInt8>) -> Fp {
            bytes.reversed().reduce(Fp.zero) { $0 * Fp(256) + Fp(UInt64($1)) }
        }
        return (half(program.id[0..<16]), half(program.id[16..<32]))
    }

    /// Segment k's public inputs (``CPUCircuit/publicInputNames``) when every segment has `rows` rows.
    public static func segmentPublicInputs(
        program: Program, exitCode: UInt32, segment k: Int, of count: Int, rows: Int
    ) -> [Fp] {
        let id = programIDHalves(program)
        return [
            Fp(UInt64(exitCode)), id.lo, id.hi, Fp(UInt64(k * rows)), Fp(UInt64((k + 1) * rows)),
            k == count - 1 ? .one : .zero,
        ]
    }

    /// A segment's buses' public sides, indexed like the circuit's buses: the program's instructions, which every
    /// segment's program table must give back. Memory and the journal are the global bus's (``globalEntries``).
    public static func publicBusEntries(program: Program) -> [[PublicBusEntry]] {
        let air = CPUCircuit.air
        var entries = [[PublicBusEntry]](repeating: [], count: air.buses.count)
        let bus = { (name: String) in air.buses.firstIndex { $0.name == name }! }
        entries[bus("program")] = programTable(program).map { PublicBusEntry(multiplicity: .one, values: $0.values) }
        return entries
    }

    /// The verifier's own entries of the global bus (address, value, time, nonce): the image's words (code marked
    /// read-only), the registers' and the state's initial values, all at time 0 with nonce 0, which the segments
    /// receive; and the journal's bytes at 2^40 + index, which the segments must send.
    public static func globalEntries(program: Program, journal: [UInt8]) -> [PublicBusEntry] {
        var entries: [PublicBusEntry] = []
        func send(_ address: UInt64, _ value: UInt64) {
            entries.append(PublicBusEntry(multiplicity: .one, values: [Fp(address), Fp(value), .zero, .zero]))
        }
        for (address, value) in initialMemory(program).sorted(by: { $0.key < $1.key }) { send(UInt64(address), value) }
        for (r, value) in initialRegisters().enumerated() { send(CPUCircuit.registerBase + UInt64(r), UInt64(value)) }
        let state = CPUCircuit.stateValues(pc: program.entry, eof: false, journalIndex: 0)
        for (address, value) in zip(CPUCircuit.stateAddresses, state) { send(address, value) }
        for (i, byte) in journal.enumerated() {
            entries.append(
                PublicBusEntry(
                    multiplicity: -Fp.one,
                    values: [Fp(CPUCircuit.journalBase + UInt64(i)), Fp(UInt64(byte)), .zero, .zero]))
        }
        return entries
    }

    /// Every address the image gives a value to (code, data, registers, the state): the memory's closing table
    /// marks these, since the verifier, not the table, starts their chains.
    public static func imageAddresses(_ program: Program) -> Set<UInt64> {
        var addresses = Set(initialMemory(program).keys.map { UInt64($0) })
        for r in 0..<32 { addresses.insert(CPUCircuit.registerBase + UInt64(r)) }
        for address in CPUCircuit.stateAddresses { addresses.insert(address) }
        return addresses
    }
}
