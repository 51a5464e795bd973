import Hashing
import Proof

/// A proof that a program, run on a private input, produced a journal and an exit code: what the prover hands
/// over and the verifier checks.
///
/// The receipt carries everything a verifier needs besides the program it expects: the program image (from which
/// the verifier derives the program table and the initial memory, and recomputes the program id), the public
/// output, the exit code and the STARK proofs: one per segment of the execution, in order, the last also proving the
/// memory's closing table, joined by the global bus. A receipt may leave the image out and carry only the program id
/// (``ProveOptions/includeImage``), for verifiers that already hold the program, such as a chain where a program
/// is registered once and each transaction names it by id; such a receipt verifies only with the
/// ``verify(_:expecting:policy:)`` that takes a ``Program``. A receipt carries nothing about the private input;
/// with a zero-knowledge profile the proofs reveal nothing about it either, beyond the number of segments, their
/// padded length and the padded size of the memory's closing table.
///
/// Nothing in a receipt is trusted until ``verify(_:expecting:policy:)`` returns: its fields are what the prover
/// claims. Store or send it with ``encoded()``; read it back with ``init(decoding:)``.
public struct Receipt: Equatable, Sendable {
    /// The claimed program: its image, or only its id.
    private var claimedProgram: ClaimedProgram
    /// The claimed public output: every byte written to fd 1.
    public var journal: [UInt8]
    /// The claimed argument of `exit`.
    public var exitCode: UInt32
    /// The STARK proofs of the execution's segments, in order: each a batch of the RV32IM circuit's table
    /// (``CPUCircuit``) and its lookup table (``LookupCircuit``); the last one's batch also holds the memory's
    /// closing table (``MemoryCircuit``).
    public var segmentProofs: [BatchProof]

    private enum ClaimedProgram: Equatable, Sendable {
        case image(Program)
        case id(ProgramID)
    }

    /// A receipt that includes the program image.
    public init(program: Program, journal: [UInt8], exitCode: UInt32, segmentProofs: [BatchProof]) {
        self.init(claimedProgram: .image(program), journal: journal, exitCode: exitCode, segmentProofs: segmentProofs)
    }

    /// A receipt that leaves the program image out and names the program by its id only.
    public init(programID: ProgramID, journal: [UInt8], exitCode: UInt32, segmentProofs: [BatchProof]) {
        self.init(claimedProgram: .id(programID), journal: journal, exitCode: exitCode, segmentProofs: segmentProofs)
    }

    private init(claimedProgram: ClaimedProgram, journal: [UInt8], exitCode: UInt32, segmentProofs: [BatchProof]) {
        self.claimedProgram = claimedProgram
        self.journal = journal
        self.exitCode = exitCode
        self.segmentProofs = segmentProofs
    }

    /// log₂ of the rows of the memory's closing table: the third table of the last segment's proof, if it has one.
    public var memoryLogRows: Int? {
        guard let last = segmentProofs.last, last.tables.count == 3 else { return nil }
        return last.tables[2].logTraceLength
    }

    /// The program the prover claims ran, or nil when the receipt leaves its image out and carries only
    /// ``programID``. Setting nil leaves the image out and keeps its id; setting a program makes the receipt claim
    /// that program.
    public var program: Program? {
        get {
            guard case .image(let program) = claimedProgram else { return nil }
            return program
        }
        set {
            claimedProgram = newValue.map { .image($0) } ?? .id(programID)
        }
    }

    /// The id of the program the receipt claims to be about (not yet checked against anything): the id of its
    /// image, or the id it carries instead.
    public var programID: ProgramID {
        switch claimedProgram {
        case .image(let program): return program.id
        case .id(let id): return id
        }
    }

    /// Whether the receipt includes the program image; without it, verifying needs the program itself.
    public var includesImage: Bool { program != nil }

    /// The envelope version ``encoded()`` writes: ``ReceiptFormat/version``.
    public var formatVersion: UInt16 { ReceiptFormat.version }
}

