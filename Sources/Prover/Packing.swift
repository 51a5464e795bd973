import AIR
import Field
import Hashing
import Proof

/// The committed polynomials of a table that packs k columns into one (``AIR/packing``): each run of k columns
/// t_0 … t_(k−1) of a commitment as P(X) = Σ_j X^j·t_j(X^k), on the table's trace layer, k times the size of the
/// domain its columns are extended on.
///
/// Nothing here extends anything: the columns are extended on their own domain as for any table, and P's values are
/// computed from theirs. In bit-reversed order, the k points of the trace layer whose k-th power is the point at
/// position b of the columns' domain are positions b·k … b·k + k − 1, so P at position p reads the columns at
/// position p >> log₂ k.
struct Packer: Sendable {
    let k: Int
    let logK: Int
    /// x₀ of each run: the trace layer's point at position b·k, for b over the columns' domain. The run's other
    /// points are x₀·ξ^rev(i), so these are all the packing reads.
    let starts: [Fp]
    /// ξ^t for t < k/2, ξ the primitive k-th root of unity with x₀·ξ at leaf b·k + k/2.
    let twiddles: [Fp]
    /// Test only: ``BatchCheat/packedGap``.
    var _gap: Fp?
    /// Test only: ``BatchCheat/compositionGap``.
    var _compositionGap: Fp?

    /// The packing of a table whose columns are extended by `lde`, with its trace layer's domain offset.
    init(packing k: Int, lde: LowDegreeExtension, offset: Fp) {
        self.k = k
        logK = k.trailingZeroBitCount
        // Position b·k of the trace layer in bit-reversed order is its point of natural index rev(b) among the first
        // N/k, N/k the columns' domain's size; ξ = ω^(N/k) for the layer's generator ω.
        let layer = Domain(logSize: lde.ldeDomain.logSize + logK, offset: offset)
        var starts = [Fp](repeating: .zero, count: lde.ldeDomain.size)
        var x = offset
        for e in starts.indices {
            starts[e] = x
            x *= layer.generator
        }
        NTT.permuteBitReversed(&starts)
        self.starts = starts
        let xi = layer.generator.power(UInt64(lde.ldeDomain.size))
        twiddles = (0..<k / 2).reduce(into: [Fp]()) { list, t in list.append(t == 0 ? .one : list[t - 1] * xi) }
    }

    /// The committed width of `count` columns.
    func width(_ count: Int) -> Int { (count + k - 1) / k }

    /// `count` rounded up to whole groups of k.
    func padded(_ count: Int) -> Int { width(count) * k }

    /// The packed rows of leaves `leaves` into `out` (row after row, ``width(_:)`` values each, or at `offset` in
    /// rows of `rowLength` values), from `value(column, position)` of the columns.
    ///
    /// The k leaves b·k … b·k + k − 1 are the points x₀·ξ^rev(i) for the k-th root of unity ξ, so their values
    /// Σ_j (x₀·ξ^rev(i))^j·t_j are the discrete Fourier transform of (x₀^j·t_j)_j in bit-reversed order: one
    /// decimation-in-frequency transform of k values per group, about one multiplication a value.
    func rows(
        _ leaves: Range<Int>, count: Int, into out: UnsafeMutablePointer<Fp>, rowLength given: Int? = nil,
        offset: Int = 0, gap: Bool = true, value: (Int, Int) -> Fp
    ) {
        let width = width(count)
        let rowLength = given ?? width
        withUnsafeTemporaryAllocation(of: Fp.self, capacity: 2 * k) { scratch in
            let u = scratch.baseAddress!
            let powers = u + k
            for b in (leaves.lowerBound >> logK)...((leaves.upperBound - 1) >> logK) {
                let x0 = starts[b]
                powers[0] = .one
                for j in 1..<k { powers[j] = powers[j - 1] * x0 }
                for g in 0..<width {
                    let first = g * k
                    let length = min(k, count - first)
                    u[0] = value(first, b)
                    for j in 1..<k { u[j] = j < length ? powers[j] * value(first + j, b) : .zero }
                    if gap, let filler = _gap, length < k { u[length] = powers[length] * filler }
                    var half = k >> 1
                    while half >= 1 {
                        let step = k / (2 * half)
                        for start in stride(from: 0, to: k, by: 2 * half) {
                            for i in 0..<half {
                                let (a, c) = (u[start + i], u[start + i + half])
                                u[start + i] = a + c
                                u[start + i + half] = i == 0 ? a - c : (a - c) * twiddles[i * step]
                            }
                        }
                        half >>= 1
                    }
                    for i in 0..<k {
                        let p = (b << logK) + i
                        if leaves.contains(p) { out[(p - leaves.lowerBound) * rowLength + offset + g] = u[i] }
                    }
                }
            }
        }
    }

