import Field
import Hashing
import Proof

/// Columns as masked polynomials and their values on the evaluation domain.
struct ExtendedColumns {
    /// Coefficients of each (masked) column polynomial, n + k of them.
    var coefficients: [[Fp]]
    /// Values on the evaluation domain g·⟨ω_E⟩ in natural order.
    var values: [[Fp]]
}

/// The prover's work on extended domains: masking, extension, commitments and the DEEP composition.
struct LowDegreeExtension {
    let shape: StarkShape
    let traceDomain: Domain
    let evaluationDomain: Domain
    let ldeDomain: Domain
    /// E / N: the committed domain is every stride-th point of the evaluation domain.
    let stride: Int

    init(shape: StarkShape) {
        self.shape = shape
        traceDomain = Domain(logSize: shape.logTraceLength)
        evaluationDomain = Domain(
            logSize: shape.evaluationSize.trailingZeroBitCount, offset: StarkProtocol.domainOffset)
        ldeDomain = Domain(logSize: shape.ldeSize.trailingZeroBitCount, offset: StarkProtocol.domainOffset)
        stride = shape.evaluationSize / shape.ldeSize
    }

    /// Interpolates each trace column, adds Z_H·r with a random r of degree < k (the values on the trace domain are
    /// unchanged, every revealed value elsewhere is masked), and evaluates it on the evaluation domain.
    func extend(_ columns: [[Fp]], random: inout MaskRandomness) -> ExtendedColumns {
        let n = shape.traceLength
        let k = shape.maskDegree
        let masks = columns.map { _ in (0..<k).map { _ in Fp.random(using: &random) } }
        var coefficients = columns
        NTT.inverse(columns: &coefficients)
        for c in coefficients.indices {
            coefficients[c] += [Fp](repeating: .zero, count: k)
            // Z_H(X)·r(X) = X^n·r(X) − r(X).
            for j in 0..<k {
                coefficients[c][j] -= masks[c][j]
                coefficients[c][n + j] += masks[c][j]
            }
        }
        var values = coefficients
        let domain = evaluationDomain
        parallelMap(&values) { NTT.evaluate(coefficients: $0, on: domain) }
        return ExtendedColumns(coefficients: coefficients, values: values)
    }

    /// Commits to the columns on the extended domain: leaf p is the row at point rev(p), so folding cosets are
    /// runs of adjacent leaves.
    func commit(_ columns: ExtendedColumns) -> MerkleTree {
        commitRows(columns.values, stride: stride)
    }

    /// The composition segments (and masking polynomial) on the extended domain, natural order.
    func evaluateSegments(_ segments: [[Fp]]) -> [[Fp]] {
        var values = segments
        let domain = ldeDomain
        parallelMap(&values) { NTT.evaluate(coefficients: $0, on: domain) }
        return values
    }

    func commitSegments(_ columns: [[Fp]]) -> MerkleTree { commitRows(columns, stride: 1) }

