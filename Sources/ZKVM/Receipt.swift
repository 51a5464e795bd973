import Hashing
import Proof

/// A proof that a program, run on a private input, produced a journal and an exit code: what the prover hands
/// over and the verifier checks.
///
/// The receipt carries everything a verifier needs besides the program id it expects: the program image (from
/// which the verifier derives the program table and the initial memory, and recomputes the program id), the
/// public output, the exit code and the STARK proof. It carries nothing about the private input; with a
/// zero-knowledge profile the proof reveals nothing about it either, beyond the padded trace length.
///
/// Nothing in a receipt is trusted until ``verify(_:expecting:policy:)`` returns: its fields are what the prover
/// claims. Store or send it with ``encoded()``; read it back with ``init(decoding:)``.
public struct Receipt: Equatable, Sendable {
    /// The program the prover claims ran.
    public var program: Program
    /// The claimed public output: every byte written to fd 1.
    public var journal: [UInt8]
    /// The claimed argument of `exit`.
    public var exitCode: UInt32
    /// The STARK proof for the RV32IM circuit, with this program, journal and exit code as its statement.
    public var proof: StarkProof

    /// A receipt from its parts.
    public init(program: Program, journal: [UInt8], exitCode: UInt32, proof: StarkProof) {
        self.program = program
        self.journal = journal
        self.exitCode = exitCode
        self.proof = proof
    }

    /// The id of the program the receipt claims to be about (not yet checked against anything).
    public var programID: ProgramID { program.id }
}

/// Constants of the receipt format specified in `docs/proof-format.md` ("Receipt envelope").
public enum ReceiptFormat {
    /// The first eight bytes of every receipt: ASCII "ZKVMRCT" and a zero byte.
    public static let magic: [UInt8] = Array("ZKVMRCT".utf8) + [0]
    /// The envelope format version this zkvm writes and reads.
    public static let version: UInt16 = 1
    /// Most segments a program image may have in a receipt.
    public static let maximumSegments = 1024
}

extension Receipt {
    /// The receipt in the binary format of `docs/proof-format.md`: the envelope (magic, version, program image,
    /// journal, exit code), then the length-prefixed STARK proof.
    ///
    /// The program must have at most ``ReceiptFormat/maximumSegments`` segments, as every program ``prove``
    /// accepts does.
    public func encoded() -> [UInt8] {
        var w = EnvelopeWriter()
        w.bytes += ReceiptFormat.magic
        w.u16(ReceiptFormat.version)
        w.u32(program.entry)
        w.u32(UInt32(program.segments.count))
        for segment in program.segments {
            w.u32(segment.address)
            w.u32(segment.size)
            w.bytes.append(segment.executable ? 1 : 0)
            w.u32(UInt32(segment.data.count))
            w.bytes += segment.data
        }
        w.u32(UInt32(journal.count))
        w.bytes += journal
        w.u32(exitCode)
        let stark = proof.encoded()
        w.u32(UInt32(stark.count))
        w.bytes += stark
        return w.bytes
    }

    /// Decodes a receipt from ``encoded()``'s format, checking the structure only: magic, version, a loadable
    /// program image in canonical form, lengths within the input, a decodable STARK proof, and no trailing bytes.
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
        guard version == ReceiptFormat.version else {
            throw .unsupportedReceiptVersion(found: version, supported: ReceiptFormat.version)
        }

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
        let program = try Program(segments: segments, entry: entry)
        let journal = try r.list("journal")
        let exitCode = try r.u32("exit code")
        let proofBytes = try r.list("STARK proof")
        let proofOffset = r.offset - proofBytes.count
        guard r.remaining == 0 else {
            throw .malformedReceipt(offset: r.offset, reason: "\(r.remaining) unexpected bytes follow the receipt")
        }
        let proof: StarkProof
        do { proof = try StarkProof(decoding: proofBytes) } catch {
            throw .malformedProof(error, proofOffset: proofOffset)
        }
        self.init(program: program, journal: journal, exitCode: exitCode, proof: proof)
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
