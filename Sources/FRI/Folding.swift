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
    /// The point at bit-reversed position `position` of the coset offset·⟨generator⟩ of size 2^logSize.
    public static func point(position: Int, logSize: Int, offset: Fp, generator: Fp) -> Fp {
        let natural = reverseBits(position, width: logSize)
        return offset * generator.power(UInt64(natural))
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
        // Every level's points first, so that one inversion serves the whole coset.
        var points: [Fp] = []
        var levels: [Range<Int>] = []
        do {
            var (count, logM, g, base) = (values.count, logSize, offset, coset * values.count)
            while count > 1 {
                let half = count / 2
                let generator = Fp.rootOfUnity(logOrder: logM)
                // Each point x here is x_m = g·ω_M^rev'(m) for the pair at 2m, 2m+1 of the current layer.
                levels.append(points.count..<points.count + half)
                for j in 0..<half {
                    let x = point(position: base / 2 + j, logSize: logM - 1, offset: g, generator: generator)
                    points.append(x + x)
                }
                (count, logM, g, base) = (half, logM - 1, g.squared, base / 2)
            }
        }
        let inverses = Fp.batchInverse(points)
        var current = values
        var b = beta
        for level in levels {
            var next = [Fp](repeating: .zero, count: level.count)
            for j in 0..<level.count {
                let a = current[2 * j]
                let c = current[2 * j + 1]
                next[j] = (a + c) * twoInverse + b * (a - c) * inverses[level.lowerBound + j]
            }
            current = next
            b = b.squared
        }
        return current[0]
    }
}
