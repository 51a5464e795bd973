import Field
import Hashing

/// Constants of the binary proof format specified in `docs/proof-format.md`.
public enum ProofFormat {
    /// The first eight bytes of every encoded proof: ASCII "ZKVMPRF" and a zero byte.
    public static let magic: [UInt8] = Array("ZKVMPRF".utf8) + [0]

    /// Most public inputs a proof may carry.
    public static let maximumPublicInputs = 4096
    /// Most values in one out-of-domain list (one per column or segment).
    public static let maximumOutOfDomainValues = 1 << 16
    /// Most committed FRI layers (a domain of 2^64 points folded by 2 has fewer).
    public static let maximumFRILayers = 64
    /// Most remainder coefficients.
    public static let maximumRemainderLength = 1 << 20
    /// Most rows (and salts) in one Merkle opening.
    public static let maximumOpeningRows = 1 << 20
    /// Most field elements in one opened row.
    public static let maximumRowWidth = 1 << 16
    /// Most sibling nodes in one Merkle opening (2^20 rows with 32 levels each).
    public static let maximumOpeningNodes = 1 << 25
    /// The supported log₂ trace lengths, as for ``StarkShape``.
    public static let logTraceLengthRange = 1...26
}

/// Why bytes are not a proof this version can read. Every case names the byte offset where reading stopped; none
/// says anything about whether the proof is valid, which only the verifier decides.
public enum ProofDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes do not start with ``ProofFormat/magic``: this is not a zkvm proof file (or not its start).
    case badMagic
    /// The proof was made with another format and protocol version; use a matching verifier.
    case unsupportedVersion(found: UInt16, supported: UInt16)
    /// The input ends inside a field: `needed` bytes were to be read at `offset`, only `available` remain. The file
    /// was cut short; fetch it again.
    case truncated(offset: Int, needed: Int, available: Int)
    /// The count of `field` read at `offset` exceeds the format's limit; the proof is corrupt or hostile.
    case lengthTooLarge(field: String, offset: Int, count: Int, limit: Int)
    /// The count of `field` read at `offset` needs more bytes than remain; the proof is truncated or corrupt.
    case lengthExceedsInput(field: String, offset: Int, count: Int, remaining: Int)
    /// The 32 bytes at `offset` encode an integer ≥ p, which is no field element's canonical encoding.
    case nonCanonicalElement(offset: Int)
    /// The six parameter bytes at `offset` are outside ``ProofParameters``' supported ranges (or the
    /// zero-knowledge byte is neither 0 nor 1).
    case invalidParameters(offset: Int, bytes: [UInt8])
    /// The log₂ trace length at `offset` is outside ``ProofFormat/logTraceLengthRange``.
    case traceLengthOutOfRange(offset: Int, log: Int)
    /// The presence flag of `field` at `offset` is neither 0 nor 1.
    case invalidFlag(field: String, offset: Int, value: UInt8)
    /// A whole proof ends at `offset`, but `count` more bytes follow; the file holds something else too.
    case trailingBytes(offset: Int, count: Int)

    public var description: String {
        switch self {
        case .badMagic:
            return "not a zkvm proof: it does not start with the bytes \"ZKVMPRF\\0\""
        case .unsupportedVersion(let found, let supported):
            return "proof format version \(found) is not supported; this verifier reads version \(supported)"
        case .truncated(let offset, let needed, let available):
            return "proof truncated at byte \(offset): \(needed) bytes needed, \(available) left"
        case .lengthTooLarge(let field, let offset, let count, let limit):
            return "\(field) count \(count) at byte \(offset) exceeds the limit of \(limit)"
        case .lengthExceedsInput(let field, let offset, let count, let remaining):
            return "\(field) count \(count) at byte \(offset) needs more than the \(remaining) bytes left"
        case .nonCanonicalElement(let offset):
            return "the field element at byte \(offset) is not canonical (not below p)"
        case .invalidParameters(let offset, let bytes):
            return "unsupported proof parameters at byte \(offset): \(bytes)"
        case .traceLengthOutOfRange(let offset, let log):
            return "log trace length \(log) at byte \(offset) is outside \(ProofFormat.logTraceLengthRange)"
        case .invalidFlag(let field, let offset, let value):
            return "\(field) presence flag at byte \(offset) is \(value); expected 0 or 1"
        case .trailingBytes(let offset, let count):
            return "\(count) unexpected bytes follow the proof at byte \(offset)"
        }
    }
}

