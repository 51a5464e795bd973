import Field

/// FRI's folding arithmetic, shared by prover and verifier.
///
/// Layers are stored in bit-reversed order: position p of a layer over the coset g·⟨ω_M⟩ holds the value at
/// g·ω_M^rev(p). In that order the two square roots of a point, x and −x, sit side by side at positions 2m and
/// 2m+1 with x = g·ω_M^rev'(m) (rev' reversing one bit fewer), and a whole folding coset of 2^r points is a
/// contiguous run of 2^r positions. A binary fold with challenge β maps the pair to position m of the next layer,
/// over g²·⟨ω_M²⟩:
///
///     f'(x²) = (f(x) + f(−x))/2 + β·(f(x) − f(−x))/(2x)
///
/// which is the even part plus β times the odd part of f. Folding by 2^r is r binary folds with β, β², β⁴, ….
public enum Folding {
    /// The point offset·ω^rev(position) at bit-reversed position `position` of 2^logSize points, ω the root of
    /// unity of order 2^rootLogOrder (≥ logSize): of the coset offset·⟨ω⟩ when the two are equal.
    public static func point(position: Int, logSize: Int, offset: Fp, rootLogOrder: Int) -> Fp {
        offset * Fp.rootOfUnity(logOrder: rootLogOrder, power: reverseBits(position, width: logSize))
    }

    /// Folds a whole layer (bit-reversed, over offset·⟨ω⟩ of `values.count` points) once with `beta`.
    public static func foldLayer(_ values: [Fp], offset: Fp, beta: Fp) -> [Fp] {
        let half = values.count / 2
        let logHalf = half.trailingZeroBitCount
        let generator = Fp.rootOfUnity(logOrder: logHalf + 1)
        // 1/(2·x_m) for every m: x_m = offset·ω^rev(m), so its inverse is offset⁻¹·ω^−rev(m).
        let inverseGenerator = generator.inverse()
        var inversePowers = [Fp](repeating: .zero, count: half)
        var acc = (offset + offset).inverse()
        for j in 0..<half {
            inversePowers[j] = acc
            acc *= inverseGenerator
        }
        var out = [Fp](repeating: .zero, count: half)
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                inversePowers.withUnsafeBufferPointer { inv in
                    nonisolated(unsafe) let (v, o, inv) = (v, o, inv)
                    Parallel.forEachChunk(of: half, minimumChunk: 1 << 12) { range in
                        for m in range {
                            let a = v[2 * m]
                            let b = v[2 * m + 1]
                            o[m] = (a + b) * twoInverse + beta * (a - b) * inv[reverseBits(m, width: logHalf)]
                        }
                    }
                }
            }
        }
        return out
    }

    /// Adds weight·g to `values`, point for point: an injected function joining the layer of its size.
    public static func add(_ g: [Fp], times weight: Fp, to values: inout [Fp]) {
        precondition(g.count == values.count, "an injected function must have the layer's size")
        g.withUnsafeBufferPointer { g in
            values.withUnsafeMutableBufferPointer { v in
                nonisolated(unsafe) let (g, v) = (g, v)
                Parallel.forEachChunk(of: v.count, minimumChunk: 1 << 12) { range in
                    for i in range { v[i] += weight * g[i] }
                }
            }
        }
    }

    /// 1/2, for the even half of each fold.
    private static let twoInverse = Fp(2).inverse()

    /// Folds one coset of 2^r values (contiguous in a bit-reversed layer of 2^logSize points over
    /// offset·⟨ω⟩, starting at position coset·2^r) down to the single value at position `coset` of the layer
    /// 2^r times smaller, with challenges β, β², β⁴, …. The points are never zero (a coset of a subgroup), so the
    /// inversions are always defined.
    public static func foldCoset(
        _ values: [Fp], coset: Int, logSize: Int, offset: Fp, beta: Fp
    ) -> Fp {
        foldCosets([values], cosets: [coset], logSize: logSize, offset: offset, beta: beta)[0]
    }

    /// ``foldCoset(_:coset:logSize:offset:beta:)`` for several cosets of one layer: `rows[i]`, of 2^r values, is
    /// coset `cosets[i]`. Every point comes first, so that one inversion serves them all.
    public static func foldCosets(_ rows: [[Fp]], cosets: [Int], logSize: Int, offset: Fp, beta: Fp) -> [Fp] {
        precondition(rows.count == cosets.count, "a coset index for each row")
        guard let size = rows.first?.count, size > 1 else { return rows.map { $0[0] } }
        precondition(rows.allSatisfy { $0.count == size }, "cosets of one size")
        // A coset's first level has h = 2^r / 2 pairs at positions coset·h + j: reversal turns j into the high bits
        // of the exponent, so their points are the first one times ζ^rev(j), ζ a root of unity of order 2h. Each
        // later level's points are the squares of the even ones of the level before (position 2m' of a layer is
        // position m' of the next). A coset has h + h/2 + … + 1 = 2h − 1 points, kept doubled: a fold divides by 2x.
        let half = size / 2
        let logHalf = half.trailingZeroBitCount
        let zeta = Fp.rootOfUnity(logOrder: logHalf + 1)
        var zetaPowers = [Fp](repeating: .one, count: half)
        for k in zetaPowers.indices.dropFirst() { zetaPowers[k] = zetaPowers[k - 1] * zeta }
        let turns = (0..<half).map { zetaPowers[reverseBits($0, width: logHalf)] }
        let perCoset = 2 * half - 1
        var points: [Fp] = []
        points.reserveCapacity(perCoset * rows.count)
        for coset in cosets {
            let first = point(position: coset * half, logSize: logSize - 1, offset: offset, rootLogOrder: logSize)
            var xs = turns.map { first * $0 }
            while true {
                points.append(contentsOf: xs.map { $0 + $0 })
                guard xs.count > 1 else { break }
                xs = stride(from: 0, to: xs.count, by: 2).map { xs[$0].squared }
            }
        }
        let inverses = Fp.batchInverse(points)
        return rows.indices.map { i in
            var current = rows[i]
            var (b, at, count) = (beta, i * perCoset, half)
            while count >= 1 {
                var next = [Fp](repeating: .zero, count: count)
                for j in 0..<count {
                    let a = current[2 * j]
                    let c = current[2 * j + 1]
                    next[j] = (a + c) * twoInverse + b * (a - c) * inverses[at + j]
                }
                (current, b, at, count) = (next, b.squared, at + count, count / 2)
            }
            return current[0]
        }
    }
}
