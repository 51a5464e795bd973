import Field
import Hashing
import Proof

/// The prover's work on extended domains: masking, extension, commitments and the DEEP composition.
struct LowDegreeExtension {
    let shape: StarkShape
    /// g·⟨ω_M⟩ with M = max(N, E): every extended column is evaluated here once.
    let extendedDomain: Domain
    /// g·⟨ω_N⟩, the committed domain.
    let ldeDomain: Domain

    init(shape: StarkShape) {
        self.shape = shape
        extendedDomain = Domain(
            logSize: max(shape.ldeSize, shape.evaluationSize).trailingZeroBitCount, offset: shape.domainOffset)
        ldeDomain = Domain(logSize: shape.ldeSize.trailingZeroBitCount, offset: shape.domainOffset)
    }

    /// The bytes `count` columns take on the extended domain when every value is kept.
    func residentBytes(columns count: Int) -> Int { count * extendedDomain.size * Fp.byteCount }

    /// For `count` columns computed a coset at a time within `limit` bytes: how many leading columns of each coset
    /// to keep a copy of when the commitment computes it, in the room the coefficients and the one coset's buffer
    /// leave. Cosets 1, 2, … up to the last but one the composition polynomial is evaluated on come first to last:
    /// it reads them whole after coset 0, which the buffer keeps, and of the last only its first points.
    func sparePlan(columns count: Int, limit: Int) -> [Int: Int] {
        let n = shape.traceLength
        let perColumn = n * Fp.byteCount
        var room = limit - count * (n + shape.maskDegree) * Fp.byteCount - count * perColumn
        var plan: [Int: Int] = [:]
        for c in 1..<max(1, shape.evaluationSize / n - 1) where room >= perColumn {
            plan[c] = min(count, room / perColumn)
            room -= plan[c]! * perColumn
        }
        return plan
    }

