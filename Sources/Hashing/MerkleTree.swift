import Field

/// A Merkle commitment to a table of field elements: one leaf per row, every leaf and node a BLAKE2b output of
/// 26 bytes (``Digest/merkleByteCount``).
///
///     leaf i  = H(0x00 ‖ salt_i ‖ row_i)      salted (the default: zero knowledge)
///     leaf i  = H(0x02 ‖ row_i)               salt-free (transparent use and tests, asked for explicitly)
///     node    = H(0x01 ‖ left ‖ right)
///
/// `row_i` is the row's elements in canonical 32-byte little-endian form, concatenated. The one-byte tags keep
/// leaves, nodes and the two leaf kinds apart, so no leaf can be passed off as a node or the other way round.
/// Salts are 16 secret random bytes per leaf: without them a root and its sibling paths would let anyone test
/// guesses of unopened rows. `docs/merkle.md` specifies trees and openings byte for byte.
///
/// Building is the prover's hot path: leaves are hashed straight from the row buffer into the node array in
/// parallel subtrees, with one scratch buffer per subtree and no allocation per leaf.
public struct MerkleTree: Sendable {
    /// The tag starting a salted leaf's input.
    public static let saltedLeafTag: UInt8 = 0x00
    /// The tag starting an inner node's input.
    public static let nodeTag: UInt8 = 0x01
    /// The tag starting a salt-free leaf's input.
    public static let saltFreeLeafTag: UInt8 = 0x02

    /// Where leaf salts come from.
    public enum Salts: Sendable {
        /// A fresh secret ``RandomStream``: what a zero-knowledge prover uses.
        case random
        /// Salts read from a given stream: leaf i takes bytes `16i ..< 16i + 16`. Reproducible; for tests.
        case stream(RandomStream)
        /// These salts, one per leaf in order. For known-answer tests.
        case explicit([Salt])
        /// No salts: leaves are hashed with the salt-free tag and reveal rows to guessing. Transparent use only.
        case none
    }

    /// The number of leaves (rows), a power of two.
    public let leafCount: Int
    /// The number of field elements in each row.
    public let width: Int
    /// Whether leaves carry salts.
    public var isSalted: Bool { !salts.isEmpty }

    private let rows: [Fp]
    private let salts: [Salt]
    // Heap order: nodes[1] is the root, nodes[w + p] is position p of the level that is w nodes wide, so
    // leaves sit at nodes[leafCount ..< 2 · leafCount]. nodes[0] is unused.
    private let nodes: [Digest]

    /// The commitment: the root node (the single leaf when there is one row).
    public var root: Digest { nodes[1] }

    /// Commits to `rows`, a flat row-major buffer of `leafCount × width` elements.
    ///
    /// - Throws: ``MerkleError/invalidWidth(_:)``, ``MerkleError/raggedRows(elementCount:width:)``,
    ///   ``MerkleError/invalidLeafCount(_:)`` when the row count is not a power of two, and
    ///   ``MerkleError/wrongSaltCount(expected:found:)`` when explicit salts do not number one per row.
    public init(rows: [Fp], width: Int, salts source: Salts = .random) throws(MerkleError) {
        guard width >= 1 else { throw .invalidWidth(width) }
        guard !rows.isEmpty, rows.count % width == 0 else { throw .raggedRows(elementCount: rows.count, width: width) }
        let flat = rows
        try self.init(
            leafCount: rows.count / width, width: width, salts: source, storing: rows, segments: [0], prepare: { _ in }
        ) { leaves, out in
            flat.withUnsafeBufferPointer {
                out.update(from: $0.baseAddress! + leaves.lowerBound * width, count: leaves.count * width)
            }
        }
    }

    /// Commits to `leafCount` rows of `width` elements that `rows(leaves, destination)` writes on demand, a run of
    /// consecutive leaves at a time (row-major, at most ``rowBlock`` rows), without keeping them. Filling a block at
    /// once lets a caller whose rows are columns read each column sequentially. `rows` is called from several
    /// threads at once; openings take the rows from the caller: ``open(_:rows:)``.
    public init(
        leafCount: Int, width: Int, salts source: Salts = .random,
        rowBlocks rows: @Sendable (Range<Int>, UnsafeMutablePointer<Fp>) -> Void
    ) throws(MerkleError) {
        try self.init(
            leafCount: leafCount, width: width, salts: source, storing: [], segments: [0], prepare: { _ in }, rows)
    }

    /// Like ``init(leafCount:width:salts:rowBlocks:)``, with the leaves filled in `segments` equal runs one after
    /// the other, in `order` (a permutation of 0 ..< segments; ascending by default): `prepare(s)` runs on the
    /// calling thread after every row of the run before is hashed and before any row of run s is asked for. A
    /// caller that holds one run of rows at a time (one coset of an extended trace) computes it there. `segments`
    /// is a power of two no larger than `leafCount`.
    public init(
        leafCount: Int, width: Int, salts source: Salts = .random, segments: Int, order: [Int]? = nil,
        prepare: (Int) -> Void, rowBlocks rows: @Sendable (Range<Int>, UnsafeMutablePointer<Fp>) -> Void
    ) throws(MerkleError) {
        guard segments >= 1, segments & (segments - 1) == 0, segments <= leafCount else {
            throw .invalidLeafCount(leafCount)
        }
        let order = order ?? Array(0..<segments)
        guard order.sorted() == Array(0..<segments) else { throw .invalidLeafCount(leafCount) }
        try self.init(
            leafCount: leafCount, width: width, salts: source, storing: [], segments: order, prepare: prepare, rows)
    }