    private func commitRows(_ columns: [[Fp]], stride: Int) -> MerkleTree {
        let count = shape.ldeSize
        let width = columns.count
        let logCount = count.trailingZeroBitCount
        var rows = [Fp](repeating: .zero, count: count * width)
        rows.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            withUnsafeBuffers(columns) { cols in
                nonisolated(unsafe) let cols = cols
                // Walk the columns in blocks of consecutive points, so each column is read sequentially and the
                // block's destination rows stay in cache; point i becomes leaf rev(i).
                let block = min(64, count)
                Parallel.forEachChunk(of: count / block) { blocks in
                    for k in blocks {
                        let first = k * block
                        for c in 0..<width {
                            let column = cols[c]
                            for i in first..<first + block {
                                out[reverseBits(i, width: logCount) * width + c] = column[i * stride]
                            }
                        }
                    }
                }
            }
        }
        return try! MerkleTree(rows: rows, width: width, salts: shape.parameters.zeroKnowledge ? .random : .none)
    }

    /// FRI layer 0 in bit-reversed order: Σ α_c (t_c(x) − t_c(z))/(x − z) + Σ α'_c (t_c(x) − t_c(zω))/(x − zω)
    /// + Σ α''_i (H_i(x) − H_i(z))/(x − z) + λ·R(x), over the extended domain.
    func deepComposition(
        main: ExtendedColumns, aux: ExtendedColumns, composition: [[Fp]], ood: OutOfDomainValues,
        coefficients deep: StarkProtocol.DeepCoefficients, z: Fp, zNext: Fp, nextRowColumns: [Int]
    ) -> [Fp] {
        let count = shape.ldeSize
        let logCount = count.trailingZeroBitCount
        let traceColumns = main.values + aux.values
        let segmentCount = shape.segmentCount
        var atZ = Fp.zero
        var atZNext = Fp.zero
        for (c, v) in (ood.main + ood.aux).enumerated() { atZ += deep.atZ[c] * v }
        for (c, v) in (ood.mainNext + ood.auxNext).enumerated() { atZNext += deep.atZNext[c] * v }
        for (i, v) in ood.composition.enumerated() { atZ += deep.segments[i] * v }
        let (combinedAtZ, combinedAtZNext) = (atZ, atZNext)
        let stride = self.stride
        let generator = ldeDomain.generator
        var out = [Fp](repeating: .zero, count: count)
        out.withUnsafeMutableBufferPointer { result in
            nonisolated(unsafe) let result = result
            withUnsafeBuffers(traceColumns) { trace in
                withUnsafeBuffers(composition) { segments in
                    nonisolated(unsafe) let (trace, segments) = (trace, segments)
                    // Blocks of points, columns in the outer loop: each column is read sequentially.
                    let block = min(1024, count)
                    Parallel.forEachChunk(of: count / block) { blocks in
                        var a = [Fp](repeating: .zero, count: block)
                        var b = [Fp](repeating: .zero, count: block)
                        var denominators = [Fp](repeating: .zero, count: 2 * block)
                        for k in blocks {
                            let first = k * block
                            for j in 0..<block {
                                a[j] = .zero
                                b[j] = .zero
                            }
                            for c in 0..<trace.count {
                                let column = trace[c]
                                let alpha = deep.atZ[c]
                                for j in 0..<block { a[j] += alpha * column[(first + j) * stride] }
                            }
                            for (n, c) in nextRowColumns.enumerated() {
                                let column = trace[c]
                                let alpha = deep.atZNext[n]
                                for j in 0..<block { b[j] += alpha * column[(first + j) * stride] }
                            }
                            for s in 0..<segmentCount {
                                let column = segments[s]
                                let alpha = deep.segments[s]
                                for j in 0..<block { a[j] += alpha * column[first + j] }
                            }
                            var x = StarkProtocol.domainOffset * generator.power(UInt64(first))
                            for j in 0..<block {
                                denominators[2 * j] = x - z
                                denominators[2 * j + 1] = x - zNext
                                x *= generator
                            }
                            let inverses = Fp.batchInverse(denominators)
                            for j in 0..<block {
                                let i = first + j
                                var value =
                                    (a[j] - combinedAtZ) * inverses[2 * j]
                                    + (b[j] - combinedAtZNext) * inverses[2 * j + 1]
                                if segments.count > segmentCount { value += deep.mask * segments[segmentCount][i] }
                                result[reverseBits(i, width: logCount)] = value
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// Replaces each array by `transform` of it, one array per core at a time.
func parallelMap(_ arrays: inout [[Fp]], _ transform: @Sendable ([Fp]) -> [Fp]) {
    let count = arrays.count
    arrays.withUnsafeMutableBufferPointer { buffer in
        nonisolated(unsafe) let base = buffer.baseAddress!
        Parallel.forEachChunk(of: count, chunks: count) { range in
            for i in range { base[i] = transform(base[i]) }
        }
    }
}
