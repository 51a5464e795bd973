import Field
import Hashing
import Testing

@Suite struct MixedMerkleTreeTests {
    /// A class of `n` random rows of `width` elements, salted from a seeded stream so every run builds the same tree.
    static func randomClass(_ n: Int, _ width: Int, seed: UInt8, _ rng: inout SeededGenerator) throws -> (
        tree: MerkleTree, rows: [Fp]
    ) {
        let rows = MerkleTests.randomRows(n, width, &rng)
        let stream = try RandomStream(seed: [UInt8](repeating: seed, count: 32))
        return (try MerkleTree(rows: rows, width: width, salts: .stream(stream)), rows)
    }

    /// The commitment computed the slow, obvious way: each level from the one below, taking in a class's leaves at
    /// the level as wide as it, with the injection hash written out from its definition.
    static func referenceRoot(_ classes: [MerkleTree]) -> Digest {
        func leaves(_ tree: MerkleTree) -> [Digest] {
            let depth = tree.leafCount.trailingZeroBitCount
            return (0..<tree.leafCount).map { tree.node(depth: depth, position: $0) }
        }
        func inject(_ level: [Digest], _ tree: MerkleTree) -> [Digest] {
            zip(level, leaves(tree)).map {
                let input = [0x03] + $0.merkleBytes + $1.merkleBytes
                return try! Digest(merkleBytes: Blake2b.hash(input, outputByteCount: Digest.merkleByteCount))
            }
        }
        var level = leaves(classes[0])
        var next = 1
        while true {
            while next < classes.count, classes[next].leafCount == level.count {
                level = inject(level, classes[next])
                next += 1
            }
            if level.count == 1 { return level[0] }
            level = stride(from: 0, to: level.count, by: 2).map { MerkleTree.hashNode(level[$0], level[$0 + 1]) }
        }
    }

    static func row(_ rows: [Fp], width: Int, at i: Int) -> [Fp] { Array(rows[i * width..<(i + 1) * width]) }

    @Test func oneClassIsThatClassesTree() throws {
        var rng = SeededGenerator(seed: 7)
        let (tree, rows) = try Self.randomClass(64, 3, seed: 1, &rng)
        let mixed = try MixedMerkleTree(classes: [tree])
        #expect(mixed.root == tree.root)
        let indices = [5, 9, 9, 40, 63]
        let opening = try mixed.open(indices) { _, i in Self.row(rows, width: 3, at: i) }
        let plain = try tree.open(indices)
        #expect(opening.nodes == plain.nodes && opening.rows == [plain.rows] && opening.salts == [plain.salts])
        try opening.verify(root: tree.root, leafCounts: [64], widths: [3], salted: [true], indices: indices)
    }

    @Test(arguments: [[16, 4, 2, 1], [64, 32, 8], [4096, 2048, 256, 16], [2, 1], [32, 32, 8, 8], [1, 1]])
    func rootMatchesReference(leafCounts: [Int]) throws {
        var rng = SeededGenerator(seed: UInt64(leafCounts[0]))
        let classes = try leafCounts.enumerated().map { t, n in
            try Self.randomClass(n, t + 1, seed: UInt8(t + 1), &rng).tree
        }
        let mixed = try MixedMerkleTree(classes: classes)
        #expect(mixed.root == Self.referenceRoot(classes))
        #expect(mixed.root != classes[0].root)
    }

