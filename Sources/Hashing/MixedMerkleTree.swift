import Field

/// One Merkle commitment to tables of several heights, each opened at one index per query.
///
/// The tables are given as classes, each a ``MerkleTree`` of its own leaves, tallest first (classes of equal height
/// may follow one another). The first class's tree is the bottom of the commitment; at the level that is as wide as
/// a later class has leaves (the leaves themselves for a class as tall as the first), each node takes in that
/// class's leaf at its position, class after class, and so on up:
///
///     injected node j = H(0x03 ‖ node j of the level below ‖ leaf j of the class as wide as this level)
///
/// Above and between those levels nodes are ordinary inner nodes, H(0x01 ‖ left ‖ right). So one path from a leaf
/// of the tallest class passes, on its way to the root, exactly the leaf `index >> s` of a class 2^s times shorter:
/// a query at one index opens every class at the matching row with no path of its own. That is the index a
/// bit-reversed evaluation domain 2^s times smaller gives to the 2^s-th power of the tallest class's point, which is
/// how tables of several heights share one set of queries. With one class the commitment is that class's tree.
///
/// `docs/merkle.md` specifies the hashes and openings byte for byte.
public struct MixedMerkleTree: Sendable {
    /// The tag starting an injected node's input.
    public static let injectionTag: UInt8 = 0x03

    /// The classes, tallest first: leaf counts that never increase.
    public let classes: [MerkleTree]
    // Heap order like MerkleTree's nodes, for the levels at most as wide as the second class: upper[w + p] is
    // position p of the level w nodes wide, injections included (the leaf level too, when the second class is as
    // tall as the first). Empty with one class.
    private let upper: [Digest]

    /// The leaf count of each class, tallest first.
    public var leafCounts: [Int] { classes.map(\.leafCount) }

    /// The commitment.
    public var root: Digest { upper.isEmpty ? classes[0].root : upper[1] }

    /// Joins `classes`, tallest first, into one commitment.
    ///
    /// - Throws: ``MerkleError/invalidLeafCount(_:)`` when there is no class or a leaf count exceeds the one
    ///   before it.
    public init(classes: [MerkleTree]) throws(MerkleError) {
        guard let first = classes.first else { throw .invalidLeafCount(0) }
        for (shorter, taller) in zip(classes.dropFirst(), classes) where shorter.leafCount > taller.leafCount {
            throw .invalidLeafCount(shorter.leafCount)
        }
        self.classes = classes
        guard classes.count > 1 else {
            upper = []
            return
        }
        let top = classes[1].leafCount
        var upper = [Digest](repeating: .zero, count: 2 * top)
        var next = 1
        var width = top
        upper.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let nodes = buffer
            while width >= 1 {
                let w = width
                var injected: [MerkleTree] = []
                while next < classes.count && classes[next].leafCount == w {
                    injected.append(classes[next])
                    next += 1
                }
                let depth = w.trailingZeroBitCount
                Parallel.forEachChunk(of: w, minimumChunk: 1 << 11) { [injected] range in
                    for p in range {
                        var node =
                            w == top
                            ? first.node(depth: depth, position: p)
                            : MerkleTree.hashNode(nodes[2 * (w + p)], nodes[2 * (w + p) + 1])
                        for tree in injected {
                            node = MixedMerkleTree.hashInjection(node, tree.node(depth: depth, position: p))
                        }
                        nodes[w + p] = node
                    }
                }
                width /= 2
            }
        }
        self.upper = upper
    }

    /// An injected node: H(0x03 ‖ below ‖ leaf).
    public static func hashInjection(_ below: Digest, _ leaf: Digest) -> Digest {
        MerkleTree.hashPair(tag: injectionTag, below, leaf)
    }

    /// Node `position` of the level `depth` steps below the root, injections included.
    func node(depth: Int, position: Int) -> Digest {
        let width = 1 << depth
        return upper.isEmpty || width > classes[1].leafCount ? classes[0].node(depth: depth, position: position)
            : upper[width + position]
    }

    /// Opens every class at the rows the tallest class's `indices` (any order, repeats allowed) pass through,
    /// taking the rows from `row(class, index)`.
    ///
    /// - Throws: ``MerkleError/noIndices`` or ``MerkleError/indexOutOfRange(index:leafCount:)``.
    public func open<Indices: Sequence<Int>>(
        _ indices: Indices, rows row: (_ class: Int, _ index: Int) -> [Fp]
    ) throws(MerkleError) -> MixedMerkleOpening {
        let positions = try MerkleOpening.normalizedIndices(indices, leafCount: classes[0].leafCount)
        let perClass = MixedMerkleOpening.classPositions(positions, leafCounts: leafCounts)
        var nodes: [Digest] = []
        MerkleOpening.forEachSibling(positions: positions, leafCount: classes[0].leafCount) { depth, position in
            nodes.append(node(depth: depth, position: position))
        }
        return MixedMerkleOpening(
            rows: perClass.enumerated().map { t, ps in ps.map { row(t, $0) } },
            salts: perClass.enumerated().map { t, ps in
                classes[t].isSalted ? ps.map { classes[t].salt(at: $0)! } : []
            },
            nodes: nodes)
    }
}