extension StarkProof {
    /// The proof in the binary format of `docs/proof-format.md`: every field in the order the prover sends it,
    /// integers little-endian, field elements in their canonical 32 bytes.
    ///
    /// The parameters and the log₂ trace length must each fit in a byte, as they do in every proof the prover
    /// makes.
    public func encoded() -> [UInt8] {
        var w = ProofWriter()
        w.bytes += ProofFormat.magic
        w.u16(version)
        w.bytes += parameters.canonicalBytes
        w.digest(circuitDigest)
        w.bytes.append(UInt8(logTraceLength))
        w.elements(publicInputs)
        w.optional(boundaryRoot) { $0.merkleDigest($1) }
        w.elements(globalShares)
        w.merkleDigest(mainRoot)
        w.optional(auxRoot) { $0.merkleDigest($1) }
        w.merkleDigest(compositionRoot)
        w.outOfDomain(outOfDomain)
        w.u32(friRoots.count)
        for root in friRoots { w.merkleDigest(root) }
        w.elements(remainder)
        w.u64(proofOfWorkNonce)
        w.optional(boundaryOpening) { $0.opening($1) }
        w.opening(mainOpening)
        w.optional(auxOpening) { $0.opening($1) }
        w.opening(compositionOpening)
        w.u32(friOpenings.count)
        for opening in friOpenings { w.opening(opening) }
        return w.bytes
    }

    /// Decodes a proof from ``encoded()``'s format, checking the structure only: magic, version, supported
    /// parameters, canonical field elements, counts within ``ProofFormat``'s limits, and no trailing bytes.
    ///
    /// Any byte string yields either a proof or an error; nothing traps, and no count is trusted before the bytes
    /// it describes are known to be there.
    ///
    /// - Throws: the first ``ProofDecodingError`` found, reading front to back.
    public init(decoding bytes: [UInt8]) throws(ProofDecodingError) {
        var r = ProofReader(bytes: bytes)
        let version = try r.header(magic: ProofFormat.magic)
        let parameters = try r.parameters()
        let circuitDigest = try r.digest()
        let logOffset = r.offset
        let logTraceLength = Int(try r.u8())
        guard ProofFormat.logTraceLengthRange.contains(logTraceLength) else {
            throw .traceLengthOutOfRange(offset: logOffset, log: logTraceLength)
        }
        let publicInputs = try r.elements("public inputs", limit: ProofFormat.maximumPublicInputs)
        let boundaryRoot = try r.flag("boundary root") ? try r.merkleDigest() : nil
        let globalShares = try r.elements("global shares", limit: ProofFormat.maximumPublicInputs)
        let mainRoot = try r.merkleDigest()
        let auxRoot = try r.flag("auxiliary root") ? try r.merkleDigest() : nil
        let compositionRoot = try r.merkleDigest()
        let outOfDomain = try r.outOfDomain("out-of-domain")
        let rootCount = try r.count("FRI roots", limit: ProofFormat.maximumFRILayers, itemSize: Digest.merkleByteCount)
        var friRoots: [Digest] = []
        friRoots.reserveCapacity(rootCount)
        for _ in 0..<rootCount { friRoots.append(try r.merkleDigest()) }
        let remainder = try r.elements("FRI remainder coefficients", limit: ProofFormat.maximumRemainderLength)
        let nonce = try r.u64()
        let boundaryOpening = try r.flag("boundary opening") ? try r.opening("boundary opening") : nil
        let mainOpening = try r.opening("main opening")
        let auxOpening = try r.flag("auxiliary opening") ? try r.opening("auxiliary opening") : nil
        let compositionOpening = try r.opening("composition opening")
        // The smallest opening is 12 bytes: three zero counts.
        let openingCount = try r.count("FRI openings", limit: ProofFormat.maximumFRILayers, itemSize: 12)
        var friOpenings: [MerkleOpening] = []
        friOpenings.reserveCapacity(openingCount)
        for layer in 0..<openingCount { friOpenings.append(try r.opening("FRI layer \(layer) opening")) }
        guard r.remaining == 0 else { throw .trailingBytes(offset: r.offset, count: r.remaining) }

        self.init(
            version: version, parameters: parameters, circuitDigest: circuitDigest, logTraceLength: logTraceLength,
            publicInputs: publicInputs, boundaryRoot: boundaryRoot, globalShares: globalShares, mainRoot: mainRoot,
            auxRoot: auxRoot, compositionRoot: compositionRoot, outOfDomain: outOfDomain, friRoots: friRoots,
            remainder: remainder, proofOfWorkNonce: nonce, boundaryOpening: boundaryOpening, mainOpening: mainOpening, auxOpening: auxOpening, compositionOpening: compositionOpening,
            friOpenings: friOpenings)
    }
}

