import Synchronization

/// Number-theoretic transforms over power-of-two subgroups of F_p, and the low-degree extensions built on them.
///
/// Every transform takes and returns values in natural order: coefficient i of a polynomial, or its evaluation at
/// offset · ω^i. Internally a transform is a decimation-in-frequency pass followed by a bit-reversal permutation.
public enum NTT {
    /// Evaluates the polynomial with these coefficients (lowest degree first) on the subgroup of order
    /// `values.count`, in place. `values.count` must be a power of two.
    public static func forward(_ values: inout [Fp], parallel: Bool = false) {
        transform(&values, twiddles: Twiddles.forward(logSize: log2(values.count)), parallel: parallel)
    }

    /// Interpolates: turns evaluations on the subgroup of order `values.count` into coefficients, in place.
    public static func inverse(_ values: inout [Fp], parallel: Bool = false) {
        let log = log2(values.count)
        transform(&values, twiddles: Twiddles.inverse(logSize: log), parallel: parallel)
        scale(&values, by: Fp(UInt64(values.count)).inverse(), parallel: parallel)
    }

    /// Transforms each column on its own core: the batch form the prover uses for many trace columns.
    public static func forward(columns: inout [[Fp]]) {
        forEachColumn(&columns) { forward(&$0) }
    }

    /// Interpolates each column, spreading the columns over the cores.
    public static func inverse(columns: inout [[Fp]]) {
        forEachColumn(&columns) { inverse(&$0) }
    }

    /// Evaluates the polynomial with these coefficients on `domain` (a coset of a subgroup at least as large as the
    /// number of coefficients).
    public static func evaluate(coefficients: [Fp], on domain: Domain, parallel: Bool = false) -> [Fp] {
        precondition(coefficients.count <= domain.size, "more coefficients than domain points")
        var values = [Fp](repeating: .zero, count: domain.size)
        // p(offset·x) has coefficients c_i·offset^i: shift, then evaluate on the subgroup.
        var shift = Fp.one
        for (i, c) in coefficients.enumerated() {
            values[i] = c * shift
            shift *= domain.offset
        }
        forward(&values, parallel: parallel)
        return values
    }