    /// ``rows(_:count:into:rowLength:offset:gap:value:)`` for columns read in place, column c at position b being
    /// `columns[c][b & mask]`: the form the commitments' hot loop takes. Four to a polynomial, the transform of each
    /// group is written out: (u₀ + u₂) ± (u₁ + u₃) and (u₀ − u₂) ± ξ·(u₁ − u₃) for u_j = x₀^j·t_j.
    func rows(
        _ leaves: Range<Int>, columns: [UnsafePointer<Fp>], mask: Int, into out: UnsafeMutablePointer<Fp>,
        rowLength given: Int? = nil, offset: Int = 0
    ) {
        guard k == 4, _gap == nil else {
            rows(leaves, count: columns.count, into: out, rowLength: given, offset: offset) { c, b in
                columns[c][b & mask]
            }
            return
        }
        let count = columns.count
        let width = width(count)
        let rowLength = given ?? width
        let xi = twiddles[1]
        columns.withUnsafeBufferPointer { columns in
            for b in (leaves.lowerBound >> 2)...((leaves.upperBound - 1) >> 2) {
                let x1 = starts[b]
                let x2 = x1.squared
                let x3 = x2 * x1
                let position = b & mask
                let first = b << 2
                let whole = first >= leaves.lowerBound && first + 4 <= leaves.upperBound
                var target = out + (first - leaves.lowerBound) * rowLength + offset
                for g in 0..<width {
                    let f = 4 * g
                    let u0 = columns[f][position]
                    let u1 = f + 1 < count ? x1 * columns[f + 1][position] : .zero
                    let u2 = f + 2 < count ? x2 * columns[f + 2][position] : .zero
                    let u3 = f + 3 < count ? x3 * columns[f + 3][position] : .zero
                    let (a, c) = (u0 + u2, u0 - u2)
                    let (d, e) = (u1 + u3, (u1 - u3) * xi)
                    if whole {
                        target[0] = a + d
                        target[rowLength] = a - d
                        target[2 * rowLength] = c + e
                        target[3 * rowLength] = c - e
                    } else {
                        for (i, v) in [a + d, a - d, c + e, c - e].enumerated() where leaves.contains(first + i) {
                            out[(first + i - leaves.lowerBound) * rowLength + offset + g] = v
                        }
                    }
                    target += 1
                }
            }
        }
    }

    /// Commits to the packed polynomials of `columns`: leaf p is P at the trace layer's point of position p.
    func commit(_ columns: ExtendedColumns, lde: LowDegreeExtension, salts: MerkleTree.Salts) -> MerkleTree {
        let count = columns.count
        let width = width(count)
        let leafCount = lde.shape.ldeSize << logK
        let packer = self
        switch columns.storage {
        case .resident(let values):
            return withUnsafeBuffers(values) { buffers in
                nonisolated(unsafe) let cols = buffers
                nonisolated(unsafe) let pointers = cols.map { UnsafePointer($0.baseAddress!) }
                return try! MerkleTree(leafCount: leafCount, width: width, salts: salts) { leaves, out in
                    packer.rows(leaves, columns: pointers, mask: ~0, into: out)
                }
            }
        case .recomputed(let coefficients, let buffer):
            // One coset of the columns' trace domain at a time: coset c feeds leaves c·k·n ..< (c + 1)·k·n.
            let n = lde.shape.traceLength
            nonisolated(unsafe) let cols = buffer.columns(count: count, length: n)
            nonisolated(unsafe) let pointers = cols.map { UnsafePointer($0) }
            let cosets = lde.shape.ldeSize / n
            return try! MerkleTree(
                leafCount: leafCount, width: width, salts: salts, segments: cosets, order: (0..<cosets).reversed(),
                prepare: { c in
                    NTT.evaluateCoset(
                        c, columns: coefficients, on: lde.extendedDomain, logCosetSize: lde.shape.logTraceLength,
                        into: cols)
                    buffer.coset = c
                }
            ) { leaves, out in
                packer.rows(leaves, columns: pointers, mask: n - 1, into: out)
            }
        }
    }