    /// Interpolates each trace column and adds Z_H·r with a random r of degree < k (the values on the trace domain
    /// are unchanged, every revealed value elsewhere is masked). When every value fits in `memoryLimit` bytes,
    /// evaluates every column on the extended domain, one coset of the trace domain at a time; otherwise keeps the
    /// coefficients, and each pass computes the cosets it reads, with copies of what fits under the limit
    /// (``sparePlan(columns:limit:)``).
    func extend(_ columns: [[Fp]], memoryLimit: Int = .max, random: inout MaskRandomness) -> ExtendedColumns {
        let resident = residentBytes(columns: columns.count) <= memoryLimit
        let masks = columns.map { _ in (0..<shape.maskDegree).map { _ in Fp.random(using: &random) } }
        // Each column copied once, into room for its mask's k coefficients as well, then interpolated in place.
        var coefficients = [[Fp]](repeating: [], count: columns.count)
        let lde = self
        coefficients.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            Parallel.forEachChunk(of: columns.count, chunks: columns.count) { range in
                for c in range {
                    var polynomial = [Fp]()
                    polynomial.reserveCapacity(columns[c].count + masks[c].count)
                    polynomial += columns[c]
                    NTT.inverse(&polynomial)
                    lde.addMask(masks[c], to: &polynomial)
                    out[c] = polynomial
                }
            }
        }
        let storage: ExtendedColumns.Storage =
            resident
            ? .resident(
                NTT.evaluateBitReversed(
                    columns: coefficients, on: extendedDomain, logCosetSize: shape.logTraceLength))
            : .recomputed(
                coefficients: coefficients,
                coset: CosetBuffer(plan: sparePlan(columns: columns.count, limit: memoryLimit)))
        return ExtendedColumns(
            storage: storage, masks: masks, domain: extendedDomain, logCosetSize: shape.logTraceLength)
    }

    /// Adds Z_H(X)·r(X) = X^n·r(X) − r(X) to the coefficients of a polynomial of degree < n.
    func addMask(_ r: [Fp], to coefficients: inout [Fp]) {
        let n = shape.traceLength
        coefficients += [Fp](repeating: .zero, count: r.count)
        for j in r.indices {
            coefficients[j] -= r[j]
            coefficients[n + j] += r[j]
        }
    }

    /// The values at `z` (outside the trace domain) of the columns at `indices`, from their values on the trace
    /// domain H and their masks: a column is t(X) + Z_H(X)·r(X) with t of degree < n, so its value is t(z) by
    /// barycentric interpolation on H, t(z) = (z^n − 1)/n · Σ_i t(ω^i)·ω^i/(z − ω^i), plus (z^n − 1)·r(z).
    ///
    /// A column in `coefficientColumns` is given by its coefficients instead (mask included): its value is their
    /// polynomial's.
    func evaluate(
        traces: [[Fp]], masks: [[Fp]], indices: [Int], at z: Fp, coefficientColumns: Set<Int> = []
    ) -> [Fp] {
        let n = shape.traceLength
        let points = Domain(logSize: shape.logTraceLength).elements
        let inverses = Fp.batchInverse(points.map { z - $0 })
        let weights = (0..<n).map { points[$0] * inverses[$0] }
        let vanishing = z.power(UInt64(n)) - .one
        let factor = vanishing * Fp(UInt64(n)).inverse()
        var out = [Fp](repeating: .zero, count: indices.count)
        out.withUnsafeMutableBufferPointer { result in
            nonisolated(unsafe) let result = result
            Parallel.forEachChunk(of: indices.count) { range in
                for r in range {
                    let column = traces[indices[r]]
                    if coefficientColumns.contains(indices[r]) {
                        result[r] = Polynomial(coefficients: column).evaluate(at: z)
                        continue
                    }
                    var sum = Fp.zero
                    for i in 0..<n { sum += column[i] * weights[i] }
                    let mask = masks[indices[r]].reversed().reduce(Fp.zero) { $0 * z + $1 }
                    result[r] = factor * sum + vanishing * mask
                }
            }
        }
        return out
    }

    /// Commits to the columns on the committed domain: leaf p is entry p, the row at point g·ω_N^rev(p), so
    /// folding cosets are runs of adjacent leaves. The tree reads the columns in place, or, when they are not kept,
    /// one coset of the trace domain at a time as each is computed.
    func commit(_ columns: ExtendedColumns, salts given: MerkleTree.Salts? = nil) -> MerkleTree {
        let coefficients: [[Fp]]
        let buffer: CosetBuffer
        switch columns.storage {
        case .resident(let values): return commitRows(values, salts: given ?? salts)
        case .recomputed(let c, let b): (coefficients, buffer) = (c, b)
        }
        let n = shape.traceLength
        let width = columns.count
        nonisolated(unsafe) let cols = buffer.columns(count: width, length: n)
        // Last of all coset 0, which every composition class reads: the buffer keeps it for that pass.
        let cosets = shape.ldeSize / n
        return try! MerkleTree(
            leafCount: shape.ldeSize, width: width, salts: given ?? salts, segments: cosets, order: (0..<cosets).reversed(),
            prepare: { c in
                buffer.compute(c, from: coefficients, on: extendedDomain, logCosetSize: shape.logTraceLength)
            }
        ) { leaves, out in
            let first = leaves.lowerBound
            for c in 0..<width {
                let column = cols[c]
                for leaf in leaves { out[(leaf - first) * width + c] = column[leaf & (n - 1)] }
            }
        }
    }

    /// The composition segments (and masking polynomial) on the committed domain, in bit-reversed order.
    func evaluateSegments(_ segments: [[Fp]]) -> [[Fp]] {
        NTT.evaluateBitReversed(
            columns: segments, on: ldeDomain, logCosetSize: min(shape.logTraceLength, ldeDomain.logSize))
    }

    func commitSegments(_ columns: [[Fp]], salts: MerkleTree.Salts? = nil) -> MerkleTree {
        commitRows(columns, salts: salts)
    }

    /// Leaves are salted with zero knowledge, so unopened rows cannot be tested by guessing.
    var salts: MerkleTree.Salts { shape.parameters.zeroKnowledge ? .random : .none }
    /// The salts of a class of a mixed commitment (``MixedMerkleTree``): only the first, the tallest, needs them.
    /// A shorter class's leaf enters the tree only in an injected node over a node of the tallest class, so an
    /// unopened one is only ever sent inside a hash of salted leaves, never on its own (`docs/zero-knowledge.md`).
    func salts(tallest: Bool) -> MerkleTree.Salts { tallest ? salts : .none }

    /// Commits to the columns, or with a packer to their packed polynomials on the table's trace layer.
    func commit(_ columns: ExtendedColumns, packer: Packer?, salts given: MerkleTree.Salts? = nil) -> MerkleTree {
        guard let packer else { return commit(columns, salts: given) }
        return packer.commit(columns, lde: self, salts: given ?? salts)
    }

    /// Commits to several sets of one table's columns side by side, leaf p holding each set's row in turn, packed
    /// with `packer` when the table packs: how a batch proven alone commits its boundary columns with its main ones.
    /// Every set but the last must be kept whole; the last may be computed a coset at a time.
    func commit(joined parts: [ExtendedColumns], packer: Packer?, salts: MerkleTree.Salts) -> MerkleTree {
        let widths = parts.map { packer?.width($0.count) ?? $0.count }
        let width = widths.reduce(0, +)
        let offsets = widths.indices.map { widths[..<$0].reduce(0, +) }
        let counts = parts.map(\.count)
        let n = shape.traceLength
        let leafCount = shape.ldeSize << (packer?.logK ?? 0)
        var kept: [[Fp]] = []
        var computed: (coefficients: [[Fp]], buffer: CosetBuffer)?
        for (i, part) in parts.enumerated() {
            switch part.storage {
            case .resident(let values): kept += values
            case .recomputed(let coefficients, let buffer):
                precondition(i == parts.count - 1, "only the last set may be computed a coset at a time")
                computed = (coefficients, buffer)
            }
        }
        let cosets = computed == nil ? 1 : shape.ldeSize / n
        let lastComputed = computed != nil
        return withUnsafeBuffers(kept) { buffers in
            nonisolated(unsafe) let kept = buffers
            nonisolated(unsafe) let coset = computed.map { $0.buffer.columns(count: counts.last!, length: n) } ?? []
            // Each set's columns in place, for the packed rows.
            let starts = counts.indices.map { counts[..<$0].reduce(0, +) }
            nonisolated(unsafe) let pointers = counts.indices.map { i in
                lastComputed && i == counts.count - 1
                    ? coset.map { UnsafePointer($0) }
                    : (starts[i]..<starts[i] + counts[i]).map { UnsafePointer(kept[$0].baseAddress!) }
            }
            return try! MerkleTree(
                leafCount: leafCount, width: width, salts: salts, segments: cosets, order: (0..<cosets).reversed(),
                prepare: { c in
                    guard let computed else { return }
                    computed.buffer.compute(
                        c, from: computed.coefficients, on: extendedDomain, logCosetSize: shape.logTraceLength)
                }
            ) { leaves, out in
                for i in counts.indices {
                    // Column c of set i at position b of the columns' domain: kept, or in the coset being filled.
                    let mask = lastComputed && i == counts.count - 1 ? n - 1 : ~0
                    if let packer {
                        packer.rows(
                            leaves, columns: pointers[i], mask: mask, into: out, rowLength: width, offset: offsets[i])
                    } else {
                        for c in 0..<counts[i] {
                            for leaf in leaves {
                                out[(leaf - leaves.lowerBound) * width + offsets[i] + c] = pointers[i][c][leaf & mask]
                            }
                        }
                    }
                }
            }
        }
    }

    /// Row `leaf` of the committed columns, for openings.
    static func row(_ leaf: Int, of columns: [[Fp]]) -> [Fp] { columns.map { $0[leaf] } }

    private func commitRows(_ columns: [[Fp]], salts: MerkleTree.Salts? = nil) -> MerkleTree {
        let width = columns.count
        return withUnsafeBuffers(columns) { buffers in
            nonisolated(unsafe) let cols = buffers
            return try! MerkleTree(leafCount: shape.ldeSize, width: width, salts: salts ?? self.salts) { leaves, out in
                // Column by column over a run of leaves: each column is read sequentially.
                let first = leaves.lowerBound
                for c in 0..<width {
                    let column = cols[c]
                    for leaf in leaves { out[(leaf - first) * width + c] = column[leaf] }
                }
            }
        }
    }

    /// FRI layer 0 in bit-reversed order over the committed domain:
    ///
    ///     A(x) = Σ α_c t_c(x),  B(x) = Σ α'_c t_c(x) (the columns read on the next row),
    ///     (A(x) − A(z))/(x − z) + (B(x) − B(zω))/(x − zω) + Σ α''_i (H_i(x) − H_i(z))/(x − z) + λ·R(x).
    ///
    /// A and B are linear in the columns, so they are combined where the columns are cheapest, on the trace domain
    /// (n values each, masks combined alike), and only the two combinations are extended: two transforms instead
    /// of a pass over every extended column.
    func deepComposition(
        traces: [[Fp]], masks: [[Fp]], composition: [[Fp]], ood: OutOfDomainValues,
        coefficients deep: StarkProtocol.DeepCoefficients, z: Fp, zNext: Fp, nextRowColumns: [Int],
        coefficientColumns: Set<Int> = []
    ) -> [Fp] {
        let count = shape.ldeSize
        let segmentCount = shape.segmentCount
        let coefficients = [
            combinedPolynomial(
                Array(traces.indices), traces: traces, masks: masks, weights: deep.atZ,
                coefficientColumns: coefficientColumns),
            combinedPolynomial(
                nextRowColumns, traces: traces, masks: masks, weights: deep.atZNext,
                coefficientColumns: coefficientColumns),
        ]
        let extended = NTT.evaluateBitReversed(
            columns: coefficients, on: ldeDomain, logCosetSize: min(shape.logTraceLength, ldeDomain.logSize))

        var atZ = Fp.zero
        var atZNext = Fp.zero
        for (c, v) in (ood.main + ood.aux).enumerated() { atZ += deep.atZ[c] * v }
        for (c, v) in (ood.mainNext + ood.auxNext).enumerated() { atZNext += deep.atZNext[c] * v }
        for (i, v) in ood.composition.enumerated() { atZ += deep.segments[i] * v }
        let (combinedAtZ, combinedAtZNext) = (atZ, atZNext)
        // The committed points in bit-reversed order, like the columns.
        let points = committedPoints()
        var out = [Fp](repeating: .zero, count: count)
        out.withUnsafeMutableBufferPointer { result in
            nonisolated(unsafe) let result = result
            withUnsafeBuffers(extended + [points] + composition) { columns in
                nonisolated(unsafe) let (a, b, points) = (columns[0], columns[1], columns[2])
                nonisolated(unsafe) let segments = Array(columns[3...])
                let block = min(1024, count)
                Parallel.forEachChunk(of: count / block) { blocks in
                    var denominators = [Fp](repeating: .zero, count: 2 * block)
                    for k in blocks {
                        let first = k * block
                        for j in 0..<block {
                            denominators[2 * j] = points[first + j] - z
                            denominators[2 * j + 1] = points[first + j] - zNext
                        }
                        let inverses = Fp.batchInverse(denominators)
                        for j in 0..<block {
                            let i = first + j
                            var atX = a[i]
                            for s in 0..<segmentCount {
                                atX += deep.segments[s] * segments[s][i]
                            }
                            var value =
                                (atX - combinedAtZ) * inverses[2 * j] + (b[i] - combinedAtZNext) * inverses[2 * j + 1]
                            if segments.count > segmentCount {
                                value += deep.mask * segments[segmentCount][i]
                            }
                            result[i] = value
                        }
                    }
                }
            }
        }
        return out
    }

    /// The committed domain's points in bit-reversed order, the order of every committed column.
    func committedPoints() -> [Fp] {
        var points = ldeDomain.elements
        NTT.permuteBitReversed(&points)
        return points
    }

    /// The coefficients (n + k) of Σ_i w_i·f_(columns[i]), each column's polynomial its trace interpolant plus
    /// Z_H times its mask: the columns given by their trace values are combined there, interpolated once and their
    /// combined mask added; those in `coefficientColumns`, given by their coefficients, are added as they are.
    func combinedPolynomial(
        _ columns: [Int], traces: [[Fp]], masks: [[Fp]], weights: [Fp], coefficientColumns: Set<Int>
    ) -> [Fp] {
        let valued = columns.indices.filter { !coefficientColumns.contains(columns[$0]) }
        let given = columns.indices.filter { coefficientColumns.contains(columns[$0]) }
        var out = Self.combine(
            valued.map { traces[columns[$0]] }, weights: valued.map { weights[$0] }, length: shape.traceLength)
        NTT.inverse(&out, parallel: true)
        let mask = Self.combine(
            valued.map { masks[columns[$0]] }, weights: valued.map { weights[$0] }, length: shape.maskDegree)
        addMask(mask, to: &out)
        if !given.isEmpty {
            let sum = Self.combine(
                given.map { traces[columns[$0]] }, weights: given.map { weights[$0] }, length: out.count)
            for i in out.indices { out[i] += sum[i] }
        }
        return out
    }

    /// Σ weights[c]·columns[c], entry by entry, over the first `length` entries, spread over the cores.
    static func combine(_ columns: [[Fp]], weights: [Fp], length: Int) -> [Fp] {
        var out = [Fp](repeating: .zero, count: length)
        out.withUnsafeMutableBufferPointer { result in
            nonisolated(unsafe) let result = result
            withUnsafeBuffers(columns) { columns in
                nonisolated(unsafe) let columns = columns
                Parallel.forEachChunk(of: length, minimumChunk: 1 << 12) { range in
                    // Column by column over a block of entries, so each column is read sequentially.
                    for blockStart in stride(from: range.lowerBound, to: range.upperBound, by: 1024) {
                        let block = blockStart..<min(blockStart + 1024, range.upperBound)
                        for (c, column) in columns.enumerated() {
                            let w = weights[c]
                            for i in block { result[i] += w * column[i] }
                        }
                    }
                }
            }
        }
        return out
    }
}