/// Proof that rows of every class are leaves of a ``MixedMerkleTree``: for each class, its rows and salts at the
/// distinct positions the queried indices pass through (increasing), and the sibling nodes of the tallest class's
/// paths, in ``MerkleOpening``'s order. A shorter class adds rows but never nodes.
public struct MixedMerkleOpening: Hashable, Sendable {
    /// For each class, tallest first, the opened rows in increasing position order.
    public var rows: [[[Fp]]]
    /// For each class, the rows' salts in the same order; empty for a salt-free class.
    public var salts: [[Salt]]
    /// The sibling nodes, bottom level first, left to right.
    public var nodes: [Digest]

    public init(rows: [[[Fp]]], salts: [[Salt]], nodes: [Digest]) {
        self.rows = rows
        self.salts = salts
        self.nodes = nodes
    }

    /// For each class, the distinct positions that the distinct increasing positions `positions` of the tallest
    /// class pass through: each shifted right by log2 of how many times shorter the class is.
    public static func classPositions(_ positions: [Int], leafCounts: [Int]) -> [[Int]] {
        let top = leafCounts[0].trailingZeroBitCount
        return leafCounts.map { count in
            let shift = top - count.trailingZeroBitCount
            var out: [Int] = []
            for p in positions where out.last != p >> shift { out.append(p >> shift) }
            return out
        }
    }

    /// Checks the opening against `root` and returns each class's rows at its positions (see
    /// ``classPositions(_:leafCounts:)`` of the normalized `indices`).
    ///
    /// `leafCounts`, `widths` and `salted` are the verifier's own expectations, one per class, tallest first. Never
    /// traps, whatever the opening holds.
    ///
    /// - Throws: ``MerkleError/invalidLeafCount(_:)`` (also for a count above the one before it),
    ///   ``MerkleError/invalidWidth(_:)``, ``MerkleError/noIndices``,
    ///   ``MerkleError/indexOutOfRange(index:leafCount:)``, ``MerkleError/wrongRowCount(expected:found:)``,
    ///   ``MerkleError/wrongRowWidth(row:expected:found:)``, ``MerkleError/wrongSaltCount(expected:found:)``,
    ///   ``MerkleError/wrongNodeCount(expected:found:)``, ``MerkleError/rootMismatch``.
    @discardableResult
    public func verify(
        root: Digest, leafCounts: [Int], widths: [Int], salted: [Bool], indices: [Int]
    ) throws(MerkleError) -> [[[Fp]]] {
        guard !leafCounts.isEmpty, widths.count == leafCounts.count, salted.count == leafCounts.count else {
            throw .invalidLeafCount(leafCounts.count)
        }
        for (t, n) in leafCounts.enumerated() {
            guard n >= 1, n & (n - 1) == 0, t == 0 || n <= leafCounts[t - 1] else { throw .invalidLeafCount(n) }
        }
        for w in widths where w < 1 { throw .invalidWidth(w) }
        let positions = try MerkleOpening.normalizedIndices(indices, leafCount: leafCounts[0])
        let perClass = MixedMerkleOpening.classPositions(positions, leafCounts: leafCounts)
        guard rows.count == leafCounts.count else { throw .wrongRowCount(expected: leafCounts.count, found: rows.count) }
        guard salts.count == leafCounts.count else {
            throw .wrongSaltCount(expected: leafCounts.count, found: salts.count)
        }
        var opened = 0
        for t in leafCounts.indices {
            guard rows[t].count == perClass[t].count else {
                throw .wrongRowCount(expected: perClass[t].count, found: rows[t].count)
            }
            for (r, row) in rows[t].enumerated() where row.count != widths[t] {
                throw .wrongRowWidth(row: opened + r, expected: widths[t], found: row.count)
            }
            opened += rows[t].count
            let saltCount = salted[t] ? perClass[t].count : 0
            guard salts[t].count == saltCount else { throw .wrongSaltCount(expected: saltCount, found: salts[t].count) }
        }
        let nodeCount = MerkleOpening.siblingCount(positions: positions, leafCount: leafCounts[0])
        guard nodes.count == nodeCount else { throw .wrongNodeCount(expected: nodeCount, found: nodes.count) }

        func leaf(_ t: Int, _ k: Int) -> Digest { MerkleTree.hashLeaf(rows[t][k], salt: salted[t] ? salts[t][k] : nil) }
        var injecting = 1
        // The known positions at a class's level are exactly the class's positions, in the same order.
        let top = MerkleOpening.root(
            positions: positions, leaves: positions.indices.map { leaf(0, $0) }, nodes: nodes,
            leafCount: leafCounts[0]
        ) { width, known in
            while injecting < leafCounts.count, leafCounts[injecting] == width {
                for k in known.indices {
                    known[k].digest = MixedMerkleTree.hashInjection(known[k].digest, leaf(injecting, k))
                }
                injecting += 1
            }
        }
        guard top == root else { throw .rootMismatch }
        return rows
    }
}