/// Constants of the receipt format specified in `docs/proof-format.md` ("Receipt envelope").
public enum ReceiptFormat {
    /// The first eight bytes of every receipt: ASCII "ZKVMRCT" and a zero byte.
    public static let magic: [UInt8] = Array("ZKVMRCT".utf8) + [0]
    /// The envelope format version this zkvm writes and reads. Version 5 holds an execution proven in segments,
    /// each proof a batch of a segment with its lookup table, the last with the memory's closing table as well;
    /// version 4 proved the closing table on its own, version 3 held one-table proofs of segments with the lookup
    /// tables inside, and versions 1 and 2 one proof of an earlier circuit, which this zkvm no longer verifies.
    public static let version: UInt16 = 5
    /// The envelope versions this zkvm reads.
    public static let readableVersions: ClosedRange<UInt16> = 5...5
    /// Most segments a program image may have in a receipt.
    public static let maximumSegments = 1024
    /// Most segment proofs a receipt may hold: 2^29 rows at the least 2^8 a segment.
    public static let maximumSegmentProofs = 1 << 21
}

extension Receipt {
    /// The receipt in the binary format of `docs/proof-format.md`: the envelope (magic, version, image flag, the
    /// program image or its id, journal, exit code), then the segment count and each segment's length-prefixed STARK
    /// proof.
    ///
    /// The program must have at most ``ReceiptFormat/maximumSegments`` segments, as every program ``prove``
    /// accepts does.
    public func encoded() -> [UInt8] {
        var w = EnvelopeWriter()
        w.bytes += ReceiptFormat.magic
        w.u16(formatVersion)
        w.bytes.append(includesImage ? 1 : 0)
        switch claimedProgram {
        case .image(let program):
            w.u32(program.entry)
            w.u32(UInt32(program.segments.count))
            for segment in program.segments {
                w.u32(segment.address)
                w.u32(segment.size)
                w.bytes.append(segment.executable ? 1 : 0)
                w.u32(UInt32(segment.data.count))
                w.bytes += segment.data
            }
        case .id(let id):
            w.bytes += id.bytes
        }
        w.u32(UInt32(journal.count))
        w.bytes += journal
        w.u32(exitCode)
        w.u32(UInt32(segmentProofs.count))
        for proof in segmentProofs {
            let stark = proof.encoded()
            w.u32(UInt32(stark.count))
            w.bytes += stark
        }
        return w.bytes
    }

    /// Decodes a receipt from ``encoded()``'s format, checking the structure only: magic, version, a loadable
    /// program image in canonical form (or a program id), lengths within the input, at least one segment, decodable
    /// STARK proofs, and no trailing bytes.
    ///
    /// Any byte string yields either a receipt or an error; nothing traps, and no length is trusted before the
    /// bytes it describes are known to be there. Whenever decoding succeeds, ``encoded()`` gives the same bytes
    /// back.
    ///
    /// - Throws: ``ZKVMError/notAReceipt``, ``ZKVMError/unsupportedReceiptVersion(found:supported:)``,
    ///   ``ZKVMError/malformedReceipt(offset:reason:)``, ``ZKVMError/invalidProgram(_:)`` (the image does not
    ///   load) or ``ZKVMError/malformedProof(_:proofOffset:)``.
    public init(decoding bytes: [UInt8]) throws(ZKVMError) {
        let head = bytes.prefix(ReceiptFormat.magic.count)
        // A short input that is a prefix of the magic is a truncated receipt; anything else is not a receipt.
        guard head.elementsEqual(ReceiptFormat.magic.prefix(head.count)) else { throw .notAReceipt }
        var r = EnvelopeReader(bytes: bytes)
        _ = try r.take(ReceiptFormat.magic.count, "magic")
        let version = try r.u16("version")
        guard ReceiptFormat.readableVersions.contains(version) else {
            throw .unsupportedReceiptVersion(found: version, supported: ReceiptFormat.version)
        }
        let flagOffset = r.offset
        let flag = try r.u8("image flag")
        guard flag <= 1 else {
            throw .malformedReceipt(offset: flagOffset, reason: "the image flag is \(flag); expected 0 or 1")
        }
        let includesImage = flag == 1
        let claimed: ClaimedProgram
        if includesImage {
            claimed = .image(try Self.decodeImage(&r))
        } else {
            claimed = .id(ProgramID(validatedBytes: Array(try r.take(32, "program id"))))
        }
        let journal = try r.list("journal")
        let exitCode = try r.u32("exit code")
        let countOffset = r.offset
        let segmentCount = Int(try r.u32("segment count"))
        guard (1...ReceiptFormat.maximumSegmentProofs).contains(segmentCount) else {
            throw .malformedReceipt(
                offset: countOffset,
                reason: "segment count \(segmentCount) is outside 1...\(ReceiptFormat.maximumSegmentProofs)")
        }
        var proofs: [BatchProof] = []
        for index in 0..<segmentCount {
            let proofBytes = try r.list("segment \(index) proof")
            let proofOffset = r.offset - proofBytes.count
            do { proofs.append(try BatchProof(decoding: proofBytes)) } catch {
                throw .malformedProof(error, proofOffset: proofOffset)
            }
        }
        guard r.remaining == 0 else {
            throw .malformedReceipt(offset: r.offset, reason: "\(r.remaining) unexpected bytes follow the receipt")
        }
        self.init(
            claimedProgram: claimed, journal: journal, exitCode: exitCode, segmentProofs: proofs)
    }

