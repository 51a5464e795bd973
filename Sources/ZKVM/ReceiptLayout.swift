import Field
import Hashing
import Proof

/// One part of an encoded receipt and its size, for seeing where the bytes go (`zkvm inspect`).
public struct ReceiptSection: Equatable, Sendable {
    /// What the bytes hold, for example "program image" or "FRI layer openings".
    public var name: String
    /// The number of bytes, length prefixes and flags included.
    public var byteCount: Int
}

extension Receipt {
    /// The encoded receipt split into its parts; the sizes add up to `encoded().count`.
    ///
    /// The envelope's parts come first, in file order (header with the image flag, program image or program id,
    /// journal, exit code), then the STARK proof's, grouped by kind: its header (the proof's length prefix, magic,
    /// version, parameters, circuit id, trace length and public inputs), the commitments (trace, auxiliary,
    /// composition and FRI layer roots), the out-of-domain values, the FRI remainder, the proof-of-work nonce, the
    /// trace and composition openings, and the FRI layer openings.
    public var sections: [ReceiptSection] {
        let element = Fp.byteCount
        let node = Digest.merkleByteCount
        func list(_ count: Int, _ size: Int) -> Int { 4 + count * size }
        func opening(_ o: MerkleOpening) -> Int {
            4 + o.rows.reduce(0) { $0 + list($1.count, element) } + list(o.salts.count, Salt.byteCount)
                + list(o.nodes.count, node)
        }
        let header = ReceiptFormat.magic.count + 2 + 1
        let program: ReceiptSection
        if let image = self.program {
            program = ReceiptSection(
                name: "program image", byteCount: 8 + image.segments.reduce(0) { $0 + 13 + $1.data.count })
        } else {
            program = ReceiptSection(name: "program id", byteCount: programID.bytes.count)
        }
        func mixed(_ o: MixedMerkleOpening) -> Int {
            4 + zip(o.rows, o.salts).reduce(0) { total, c in
                total + 4 + c.0.reduce(0) { $0 + list($1.count, element) } + list(c.1.count, Salt.byteCount)
            } + list(o.nodes.count, node)
        }
        // Each proof's parts, summed over the proofs (each has a 4-byte length in front).
        var proofHeader = 4
        var commitments = 0
        var outOfDomain = 0
        var remainder = 0
        var proofOfWork = 0
        var traceOpenings = 0
        var friOpenings = 0
        for proof in segmentProofs {
            proofHeader += 4 + BatchProof.magic.count + 2 + 6 + 4
            for part in proof.tables {
                let ood = part.outOfDomain
                proofHeader += Digest.byteCount + 1 + list(part.publicInputs.count, element)
                commitments += list(part.globalShares.count, element) + list(part.busShares.count, element)
                outOfDomain += [ood.main, ood.mainNext, ood.aux, ood.auxNext, ood.composition].reduce(0) {
                    $0 + list($1.count, element)
                }
            }
            commitments +=
                1 + (proof.boundaryRoot == nil ? 0 : node) + node + 1 + (proof.auxRoot == nil ? 0 : node) + node
                + list(proof.friRoots.count, node)
            remainder += list(proof.remainder.count, element)
            proofOfWork += 8
            traceOpenings +=
                1 + (proof.boundaryOpening.map(mixed) ?? 0) + mixed(proof.mainOpening) + 1
                + (proof.auxOpening.map(mixed) ?? 0) + mixed(proof.compositionOpening)
            friOpenings += 4 + proof.friOpenings.reduce(0) { $0 + opening($1) }
        }
        return [
            ReceiptSection(name: "receipt header", byteCount: header),
            program,
            ReceiptSection(name: "journal", byteCount: list(journal.count, 1)),
            ReceiptSection(name: "exit code", byteCount: 4),
            ReceiptSection(name: "proof headers", byteCount: proofHeader),
            ReceiptSection(name: "commitments", byteCount: commitments),
            ReceiptSection(name: "out-of-domain values", byteCount: outOfDomain),
            ReceiptSection(name: "FRI remainders", byteCount: remainder),
            ReceiptSection(name: "proofs of work", byteCount: proofOfWork),
            ReceiptSection(name: "trace openings", byteCount: traceOpenings),
            ReceiptSection(name: "FRI layer openings", byteCount: friOpenings),
        ]
    }
}

/// The openings of one commitment in one proof of a receipt, split by what the bytes hold: the opened values, the
/// rows' salts (zero knowledge) and the Merkle nodes that authenticate them.
public struct OpeningSizes: Equatable, Sendable {
    /// "segment 1" … "segment N" (the last also holds the memory's closing table).
    public var proof: String
    /// "boundary", "main", "auxiliary", "composition", or "FRI layer i" (0 is the DEEP composition).
    public var commitment: String
    /// The distinct rows opened (of the tallest table, for a commitment to several).
    public var rows: Int
    /// Field elements per opened row (of every table of the commitment together); for an FRI layer, the most any
    /// row sends, a coset less the values the verifier computes at the queried positions.
    public var width: Int
    /// Bytes of opened field elements, of salts, and of sibling nodes (length prefixes left out).
    public var valueBytes: Int
    public var saltBytes: Int
    public var nodeBytes: Int

    /// The bytes of the three together.
    public var total: Int { valueBytes + saltBytes + nodeBytes }
}

extension Receipt {
    /// Every opening of every proof, in the receipt's order: what a query costs, commitment by commitment, which
    /// `zkvm inspect --openings` prints. The length prefixes are left out: the sizes add up to the "trace openings"
    /// and "FRI layer openings" sections less 4 bytes per list and 1 per presence flag.
    public var openingSizes: [OpeningSizes] {
        var sizes: [OpeningSizes] = []
        for (k, proof) in segmentProofs.enumerated() {
            let name = "segment \(k + 1)"
            func add(_ commitment: String, _ o: MerkleOpening?) {
                guard let o else { return }
                sizes.append(
                    OpeningSizes(
                        proof: name, commitment: commitment, rows: o.rows.count, width: o.rows.map(\.count).max() ?? 0,
                        valueBytes: o.rows.reduce(0) { $0 + $1.count } * Fp.byteCount,
                        saltBytes: o.salts.count * Salt.byteCount, nodeBytes: o.nodes.count * Digest.merkleByteCount))
            }
            func add(_ commitment: String, _ o: MixedMerkleOpening?) {
                guard let o else { return }
                sizes.append(
                    OpeningSizes(
                        proof: name, commitment: commitment, rows: o.rows.first?.count ?? 0,
                        width: o.rows.reduce(0) { $0 + ($1.first?.count ?? 0) },
                        valueBytes: o.rows.joined().reduce(0) { $0 + $1.count } * Fp.byteCount,
                        saltBytes: o.salts.joined().count * Salt.byteCount,
                        nodeBytes: o.nodes.count * Digest.merkleByteCount))
            }
            add("boundary", proof.boundaryOpening)
            add("main", proof.mainOpening)
            add("auxiliary", proof.auxOpening)
            add("composition", proof.compositionOpening)
            for (i, layer) in proof.friOpenings.enumerated() { add("FRI layer \(i)", layer) }
        }
        return sizes
    }
}