    /// Where each place of the composition commitment's groups reads from `columns` (a table's composition
    /// segments, then the parts of FRI's masking polynomial if it carries it): the segments k to a group, the last
    /// group's missing places zero (nil), then the mask's k parts as one group of their own, so that group is
    /// Σ_j X^j·R_j(X^k) = R(X) itself.
    func compositionPlaces(segmentCount: Int, columnCount: Int) -> [Int?] {
        (0..<padded(segmentCount)).map { $0 < segmentCount ? $0 : nil } + (segmentCount..<columnCount).map { $0 }
    }

    /// Commits to a table's composition polynomials on its trace layer: its segments and FRI's masking polynomial
    /// (``compositionPlaces(segmentCount:columnCount:)``), from their values on the columns' domain.
    func commitComposition(_ columns: [[Fp]], segmentCount: Int, lde: LowDegreeExtension, salts: MerkleTree.Salts)
        -> MerkleTree
    {
        let places = compositionPlaces(segmentCount: segmentCount, columnCount: columns.count)
        let filler = _compositionGap ?? .zero
        let packer = self
        return withUnsafeBuffers(columns) { buffers in
            nonisolated(unsafe) let cols = buffers
            return try! MerkleTree(leafCount: lde.shape.ldeSize << logK, width: width(places.count), salts: salts) {
                leaves, out in
                packer.rows(leaves, count: places.count, into: out, gap: false) { c, b in
                    places[c].map { cols[$0][b] } ?? filler
                }
            }
        }
    }

    /// The composition commitment's rows at trace-layer positions `positions`, for openings.
    func compositionRows(_ columns: [[Fp]], segmentCount: Int, at positions: [Int]) -> [Int: [Fp]] {
        let places = compositionPlaces(segmentCount: segmentCount, columnCount: columns.count)
        let filler = _compositionGap ?? .zero
        return rows(at: positions, count: places.count, gap: false) { c, b in
            places[c].map { columns[$0][b] } ?? filler
        }
    }

    /// The packed rows at trace-layer positions `positions`, for openings.
    func rows(_ columns: ExtendedColumns, at positions: [Int]) -> [Int: [Fp]] {
        let below = columns.rows(at: Array(Set(positions.map { $0 >> logK })).sorted())
        return rows(at: positions, count: columns.count, gap: true) { c, b in below[b]![c] }
    }

    /// The packed row at each of `positions` from `value(column, position)` of `count` columns.
    private func rows(at positions: [Int], count: Int, gap: Bool, value: (Int, Int) -> Fp) -> [Int: [Fp]] {
        var out: [Int: [Fp]] = [:]
        for p in positions {
            var row = [Fp](repeating: .zero, count: width(count))
            row.withUnsafeMutableBufferPointer { buffer in
                self.rows(p..<p + 1, count: count, into: buffer.baseAddress!, gap: gap, value: value)
            }
            out[p] = row
        }
        return out
    }