extension BatchProof {
    /// The first eight bytes of an encoded batch proof: ASCII "ZKVMBAT" and a zero byte.
    public static let magic: [UInt8] = Array("ZKVMBAT".utf8) + [0]
    /// Most tables one batch proof may hold.
    public static let maximumTables = 64

    /// The proof in the binary format of `docs/proof-format.md` ("Batch proofs"): every field in the order the
    /// prover sends it, integers little-endian, field elements in their canonical 32 bytes.
    public func encoded() -> [UInt8] {
        var w = ProofWriter()
        w.bytes += Self.magic
        w.u16(version)
        w.bytes += parameters.canonicalBytes
        w.u32(tables.count)
        for part in tables {
            w.digest(part.circuitDigest)
            w.bytes.append(UInt8(part.logTraceLength))
            w.elements(part.publicInputs)
            w.elements(part.globalShares)
            w.elements(part.busShares)
            w.outOfDomain(part.outOfDomain)
        }
        w.optional(boundaryRoot) { $0.merkleDigest($1) }
        w.merkleDigest(mainRoot)
        w.optional(auxRoot) { $0.merkleDigest($1) }
        w.merkleDigest(compositionRoot)
        w.u32(friRoots.count)
        for root in friRoots { w.merkleDigest(root) }
        w.elements(remainder)
        w.u64(proofOfWorkNonce)
        w.optional(boundaryOpening) { $0.mixedOpening($1) }
        w.mixedOpening(mainOpening)
        w.optional(auxOpening) { $0.mixedOpening($1) }
        w.mixedOpening(compositionOpening)
        w.u32(friOpenings.count)
        for opening in friOpenings { w.opening(opening) }
        return w.bytes
    }

    /// Decodes a batch proof from ``encoded()``'s format, checking the structure only, as
    /// ``StarkProof/init(decoding:)`` does.
    ///
    /// - Throws: the first ``ProofDecodingError`` found, reading front to back.
    public init(decoding bytes: [UInt8]) throws(ProofDecodingError) {
        var r = ProofReader(bytes: bytes)
        let version = try r.header(magic: Self.magic)
        let parameters = try r.parameters()
        // The smallest table is 65 bytes: a digest, a byte and eight empty lists of 4 bytes each.
        let tableCount = try r.count("tables", limit: Self.maximumTables, itemSize: 65)
        var tables: [BatchTablePart] = []
        for t in 0..<tableCount {
            let digest = try r.digest()
            let logOffset = r.offset
            let log = Int(try r.u8())
            guard ProofFormat.logTraceLengthRange.contains(log) else {
                throw .traceLengthOutOfRange(offset: logOffset, log: log)
            }
            tables.append(
                BatchTablePart(
                    circuitDigest: digest, logTraceLength: log,
                    publicInputs: try r.elements("table \(t) public inputs", limit: ProofFormat.maximumPublicInputs),
                    globalShares: try r.elements("table \(t) global shares", limit: ProofFormat.maximumPublicInputs),
                    busShares: try r.elements("table \(t) bus shares", limit: ProofFormat.maximumPublicInputs),
                    outOfDomain: try r.outOfDomain("table \(t) out-of-domain")))
        }
        let boundaryRoot = try r.flag("boundary root") ? try r.merkleDigest() : nil
        let mainRoot = try r.merkleDigest()
        let auxRoot = try r.flag("auxiliary root") ? try r.merkleDigest() : nil
        let compositionRoot = try r.merkleDigest()
        let rootCount = try r.count("FRI roots", limit: ProofFormat.maximumFRILayers, itemSize: Digest.merkleByteCount)
        var friRoots: [Digest] = []
        for _ in 0..<rootCount { friRoots.append(try r.merkleDigest()) }
        let remainder = try r.elements("FRI remainder coefficients", limit: ProofFormat.maximumRemainderLength)
        let nonce = try r.u64()
        let boundaryOpening = try r.flag("boundary opening") ? try r.mixedOpening("boundary opening") : nil
        let mainOpening = try r.mixedOpening("main opening")
        let auxOpening = try r.flag("auxiliary opening") ? try r.mixedOpening("auxiliary opening") : nil
        let compositionOpening = try r.mixedOpening("composition opening")
        let openingCount = try r.count("FRI openings", limit: ProofFormat.maximumFRILayers, itemSize: 12)
        var friOpenings: [MerkleOpening] = []
        for layer in 0..<openingCount { friOpenings.append(try r.opening("FRI layer \(layer) opening")) }
        guard r.remaining == 0 else { throw .trailingBytes(offset: r.offset, count: r.remaining) }
        self.init(
            version: version, parameters: parameters, tables: tables, boundaryRoot: boundaryRoot, mainRoot: mainRoot,
            auxRoot: auxRoot, compositionRoot: compositionRoot, friRoots: friRoots, remainder: remainder,
            proofOfWorkNonce: nonce, boundaryOpening: boundaryOpening, mainOpening: mainOpening,
            auxOpening: auxOpening, compositionOpening: compositionOpening, friOpenings: friOpenings)
    }
}

