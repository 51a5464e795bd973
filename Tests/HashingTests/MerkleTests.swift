import Field
import Hashing
import Testing

@Suite struct MerkleTests {
    static func randomRows(_ n: Int, _ width: Int, _ rng: inout SeededGenerator) -> [Fp] {
        (0..<n * width).map { _ in Fp.random(using: &rng) }
    }

    /// The tree computed the slow, obvious way from the public single-hash functions.
    static func referenceRoot(rows: [Fp], width: Int, salts: [Salt]?) -> Digest {
        let n = rows.count / width
        var level = (0..<n).map { i in
            MerkleTree.hashLeaf(rows[i * width..<(i + 1) * width], salt: salts?[i])
        }
        while level.count > 1 {
            level = stride(from: 0, to: level.count, by: 2).map { MerkleTree.hashNode(level[$0], level[$0 + 1]) }
        }
        return level[0]
    }

    @Test(arguments: [1, 2, 256, 512, 1024, 4096])
    func parallelBuildMatchesReference(leafCount n: Int) throws {
        var rng = SeededGenerator(seed: UInt64(n))
        let width = 3
        let rows = Self.randomRows(n, width, &rng)
        let stream = try RandomStream(seed: [UInt8](repeating: 42, count: 32))
        let salts = try (0..<n).map { try Salt(bytes: stream.bytes(count: Salt.byteCount, at: Salt.byteCount * $0)) }
        let tree = try MerkleTree(rows: rows, width: width, salts: .stream(stream))
        #expect(tree.root == Self.referenceRoot(rows: rows, width: width, salts: salts))
        #expect((0..<n).allSatisfy { tree.salt(at: $0) == salts[$0] })
        #expect(try MerkleTree(rows: rows, width: width, salts: .explicit(salts)).root == tree.root)
        let open = try MerkleTree(rows: rows, width: width, salts: .none)
        #expect(open.root == Self.referenceRoot(rows: rows, width: width, salts: nil))
        #expect(open.root != tree.root)
        #expect(Array(tree.row(at: n - 1)) == Array(rows[(n - 1) * width..<n * width]))
    }

    @Test func randomSaltsHideEqualRows() throws {
        let rows = [Fp](repeating: 5, count: 16)
        let a = try MerkleTree(rows: rows, width: 2)
        let b = try MerkleTree(rows: rows, width: 2)
        #expect(a.isSalted && a.root != b.root)
        #expect(a.salt(at: 0) != a.salt(at: 1))
    }

