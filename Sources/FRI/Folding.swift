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
        let twoInverse = Fp(2).inverse()
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

    /// Folds one coset of 2^r values (contiguous in a bit-reversed layer of 2^logSize points over
    /// offset·⟨ω⟩, starting at position coset·2^r) down to the single value at position `coset` of the layer
    /// 2^r times smaller, with challenges β, β², β⁴, …. The points are never zero (a coset of a subgroup), so the
    /// inversions are always defined.
    public static func foldCoset(
        _ values: [Fp], coset: Int, logSize: Int, offset: Fp, beta: Fp
    ) -> Fp {
        var current = values
        var logM = logSize
        var g = offset
        var b = beta
        var base = coset * values.count  // position of current[0] in the current layer
        while current.count > 1 {
            let half = current.count / 2
            let generator = Fp.rootOfUnity(logOrder: logM)
            let points = (0..<half).map { j in
                point(position: base / 2 + j, logSize: logM - 1, offset: g, generator: generator)
            }
            // Each point x here is x_m = g·ω_M^rev'(m) for the pair at 2m, 2m+1 of the current layer.
            let inverses = Fp.batchInverse(points.map { $0 + $0 })
            let twoInverse = Fp(2).inverse()
            var next = [Fp](repeating: .zero, count: half)
            for j in 0..<half {
                let a = current[2 * j]
                let c = current[2 * j + 1]
                next[j] = (a + c) * twoInverse + b * (a - c) * inverses[j]
            }
            current = next
            base /= 2
            logM -= 1
            g = g.squared
            b = b.squared
        }
        return current[0]
    }
}