/// Appends the format's primitives.
private struct ProofWriter {
    var bytes: [UInt8] = []

    mutating func u16(_ v: UInt16) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8)] }

    mutating func u32(_ v: Int) {
        let x = UInt32(v)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: x >> UInt32(shift))) }
    }

    mutating func u64(_ v: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    mutating func digest(_ d: Digest) { bytes += d.bytes }

    /// A Merkle root or node: its first 26 bytes (``Digest/merkleByteCount``), all a tree's digest holds.
    mutating func merkleDigest(_ d: Digest) { bytes += d.merkleBytes }

    mutating func elements(_ values: [Fp]) {
        u32(values.count)
        for v in values { bytes += v.canonicalBytes }
    }

    mutating func optional<T>(_ value: T?, _ write: (inout ProofWriter, T) -> Void) {
        if let value {
            bytes.append(1)
            write(&self, value)
        } else {
            bytes.append(0)
        }
    }

    /// The five out-of-domain lists in their fixed order.
    mutating func outOfDomain(_ ood: OutOfDomainValues) {
        for values in [ood.main, ood.mainNext, ood.aux, ood.auxNext, ood.composition] { elements(values) }
    }

    mutating func mixedOpening(_ o: MixedMerkleOpening) {
        u32(o.rows.count)
        for (rows, salts) in zip(o.rows, o.salts) {
            u32(rows.count)
            for row in rows { elements(row) }
            u32(salts.count)
            for salt in salts { bytes += salt.bytes }
        }
        u32(o.nodes.count)
        for node in o.nodes { merkleDigest(node) }
    }

    mutating func opening(_ o: MerkleOpening) {
        u32(o.rows.count)
        for row in o.rows { elements(row) }
        u32(o.salts.count)
        for salt in o.salts { bytes += salt.bytes }
        u32(o.nodes.count)
        for node in o.nodes { merkleDigest(node) }
    }
}

/// Reads the format's primitives, checking every length against the bytes left before using it.
private struct ProofReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func take(_ n: Int) throws(ProofDecodingError) -> ArraySlice<UInt8> {
        guard n <= remaining else { throw .truncated(offset: offset, needed: n, available: remaining) }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    mutating func u8() throws(ProofDecodingError) -> UInt8 { try take(1).first! }

    /// The proof's magic and version, at the start; returns the version. A short input that is a prefix of the
    /// magic is a truncated proof; anything else is not a proof of this kind at all.
    mutating func header(magic: [UInt8]) throws(ProofDecodingError) -> UInt16 {
        let head = bytes.prefix(magic.count)
        guard head.elementsEqual(magic.prefix(head.count)) else { throw .badMagic }
        _ = try take(magic.count)
        let version = try u16()
        guard version == StarkProtocol.version else {
            throw .unsupportedVersion(found: version, supported: StarkProtocol.version)
        }
        return version
    }