    /// The table's DEEP composition on its trace layer, in bit-reversed order:
    ///
    ///     Σ_g α_g·(P_g(x) − Σ_j x^j·t_gj(z))/(x^k − z) + Σ_g' α'_g·(P_g'(x) − Σ_j x^j·t_g'j(z·ω))/(x^k − z·ω)
    ///       + Σ_h α''_h·(Q_h(x) − Σ_j x^j·H_(h·k + j)(z))/(x^k − z)
    ///       (+ λ·R(x), FRI's masking polynomial, for the table that carries it)
    ///
    /// over the committed groups g, those read on the next row g', and the composition's groups h, Q_h(X) =
    /// Σ_j X^j·H_(h·k + j)(X^k). Writing y = x^k, the combinations are Σ_j x^j·A_j(y) with A_j = Σ_g α_g·t_gj, so each
    /// A_j is combined on the trace domain, extended on the columns' own domain, and the quotient taken there: 2k
    /// transforms of the columns' size, none of the trace layer's. The segments' values on that domain are at hand,
    /// so theirs is added to A_j there, under the same divisor.
    func deepComposition(
        air: AIR, lde: LowDegreeExtension, traces: [[Fp]], masks: [[Fp]], segments: [[Fp]], ood: OutOfDomainValues,
        coefficients deep: StarkProtocol.DeepCoefficients, z: Fp, fri: (mask: Fp, columns: [[Fp]])?,
        coefficientColumns: Set<Int> = []
    ) -> [Fp] {
        let shape = lde.shape
        let size = shape.ldeSize
        let groups = air.committedGroups
        let next = air.committedNextRowGroups
        let zNext = z * shape.traceGenerator
        // a_j at z, then b_j at z·ω: what A_j and B_j must take there.
        let sums = StarkProtocol.packedOutOfDomainSums(air: air, ood: ood, coefficients: deep)
        let filler = _compositionGap
        let paddedCount = padded(segments.count)
        let atPoints = sums.atZ + sums.atZNext

        // A_j and B_j as polynomials (``LowDegreeExtension/combinedPolynomial(_:traces:masks:weights:coefficientColumns:)``),
        // then extended.
        var combined: [(columns: [Int], weights: [Fp])] = []
        for j in 0..<k {
            let members = groups.indices.filter { groups[$0].count > j }
            combined.append((members.map { groups[$0][j] }, members.map { deep.atZ[$0] }))
        }
        for j in 0..<k {
            let members = next.indices.filter { groups[next[$0]].count > j }
            combined.append((members.map { groups[next[$0]][j] }, members.map { deep.atZNext[$0] }))
        }
        // In a closure of its own, so that the extended combinations are freed before the trace layer's values
        // are allocated.
        let quotients: [Fp] = {
            let coefficients = combined.map {
                lde.combinedPolynomial(
                    $0.columns, traces: traces, masks: masks, weights: $0.weights,
                    coefficientColumns: coefficientColumns)
            }
            let extended = NTT.evaluateBitReversed(
                columns: coefficients, on: lde.ldeDomain,
                logCosetSize: min(shape.logTraceLength, lde.ldeDomain.logSize))

            // D_j(y) = (A_j(y) − a_j)/(y − z) + (B_j(y) − b_j)/(y − z·ω) (+ λ·R_j(y)) on the columns' domain, stored
            // position-major: D_j at position b is entry b·k + j.
            let ys = lde.committedPoints()
            var quotients = [Fp](repeating: .zero, count: size * k)
            quotients.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let out = buffer
                Parallel.forEachChunk(of: size, minimumChunk: 1 << 12) { range in
                    let inverses = Fp.batchInverse(range.flatMap { [ys[$0] - z, ys[$0] - zNext] })
                    for b in range {
                        let toZ = inverses[2 * (b - range.lowerBound)]
                        let toZNext = inverses[2 * (b - range.lowerBound) + 1]
                        for j in 0..<k {
                            var atZ = extended[j][b]
                            for h in stride(from: j, to: segments.count, by: k) {
                                atZ += deep.segments[h / k] * segments[h][b]
                            }
                            if let filler {
                                for h in stride(from: j, to: paddedCount, by: k) where h >= segments.count {
                                    atZ += deep.segments[h / k] * filler
                                }
                            }
                            var value = (atZ - atPoints[j]) * toZ + (extended[k + j][b] - atPoints[k + j]) * toZNext
                            if let fri { value += fri.mask * fri.columns[j][b] }
                            out[b * k + j] = value
                        }
                    }
                }
            }
            return quotients
        }()
        // Σ_j x^j·D_j(x^k) on the trace layer: the D_j packed like one group of k columns.
        var out = [Fp](repeating: .zero, count: size << logK)
        let packer = self
        quotients.withUnsafeBufferPointer { quotients in
            nonisolated(unsafe) let quotients = quotients
            out.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let result = buffer
                Parallel.forEachChunk(of: size, minimumChunk: 1 << 12) { range in
                    let leaves = (range.lowerBound << packer.logK)..<(range.upperBound << packer.logK)
                    packer.rows(leaves, count: k, into: result.baseAddress! + leaves.lowerBound, gap: false) { j, b in
                        quotients[b * k + j]
                    }
                }
            }
        }
        return out
    }
}

/// Table t's packer, or nil for a table that does not pack.
func packer(_ t: Int, shape: BatchShape, lde: LowDegreeExtension) -> Packer? {
    let k = shape.packings[t]
    guard k > 1 else { return nil }
    return Packer(
        packing: k, lde: lde, offset: StarkProtocol.domainOffset.power(UInt64(1) << UInt64(shape.traceLayers[t])))
}
