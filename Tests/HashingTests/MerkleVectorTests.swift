import Field
import Hashing
import Testing

/// `Vectors/merkle/merkle.txt`, computed in Python from the specification alone.
@Suite struct MerkleVectorTests {
    struct Opening {
        var indices: [Int]
        var nodes: [Digest]
    }

    struct Tree {
        var leafCount = 0
        var width = 0
        var salted = false
        var rows: [[Fp]] = []
        var salts: [Salt] = []
        var leaves: [Digest] = []
        var root = Digest.zero
        var openings: [Opening] = []
    }

    /// A Merkle digest as the file writes it, 26 bytes in hexadecimal; held as a digest whose last six bytes are 0.
    static func merkleDigest(_ hex: String) throws -> Digest {
        #expect(hex.count == 2 * Digest.merkleByteCount, "a Merkle digest is 26 bytes")
        let bytes = stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
        let digest = try Digest(merkleBytes: bytes)
        #expect(digest.isMerkleDigest)
        return digest
    }

    static func load() throws -> (trees: [Tree], header: String) {
        let file = try VectorFile("merkle/merkle.txt")
        var trees: [Tree] = []
        var current = Tree()
        for r in file.records {
            switch r[0] {
            case "tree":
                current = Tree(leafCount: Int(r[3])!, width: Int(r[5])!, salted: r[7] == "yes")
            case "row": current.rows.append(try r[2...].map { try Fp(decimal: $0) })
            case "salt": current.salts.append(try Salt(hex: r[2]))
            case "leaf": current.leaves.append(try merkleDigest(r[2]))
            case "root": current.root = try merkleDigest(r[1])
            case "open": current.openings.append(Opening(indices: r[1...].map { Int($0)! }, nodes: []))
            case "nodes":
                current.openings[current.openings.count - 1].nodes = try r[2...].map { try merkleDigest($0) }
                #expect(current.openings.last!.nodes.count == Int(r[1]))
            case "end": trees.append(current)
            default: Issue.record("unknown record \(r[0])")
            }
        }
        return (trees, file.declaredCount)
    }

    @Test func rootsLeavesAndOpeningsMatchPython() throws {
        let (trees, header) = try Self.load()
        let openingCount = trees.map(\.openings.count).reduce(0, +)
        #expect(header == "\(trees.count) trees, \(openingCount) openings")
        #expect(trees.count >= 6)
        for vector in trees {
            #expect(vector.rows.count == vector.leafCount)
            let tree = try MerkleTree(
                rows: vector.rows.flatMap { $0 }, width: vector.width,
                salts: vector.salted ? .explicit(vector.salts) : MerkleTree.Salts.none)
            #expect(tree.root == vector.root)
            #expect(tree.isSalted == vector.salted)
            let depth = vector.leafCount.trailingZeroBitCount
            for (i, leaf) in vector.leaves.enumerated() {
                #expect(tree.node(depth: depth, position: i) == leaf)
                #expect(MerkleTree.hashLeaf(vector.rows[i], salt: vector.salted ? vector.salts[i] : nil) == leaf)
            }
            for opening in vector.openings {
                let made = try tree.open(opening.indices)
                #expect(made.nodes == opening.nodes)
                let distinct = Array(Set(opening.indices)).sorted()
                #expect(made.rows == distinct.map { vector.rows[$0] })
                #expect(made.salts == (vector.salted ? distinct.map { vector.salts[$0] } : []))
                // The verifier reads only the Python nodes, the rows and the salts.
                let fromFile = MerkleOpening(rows: made.rows, salts: made.salts, nodes: opening.nodes)
                let rows = try fromFile.verify(
                    root: vector.root, leafCount: vector.leafCount, width: vector.width, salted: vector.salted,
                    indices: opening.indices)
                #expect(rows == opening.indices.map { vector.rows[$0] })
            }
        }
    }
}
