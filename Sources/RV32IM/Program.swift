/// One contiguous piece of a loaded program: where it goes, its bytes, and whether it holds code.
public struct Segment: Equatable, Sendable {
    /// Address of the first byte.
    public var address: UInt32
    /// Size in memory; bytes past `data` are zero (an ELF segment's `p_memsz > p_filesz` tail, e.g. `.bss`).
    public var size: UInt32
    /// The initialised bytes at the start of the segment (at most `size` of them).
    public var data: [UInt8]
    /// Whether instructions may be fetched from the segment (ELF `PF_X`).
    public var executable: Bool

    /// A segment from its parts.
    public init(address: UInt32, size: UInt32, data: [UInt8], executable: Bool) {
        (self.address, self.size, self.data, self.executable) = (address, size, data, executable)
    }

    /// One past the last byte, as a 64-bit value so that a segment ending at 2^32 is representable.
    public var end: UInt64 { UInt64(address) + UInt64(size) }
}

/// A loaded, validated guest program: segments, entry point and program id.
///
/// Build one from a file's bytes with ``init(bytes:)``: an ELF32 RISC-V executable (recognised by its magic
/// number) or else a raw image, loaded at address 0 with entry point 0 and executable as a whole.
///
/// ## Program id
/// The program id is the SHA-256 digest of this canonical encoding of the loaded image (integers are 32-bit
/// little-endian):
///
///     "zkvm.program.v1"                      15 ASCII bytes, a domain tag
///     entry, segment count
///     for each segment, in ascending address order:
///         address, size, flags (bit 0: executable), n, then the first n bytes of the segment
///
/// where n is the length of `data` with trailing zero bytes removed, since they load exactly as the zero fill
/// does. Two files that load the same bytes at the same addresses with the same permissions and entry point have
/// the same id, however their ELF headers differ.
public struct Program: Equatable, Sendable {
    /// The segments in ascending address order; they do not overlap.
    public let segments: [Segment]
    /// The address of the first instruction.
    public let entry: UInt32
    /// The 32-byte program id (see the type's documentation).
    public let id: [UInt8]

    /// Loads a program file: ELF32 RISC-V if it starts with the ELF magic, otherwise a raw image at address 0.
    public init(bytes: [UInt8]) throws(RV32IMError) {
        if bytes.isEmpty { throw .emptyProgram }
        if bytes.starts(with: ELFFile.magic) {
            let elf = try ELFFile(bytes)
            try self.init(segments: elf.segments, entry: elf.entry, indices: elf.headerIndices)
        } else {
            guard UInt64(bytes.count) <= UInt64(AddressSpace.stackBottom) else { throw .segmentOverlapsStack(index: 0) }
            let image = Segment(address: 0, size: UInt32(bytes.count), data: bytes, executable: true)
            try self.init(segments: [image], entry: 0)
        }
    }

    /// A program from segments already in memory form; they are checked as an ELF file's would be.
    public init(segments: [Segment], entry: UInt32) throws(RV32IMError) {
        try self.init(segments: segments, entry: entry, indices: Array(segments.indices))
    }

    /// `indices` are the numbers errors use for each segment (ELF program header indices for ELF files).
    private init(segments: [Segment], entry: UInt32, indices: [Int]) throws(RV32IMError) {
        for (segment, index) in zip(segments, indices) {
            if segment.data.count > Int(segment.size) { throw .malformedSegment(index: index) }
            if segment.end > 1 << 32 {
                throw .segmentOutOfRange(index: index, address: UInt64(segment.address), size: UInt64(segment.size))
            }
            if segment.end > UInt64(AddressSpace.stackBottom) && segment.address < AddressSpace.stackTop {
                throw .segmentOverlapsStack(index: index)
            }
            if segment.executable && segment.size > 0 && segment.end > UInt64(AddressSpace.lastWord) {
                throw .codeAtTopOfMemory(index: index)
            }
        }
        let order = segments.indices.filter { segments[$0].size > 0 }.sorted {
            segments[$0].address < segments[$1].address
        }
        if order.isEmpty { throw .noLoadableSegments }
        for (a, b) in zip(order, order.dropFirst()) where segments[a].end > UInt64(segments[b].address) {
            throw .overlappingSegments(first: min(indices[a], indices[b]), second: max(indices[a], indices[b]))
        }
        self.segments = order.map { segments[$0] }
        self.entry = entry
        if entry % 4 != 0 { throw .misalignedEntry(entry: entry) }
        let inCode = self.segments.contains {
            $0.executable && $0.address <= entry && UInt64(entry) < $0.end
        }
        if !inCode { throw .entryNotExecutable(entry: entry) }
        self.id = Program.digest(segments: self.segments, entry: entry)
    }

    /// The read-only bytes, as whole words: for each executable segment, from the word of its first byte to the end
    /// of the word of its last (zero-filled tail included). Code is read-only at this granularity, in the machine
    /// and in the circuit alike.
    public var codeWordRanges: [Range<UInt64>] {
        segments.filter { $0.executable && $0.size > 0 }.map { (UInt64($0.address) & ~3)..<(($0.end + 3) & ~3) }
    }

    /// The program id as 64 lowercase hex digits.
    public var idHex: String {
        id.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    private static func digest(segments: [Segment], entry: UInt32) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(Array("zkvm.program.v1".utf8))
        hasher.update(littleEndian: entry)
        hasher.update(littleEndian: UInt32(segments.count))
        for segment in segments {
            let used = (segment.data.lastIndex { $0 != 0 } ?? -1) + 1
            hasher.update(littleEndian: segment.address)
            hasher.update(littleEndian: segment.size)
            hasher.update(littleEndian: segment.executable ? 1 : 0)
            hasher.update(littleEndian: UInt32(used))
            hasher.update(segment.data[..<used])
        }
        return hasher.finalize()
    }
}