    /// Reads a program image: entry point, segment count, segments.
    private static func decodeImage(_ r: inout EnvelopeReader) throws(ZKVMError) -> Program {
        // The image must be in the form `Program` keeps it (non-empty segments in ascending address order), so that
        // re-encoding is byte-exact; overlaps, the stack and the entry point are the loader's to check.
        let entry = try r.u32("entry point")
        let countOffset = r.offset
        let segmentCount = Int(try r.u32("segment count"))
        guard (1...ReceiptFormat.maximumSegments).contains(segmentCount) else {
            throw .malformedReceipt(
                offset: countOffset,
                reason: "segment count \(segmentCount) is outside 1...\(ReceiptFormat.maximumSegments)")
        }
        var segments: [Segment] = []
        for index in 0..<segmentCount {
            let segmentOffset = r.offset
            let address = try r.u32("segment \(index) address")
            let size = try r.u32("segment \(index) size")
            let flagsOffset = r.offset
            let flags = try r.u8("segment \(index) flags")
            let data = try r.list("segment \(index) data")
            guard size > 0 else { throw .malformedReceipt(offset: segmentOffset, reason: "segment \(index) is empty") }
            guard flags <= 1 else {
                throw .malformedReceipt(
                    offset: flagsOffset, reason: "segment \(index) flags are \(flags); expected 0 or 1")
            }
            guard data.count <= Int(size) else {
                throw .malformedReceipt(
                    offset: segmentOffset, reason: "segment \(index) has \(data.count) data bytes but size \(size)")
            }
            if let previous = segments.last, previous.address >= address {
                throw .malformedReceipt(offset: segmentOffset, reason: "segments are not in ascending address order")
            }
            segments.append(Segment(address: address, size: size, data: data, executable: flags == 1))
        }
        return try Program(segments: segments, entry: entry)
    }
}

/// Appends the envelope's little-endian integers.
private struct EnvelopeWriter {
    var bytes: [UInt8] = []

    mutating func u16(_ v: UInt16) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8)] }

    mutating func u32(_ v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }
}

/// Reads the envelope's primitives, checking each length against the bytes left before using it.
private struct EnvelopeReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func take(_ n: Int, _ field: String) throws(ZKVMError) -> ArraySlice<UInt8> {
        guard n <= remaining else {
            throw .malformedReceipt(
                offset: offset, reason: "truncated in the \(field): \(n) bytes needed, \(remaining) left")
        }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    mutating func u8(_ field: String) throws(ZKVMError) -> UInt8 { try take(1, field).first! }

    mutating func u16(_ field: String) throws(ZKVMError) -> UInt16 {
        try take(2, field).reversed().reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func u32(_ field: String) throws(ZKVMError) -> UInt32 {
        try take(4, field).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A u32 length, then that many bytes.
    mutating func list(_ field: String) throws(ZKVMError) -> [UInt8] {
        let at = offset
        let n = Int(try u32("\(field) length"))
        guard n <= remaining else {
            throw .malformedReceipt(offset: at, reason: "\(field) length \(n) exceeds the \(remaining) bytes left")
        }
        return Array(try take(n, field))
    }
}
