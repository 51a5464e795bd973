import AIR
import CPrefetch
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
        rowLength given: Int? = nil, offset: Int = 0, gap: Bool = true
    ) {
        guard k == 4, _gap == nil || !gap else {
            rows(leaves, count: columns.count, into: out, rowLength: given, offset: offset, gap: gap) { c, b in
                columns[c][b & mask]
            }
            return
        }
        let count = columns.count
        let width = width(count)
        let rowLength = given ?? width
        let xi = twiddles[1]
        // A call reads a few values of every column, and the next call the values after them: with a hundred
        // columns that is a hundred streams, more than the processor follows, so each read would wait on memory.
        // Each position asks for the column's value a call ahead instead.
        let ahead = max(1, leaves.count >> 2)
        columns.withUnsafeBufferPointer { columns in
            for b in (leaves.lowerBound >> 2)...((leaves.upperBound - 1) >> 2) {
                let x1 = starts[b]
                let x2 = x1.squared
                let x3 = x2 * x1
                let position = b & mask
                let next = (b + ahead) & mask
                for c in 0..<count { zkvm_prefetch(columns[c] + next) }
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
                    buffer.compute(
                        c, from: coefficients, on: lde.extendedDomain, logCosetSize: lde.shape.logTraceLength)
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
        let packer = self
        // A padded place reads zeros (or, for a test, the filler: ``BatchCheat/compositionGap``).
        let padding = [Fp](repeating: _compositionGap ?? .zero, count: places.contains(nil) ? lde.shape.ldeSize : 0)
        return withUnsafeBuffers(columns + [padding]) { buffers in
            nonisolated(unsafe) let pointers = places.map { UnsafePointer(buffers[$0 ?? columns.count].baseAddress!) }
            return try! MerkleTree(leafCount: lde.shape.ldeSize << logK, width: width(places.count), salts: salts) {
                leaves, out in
                packer.rows(leaves, columns: pointers, mask: ~0, into: out, gap: false)
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
    /// Σ_j X^j·H_(h·k + j)(X^k). Writing y = x^k it is Σ_j x^j·D_j(y) with
    ///
    ///     D_j = (A_j − a_j)/(Y − z) + (B_j − b_j)/(Y − z·ω) (+ λ·R_j),  A_j = Σ_g α_g·t_gj + Σ_h α''_h·H_(h·k + j),
    ///
    /// B_j the same over g', and a_j, b_j what they take at z and z·ω. Each D_j is formed on coefficients: the
    /// combinations (``LowDegreeExtension/combinedPolynomial(_:traces:masks:weights:coefficientColumns:)``), the
    /// segments' and the mask's coefficients added, each quotient by one division by a linear factor. Only the k
    /// D_j are extended, on the columns' own domain, and packed onto the trace layer. A combination that does not
    /// take its stated value (only a cheating prover's) leaves a remainder r, added as r/(y − z) point by point: the
    /// values are those of the quotient as written, pole included.
    ///
    /// `segments` are the segments' coefficients; `fri`, with the weight λ, the k parts R_j of the masking
    /// polynomial.
    func deepComposition(
        air: AIR, lde: LowDegreeExtension, traces: [[Fp]], masks: [[Fp]], segments: [[Fp]], ood: OutOfDomainValues,
        coefficients deep: StarkProtocol.DeepCoefficients, z: Fp, fri: (mask: Fp, parts: [[Fp]])?,
        coefficientColumns: Set<Int> = []
    ) -> [Fp] {
        let shape = lde.shape
        let size = shape.ldeSize
        let groups = air.committedGroups
        let next = air.committedNextRowGroups
        let zNext = z * shape.traceGenerator
        // a_j at z, then b_j at z·ω: what A_j and B_j must take there.
        let sums = StarkProtocol.packedOutOfDomainSums(air: air, ood: ood, coefficients: deep)
        let paddedCount = padded(segments.count)

        var quotients: [[Fp]] = []
        var remainders: [(atZ: Fp, atZNext: Fp)] = []
        for j in 0..<k {
            let members = groups.indices.filter { groups[$0].count > j }
            var a = lde.combinedPolynomial(
                members.map { groups[$0][j] }, traces: traces, masks: masks, weights: members.map { deep.atZ[$0] },
                coefficientColumns: coefficientColumns)
            for h in stride(from: j, to: segments.count, by: k) {
                Self.add(segments[h], times: deep.segments[h / k], to: &a)
            }
            if let filler = _compositionGap {
                for h in stride(from: j, to: paddedCount, by: k) where h >= segments.count {
                    a[0] += deep.segments[h / k] * filler
                }
            }
            let nextMembers = next.indices.filter { groups[next[$0]].count > j }
            var b = lde.combinedPolynomial(
                nextMembers.map { groups[next[$0]][j] }, traces: traces, masks: masks,
                weights: nextMembers.map { deep.atZNext[$0] }, coefficientColumns: coefficientColumns)
            a[0] -= sums.atZ[j]
            b[0] -= sums.atZNext[j]
            let (qa, ra) = Self.divideByLinear(a, root: z)
            let (qb, rb) = Self.divideByLinear(b, root: zNext)
            var d = qa
            Self.add(qb, times: .one, to: &d)
            if let fri { Self.add(fri.parts[j], times: fri.mask, to: &d) }
            quotients.append(d)
            remainders.append((ra, rb))
        }
        var extended = NTT.evaluateBitReversed(
            columns: quotients, on: lde.ldeDomain, logCosetSize: min(shape.logTraceLength, lde.ldeDomain.logSize))
        quotients = []
        if remainders.contains(where: { !$0.atZ.isZero || !$0.atZNext.isZero }) {
            let ys = lde.committedPoints()
            let toZ = Fp.batchInverse(ys.map { $0 - z })
            let toZNext = Fp.batchInverse(ys.map { $0 - zNext })
            for j in 0..<k {
                for b in 0..<size { extended[j][b] += remainders[j].atZ * toZ[b] + remainders[j].atZNext * toZNext[b] }
            }
        }
        // Σ_j x^j·D_j(x^k) on the trace layer: the D_j packed like one group of k columns.
        var out = [Fp](repeating: .zero, count: size << logK)
        let packer = self
        withUnsafeBuffers(extended) { columns in
            nonisolated(unsafe) let pointers = columns.map { UnsafePointer($0.baseAddress!) }
            out.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let result = buffer
                Parallel.forEachChunk(of: size, minimumChunk: 1 << 12) { range in
                    let leaves = (range.lowerBound << packer.logK)..<(range.upperBound << packer.logK)
                    packer.rows(
                        leaves, columns: pointers, mask: ~0, into: result.baseAddress! + leaves.lowerBound, gap: false)
                }
            }
        }
        return out
    }

    /// target += w·p, coefficient by coefficient, target lengthened with zeros to hold p.
    private static func add(_ p: [Fp], times w: Fp, to target: inout [Fp]) {
        if p.count > target.count { target += [Fp](repeating: .zero, count: p.count - target.count) }
        for (i, c) in p.enumerated() { target[i] += w * c }
    }

    /// (p(X) − p(r))/(X − r) and p(r): synthetic division, from the top coefficient down.
    static func divideByLinear(_ p: [Fp], root r: Fp) -> (quotient: [Fp], remainder: Fp) {
        guard p.count > 1 else { return ([], p.first ?? .zero) }
        var q = [Fp](repeating: .zero, count: p.count - 1)
        var carry = Fp.zero
        for i in stride(from: p.count - 1, through: 1, by: -1) {
            carry = p[i] + carry * r
            q[i - 1] = carry
        }
        return (q, p[0] + carry * r)
    }
}

/// Table t's packer, or nil for a table that does not pack.
func packer(_ t: Int, shape: BatchShape, lde: LowDegreeExtension) -> Packer? {
    let k = shape.packings[t]
    guard k > 1 else { return nil }
    return Packer(
        packing: k, lde: lde, offset: StarkProtocol.domainOffset.power(UInt64(1) << UInt64(shape.traceLayers[t])))
}
