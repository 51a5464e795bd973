import Field

/// Proof that some rows are leaves of a committed ``MerkleTree``: the rows, their salts, and the sibling nodes
/// the verifier cannot compute from them.
///
/// Indices are not stored: the verifier derives them itself (from the transcript) and passes them to
/// ``verify(root:leafCount:width:salted:indices:)``. Both sides treat the indices as a set: they sort them and
/// drop duplicates, and `rows` and `salts` follow that increasing order, one entry per distinct index.
///
/// `nodes` lists, level by level from the leaves up and left to right within a level, the sibling of every
/// known node whose sibling is not known too. Nodes shared between paths are therefore sent once, and nothing
/// the verifier can hash itself is sent at all.
public struct MerkleOpening: Hashable, Sendable {
    /// The opened rows, one per distinct index, in increasing index order.
    public var rows: [[Fp]]
    /// The rows' salts in the same order; empty for a salt-free tree.
    public var salts: [Salt]
    /// The sibling nodes, bottom level first, left to right.
    public var nodes: [Digest]

    /// An opening from its parts, for example as decoded from a proof.
    public init(rows: [[Fp]], salts: [Salt], nodes: [Digest]) {
        self.rows = rows
        self.salts = salts
        self.nodes = nodes
    }

    /// The distinct indices in increasing order: the order of ``rows`` and ``salts``.
    ///
    /// - Throws: ``MerkleError/noIndices`` or ``MerkleError/indexOutOfRange(index:leafCount:)``.
    public static func normalizedIndices<Indices: Sequence<Int>>(
        _ indices: Indices, leafCount: Int
    ) throws(MerkleError) -> [Int] {
        var sorted = Array(indices)
        guard !sorted.isEmpty else { throw .noIndices }
        for i in sorted where i < 0 || i >= leafCount { throw .indexOutOfRange(index: i, leafCount: leafCount) }
        sorted.sort()
        var out: [Int] = []
        out.reserveCapacity(sorted.count)
        for i in sorted where out.last != i { out.append(i) }
        return out
    }

    /// How many sibling nodes an opening of these distinct sorted leaf positions carries.
    static func siblingCount(positions: [Int], leafCount: Int) -> Int {
        var count = 0
        forEachSibling(positions: positions, leafCount: leafCount) { _, _ in count += 1 }
        return count
    }

    /// Calls `visit(depth, position)` for every node an opening of these distinct sorted leaf positions sends, in
    /// the order it sends them: level by level from the leaves up, left to right. A node is sent when it is the
    /// sibling of a known node and not known itself.
    static func forEachSibling(positions: [Int], leafCount: Int, _ visit: (Int, Int) -> Void) {
        var known = positions
        var levelWidth = leafCount
        var depth = leafCount.trailingZeroBitCount
        while levelWidth > 1 {
            var parents: [Int] = []
            parents.reserveCapacity(known.count)
            var k = 0
            while k < known.count {
                let p = known[k]
                if p & 1 == 0, k + 1 < known.count, known[k + 1] == p + 1 {
                    k += 2
                } else {
                    visit(depth, p ^ 1)
                    k += 1
                }
                parents.append(p >> 1)
            }
            known = parents
            levelWidth /= 2
            depth -= 1
        }
    }

