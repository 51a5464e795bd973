import RV32IM
import XCTest

// Register numbers by ABI name, so test programs read like assembly.
let zero: UInt8 = 0
let ra: UInt8 = 1
let sp: UInt8 = 2
let t0: UInt8 = 5
let t1: UInt8 = 6
let t2: UInt8 = 7
let s0: UInt8 = 8
let s1: UInt8 = 9
let a0: UInt8 = 10
let a1: UInt8 = 11
let a2: UInt8 = 12
let a7: UInt8 = 17

/// One instruction with a signed immediate.
func ins(_ op: Opcode, _ rd: UInt8 = 0, _ rs1: UInt8 = 0, _ rs2: UInt8 = 0, imm: Int32 = 0) -> Instruction {
    Instruction(op: op, rd: rd, rs1: rs1, rs2: rs2, imm: UInt32(bitPattern: imm))
}

/// `rd = value` in two instructions (lui + addi).
func li(_ rd: UInt8, _ value: UInt32) -> [Instruction] {
    let low = Int32(bitPattern: value << 20) >> 20
    let high = value &- UInt32(bitPattern: low)
    return [Instruction(op: .lui, rd: rd, imm: high), ins(.addi, rd, rd, imm: low)]
}

/// `exit(code)`.
func sysExit(_ code: Int32 = 0) -> [Instruction] {
    [ins(.addi, a7, imm: 93), ins(.addi, a0, imm: code), ins(.ecall)]
}

/// `write(fd, address, length)`.
func sysWrite(fd: Int32, address: UInt32, length: Int32) -> [Instruction] {
    [ins(.addi, a7, imm: 64), ins(.addi, a0, imm: fd)] + li(a1, address) + [ins(.addi, a2, imm: length), ins(.ecall)]
}

/// `read(0, address, length)`.
func sysRead(address: UInt32, length: Int32) -> [Instruction] {
    [ins(.addi, a7, imm: 63), ins(.addi, a0, imm: 0)] + li(a1, address) + [ins(.addi, a2, imm: length), ins(.ecall)]
}

/// A machine running `instructions` as a raw image at address 0.
func machine(_ instructions: [Instruction], input: [UInt8] = [], limits: Limits = .default) throws -> Machine {
    try Machine(program: try Program(instructions: instructions), input: input, limits: limits)
}

/// Runs `instructions` (which must end in `exit`) and returns the machine for inspection.
func runGuest(
    _ instructions: [Instruction], input: [UInt8] = [], file: StaticString = #filePath, line: UInt = #line
)
    throws -> Machine
{
    let m = try machine(instructions, input: input)
    try m.run()
    return m
}

/// Asserts that running `instructions` fails with exactly `expected`.
func assertFault(
    _ instructions: [Instruction], _ expected: RV32IMError, input: [UInt8] = [], limits: Limits = .default,
    file: StaticString = #filePath, line: UInt = #line
) throws {
    let m = try machine(instructions, input: input, limits: limits)
    do {
        try m.run()
        XCTFail("expected \(expected), the guest exited", file: file, line: line)
    } catch {
        XCTAssertEqual(error, expected, file: file, line: line)
        XCTAssertEqual(m.fault, expected, file: file, line: line)
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return out
}

func le(_ words: [UInt32]) -> [UInt8] {
    words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
}

/// Builds ELF32 files field by field, so that loader tests can make every malformation on purpose.
struct ELFBuilder {
    struct Header {
        var type: UInt32 = 1  // PT_LOAD
        /// Offset of the segment's bytes within `payload` (the file offset adds the headers' size).
        var offset: UInt32
        var address: UInt32
        var fileSize: UInt32
        var memorySize: UInt32
        var flags: UInt32  // PF_X = 1, PF_W = 2, PF_R = 4
    }

    var elfClass: UInt8 = 1
    var dataEncoding: UInt8 = 1
    var fileType: UInt16 = 2
    var machine: UInt16 = 243
    var flags: UInt32 = 0
    var entry: UInt32
    var headers: [Header] = []
    var payload: [UInt8] = []

    /// A file with the given segments; each segment's data is placed in the payload and its header points at it.
    init(entry: UInt32, segments: [(address: UInt32, data: [UInt8], memorySize: UInt32, flags: UInt32)]) {
        self.entry = entry
        for segment in segments {
            headers.append(
                Header(
                    offset: UInt32(payload.count), address: segment.address,
                    fileSize: UInt32(segment.data.count), memorySize: segment.memorySize, flags: segment.flags))
            payload += segment.data
        }
    }

    var bytes: [UInt8] {
        var out: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, elfClass, dataEncoding, 1, 0] + [UInt8](repeating: 0, count: 8)
        func u16(_ v: UInt16) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
        func u32(_ v: UInt32) { out += le([v]) }
        u16(fileType)
        u16(machine)
        u32(1)
        u32(entry)
        u32(52)  // e_phoff
        u32(0)  // e_shoff
        u32(flags)
        u16(52)
        u16(32)
        u16(UInt16(headers.count))
        u16(40)
        u16(0)
        u16(0)
        let dataStart = UInt32(52 + 32 * headers.count)
        for h in headers {
            u32(h.type)
            u32(dataStart + h.offset)
            u32(h.address)
            u32(h.address)
            u32(h.fileSize)
            u32(h.memorySize)
            u32(h.flags)
            u32(4)
        }
        return out + payload
    }
}

/// The repository root, for the example programs in Vectors/.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func exampleFile(_ name: String, _ file: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent("Vectors/programs/\(name)/\(file)")))
}
