import AIR
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

    /// Interpolates each trace column and adds Z_H·r with a random r of degree < k (the values on the trace domain
    /// are unchanged, every revealed value elsewhere is masked). With `resident`, evaluates every column on the
    /// extended domain, one coset of the trace domain at a time; otherwise keeps the coefficients, and each pass
    /// computes the cosets it reads.
    func extend(_ columns: [[Fp]], resident: Bool = true, random: inout MaskRandomness) -> ExtendedColumns {
        let masks = columns.map { _ in (0..<shape.maskDegree).map { _ in Fp.random(using: &random) } }
        var coefficients = columns
        NTT.inverse(columns: &coefficients)
        for c in coefficients.indices { addMask(masks[c], to: &coefficients[c]) }
        let storage: ExtendedColumns.Storage =
            resident
            ? .resident(
                NTT.evaluateBitReversed(
                    columns: coefficients, on: extendedDomain, logCosetSize: shape.logTraceLength))
            : .recomputed(coefficients: coefficients, coset: CosetBuffer())
        return ExtendedColumns(
            storage: storage, masks: masks, domain: extendedDomain, logCosetSize: shape.logTraceLength)
    }

    /// Adds Z_H(X)·r(X) = X^n·r(X) − r(X) to the coefficients of a polynomial of degree < n.
    private func addMask(_ r: [Fp], to coefficients: inout [Fp]) {
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
    /// The out-of-domain values of `air`'s columns (main then auxiliary in `traces`, with their masks) at z and at
    /// each point below it in `shifted`, and of the composition segments at z.
    func outOfDomainValues(
        air: AIR, traces: [[Fp]], masks: [[Fp]], z: Fp, shifted: [StarkProtocol.ShiftedOpening], segments: [[Fp]]
    ) -> OutOfDomainValues {
        let mainCount = air.mainColumns.count
        let atZ = evaluate(traces: traces, masks: masks, indices: Array(traces.indices), at: z)
        let below = shifted.map { evaluate(traces: traces, masks: masks, indices: $0.columns, at: $0.point) }
        return OutOfDomainValues(
            main: Array(atZ[..<mainCount]), mainNext: zip(shifted, below).flatMap { o, v in v[..<o.main.count] },
            aux: Array(atZ[mainCount...]), auxNext: zip(shifted, below).flatMap { o, v in v[o.main.count...] },
            composition: segments.prefix(shape.segmentCount).map { Polynomial(coefficients: $0).evaluate(at: z) })
    }

    func evaluate(traces: [[Fp]], masks: [[Fp]], indices: [Int], at z: Fp) -> [Fp] {
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
                NTT.evaluateCoset(
                    c, columns: coefficients, on: extendedDomain, logCosetSize: shape.logTraceLength, into: cols)
                buffer.coset = c
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

    func commitSegments(_ columns: [[Fp]]) -> MerkleTree { commitRows(columns) }

    /// Leaves are salted with zero knowledge, so unopened rows cannot be tested by guessing.
    private var salts: MerkleTree.Salts { shape.parameters.zeroKnowledge ? .random : .none }

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
    ///     A(x) = Σ α_c t_c(x),  B_r(x) = Σ α'_{r,c} t_c(x) (the columns read r rows below),
    ///     (A(x) − A(z))/(x − z) + Σ_r (B_r(x) − B_r(zω^r))/(x − zω^r) + Σ α''_i (H_i(x) − H_i(z))/(x − z) + λ·R(x).
    ///
    /// A and the B_r are linear in the columns, so they are combined where the columns are cheapest, on the trace
    /// domain (n values each, masks combined alike), and only the combinations are extended: one transform for
    /// each opened row instead of a pass over every extended column. `shifted` lists the points below z and their
    /// columns (``StarkProtocol/shiftedOpenings(air:z:generator:)``): z·ω first.
    func deepComposition(
        traces: [[Fp]], masks: [[Fp]], composition: [[Fp]], ood: OutOfDomainValues,
        coefficients deep: StarkProtocol.DeepCoefficients, z: Fp, shifted: [StarkProtocol.ShiftedOpening]
    ) -> [Fp] {
        let n = shape.traceLength
        let count = shape.ldeSize
        let segmentCount = shape.segmentCount
        let weights = [deep.atZ] + shifted.map { $0.pick(deep.atZNext, mainCount: ood.mainNext.count) }
        let columnSets = [Array(traces.indices)] + shifted.map(\.columns)
        let combined = zip(columnSets, weights).map { columns, w in
            Self.combine(columns.map { traces[$0] }, weights: w, length: n)
        }
        let combinedMasks = zip(columnSets, weights).map { columns, w in
            Self.combine(columns.map { masks[$0] }, weights: w, length: shape.maskDegree)
        }
        var coefficients = combined
        NTT.inverse(columns: &coefficients)
        for i in coefficients.indices { addMask(combinedMasks[i], to: &coefficients[i]) }
        let extended = NTT.evaluateBitReversed(
            columns: coefficients, on: ldeDomain, logCosetSize: min(shape.logTraceLength, ldeDomain.logSize))

        // Each combination's value at its point: A(z) with the segments, then B_r(zω^r).
        var atPoints = [Fp](repeating: .zero, count: combined.count)
        for (c, v) in (ood.main + ood.aux).enumerated() { atPoints[0] += deep.atZ[c] * v }
        for (i, v) in ood.composition.enumerated() { atPoints[0] += deep.segments[i] * v }
        for (r, opening) in shifted.enumerated() {
            let values = opening.pick(main: ood.mainNext, aux: ood.auxNext)
            for (v, w) in zip(values, weights[r + 1]) { atPoints[r + 1] += w * v }
        }
        let points = [z] + shifted.map(\.point)
        let opened = points.count
        let valuesAtPoints = atPoints
        // The committed points in bit-reversed order, like the columns.
        var domainPoints = ldeDomain.elements
        NTT.permuteBitReversed(&domainPoints)
        var out = [Fp](repeating: .zero, count: count)
        out.withUnsafeMutableBufferPointer { result in
            nonisolated(unsafe) let result = result
            withUnsafeBuffers(extended + [domainPoints] + composition) { columns in
                nonisolated(unsafe) let combinations = Array(columns[..<opened])
                nonisolated(unsafe) let x = columns[opened]
                nonisolated(unsafe) let segments = Array(columns[(opened + 1)...])
                let block = min(1024, count)
                Parallel.forEachChunk(of: count / block) { blocks in
                    var denominators = [Fp](repeating: .zero, count: opened * block)
                    for k in blocks {
                        let first = k * block
                        for j in 0..<block {
                            for p in 0..<opened { denominators[opened * j + p] = x[first + j] - points[p] }
                        }
                        let inverses = Fp.batchInverse(denominators)
                        for j in 0..<block {
                            let i = first + j
                            var atX = combinations[0][i]
                            for s in 0..<segmentCount {
                                atX += deep.segments[s] * segments[s][i]
                            }
                            var value = (atX - valuesAtPoints[0]) * inverses[opened * j]
                            for p in 1..<opened {
                                value += (combinations[p][i] - valuesAtPoints[p]) * inverses[opened * j + p]
                            }
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