    @Test func buildRejectsBadShapes() {
        #expect(throws: MerkleError.invalidWidth(0)) { try MerkleTree(rows: [1, 2], width: 0) }
        #expect(throws: MerkleError.raggedRows(elementCount: 5, width: 2)) {
            try MerkleTree(rows: [1, 2, 3, 4, 5], width: 2)
        }
        #expect(throws: MerkleError.raggedRows(elementCount: 0, width: 1)) { try MerkleTree(rows: [], width: 1) }
        #expect(throws: MerkleError.invalidLeafCount(3)) { try MerkleTree(rows: [1, 2, 3], width: 1) }
        #expect(throws: MerkleError.wrongSaltCount(expected: 2, found: 1)) {
            try MerkleTree(rows: [1, 2], width: 1, salts: .explicit([Salt.random()]))
        }
    }

    /// Many random trees and index sets: every honest opening verifies, and each kind of tampering is rejected
    /// with its own error.
    @Test func roundTripsAndNegativeTwins() throws {
        var rng = SeededGenerator(seed: 2024)
        for trial in 0..<300 {
            let n = 1 << Int.random(in: 0...9, using: &rng)
            let width = Int.random(in: 1...5, using: &rng)
            let salted = trial % 3 != 0
            let rows = Self.randomRows(n, width, &rng)
            let tree = try MerkleTree(rows: rows, width: width, salts: salted ? .random : MerkleTree.Salts.none)
            let k = Int.random(in: 1...min(n, 24), using: &rng)
            let indices = (0..<k).map { _ in Int.random(in: 0..<n, using: &rng) }
            let opening = try tree.open(indices)
            let root = tree.root
            func check(_ o: MerkleOpening, _ idx: [Int] = indices) throws {
                try o.verify(root: root, leafCount: n, width: width, salted: salted, indices: idx)
            }

            let got = try opening.verify(root: root, leafCount: n, width: width, salted: salted, indices: indices)
            #expect(got == indices.map { Array(rows[$0 * width..<($0 + 1) * width]) })
            let distinct = Set(indices).count
            #expect(opening.rows.count == distinct)

            // Wrong leaf: one element of one opened row.
            var bad = opening
            bad.rows[Int.random(in: 0..<distinct, using: &rng)][Int.random(in: 0..<width, using: &rng)] += 1
            #expect(throws: MerkleError.rootMismatch) { try check(bad) }

            // Wrong index: a one-leaf opening checked at another leaf.
            if n > 1 {
                let i = indices[0]
                let j = (i + Int.random(in: 1..<n, using: &rng)) % n
                #expect(throws: MerkleError.rootMismatch) { try check(try tree.open([i]), [j]) }
            }

            // Wrong path node, truncated opening, extra node.
            if !opening.nodes.isEmpty {
                bad = opening
                let at = Int.random(in: 0..<bad.nodes.count, using: &rng)
                bad.nodes[at] = MerkleTree.hashNode(bad.nodes[at], bad.nodes[at])
                #expect(throws: MerkleError.rootMismatch) { try check(bad) }
                bad = opening
                bad.nodes.removeLast()
                #expect(throws: MerkleError.wrongNodeCount(expected: opening.nodes.count, found: bad.nodes.count)) {
                    try check(bad)
                }
            }
            bad = opening
            bad.nodes.append(root)
            #expect(throws: MerkleError.wrongNodeCount(expected: opening.nodes.count, found: bad.nodes.count)) {
                try check(bad)
            }

            // Wrong salt, missing salt, or salts where none belong.
            if salted {
                bad = opening
                bad.salts[0] = Salt.random()
                #expect(throws: MerkleError.rootMismatch) { try check(bad) }
                bad = opening
                bad.salts.removeLast()
                #expect(throws: MerkleError.wrongSaltCount(expected: distinct, found: distinct - 1)) { try check(bad) }
                #expect(throws: MerkleError.wrongSaltCount(expected: 0, found: distinct)) {
                    try opening.verify(root: root, leafCount: n, width: width, salted: false, indices: indices)
                }
            } else {
                bad = opening
                bad.salts = Array(repeating: Salt.random(), count: distinct)
                #expect(throws: MerkleError.wrongSaltCount(expected: 0, found: distinct)) { try check(bad) }
            }

            // Rows missing or of the wrong width; indices out of range.
            bad = opening
            bad.rows.removeLast()
            #expect(throws: MerkleError.wrongRowCount(expected: distinct, found: distinct - 1)) { try check(bad) }
            bad = opening
            bad.rows[0].append(1)
            #expect(throws: MerkleError.wrongRowWidth(row: 0, expected: width, found: width + 1)) { try check(bad) }
            #expect(throws: MerkleError.indexOutOfRange(index: n, leafCount: n)) { try check(opening, indices + [n]) }
            #expect(throws: MerkleError.indexOutOfRange(index: -1, leafCount: n)) { try check(opening, [-1]) }
            #expect(throws: MerkleError.noIndices) { try check(opening, []) }
        }
    }

    @Test func openingSortsAndDeduplicates() throws {
        var rng = SeededGenerator(seed: 7)
        let rows = Self.randomRows(64, 2, &rng)
        let tree = try MerkleTree(rows: rows, width: 2)
        let a = try tree.open([40, 3, 40, 17, 3])
        #expect(a == (try tree.open([3, 17, 40])))
        let got = try a.verify(root: tree.root, leafCount: 64, width: 2, salted: true, indices: [17, 40, 40, 3])
        #expect(got.map { $0[0] } == [rows[34], rows[80], rows[80], rows[6]])
        // All leaves opened: every sibling is computable, so nothing is sent.
        #expect(try tree.open(0..<64).nodes.isEmpty)
        // Shared nodes once: leaves 0 and 1 need one sibling per level above them.
        #expect(try tree.open([0, 1]).nodes.count == 5)
        #expect(throws: MerkleError.indexOutOfRange(index: 64, leafCount: 64)) { try tree.open([64]) }
        #expect(throws: MerkleError.noIndices) { try tree.open([]) }
    }

    @Test func verifierPolicyIsChecked() throws {
        let tree = try MerkleTree(rows: [1, 2, 3, 4], width: 1)
        let opening = try tree.open([2])
        for bad in [0, -4, 3, 6, Int.max, Int.min] {
            #expect(throws: MerkleError.invalidLeafCount(bad)) {
                try opening.verify(root: tree.root, leafCount: bad, width: 1, salted: true, indices: [2])
            }
        }
        #expect(throws: MerkleError.invalidWidth(0)) {
            try opening.verify(root: tree.root, leafCount: 4, width: 0, salted: true, indices: [2])
        }
        // The same opening claimed for a bigger tree needs more nodes.
        #expect(throws: MerkleError.wrongNodeCount(expected: 3, found: 2)) {
            try opening.verify(root: tree.root, leafCount: 8, width: 1, salted: true, indices: [2])
        }
    }

    /// Garbage of every shape: each call returns an error, none traps.
    @Test func hostileOpeningsNeverTrap() throws {
        var rng = SeededGenerator(seed: 99)
        let root = Blake2b.hash([1])
        let leafCounts = [1, 2, 4, 1 << 20, 1 << 62, 0, 3, -8, Int.max, Int.min]
        let oddIndices = [0, 1, -1, Int.max, Int.min, 1 << 61, (1 << 62) - 1, 1 << 62]
        var rejected = 0
        for _ in 0..<3000 {
            let leafCount = leafCounts.randomElement(using: &rng)!
            let width = Int.random(in: -1...3, using: &rng)
            let indices = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                Bool.random(using: &rng) ? oddIndices.randomElement(using: &rng)! : Int.random(in: 0..<8, using: &rng)
            }
            let rows = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                (0..<Int.random(in: 0...4, using: &rng)).map { _ in Fp.random(using: &rng) }
            }
            let salts = (0..<Int.random(in: 0...6, using: &rng)).map { _ in Salt.random() }
            let nodes = (0..<Int.random(in: 0...70, using: &rng)).map { _ in Blake2b.hash([UInt8(rng.next() & 255)]) }
            let opening = MerkleOpening(rows: rows, salts: salts, nodes: nodes)
            do {
                try opening.verify(
                    root: root, leafCount: leafCount, width: width, salted: Bool.random(using: &rng), indices: indices)
            } catch {
                rejected += 1
            }
        }
        #expect(rejected == 3000)

        // A well-formed opening of a 2^62-leaf tree: only the root comparison can fail.
        let deep = MerkleOpening(rows: [[1]], salts: [], nodes: Array(repeating: root, count: 62))
        #expect(throws: MerkleError.rootMismatch) {
            try deep.verify(root: root, leafCount: 1 << 62, width: 1, salted: false, indices: [(1 << 62) - 1])
        }
    }
}