    /// The most rows a block filler is asked for at once.
    public static let rowBlock = 16

    private init(
        leafCount n: Int, width: Int, salts source: Salts, storing rows: [Fp], segments order: [Int],
        prepare: (Int) -> Void, _ row: @Sendable (Range<Int>, UnsafeMutablePointer<Fp>) -> Void
    ) throws(MerkleError) {
        guard width >= 1 else { throw .invalidWidth(width) }
        guard n >= 1, n & (n - 1) == 0 else { throw .invalidLeafCount(n) }
        if case .explicit(let given) = source, given.count != n {
            throw .wrongSaltCount(expected: n, found: given.count)
        }
        Sodium.ensureInitialized()
        self.leafCount = n
        self.width = width
        self.rows = rows

        let stream: RandomStream?
        switch source {
        case .random: stream = RandomStream()
        case .stream(let given): stream = given
        case .explicit, .none: stream = nil
        }
        var salts: [Salt]
        switch source {
        case .explicit(let given): salts = given
        case .none: salts = []
        case .random, .stream:
            // Written by the workers below, each its own disjoint range of leaves.
            salts = [Salt](unsafeUninitializedCapacity: n) { _, count in count = n }
        }

        let segments = order.count
        let chunkLeaves = min(MerkleTree.chunkLeafCount(leafCount: n), n / segments)
        let chunks = n / chunkLeaves
        let chunksPerSegment = chunks / segments
        let saltFree = salts.isEmpty
        self.nodes = salts.withUnsafeMutableBufferPointer { saltBuffer in
            [Digest](unsafeUninitializedCapacity: 2 * n) { nodeBuffer, count in
                nodeBuffer[0] = .zero
                let nodes = SharedPointer(base: nodeBuffer.baseAddress!)
                let salts = saltFree ? nil : SharedPointer(base: saltBuffer.baseAddress!)
                // Chunk c owns leaves [c · chunkLeaves, (c + 1) · chunkLeaves) and the subtree above them, so
                // no two workers write the same salt or node.
                for segment in order {
                    prepare(segment)
                    Parallel.forEachChunk(of: chunksPerSegment, chunks: chunksPerSegment) { range in
                        let c = segment * chunksPerSegment + range.lowerBound
                        MerkleTree.buildSubtree(
                            leaves: c * chunkLeaves..<(c + 1) * chunkLeaves, leafCount: n, width: width,
                            row: row, salts: salts, stream: stream, nodes: nodes)
                    }
                }
                for i in stride(from: chunks - 1, through: 1, by: -1) {
                    MerkleTree.hashChildren(of: i, in: nodes.base)
                }
                count = 2 * n
            }
        }
        self.salts = salts
    }

    /// About 64 subtrees for big trees, so two to a few dozen cores stay busy to the end; one for small trees,
    /// where starting threads would cost more than the hashing.
    static func chunkLeafCount(leafCount n: Int) -> Int {
        let minimum = 256
        if n <= 2 * minimum { return n }
        return max(minimum, n / 64)
    }

    private static func buildSubtree(
        leaves: Range<Int>, leafCount n: Int, width: Int, row fill: (Range<Int>, UnsafeMutablePointer<Fp>) -> Void,
        salts: SharedPointer<Salt>?, stream: RandomStream?, nodes: SharedPointer<Digest>
    ) {
        if let salts, let stream {
            let saltBytes = UnsafeMutableRawBufferPointer(
                start: salts.base + leaves.lowerBound, count: leaves.count * Salt.byteCount)
            stream.fill(saltBytes, at: leaves.lowerBound * Salt.byteCount)
        }
        let prefix = salts == nil ? 1 : 1 + Salt.byteCount
        let inputLength = prefix + width * Fp.byteCount
        let block = min(rowBlock, leaves.count)
        let rows = UnsafeMutablePointer<Fp>.allocate(capacity: block * width)
        defer { rows.deallocate() }
        withUnsafeTemporaryAllocation(byteCount: inputLength, alignment: 16) { scratch in
            let input = scratch.baseAddress!
            input.storeBytes(of: salts == nil ? saltFreeLeafTag : saltedLeafTag, as: UInt8.self)
            for first in stride(from: leaves.lowerBound, to: leaves.upperBound, by: block) {
                let run = first..<min(first + block, leaves.upperBound)
                fill(run, rows)
                for leaf in run {
                    if let salts {
                        (input + 1).copyMemory(from: salts.base + leaf, byteCount: Salt.byteCount)
                    }
                    let row = rows + (leaf - first) * width
                    for j in 0..<width {
                        row[j].writeCanonicalBytes(to: input + prefix + j * Fp.byteCount)
                    }
                    MerkleTree.hash(input, count: inputLength, into: nodes.base + n + leaf)
                }
            }
        }
        // Inner levels of this subtree, bottom up, until its root.
        var first = (n + leaves.lowerBound) / 2
        var width = leaves.count / 2
        while width >= 1 {
            for i in first..<first + width { hashChildren(of: i, in: nodes.base) }
            first /= 2
            width /= 2
        }
    }