    /// Checks that the rows are leaves `indices` of the tree with `root`, and returns them in the order of
    /// `indices` (a repeated index gets its row repeated).
    ///
    /// `leafCount`, `width` and `salted` are the verifier's own expectations, never read from the opening.
    /// Never traps, whatever the opening holds.
    ///
    /// - Throws: the first problem found, in this order: ``MerkleError/invalidLeafCount(_:)``,
    ///   ``MerkleError/invalidWidth(_:)``, ``MerkleError/noIndices``,
    ///   ``MerkleError/indexOutOfRange(index:leafCount:)``, ``MerkleError/wrongRowCount(expected:found:)``,
    ///   ``MerkleError/wrongRowWidth(row:expected:found:)``, ``MerkleError/wrongSaltCount(expected:found:)``,
    ///   ``MerkleError/wrongNodeCount(expected:found:)``, ``MerkleError/rootMismatch``.
    @discardableResult
    public func verify(
        root: Digest, leafCount: Int, width: Int, salted: Bool, indices: [Int]
    ) throws(MerkleError) -> [[Fp]] {
        guard leafCount >= 1, leafCount & (leafCount - 1) == 0 else { throw .invalidLeafCount(leafCount) }
        guard width >= 1 else { throw .invalidWidth(width) }
        let positions = try MerkleOpening.normalizedIndices(indices, leafCount: leafCount)
        guard rows.count == positions.count else { throw .wrongRowCount(expected: positions.count, found: rows.count) }
        for (r, row) in rows.enumerated() where row.count != width {
            throw .wrongRowWidth(row: r, expected: width, found: row.count)
        }
        let saltCount = salted ? positions.count : 0
        guard salts.count == saltCount else { throw .wrongSaltCount(expected: saltCount, found: salts.count) }
        let nodeCount = MerkleOpening.siblingCount(positions: positions, leafCount: leafCount)
        guard nodes.count == nodeCount else { throw .wrongNodeCount(expected: nodeCount, found: nodes.count) }

        let leaves = positions.indices.map { k in MerkleTree.hashLeaf(rows[k], salt: salted ? salts[k] : nil) }
        guard MerkleOpening.root(positions: positions, leaves: leaves, nodes: nodes, leafCount: leafCount) == root
        else { throw .rootMismatch }

        var rowOf: [Int: Int] = [:]
        for (k, p) in positions.enumerated() { rowOf[p] = k }
        return indices.map { rows[rowOf[$0]!] }
    }
}

extension MerkleOpening {
    /// The root that the leaf digests at the distinct increasing `positions` and the sibling `nodes` (exactly
    /// ``siblingCount(positions:leafCount:)`` of them) hash up to, level by level. `levelDone(width, known)` runs
    /// after each level is computed (the leaves' level first), with that level's width and its known nodes, which
    /// it may change: how a commitment to tables of several heights takes in a shorter table's leaves.
    static func root(
        positions: [Int], leaves: [Digest], nodes: [Digest], leafCount: Int,
        levelDone: (Int, inout [(position: Int, digest: Digest)]) -> Void = { _, _ in }
    ) -> Digest {
        var known: [(position: Int, digest: Digest)] = Array(zip(positions, leaves))
        var next = 0
        var levelWidth = leafCount
        levelDone(levelWidth, &known)
        while levelWidth > 1 {
            var parents: [(position: Int, digest: Digest)] = []
            parents.reserveCapacity(known.count)
            var k = 0
            while k < known.count {
                let (p, d) = known[k]
                let parent: Digest
                if p & 1 == 0, k + 1 < known.count, known[k + 1].position == p + 1 {
                    parent = MerkleTree.hashNode(d, known[k + 1].digest)
                    k += 2
                } else {
                    // The caller's count check guarantees this node exists.
                    let sibling = nodes[next]
                    next += 1
                    parent = p & 1 == 0 ? MerkleTree.hashNode(d, sibling) : MerkleTree.hashNode(sibling, d)
                    k += 1
                }
                parents.append((p >> 1, parent))
            }
            known = parents
            levelWidth /= 2
            levelDone(levelWidth, &known)
        }
        return known[0].digest
    }
}

extension MerkleTree {
    /// Opens the leaves at `indices` (any order, repeats allowed; treated as a set).
    ///
    /// - Throws: ``MerkleError/noIndices`` or ``MerkleError/indexOutOfRange(index:leafCount:)``.
    public func open<Indices: Sequence<Int>>(_ indices: Indices) throws(MerkleError) -> MerkleOpening {
        try open(indices) { Array(row(at: $0)) }
    }

    /// Opens the leaves at `indices`, taking each opened row from `row(index)`: for trees built from a row
    /// function, which keep no rows.
    public func open<Indices: Sequence<Int>>(
        _ indices: Indices, rows row: (Int) -> [Fp]
    ) throws(MerkleError) -> MerkleOpening {
        let positions = try MerkleOpening.normalizedIndices(indices, leafCount: leafCount)
        var nodes: [Digest] = []
        MerkleOpening.forEachSibling(positions: positions, leafCount: leafCount) { depth, position in
            nodes.append(node(depth: depth, position: position))
        }
        return MerkleOpening(
            rows: positions.map { row($0) },
            salts: isSalted ? positions.map { salt(at: $0)! } : [],
            nodes: nodes)
    }
}