    /// Honest openings of random index sets verify and return each class's rows at the shifted positions; every
    /// kind of tampering is rejected with its own error.
    @Test func openingsVerifyAndTamperingIsCaught() throws {
        var rng = SeededGenerator(seed: 2026)
        let counts = [1024, 1024, 256, 128, 128, 4]
        let widths = [5, 2, 2, 3, 3, 3]
        let built = try counts.indices.map { t in try Self.randomClass(counts[t], widths[t], seed: UInt8(9 + t), &rng) }
        let mixed = try MixedMerkleTree(classes: built.map(\.tree))
        let salted = [Bool](repeating: true, count: counts.count)
        for round in 0..<20 {
            let indices = (0..<(1 + round * 3)).map { _ in Int.random(in: 0..<1024, using: &rng) }
            let opening = try mixed.open(indices) { t, i in Self.row(built[t].rows, width: widths[t], at: i) }
            let rows = try opening.verify(
                root: mixed.root, leafCounts: counts, widths: widths, salted: salted, indices: indices)
            let positions = MixedMerkleOpening.classPositions(
                try MerkleOpening.normalizedIndices(indices, leafCount: 1024), leafCounts: counts)
            for t in counts.indices {
                #expect(rows[t] == positions[t].map { Self.row(built[t].rows, width: widths[t], at: $0) })
            }
            // A shorter class adds rows, never nodes: the paths are as many as the tallest class's alone.
            #expect(opening.nodes.count == (try built[0].tree.open(indices)).nodes.count)

            func rejects(_ expected: MerkleError, _ change: (inout MixedMerkleOpening) -> Void) {
                var forged = opening
                change(&forged)
                #expect(throws: expected) {
                    try forged.verify(root: mixed.root, leafCounts: counts, widths: widths, salted: salted, indices: indices)
                }
            }
            for t in counts.indices {
                rejects(.rootMismatch) { $0.rows[t][0][0] += 1 }
                rejects(.rootMismatch) { $0.salts[t][0] = Salt.random() }
                rejects(.wrongRowCount(expected: positions[t].count, found: positions[t].count + 1)) {
                    $0.rows[t].append($0.rows[t][0])
                }
                rejects(.wrongSaltCount(expected: positions[t].count, found: positions[t].count - 1)) {
                    $0.salts[t].removeLast()
                }
            }
            if !opening.nodes.isEmpty {
                rejects(.rootMismatch) { $0.nodes[$0.nodes.count / 2] = Digest.zero }
                rejects(.wrongNodeCount(expected: opening.nodes.count, found: opening.nodes.count - 1)) {
                    $0.nodes.removeLast()
                }
            }
            rejects(.wrongRowCount(expected: counts.count, found: counts.count - 1)) { $0.rows.removeLast() }
            // A class's rows moved to other positions.
            if positions[5].count > 1 {
                rejects(.rootMismatch) { $0.rows[5].swapAt(0, 1) }
            }
            // Two classes of one height and width exchanged.
            rejects(.rootMismatch) { $0.rows.swapAt(3, 4) }
        }
    }

    @Test func verifierHoldsItsOwnShape() throws {
        var rng = SeededGenerator(seed: 3)
        let a = try Self.randomClass(32, 2, seed: 1, &rng)
        let b = try Self.randomClass(8, 2, seed: 2, &rng)
        let mixed = try MixedMerkleTree(classes: [a.tree, b.tree])
        let indices = [3, 17, 30]
        let opening = try mixed.open(indices) { t, i in Self.row(t == 0 ? a.rows : b.rows, width: 2, at: i) }
        try opening.verify(root: mixed.root, leafCounts: [32, 8], widths: [2, 2], salted: [true, true], indices: indices)
        // The same rows claimed for a class of another height, unsalted, of another width, or at other indices.
        #expect(throws: MerkleError.self) {
            try opening.verify(
                root: mixed.root, leafCounts: [32, 4], widths: [2, 2], salted: [true, true], indices: indices)
        }
        #expect(throws: MerkleError.wrongSaltCount(expected: 0, found: 3)) {
            try opening.verify(
                root: mixed.root, leafCounts: [32, 8], widths: [2, 2], salted: [true, false], indices: indices)
        }
        #expect(throws: MerkleError.wrongRowWidth(row: 3, expected: 1, found: 2)) {
            try opening.verify(
                root: mixed.root, leafCounts: [32, 8], widths: [2, 1], salted: [true, true], indices: indices)
        }
        #expect(throws: MerkleError.self) {
            try opening.verify(
                root: mixed.root, leafCounts: [32, 8], widths: [2, 2], salted: [true, true], indices: [3, 17, 31])
        }
        #expect(throws: MerkleError.invalidLeafCount(64)) {
            try opening.verify(
                root: mixed.root, leafCounts: [32, 64], widths: [2, 2], salted: [true, true], indices: indices)
        }
        #expect(throws: MerkleError.self) {
            try opening.verify(
                root: mixed.root, leafCounts: [32, 32], widths: [2, 2], salted: [true, true], indices: indices)
        }
        #expect(throws: MerkleError.invalidLeafCount(32)) { try MixedMerkleTree(classes: [b.tree, a.tree]) }
        #expect(throws: MerkleError.invalidLeafCount(0)) { try MixedMerkleTree(classes: []) }
    }
}
