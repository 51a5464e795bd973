/// The parts of an ELF32 RISC-V executable that loading needs (System V gABI and the RISC-V ELF psABI).
///
/// Every field read is bounds-checked: a malformed or truncated file gives an ``RV32IMError``, never a trap.
struct ELFFile {
    static let magic: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]

    private static let headerSize = 52
    private static let programHeaderSize = 32
    private static let classELF32: UInt8 = 1
    private static let classELF64: UInt8 = 2
    private static let dataLittleEndian: UInt8 = 1
    private static let dataBigEndian: UInt8 = 2
    private static let typeExecutable: UInt16 = 2
    private static let machineRISCV: UInt16 = 243
    private static let segmentLoad: UInt32 = 1
    private static let segmentInterpreter: UInt32 = 3
    private static let flagExecute: UInt32 = 1
    /// `EF_RISCV_RVC`, the float ABI field and `EF_RISCV_RVE`; `EF_RISCV_TSO` (0x10) is harmless on one hart.
    private static let unsupportedFlags: UInt32 = 0x0f

    /// The non-empty `PT_LOAD` segments in file order.
    let segments: [Segment]
    /// The program header index of each segment, for error messages.
    let headerIndices: [Int]
    let entry: UInt32

    init(_ bytes: [UInt8]) throws(RV32IMError) {
        guard bytes.count >= 16 else { throw .truncatedHeader(needed: 16, available: bytes.count) }
        switch bytes[4] {
        case ELFFile.classELF32: break
        case ELFFile.classELF64: throw .not32Bit
        default: throw .malformedHeader("unknown ELF class \(bytes[4])")
        }
        switch bytes[5] {
        case ELFFile.dataLittleEndian: break
        case ELFFile.dataBigEndian: throw .bigEndian
        default: throw .malformedHeader("unknown ELF data encoding \(bytes[5])")
        }
        guard bytes[6] == 1 else { throw .malformedHeader("unknown ELF version \(bytes[6])") }
        guard bytes.count >= ELFFile.headerSize else {
            throw .truncatedHeader(needed: UInt64(ELFFile.headerSize), available: bytes.count)
        }
        let machine = ELFFile.u16(bytes, 18)
        guard machine == ELFFile.machineRISCV else { throw .notRISCV(machine: machine) }
        let type = ELFFile.u16(bytes, 16)
        guard type == ELFFile.typeExecutable else { throw .notExecutable(type: type) }
        let flags = ELFFile.u32(bytes, 36)
        guard flags & ELFFile.unsupportedFlags == 0 else { throw .unsupportedFeatures(flags: flags) }
        entry = ELFFile.u32(bytes, 24)

        let tableOffset = UInt64(ELFFile.u32(bytes, 28))
        let entrySize = UInt64(ELFFile.u16(bytes, 42))
        let count = UInt64(ELFFile.u16(bytes, 44))
        guard count > 0 else { throw .noLoadableSegments }
        guard entrySize >= UInt64(ELFFile.programHeaderSize) else {
            throw .malformedHeader("program header entries of \(entrySize) bytes, expected at least 32")
        }
        let tableEnd = tableOffset + entrySize * count
        guard tableEnd <= UInt64(bytes.count) else { throw .truncatedHeader(needed: tableEnd, available: bytes.count) }

        var segments: [Segment] = []
        var indices: [Int] = []
        for index in 0..<Int(count) {
            let at = Int(tableOffset) + index * Int(entrySize)
            let kind = ELFFile.u32(bytes, at)
            if kind == ELFFile.segmentInterpreter {
                throw .malformedHeader("dynamically linked (PT_INTERP); link with -static")
            }
            guard kind == ELFFile.segmentLoad else { continue }
            let offset = UInt64(ELFFile.u32(bytes, at + 4))
            let address = ELFFile.u32(bytes, at + 8)
            let fileSize = UInt64(ELFFile.u32(bytes, at + 16))
            let memorySize = ELFFile.u32(bytes, at + 20)
            let segmentFlags = ELFFile.u32(bytes, at + 24)
            guard fileSize <= UInt64(memorySize) else { throw .malformedSegment(index: index) }
            guard offset + fileSize <= UInt64(bytes.count) else {
                throw .truncatedSegment(index: index, offset: offset, size: fileSize, fileSize: bytes.count)
            }
            guard UInt64(address) + UInt64(memorySize) <= 1 << 32 else {
                throw .segmentOutOfRange(index: index, address: UInt64(address), size: UInt64(memorySize))
            }
            if memorySize == 0 { continue }
            let data = Array(bytes[Int(offset)..<Int(offset + fileSize)])
            let executable = segmentFlags & ELFFile.flagExecute != 0
            segments.append(Segment(address: address, size: memorySize, data: data, executable: executable))
            indices.append(index)
        }
        self.segments = segments
        self.headerIndices = indices
    }

    private static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    private static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}