    mutating func u16() throws(ProofDecodingError) -> UInt16 {
        try take(2).reversed().reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func u32() throws(ProofDecodingError) -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64() throws(ProofDecodingError) -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A u32 count of items of at least `itemSize` bytes each, within `limit` and within the bytes left.
    mutating func count(_ field: String, limit: Int, itemSize: Int) throws(ProofDecodingError) -> Int {
        let at = offset
        let n = Int(try u32())
        guard n <= limit else { throw .lengthTooLarge(field: field, offset: at, count: n, limit: limit) }
        // n < 2^32 and itemSize ≤ 32, so the product cannot overflow.
        guard n * itemSize <= remaining else {
            throw .lengthExceedsInput(field: field, offset: at, count: n, remaining: remaining)
        }
        return n
    }

    mutating func flag(_ field: String) throws(ProofDecodingError) -> Bool {
        let at = offset
        let v = try u8()
        guard v <= 1 else { throw .invalidFlag(field: field, offset: at, value: v) }
        return v == 1
    }

    mutating func digest() throws(ProofDecodingError) -> Digest {
        try take(Digest.byteCount).withUnsafeBytes { Digest(loadingFrom: $0.baseAddress!) }
    }

    mutating func merkleDigest() throws(ProofDecodingError) -> Digest {
        try take(Digest.merkleByteCount).withUnsafeBytes { Digest(merkleLoadingFrom: $0.baseAddress!) }
    }

    mutating func salt() throws(ProofDecodingError) -> Salt {
        try take(Salt.byteCount).withUnsafeBytes { Salt(loadingFrom: $0.baseAddress!) }
    }

    mutating func element() throws(ProofDecodingError) -> Fp {
        let at = offset
        let encoding = try take(Fp.byteCount)
        do { return try Fp(canonicalBytes: encoding) } catch { throw .nonCanonicalElement(offset: at) }
    }

    mutating func elements(_ field: String, limit: Int) throws(ProofDecodingError) -> [Fp] {
        let n = try count(field, limit: limit, itemSize: Fp.byteCount)
        var values: [Fp] = []
        values.reserveCapacity(n)
        for _ in 0..<n { values.append(try element()) }
        return values
    }

    mutating func parameters() throws(ProofDecodingError) -> ProofParameters {
        let at = offset
        let p = Array(try take(6))
        let parameters = ProofParameters(
            logBlowup: Int(p[0]), queryCount: Int(p[1]), grindingBits: Int(p[2]), logFoldingFactor: Int(p[3]),
            logRemainderDegree: Int(p[4]), zeroKnowledge: p[5] == 1)
        guard parameters.isSupported, p[5] <= 1 else { throw .invalidParameters(offset: at, bytes: p) }
        return parameters
    }

    /// The five out-of-domain lists; `name` starts each field's name in errors.
    mutating func outOfDomain(_ name: String) throws(ProofDecodingError) -> OutOfDomainValues {
        let limit = ProofFormat.maximumOutOfDomainValues
        return OutOfDomainValues(
            main: try elements("\(name) main values", limit: limit),
            mainNext: try elements("\(name) next-row main values", limit: limit),
            aux: try elements("\(name) auxiliary values", limit: limit),
            auxNext: try elements("\(name) next-row auxiliary values", limit: limit),
            composition: try elements("\(name) composition values", limit: limit))
    }

    mutating func mixedOpening(_ name: String) throws(ProofDecodingError) -> MixedMerkleOpening {
        // A class is at least its two 4-byte counts.
        let classCount = try count("\(name) classes", limit: BatchProof.maximumTables, itemSize: 8)
        var rows: [[[Fp]]] = []
        var salts: [[Salt]] = []
        for c in 0..<classCount {
            let rowCount = try count("\(name) class \(c) rows", limit: ProofFormat.maximumOpeningRows, itemSize: 4)
            var classRows: [[Fp]] = []
            for _ in 0..<rowCount {
                classRows.append(try elements("\(name) row width", limit: ProofFormat.maximumRowWidth))
            }
            let saltCount = try count(
                "\(name) class \(c) salts", limit: ProofFormat.maximumOpeningRows, itemSize: Salt.byteCount)
            var classSalts: [Salt] = []
            for _ in 0..<saltCount { classSalts.append(try salt()) }
            rows.append(classRows)
            salts.append(classSalts)
        }
        let nodeCount = try count(
            "\(name) nodes", limit: ProofFormat.maximumOpeningNodes, itemSize: Digest.merkleByteCount)
        var nodes: [Digest] = []
        for _ in 0..<nodeCount { nodes.append(try merkleDigest()) }
        return MixedMerkleOpening(rows: rows, salts: salts, nodes: nodes)
    }

    mutating func opening(_ name: String) throws(ProofDecodingError) -> MerkleOpening {
        // A row is at least its 4-byte width.
        let rowCount = try count("\(name) rows", limit: ProofFormat.maximumOpeningRows, itemSize: 4)
        var rows: [[Fp]] = []
        rows.reserveCapacity(rowCount)
        for _ in 0..<rowCount { rows.append(try elements("\(name) row width", limit: ProofFormat.maximumRowWidth)) }
        let saltCount = try count("\(name) salts", limit: ProofFormat.maximumOpeningRows, itemSize: Salt.byteCount)
        var salts: [Salt] = []
        salts.reserveCapacity(saltCount)
        for _ in 0..<saltCount { salts.append(try salt()) }
        let nodeCount = try count(
            "\(name) nodes", limit: ProofFormat.maximumOpeningNodes, itemSize: Digest.merkleByteCount)
        var nodes: [Digest] = []
        nodes.reserveCapacity(nodeCount)
        for _ in 0..<nodeCount { nodes.append(try merkleDigest()) }
        return MerkleOpening(rows: rows, salts: salts, nodes: nodes)
    }
}