    /// nodes[i] = H(0x01 ‖ nodes[2i] ‖ nodes[2i + 1]).
    @inline(__always)
    private static func hashChildren(of i: Int, in nodes: UnsafeMutablePointer<Digest>) {
        hashPair(tag: nodeTag, UnsafeRawPointer(nodes + 2 * i), UnsafeRawPointer(nodes + 2 * i + 1), into: nodes + i)
    }

    // MARK: - Single hashes (the verifier's and the benchmarks' entry points)

    /// BLAKE2b of `count` bytes at `input` with a 26-byte output, written to the 32-byte digest at `output` with
    /// its last six bytes zero: the one hash of every leaf and node.
    @inline(__always)
    static func hash(_ input: UnsafeRawPointer, count: Int, into output: UnsafeMutableRawPointer) {
        Sodium.ensureInitialized()
        Sodium.blake2b(output: output, outputLength: Digest.merkleByteCount, input: input, length: count)
        (output + Digest.merkleByteCount).initializeMemory(
            as: UInt8.self, repeating: 0, count: Digest.byteCount - Digest.merkleByteCount)
    }

    /// H(tag ‖ left ‖ right) of two digests' 26 bytes each (53 bytes, one BLAKE2b block), into `output`.
    @inline(__always)
    static func hashPair(
        tag: UInt8, _ left: UnsafeRawPointer, _ right: UnsafeRawPointer, into output: UnsafeMutableRawPointer
    ) {
        let count = 1 + 2 * Digest.merkleByteCount
        withUnsafeTemporaryAllocation(byteCount: count, alignment: 16) { scratch in
            let input = scratch.baseAddress!
            input.storeBytes(of: tag, as: UInt8.self)
            (input + 1).copyMemory(from: left, byteCount: Digest.merkleByteCount)
            (input + 1 + Digest.merkleByteCount).copyMemory(from: right, byteCount: Digest.merkleByteCount)
            hash(input, count: count, into: output)
        }
    }

    /// An inner node: H(0x01 ‖ left ‖ right). One BLAKE2b block, the unit cost of every Merkle path.
    public static func hashNode(_ left: Digest, _ right: Digest) -> Digest {
        hashPair(tag: nodeTag, left, right)
    }

    /// H(tag ‖ left ‖ right) of two digests.
    static func hashPair(tag: UInt8, _ left: Digest, _ right: Digest) -> Digest {
        var (left, right, out) = (left, right, Digest.zero)
        withUnsafeBytes(of: &left) { l in
            withUnsafeBytes(of: &right) { r in
                withUnsafeMutableBytes(of: &out) {
                    hashPair(tag: tag, l.baseAddress!, r.baseAddress!, into: $0.baseAddress!)
                }
            }
        }
        return out
    }

    /// A leaf: H(0x00 ‖ salt ‖ row) when `salt` is given, H(0x02 ‖ row) when it is nil.
    public static func hashLeaf<Row: Collection<Fp>>(_ row: Row, salt: Salt?) -> Digest {
        let prefix = salt == nil ? 1 : 1 + Salt.byteCount
        let inputLength = prefix + row.count * Fp.byteCount
        var out = Digest.zero
        withUnsafeTemporaryAllocation(byteCount: inputLength, alignment: 16) { scratch in
            let input = scratch.baseAddress!
            input.storeBytes(of: salt == nil ? saltFreeLeafTag : saltedLeafTag, as: UInt8.self)
            salt?.write(to: input + 1)
            for (j, x) in row.enumerated() { x.writeCanonicalBytes(to: input + prefix + j * Fp.byteCount) }
            withUnsafeMutableBytes(of: &out) { MerkleTree.hash(input, count: inputLength, into: $0.baseAddress!) }
        }
        return out
    }

    // MARK: - Access

    /// Row `index` as committed (only for trees that keep their rows: built with ``init(rows:width:salts:)``).
    public func row(at index: Int) -> ArraySlice<Fp> {
        precondition(index >= 0 && index < leafCount, "row index out of range")
        precondition(!rows.isEmpty, "this tree does not keep its rows; open it with open(_:rows:)")
        return rows[index * width..<(index + 1) * width]
    }

    /// The salt of leaf `index`, or nil for a salt-free tree.
    public func salt(at index: Int) -> Salt? {
        precondition(index >= 0 && index < leafCount, "leaf index out of range")
        return salts.isEmpty ? nil : salts[index]
    }

    /// Node `position` of the level `depth` steps below the root (depth 0 is the root, depth log2(leafCount)
    /// the leaves).
    public func node(depth: Int, position: Int) -> Digest {
        precondition(depth >= 0 && (1 << depth) <= leafCount && position >= 0 && position < 1 << depth)
        return nodes[(1 << depth) + position]
    }
}
