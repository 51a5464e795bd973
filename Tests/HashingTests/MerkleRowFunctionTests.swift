import Field
import Hashing
import Synchronization
import Testing

/// A tree built from a row function commits to exactly what a tree built from the same rows commits to.
@Suite struct MerkleRowFunctionTests {
    @Test(arguments: [1, 8, 1024, 4096])
    func rowFunctionMatchesFlatRows(leaves: Int) throws {
        var rng = SeededGenerator(seed: UInt64(leaves))
        let width = 5
        let rows = (0..<leaves * width).map { _ in Fp.random(using: &rng) }
        let salts = (0..<leaves).map { _ in Salt.random() }
        let flat = try MerkleTree(rows: rows, width: width, salts: .explicit(salts))
        let asked = Mutex<[Range<Int>]>([])
        let lazy = try MerkleTree(leafCount: leaves, width: width, salts: .explicit(salts)) { run, out in
            asked.withLock { $0.append(run) }
            for (k, leaf) in run.enumerated() {
                for j in 0..<width { out[k * width + j] = rows[leaf * width + j] }
            }
        }
        #expect(lazy.root == flat.root)
        // Every leaf was asked for exactly once, in runs no longer than the promised block.
        let runs = asked.withLock { $0 }
        #expect(runs.allSatisfy { $0.count <= MerkleTree.rowBlock })
        #expect(runs.flatMap { Array($0) }.sorted() == Array(0..<leaves))
        let indices = [0, leaves / 2, leaves - 1]
        let opening = try lazy.open(indices) { Array(rows[$0 * width..<($0 + 1) * width]) }
        #expect(opening == (try flat.open(indices)))
        #expect(
            try opening.verify(root: lazy.root, leafCount: leaves, width: width, salted: true, indices: indices)
                .count == indices.count)
        // Rows that are not the committed ones do not verify.
        let wrong = try lazy.open(indices) { _ in [Fp](repeating: .one, count: width) }
        #expect(throws: MerkleError.rootMismatch) {
            try wrong.verify(root: lazy.root, leafCount: leaves, width: width, salted: true, indices: indices)
        }
    }
}

/// A tree filled in segments asks for each segment's rows only after preparing it, and commits to the same rows.
@Suite struct MerkleSegmentTests {
    @Test(arguments: [(1, 1), (8, 2), (1024, 4), (4096, 4), (4096, 4096)])
    func segmentsArePreparedInOrderBeforeTheirRows(leaves: Int, segments: Int) throws {
        var rng = SeededGenerator(seed: UInt64(leaves + segments))
        let width = 3
        let rows = (0..<leaves * width).map { _ in Fp.random(using: &rng) }
        let salts = (0..<leaves).map { _ in Salt.random() }
        let flat = try MerkleTree(rows: rows, width: width, salts: .explicit(salts))
        let segmentLength = leaves / segments
        // The rows of the prepared segment only; any other row reads as garbage and changes the root.
        let prepared = Mutex<Int>(-1)
        // Ascending by default, then in reverse: the same tree either way.
        for given in [nil, Array((0..<segments).reversed())] {
            var order: [Int] = []
            let tree = try MerkleTree(
                leafCount: leaves, width: width, salts: .explicit(salts), segments: segments, order: given,
                prepare: { s in
                    order.append(s)
                    prepared.withLock { $0 = s }
                }
            ) { run, out in
                let current = prepared.withLock { $0 }
                for (k, leaf) in run.enumerated() {
                    for j in 0..<width {
                        out[k * width + j] = leaf / segmentLength == current ? rows[leaf * width + j] : .one
                    }
                }
            }
            #expect(order == given ?? Array(0..<segments))
            #expect(tree.root == flat.root)
        }
    }

    @Test func segmentsMustDivideTheLeaves() {
        for bad in [0, 3, 32] {
            #expect(throws: MerkleError.self) {
                try MerkleTree(leafCount: 16, width: 1, salts: .none, segments: bad, prepare: { _ in }) { _, _ in }
            }
        }
        for badOrder in [[0, 1], [0, 1, 2, 2], [1, 2, 3, 4]] {
            #expect(throws: MerkleError.self) {
                try MerkleTree(
                    leafCount: 16, width: 1, salts: .none, segments: 4, order: badOrder, prepare: { _ in }
                ) { _, _ in }
            }
        }
    }
}