    /// Swaps natural and bit-reversed order, in place (the permutation is its own inverse).
    public static func permuteBitReversed(_ values: inout [Fp]) {
        let n = values.count
        _ = log2(n)
        values.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let a = buffer.baseAddress!
            Parallel.forEachChunk(of: n, minimumChunk: 1 << 12) { range in bitReverse(a, count: n, range: range) }
        }
    }

    /// Evaluates each polynomial (coefficients lowest degree first, any number of them) on `domain`, returning the
    /// values in bit-reversed order: entry p of a result is the value at offset·ω^rev(p).
    ///
    /// The work goes one coset of the subgroup of order m = 2^`logCosetSize` at a time: the result's entries
    /// [c·m, (c + 1)·m) are the coset s_c·⟨ω_m⟩ with s_c = offset·ω^rev(c), each a transform of size m of the
    /// coefficients scaled by s_c^i and folded modulo X^m − 1. So the first M' entries are always the subdomain
    /// offset·⟨ω_M'⟩, and no transform is larger than m, however large the domain.
    public static func evaluateBitReversed(columns: [[Fp]], on domain: Domain, logCosetSize: Int) -> [[Fp]] {
        precondition(logCosetSize <= domain.logSize, "a coset larger than the domain")
        let m = 1 << logCosetSize
        let cosets = domain.size / m
        let length = columns.map(\.count).max() ?? 0
        // powers[c·length + i] = s_c^i, shared by every column.
        var powers = [Fp](repeating: .zero, count: cosets * length)
        powers.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer.baseAddress!
            Parallel.forEachChunk(of: cosets, chunks: cosets) { range in
                for c in range {
                    writePowers(of: cosetShift(c, cosets: cosets, of: domain), count: length, to: out + c * length)
                }
            }
        }
        let twiddles = Twiddles.forward(logSize: logCosetSize)
        return columns.map { coefficients in
            [Fp](unsafeUninitializedCapacity: domain.size) { buffer, count in
                nonisolated(unsafe) let out = buffer.baseAddress!
                powers.withUnsafeBufferPointer { p in
                    coefficients.withUnsafeBufferPointer { a in
                        twiddles.withUnsafeBufferPointer { tw in
                            nonisolated(unsafe) let p = p.baseAddress!
                            nonisolated(unsafe) let a = a
                            nonisolated(unsafe) let tw = tw.baseAddress!
                            Parallel.forEachChunk(of: cosets, chunks: cosets) { range in
                                for c in range {
                                    let block = out + c * m
                                    scaleAndFold(a, powers: p + c * length, into: block, count: m)
                                    transform(block, count: m, twiddles: tw, threads: 1, permute: false)
                                }
                            }
                        }
                    }
                }
                count = domain.size
            }
        }
    }

    /// Entries [c·m, (c + 1)·m) of ``evaluateBitReversed(columns:on:logCosetSize:)``, coset c alone, written to
    /// `outputs[i]` for column i (m = 2^`logCosetSize` entries each). The columns are spread over the cores: the
    /// form for a prover that keeps one coset at a time.
    public static func evaluateCoset(
        _ c: Int, columns: [[Fp]], on domain: Domain, logCosetSize: Int, into outputs: [UnsafeMutablePointer<Fp>]
    ) {
        precondition(logCosetSize <= domain.logSize, "a coset larger than the domain")
        precondition(outputs.count == columns.count, "one output per column")
        let m = 1 << logCosetSize
        let cosets = domain.size / m
        precondition(c >= 0 && c < cosets, "coset \(c) of \(cosets)")
        let length = columns.map(\.count).max() ?? 0
        var powers = [Fp](repeating: .zero, count: length)
        powers.withUnsafeMutableBufferPointer {
            writePowers(of: cosetShift(c, cosets: cosets, of: domain), count: length, to: $0.baseAddress!)
        }
        let twiddles = Twiddles.forward(logSize: logCosetSize)
        withUnsafeBuffers(columns) { columns in
            powers.withUnsafeBufferPointer { p in
                twiddles.withUnsafeBufferPointer { tw in
                    nonisolated(unsafe) let (columns, p, tw, outputs) = (
                        columns, p.baseAddress!, tw.baseAddress!, outputs
                    )
                    Parallel.forEachChunk(of: columns.count, chunks: columns.count) { range in
                        for i in range {
                            scaleAndFold(columns[i], powers: p, into: outputs[i], count: m)
                            transform(outputs[i], count: m, twiddles: tw, threads: 1, permute: false)
                        }
                    }
                }
            }
        }
    }

    /// Entries `positions` of ``evaluateBitReversed(columns:on:logCosetSize:)``: `result[i][j]` is column i's entry
    /// at `positions[j]`. Each transform is pruned to the outputs asked for (a decimation-in-frequency block is
    /// computed only if one of them lies in it), so a few dozen positions per coset cost well under a full
    /// extension: what a prover that does not keep its extended columns pays to open rows.
    public static func evaluateBitReversed(
        columns: [[Fp]], on domain: Domain, logCosetSize: Int, at positions: [Int]
    ) -> [[Fp]] {
        precondition(logCosetSize <= domain.logSize, "a coset larger than the domain")
        precondition(positions.allSatisfy { $0 >= 0 && $0 < domain.size }, "a position outside the domain")
        let m = 1 << logCosetSize
        let cosets = domain.size / m
        let length = columns.map(\.count).max() ?? 0
        let twiddles = Twiddles.forward(logSize: logCosetSize)
        var result = columns.map { _ in [Fp](repeating: .zero, count: positions.count) }
        // Positions by coset, each coset's local offsets sorted, with where each answer goes.
        let byCoset = Dictionary(grouping: positions.indices, by: { positions[$0] / m })
        for (c, indices) in byCoset.sorted(by: { $0.key < $1.key }) {
            let local = Array(Set(indices.map { positions[$0] % m })).sorted()
            var powers = [Fp](repeating: .zero, count: length)
            powers.withUnsafeMutableBufferPointer {
                writePowers(of: cosetShift(c, cosets: cosets, of: domain), count: length, to: $0.baseAddress!)
            }
            result.withUnsafeMutableBufferPointer { result in
                withUnsafeBuffers(columns) { columns in
                    powers.withUnsafeBufferPointer { p in
                        twiddles.withUnsafeBufferPointer { tw in
                            nonisolated(unsafe) let (columns, p, tw, result) =
                                (columns, p.baseAddress!, tw.baseAddress!, result)
                            // A few columns to a chunk: each chunk's block is fresh memory, which the system
                            // must map and clear before the first write.
                            let chunks = (columns.count + 7) / 8
                            Parallel.forEachChunk(of: columns.count, chunks: chunks) { range in
                                let block = UnsafeMutablePointer<Fp>.allocate(capacity: m)
                                defer { block.deallocate() }
                                for i in range {
                                    scaleAndFold(columns[i], powers: p, into: block, count: m)
                                    prunedTransform(block, count: m, twiddles: tw, needed: local[...])
                                    for j in indices { result[i][j] = Fp.reducedBelowP(block[positions[j] % m]) }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The coefficients (r·m of them, m = 2^`logCosetSize`) of the polynomial of degree < r·m whose values on the
    /// first r cosets of `domain` are `values`, laid out as ``evaluateBitReversed(columns:on:logCosetSize:)`` lays
    /// them out: the inverse of that evaluation restricted to r cosets, for any r up to the domain's coset count.
    ///
    /// Coset c is s_c·⟨ω_m⟩, so its values fix f mod (X^m − s_c^m): one inverse transform of size m, the
    /// coefficients scaled by s_c^−i. The remainders are joined by the Chinese remainder theorem in Y = X^m,
    /// f = Σ_c r_c(X)·L_c(X^m) with L_c the Lagrange basis over the points s_c^m, which are distinct.
    public static func interpolateBitReversed(
        _ values: [Fp], cosets r: Int, on domain: Domain, logCosetSize: Int, parallel: Bool = false
    ) -> [Fp] {
        let m = 1 << logCosetSize
        let cosets = domain.size / m
        precondition(r >= 1 && r <= cosets, "\(r) cosets of \(cosets)")
        precondition(values.count == r * m, "one value per point of the first \(r) cosets")
        let shifts = (0..<r).map { cosetShift($0, cosets: cosets, of: domain) }
        // r_c(X) = f mod (X^m − s_c^m).
        var remainders = (0..<r).map { c in Array(values[c * m..<(c + 1) * m]) }
        let work: @Sendable (inout [Fp], Fp) -> Void = { remainder, shift in
            permuteBitReversed(&remainder)
            inverse(&remainder, parallel: parallel && r == 1)
            let inverseShift = shift.inverse()
            var power = Fp.one
            for i in remainder.indices {
                remainder[i] *= power
                power *= inverseShift
            }
        }
        remainders.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress!
            Parallel.forEachChunk(of: r, chunks: parallel ? r : 1) { range in
                for c in range { work(&base[c], shifts[c]) }
            }
        }
        if r == 1 { return remainders[0] }
        // L_c(Y) = Π_(d≠c) (Y − a_d)/(a_c − a_d), coefficients lowest first.
        let points = shifts.map { $0.power(UInt64(m)) }
        let basis = (0..<r).map { c -> [Fp] in
            var polynomial: [Fp] = [.one]
            var denominator = Fp.one
            for d in 0..<r where d != c {
                // polynomial *= (Y − a_d)
                var next = [Fp](repeating: .zero, count: polynomial.count + 1)
                for (t, coefficient) in polynomial.enumerated() {
                    next[t + 1] += coefficient
                    next[t] -= coefficient * points[d]
                }
                polynomial = next
                denominator *= points[c] - points[d]
            }
            let inverse = denominator.inverse()
            return polynomial.map { $0 * inverse }
        }
        var out = [Fp](repeating: .zero, count: r * m)
        out.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer.baseAddress!
            withUnsafeBuffers(remainders) { remainders in
                nonisolated(unsafe) let remainders = remainders
                Parallel.forEachChunk(of: m, chunks: parallel ? Parallel.coreCount : 1, minimumChunk: 1 << 12) {
                    range in
                    for t in 0..<r {
                        for i in range {
                            var sum = Fp.zero
                            for c in 0..<r { sum += basis[c][t] * remainders[c][i] }
                            out[t * m + i] = sum
                        }
                    }
                }
            }
        }
        return out
    }

    /// The coefficients of the polynomial f of degree < (r − 1)·m + `lastPoints` whose values are `values`: on the
    /// first r − 1 cosets of `domain` in the layout of ``evaluateBitReversed(columns:on:logCosetSize:)``, then on
    /// the first `lastPoints` entries of coset r − 1. With `lastPoints` = m it is
    /// ``interpolateBitReversed(_:cosets:on:logCosetSize:parallel:)``.
    ///
    /// The first ℓ entries of coset c (ℓ a power of two dividing m) are the points s_c·⟨ω_ℓ⟩ in bit-reversed
    /// order, on which X^m is the constant a = s_c^m. With P the interpolant on the first r − 1 cosets and M(X) =
    /// Π_(c < r − 1) (X^m − a_c), f = P + M·T for a T of degree < ℓ, and M is the constant Π (a − a_c) on those
    /// points: T is interpolated from (f − P)/M there, one transform of size ℓ.
    public static func interpolateBitReversed(
        _ values: [Fp], cosets r: Int, lastPoints: Int, on domain: Domain, logCosetSize: Int, parallel: Bool = false
    ) -> [Fp] {
        let m = 1 << logCosetSize
        let l = lastPoints
        precondition(l >= 1 && l <= m && l & (l - 1) == 0, "the last coset's points are a power of two up to \(m)")
        if l == m {
            return interpolateBitReversed(
                values, cosets: r, on: domain, logCosetSize: logCosetSize, parallel: parallel)
        }
        precondition(r >= 1 && r <= domain.size / m, "\(r) cosets of \(domain.size / m)")
        precondition(values.count == (r - 1) * m + l, "one value per point of the first cosets and the last points")
        let full = (r - 1) * m
        let head =
            r > 1
            ? interpolateBitReversed(
                Array(values[..<full]), cosets: r - 1, on: domain, logCosetSize: logCosetSize, parallel: parallel)
            : []
        let cosets = domain.size / m
        let shift = cosetShift(r - 1, cosets: cosets, of: domain)
        let a = shift.power(UInt64(m))
        let earlier = (0..<(r - 1)).map { cosetShift($0, cosets: cosets, of: domain).power(UInt64(m)) }
        let inverseM = earlier.reduce(Fp.one) { $0 * (a - $1) }.inverse()
        let headValues =
            r > 1 ? evaluateBitReversed(columns: [head], shift: shift, logSize: l.trailingZeroBitCount)[0] : []
        var tail = (0..<l).map { j in (values[full + j] - (r > 1 ? headValues[j] : .zero)) * inverseM }
        // T(shift·Y) on ⟨ω_l⟩ in bit-reversed order: to natural order, interpolate, undo the shift.
        permuteBitReversed(&tail)
        inverse(&tail)
        let inverseShift = shift.inverse()
        var power = Fp.one
        for i in tail.indices {
            tail[i] *= power
            power *= inverseShift
        }
        // M(X) = Σ_e μ_e·X^(e·m): the coefficients of Π (Y − a_c), lowest first.
        var mu: [Fp] = [.one]
        for ac in earlier {
            var next = [Fp](repeating: .zero, count: mu.count + 1)
            for (e, coefficient) in mu.enumerated() {
                next[e + 1] += coefficient
                next[e] -= coefficient * ac
            }
            mu = next
        }
        var out = head + [Fp](repeating: .zero, count: l)
        for (e, coefficient) in mu.enumerated() {
            for i in 0..<l { out[e * m + i] += coefficient * tail[i] }
        }
        return out
    }

    /// Each polynomial's values on shift·⟨ω_ℓ⟩, ℓ = 2^`logSize`, in bit-reversed order (entry j at
    /// shift·ω_ℓ^rev(j)), whatever its number of coefficients: one fold and one transform of size ℓ, spread over the
    /// cores by column.
    public static func evaluateBitReversed(columns: [[Fp]], shift: Fp, logSize: Int) -> [[Fp]] {
        let l = 1 << logSize
        let length = columns.map(\.count).max() ?? 0
        var powers = [Fp](repeating: .zero, count: length)
        powers.withUnsafeMutableBufferPointer { writePowers(of: shift, count: length, to: $0.baseAddress!) }
        let twiddles = Twiddles.forward(logSize: logSize)
        var out = columns.map { _ in [Fp](repeating: .zero, count: l) }
        out.withUnsafeMutableBufferPointer { results in
            withUnsafeBuffers(columns) { columns in
                powers.withUnsafeBufferPointer { p in
                    twiddles.withUnsafeBufferPointer { tw in
                        nonisolated(unsafe) let (columns, p, tw, results) = (
                            columns, p.baseAddress!, tw.baseAddress!, results
                        )
                        Parallel.forEachChunk(of: columns.count, minimumChunk: 4) { range in
                            for i in range {
                                results[i].withUnsafeMutableBufferPointer { block in
                                    scaleAndFold(columns[i], powers: p, into: block.baseAddress!, count: l)
                                    transform(block.baseAddress!, count: l, twiddles: tw, threads: 1, permute: false)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// s_c = offset·ω^rev(c), the shift of coset c of `domain` (in the bit-reversed coset order).
    public static func cosetShift(_ c: Int, cosets: Int, of domain: Domain) -> Fp {
        domain.offset * domain.generator.power(UInt64(reverseBits(c, width: log2(cosets))))
    }

    private static func writePowers(of x: Fp, count: Int, to out: UnsafeMutablePointer<Fp>) {
        var power = Fp.one
        for i in 0..<count {
            out[i] = power
            power *= x
        }
    }

    /// block[i] = Σ_(j ≡ i mod m) a[j]·s^j: the coefficients of p(s·X) folded modulo X^m − 1, whose transform of
    /// size m is p on s·⟨ω_m⟩.
    @inline(__always)
    private static func scaleAndFold(
        _ a: UnsafeBufferPointer<Fp>, powers s: UnsafePointer<Fp>, into block: UnsafeMutablePointer<Fp>, count m: Int
    ) {
        let head = min(m, a.count)
        for i in 0..<head { block[i] = a[i] * s[i] }
        for i in head..<m { block[i] = .zero }
        var i = m
        while i < a.count {
            block[i & (m - 1)] += a[i] * s[i]
            i += 1
        }
    }

    /// The decimation-in-frequency transform of `transform(_:count:twiddles:threads:permute:)` (output in
    /// bit-reversed order), computing only the blocks that hold a `needed` position (sorted, relative to `a`).
    /// Other entries are left meaningless, and the needed ones below 2p (`Fp.reducedBelowP` finishes them). Two
    /// stages go at once while all four quarters are needed; blocks that are mostly needed run the full kernel.
    private static func prunedTransform(
        _ a: UnsafeMutablePointer<Fp>, count n: Int, twiddles w: UnsafePointer<Fp>, needed: ArraySlice<Int>
    ) {
        guard !needed.isEmpty, n > 1 else { return }
        if needed.count * 16 >= n {
            transform(a, count: n, twiddles: w, threads: 1, permute: false)
            return
        }
        let half = n >> 1
        let quarter = n >> 2
        let splits = [quarter, half, half + quarter].map { bound in
            needed.firstIndex { $0 >= bound } ?? needed.endIndex
        }
        let parts = [
            needed[..<splits[0]], needed[splits[0]..<splits[1]], needed[splits[1]..<splits[2]],
            needed[splits[2]...],
        ]
        if quarter >= 1 && parts.allSatisfy({ !$0.isEmpty }) {
            twoStages(a, half: half, twiddles: w, range: 0..<quarter)
            for (k, part) in parts.enumerated() {
                prunedTransform(
                    a + k * quarter, count: quarter, twiddles: w, needed: part.map { $0 - k * quarter }[...])
            }
            return
        }
        butterflies(a, half: half, twiddles: w + half, range: 0..<half)
        prunedTransform(a, count: half, twiddles: w, needed: needed[..<splits[1]])
        prunedTransform(a + half, count: half, twiddles: w, needed: needed[splits[1]...].map { $0 - half }[...])
    }

    /// The coefficients of the polynomial of degree < domain.size taking `evaluations` on `domain`.
    public static func interpolate(evaluations: [Fp], on domain: Domain, parallel: Bool = false) -> [Fp] {
        precondition(evaluations.count == domain.size, "one evaluation per domain point")
        var values = evaluations
        inverse(&values, parallel: parallel)
        if domain.offset != .one {
            let inverseOffset = domain.offset.inverse()
            var shift = Fp.one
            for i in values.indices {
                values[i] *= shift
                shift *= inverseOffset
            }
        }
        return values
    }

    /// The low-degree extension of a column: interpolate it on its subgroup of order n, evaluate on the coset
    /// `offset · ⟨ω_{n·blowup}⟩`.
    public static func lowDegreeExtension(
        _ evaluations: [Fp], blowup: Int, offset: Fp, parallel: Bool = false
    ) -> [Fp] {
        precondition(blowup >= 1 && blowup & (blowup - 1) == 0, "blowup must be a power of two")
        var coefficients = evaluations
        inverse(&coefficients, parallel: parallel)
        let target = Domain(logSize: log2(evaluations.count * blowup), offset: offset)
        return evaluate(coefficients: coefficients, on: target, parallel: parallel)
    }

    /// The low-degree extensions of many columns, spread over the cores.
    public static func lowDegreeExtension(columns: [[Fp]], blowup: Int, offset: Fp) -> [[Fp]] {
        var out = columns
        forEachColumn(&out) { $0 = lowDegreeExtension($0, blowup: blowup, offset: offset) }
        return out
    }

    // MARK: - Kernel

    static func log2(_ n: Int) -> Int {
        precondition(n > 0 && n & (n - 1) == 0, "NTT size \(n) is not a power of two")
        return n.trailingZeroBitCount
    }

    private static func forEachColumn(_ columns: inout [[Fp]], _ body: @Sendable (inout [Fp]) -> Void) {
        let count = columns.count
        columns.withUnsafeMutableBufferPointer { cols in
            // One column per iteration: columns are independent, so no two threads touch the same array.
            nonisolated(unsafe) let base = cols.baseAddress!
            Parallel.forEachChunk(of: count, chunks: count) { range in
                for c in range { body(&base[c]) }
            }
        }
    }

    private static func scale(_ values: inout [Fp], by factor: Fp, parallel: Bool) {
        let n = values.count
        values.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let a = buffer.baseAddress!
            Parallel.forEachChunk(of: n, chunks: parallel ? Parallel.coreCount : 1, minimumChunk: 1 << 12) { r in
                for i in r { a[i] *= factor }
            }
        }
    }

    /// Elements per cache block: 2^14 of 32 bytes is 512 KiB, well inside this machine's 1 MiB of L2 per core.
    static let cacheBlock = 1 << 14

    /// Decimation in frequency (natural order in, bit-reversed out), then bit reversal.
    private static func transform(_ values: inout [Fp], twiddles: [Fp], parallel: Bool) {
        let n = values.count
        let threads = parallel && n >= 1 << 12 ? Parallel.coreCount : 1
        values.withUnsafeMutableBufferPointer { buffer in
            twiddles.withUnsafeBufferPointer { tw in
                transform(buffer.baseAddress!, count: n, twiddles: tw.baseAddress!, threads: threads, permute: true)
            }
        }
    }

    /// The kernel on `n` elements at `a`: decimation in frequency, leaving the values in bit-reversed order unless
    /// `permute` asks for the final bit reversal.
    ///
    /// The wide stages sweep the whole array; once a stage's butterflies stay inside one cache block, every
    /// remaining stage of that block runs before the next block is touched, so a 2^20 transform makes 7 passes over
    /// memory instead of 20.
    static func transform(
        _ a: UnsafeMutablePointer<Fp>, count n: Int, twiddles w: UnsafePointer<Fp>, threads: Int, permute: Bool
    ) {
        guard n > 1 else { return }
        nonisolated(unsafe) let a = a
        nonisolated(unsafe) let w = w
        var half = n >> 1
        // Wide stages, two at a time where possible: each element is loaded and stored once per pair.
        while 2 * half > cacheBlock {
            let stageHalf = half
            if half / 2 >= 1 && half > cacheBlock {
                Parallel.forEachChunk(of: n >> 2, chunks: threads) { range in
                    twoStages(a, half: stageHalf, twiddles: w, range: range)
                }
                half >>= 2
            } else {
                // Butterfly k pairs a[s+j] and a[s+j+half], s = (k / half)·2·half, j = k % half.
                Parallel.forEachChunk(of: n >> 1, chunks: threads) { range in
                    butterflies(a, half: stageHalf, twiddles: w + stageHalf, range: range)
                }
                half >>= 1
            }
        }
        let block = 2 * half
        let firstLocalHalf = half
        Parallel.forEachChunk(of: n / block, chunks: threads) { blocks in
            for b in blocks {
                var h = firstLocalHalf
                while h >= 2 {
                    twoStages(a, half: h, twiddles: w, range: b * block / 4..<(b + 1) * block / 4)
                    h >>= 2
                }
                if h == 1 {
                    butterflies(a, half: 1, twiddles: w + 1, range: b * block / 2..<(b + 1) * block / 2)
                }
                // The butterflies leave values below 2p; reduce the block while it is in cache.
                for i in b * block..<(b + 1) * block { a[i] = Fp.reducedBelowP(a[i]) }
            }
        }
        if permute {
            Parallel.forEachChunk(of: n, chunks: threads) { range in bitReverse(a, count: n, range: range) }
        }
    }

    /// The stages of width `half` and `half/2` in one sweep. Unit k (of n/4) owns the four elements
    /// s+j, s+j+q, s+j+2q, s+j+3q with q = half/2, s = (k / q)·4q, j = k % q.
    @inline(__always)
    private static func twoStages(
        _ a: UnsafeMutablePointer<Fp>, half: Int, twiddles w: UnsafePointer<Fp>, range: Range<Int>
    ) {
        let q = half >> 1
        let outer = w + half  // ω_{2·half}^j for j < half
        let inner = w + q  // ω_{half}^j for j < q
        var k = range.lowerBound
        while k < range.upperBound {
            let j0 = k & (q - 1)
            let j1 = min(q, j0 + (range.upperBound - k))
            let p0 = a + ((k - j0) << 2)
            let p1 = p0 + q
            let p2 = p1 + q
            let p3 = p2 + q
            if j0 == 0 {
                // Three of the unit's four factors are 1 at j = 0: the last pair of stages is three quarters such
                // units, and across a transform they are about a ninth of its multiplications.
                twoStagesAtOne(p0, p1, p2, p3, outer[q])
            }
            for j in max(j0, 1)..<j1 {
                let x0 = p0[j]
                let x1 = p1[j]
                let x2 = p2[j]
                let x3 = p3[j]
                // Values stay below 2p throughout (see LazyReduction.swift).
                let y0 = Fp.sumBelowTwoP(x0, x2)
                let y2 = Fp.montgomeryProductBelowTwoP(Fp.differencePlusTwoP(x0, x2), outer[j])
                let y1 = Fp.sumBelowTwoP(x1, x3)
                let y3 = Fp.montgomeryProductBelowTwoP(Fp.differencePlusTwoP(x1, x3), outer[j + q])
                let t = inner[j]
                p0[j] = Fp.sumBelowTwoP(y0, y1)
                p1[j] = Fp.montgomeryProductBelowTwoP(Fp.differencePlusTwoP(y0, y1), t)
                p2[j] = Fp.sumBelowTwoP(y2, y3)
                p3[j] = Fp.montgomeryProductBelowTwoP(Fp.differencePlusTwoP(y2, y3), t)
            }
            k += j1 - j0
        }
    }

    /// The unit j = 0 of ``twoStages(_:half:twiddles:range:)``, where ω^0 = 1 leaves one product, by `w`.
    @inline(__always)
    private static func twoStagesAtOne(
        _ p0: UnsafeMutablePointer<Fp>, _ p1: UnsafeMutablePointer<Fp>, _ p2: UnsafeMutablePointer<Fp>,
        _ p3: UnsafeMutablePointer<Fp>, _ w: Fp
    ) {
        let (x0, x1, x2, x3) = (p0[0], p1[0], p2[0], p3[0])
        let y0 = Fp.sumBelowTwoP(x0, x2)
        let y2 = Fp.differenceBelowTwoP(x0, x2)
        let y1 = Fp.sumBelowTwoP(x1, x3)
        let y3 = Fp.montgomeryProductBelowTwoP(Fp.differencePlusTwoP(x1, x3), w)
        p0[0] = Fp.sumBelowTwoP(y0, y1)
        p1[0] = Fp.differenceBelowTwoP(y0, y1)
        p2[0] = Fp.sumBelowTwoP(y2, y3)
        p3[0] = Fp.differenceBelowTwoP(y2, y3)
    }

    @inline(__always)
    private static func butterflies(
        _ a: UnsafeMutablePointer<Fp>, half: Int, twiddles w: UnsafePointer<Fp>, range: Range<Int>
    ) {
        var k = range.lowerBound
        while k < range.upperBound {
            let j0 = k & (half - 1)
            let start = (k - j0) << 1
            let j1 = min(half, j0 + (range.upperBound - k))
            let lo = a + start
            let hi = lo + half
            if j0 == 0 && j1 == half && half == 1 {
                let u = lo[0]
                let v = hi[0]
                lo[0] = Fp.sumBelowTwoP(u, v)
                hi[0] = Fp.differenceBelowTwoP(u, v)
            } else {
                for j in j0..<j1 {
                    let u = lo[j]
                    let v = hi[j]
                    lo[j] = Fp.sumBelowTwoP(u, v)
                    hi[j] = Fp.montgomeryProductBelowTwoP(Fp.differencePlusTwoP(u, v), w[j])
                }
            }
            k += j1 - j0
        }
    }

    /// Swaps each pair (i, reverse(i)) with i in `range` and i < reverse(i): pairs are disjoint, so ranges can run
    /// on different threads.
    private static func bitReverse(_ a: UnsafeMutablePointer<Fp>, count n: Int, range: Range<Int>) {
        let bits = n.trailingZeroBitCount
        for i in range {
            let r = reverseBits(i, width: bits)
            if i < r { swap(&a[i], &a[r]) }
        }
    }
}

/// Twiddle factors, computed once per size and direction and shared. Entry `half + j` of a table for size n holds
/// ω_{2·half}^j, so every stage of the transform reads its factors contiguously.
enum Twiddles {
    private static let cache = Mutex<[Int: [Fp]]>([:])

    static func forward(logSize: Int) -> [Fp] { table(logSize: logSize, inverse: false) }
    static func inverse(logSize: Int) -> [Fp] { table(logSize: logSize, inverse: true) }

    private static func table(logSize: Int, inverse: Bool) -> [Fp] {
        let key = logSize * 2 + (inverse ? 1 : 0)
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let n = 1 << logSize
        var table = [Fp](repeating: .zero, count: max(n, 2))
        var half = n >> 1
        var root = Fp.rootOfUnity(logOrder: logSize)
        if inverse { root = root.inverse() }
        // root is a primitive (2·half)-th root at each stage; squaring it moves to the next, smaller stage.
        while half >= 1 {
            var x = Fp.one
            for j in 0..<half {
                table[half + j] = x
                x *= root
            }
            root = root.squared
            half >>= 1
        }
        cache.withLock { $0[key] = table }
        return table
    }
}
