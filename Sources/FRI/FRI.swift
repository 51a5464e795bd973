import Field
import Hashing

/// What FRI verification found wrong.
public enum FRIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A committed layer's opening does not match its root (or is malformed).
    case layerOpening(layer: Int, MerkleError)
    /// The opened cosets of layer `layer`, completed with the values the verifier computed at its positions (the
    /// fold of the layer below; in layer 0, the DEEP composition of the opened columns), do not hash to the layer's
    /// root: a value is not that fold, or the opening was altered.
    case layerMismatch(layer: Int)
    /// A row of layer `layer`'s opening has the wrong number of values: each coset is sent without the values the
    /// verifier computes itself.
    case openingRowWidth(layer: Int, row: Int, expected: Int, found: Int)
    /// The verifier was handed layer-0 positions that are not strictly increasing (a caller's mistake): each value
    /// it computed must have a position of its own.
    case positionsNotIncreasing
    /// The last fold does not agree with the remainder polynomial.
    case remainderMismatch(position: Int)
    /// The remainder polynomial has the wrong number of coefficients.
    case remainderLength(expected: Int, found: Int)
    /// The prover's last layer is not of the promised degree (a prover bug, never a verifier outcome).
    case remainderDegreeTooHigh
    /// The layer roots, openings and folding challenges do not number the same.
    case layerCount(roots: Int, openings: Int, challenges: Int)
    /// The folding schedule does not fit layer 0: it needs at least one fold, every log arity at least 1, and
    /// arities summing to at most log₂ of layer 0's size. Build one with
    /// ``FRISchedule/arities(logLayer0Size:stopAt:maxLogArity:landingOn:)``.
    case invalidSchedule(logLayer0Size: Int, logArities: [Int])
    /// Layer 0 has this many values (or the verifier was told this domain size); it must be a power of two.
    case layer0Size(Int)
    /// The schedule has a different number of folds than there are layer roots; both come from the same shape.
    case scheduleLength(arities: Int, roots: Int)
    /// Injection `injection` (in the order given) has a size no fold of the schedule produces; inject only at one
    /// of `foldedLogSizes`, or choose a schedule that lands on this size.
    case injectionNotOnSchedule(injection: Int, logSize: Int, foldedLogSizes: [Int])
    /// Injection `injection` carries the wrong number of values for its size (a prover-side mistake).
    case injectionLength(injection: Int, expected: Int, found: Int)
    /// The verifier was given no value of injection `injection` at a position it folds into at that layer; supply
    /// one for every position ``FRISchedule/foldedPositions(_:logArities:)`` lists.
    case missingInjectedValue(injection: Int, position: Int)
    /// The remainder length is negative or exceeds the remainder's domain, where it would bound nothing.
    case remainderLengthOutOfRange(remainderLength: Int, domainSize: Int)
    /// A schedule was asked for with a maximum log arity below 1, or a stopping size not below layer 0's.
    case invalidScheduleRequest(logLayer0Size: Int, stopAt: Int, maxLogArity: Int)
    /// A schedule was asked to land on a size no fold can produce: at or above layer 0's size (add such a function
    /// into layer 0 instead), or below the stopping size.
    case landingSizeOutOfRange(logSize: Int, logLayer0Size: Int, stopAt: Int)

    public var description: String {
        switch self {
        case .layerOpening(let layer, let e): return "FRI layer \(layer) opening: \(e)"
        case .layerMismatch(let layer) where layer == 0:
            return "FRI layer 0: the opened cosets with the DEEP composition of the opened rows do not match the root"
        case .layerMismatch(let layer):
            return "FRI layer \(layer): the opened cosets with the fold of layer \(layer - 1) do not match the root"
        case .positionsNotIncreasing: return "FRI: the queried positions must be distinct and increasing"
        case .openingRowWidth(let layer, let row, let e, let f):
            return "FRI layer \(layer) opening, row \(row): \(f) values; the coset's unknown values are \(e)"
        case .remainderMismatch(let p): return "FRI remainder polynomial disagrees with the last fold at position \(p)"
        case .remainderLength(let e, let f): return "FRI remainder has \(f) coefficients; expected \(e)"
        case .remainderDegreeTooHigh: return "FRI: the last layer exceeds the degree bound"
        case .layerCount(let r, let o, let c):
            return "FRI: \(r) layer roots, \(o) layer openings and \(c) folding challenges; they must match"
        case .invalidSchedule(let l, let a):
            return "FRI schedule \(a) cannot fold 2^\(l) points: it needs a fold, arities ≥ 1 and a total ≤ \(l)"
        case .layer0Size(let n): return "FRI layer 0 has \(n) points; it must be a power of two"
        case .scheduleLength(let a, let r): return "FRI schedule has \(a) folds but there are \(r) layer roots"
        case .injectionNotOnSchedule(let i, let s, let sizes):
            return "FRI injection \(i) has size 2^\(s); the schedule's folds produce only the log sizes \(sizes)"
        case .injectionLength(let i, let e, let f): return "FRI injection \(i) has \(f) values; its size calls for \(e)"
        case .missingInjectedValue(let i, let p):
            return "FRI injection \(i) has no value at position \(p) of its layer, where the verifier folds"
        case .remainderLengthOutOfRange(let l, let n):
            return "FRI remainder length \(l) is outside 0...\(n), the size of the remainder's domain"
        case .invalidScheduleRequest(let l, let s, let r):
            return "FRI schedule from 2^\(l) to 2^\(s) with arity at most 2^\(r): needs 0 ≤ \(s) < \(l) and \(r) ≥ 1"
        case .landingSizeOutOfRange(let s, let l, let stop):
            return "FRI schedule cannot land on 2^\(s): folds from 2^\(l) reach only sizes 2^\(stop) … 2^\(l - 1)"
        }
    }
}

/// The prover's side of FRI: committed layers, kept to answer queries.
///
/// Every layer but the remainder is committed, layer 0 included: a leaf of layer ℓ is a folding coset of 2^r_ℓ
/// adjacent values (bit-reversed order), so one opening answers a whole fold. A query at position p of layer 0
/// opens the coset of p in every layer (p >> r₀, p >> (r₀ + r₁), …).
public struct FRIProverState: Sendable {
    public private(set) var roots: [Digest] = []
    public private(set) var remainder: [Fp] = []
    /// The log arity of each fold, layer 0's first.
    public let logArities: [Int]
    private var trees: [MerkleTree] = []

    /// Runs the commit phase with one folding factor for every layer: `committedLayers` + 1 folds by
    /// 2^logFoldingFactor, nothing injected.
    public init(
        layer0: [Fp], offset: Fp, logFoldingFactor: Int, committedLayers: Int, remainderLength: Int, salted: Bool,
        transcript: inout Transcript
    ) throws(FRIError) {
        try self.init(
            layer0: layer0, offset: offset,
            logArities: Array(repeating: logFoldingFactor, count: max(0, committedLayers + 1)), injections: [],
            remainderLength: remainderLength, salted: salted, transcript: &transcript)
    }

    /// Runs the commit phase on layer 0 (bit-reversed, over offset·⟨ω_N₀⟩): commits each layer, draws its challenge
    /// β_ℓ after its root, folds it by 2^r_ℓ and adds the injections of the size that fold produces (see
    /// ``FRIInjection``). The last fold's output is sent as the remainder polynomial, whose coefficients from
    /// `remainderLength` on must be zero. Every root and the remainder go into the transcript.
    ///
    /// Everything is checked before the transcript is touched, so a throw other than
    /// ``FRIError/remainderDegreeTooHigh`` leaves it as it was.
    ///
    /// - Throws: ``FRIError/layer0Size(_:)``, ``FRIError/invalidSchedule(logLayer0Size:logArities:)``,
    ///   ``FRIError/remainderLengthOutOfRange(remainderLength:domainSize:)``,
    ///   ``FRIError/injectionNotOnSchedule(injection:logSize:foldedLogSizes:)``,
    ///   ``FRIError/injectionLength(injection:expected:found:)``, and ``FRIError/remainderDegreeTooHigh`` when the
    ///   last layer is not of the promised degree (layer 0 or an injection is of too high a degree).
    ///
    /// `_truncateRemainder` is for tests only: it plays a cheating prover that sends the last layer's low
    /// coefficients whatever its degree, instead of refusing. Never set it in production.
    public init(
        layer0: [Fp], offset: Fp, logArities: [Int], injections: [FRIInjection], remainderLength: Int, salted: Bool,
        transcript: inout Transcript, _truncateRemainder: Bool = false
    ) throws(FRIError) {
        guard !layer0.isEmpty, layer0.count & (layer0.count - 1) == 0 else { throw .layer0Size(layer0.count) }
        let foldedLogSizes = try FRISchedule.foldedLogSizes(
            logLayer0Size: layer0.count.trailingZeroBitCount, logArities: logArities)
        let remainderSize = 1 << foldedLogSizes.last!
        guard (0...remainderSize).contains(remainderLength) else {
            throw .remainderLengthOutOfRange(remainderLength: remainderLength, domainSize: remainderSize)
        }
        for (i, injection) in injections.enumerated() {
            guard foldedLogSizes.contains(injection.logSize) else {
                throw .injectionNotOnSchedule(injection: i, logSize: injection.logSize, foldedLogSizes: foldedLogSizes)
            }
            guard injection.values.count == 1 << injection.logSize else {
                throw .injectionLength(injection: i, expected: 1 << injection.logSize, found: injection.values.count)
            }
        }
        self.logArities = logArities

        var values = layer0
        var offset = offset
        // Commit each layer, then fold it with a challenge drawn after its root; the last fold gives the remainder.
        for (layer, r) in logArities.enumerated() {
            // The schedule check above leaves at least 2^r values here, so the tree cannot fail.
            let tree = try! MerkleTree(rows: values, width: 1 << r, salts: salted ? .random : .none)
            transcript.absorb("fri-root", digest: tree.root)
            trees.append(tree)
            roots.append(tree.root)
            let beta = transcript.challenge("fri-fold")
            var power = beta
            for _ in 0..<r {
                values = Folding.foldLayer(values, offset: offset, beta: power)
                offset = offset.squared
                power = power.squared
            }
            // `power` is now β^(2^r), the first power the fold did not use.
            for injection in injections where injection.logSize == foldedLogSizes[layer] {
                Folding.add(injection.values, times: power, to: &values)
                power *= beta
            }
        }
        // The last layer in natural order, interpolated on its coset: its high coefficients must be zero.
        let logSize = values.count.trailingZeroBitCount
        let natural = (0..<values.count).map { values[reverseBits($0, width: logSize)] }
        let coefficients = NTT.interpolate(evaluations: natural, on: Domain(logSize: logSize, offset: offset))
        guard _truncateRemainder || coefficients[remainderLength...].allSatisfy(\.isZero) else {
            throw .remainderDegreeTooHigh
        }
        remainder = Array(coefficients.prefix(remainderLength))
        transcript.absorb("fri-remainder", elements: remainder)
    }

    /// The openings of every committed layer for the layer-0 positions `queries`: the coset holding each, without
    /// the values at the queried positions themselves, which the verifier computes (``FRIOpenedCosets``).
    public func open(queries: [Int]) -> [MerkleOpening] {
        var positions = Array(Set(queries)).sorted()
        return zip(trees, logArities).map { tree, r in
            let cosets = FRIOpenedCosets(positions: positions, logArity: r)
            var opening = try! tree.open(cosets.cosets)
            opening.rows = zip(cosets.known, opening.rows).map { known, row in
                row.indices.filter { !known.contains($0) }.map { row[$0] }
            }
            positions = cosets.cosets
            return opening
        }
    }
}

/// The cosets a FRI layer opens for some distinct positions, and which entries of each the verifier already
/// knows: the positions' own values, the fold of the layer below (the DEEP composition in layer 0). A proof sends
/// each coset without them, and the verifier puts its values back before hashing the leaf, so a value it computed
/// wrongly, or a prover's that differs, changes the leaf and fails the root.
public struct FRIOpenedCosets: Sendable {
    /// The distinct cosets, increasing: positions p >> r.
    public let cosets: [Int]
    /// For each coset, the offsets p & (2^r − 1) of the positions it holds, increasing.
    public let known: [[Int]]

    public init(positions: [Int], logArity r: Int) {
        var known: [Int: [Int]] = [:]
        for p in positions { known[p >> r, default: []].append(p & ((1 << r) - 1)) }
        cosets = known.keys.sorted()
        self.known = cosets.map { Array(Set(known[$0]!)).sorted() }
    }
}

/// The verifier's side of FRI.
public enum FRIVerifier {
    /// Checks FRI with one folding factor for every layer and nothing injected: `roots.count` folds by
    /// 2^logFoldingFactor, the last into the remainder; the general form below with a uniform schedule.
    public static func verify(
        positions: [Int], values: [Fp], betas: [Fp], roots: [Digest], openings: [MerkleOpening],
        remainder: [Fp], remainderLength: Int, ldeSize: Int, offset: Fp, logFoldingFactor: Int, salted: Bool
    ) throws(FRIError) {
        try verify(
            positions: positions, values: values, betas: betas, roots: roots, openings: openings, remainder: remainder,
            remainderLength: remainderLength, ldeSize: ldeSize, offset: offset,
            logArities: Array(repeating: logFoldingFactor, count: roots.count), injected: [], salted: salted)
    }

    /// Checks that the values the verifier computed at the queried layer-0 positions are the committed ones, and
    /// that each queried coset folds consistently through every committed layer down to the remainder polynomial,
    /// with the injected functions added as the prover adds them (see ``FRIInjection``).
    ///
    /// - Parameters:
    ///   - positions: the distinct queried layer-0 positions, increasing.
    ///   - values: layer 0's value at each position, as the verifier computed it (the DEEP composition of the
    ///     opened columns).
    ///   - betas: the folding challenges, one per fold.
    ///   - roots, openings: layer 0's and each later committed layer's, one per fold.
    ///   - logArities: the log arity of each fold, layer 0's first; the verifier's own schedule, never the proof's.
    ///   - injected: for each injection, in the prover's order, its size and its values where the verifier folds.
    /// - Throws: ``FRIError/remainderLength(expected:found:)``, ``FRIError/layerCount(roots:openings:challenges:)``,
    ///   ``FRIError/scheduleLength(arities:roots:)``, ``FRIError/positionsNotIncreasing``, ``FRIError/layer0Size(_:)``,
    ///   ``FRIError/invalidSchedule(logLayer0Size:logArities:)``,
    ///   ``FRIError/remainderLengthOutOfRange(remainderLength:domainSize:)`` and
    ///   ``FRIError/injectionNotOnSchedule(injection:logSize:foldedLogSizes:)`` for inputs that do not fit together;
    ///   then ``FRIError/layerOpening(layer:_:)``, ``FRIError/openingRowWidth(layer:row:expected:found:)``,
    ///   ``FRIError/layerMismatch(layer:)``,
    ///   ``FRIError/missingInjectedValue(injection:position:)`` or ``FRIError/remainderMismatch(position:)`` at the
    ///   first check that fails, layer by layer.
    public static func verify(
        positions: [Int], values: [Fp], betas: [Fp], roots: [Digest], openings: [MerkleOpening],
        remainder: [Fp], remainderLength: Int, ldeSize: Int, offset: Fp, logArities: [Int],
        injected: [FRIInjectedValues], salted: Bool
    ) throws(FRIError) {
        guard remainder.count == remainderLength else {
            throw .remainderLength(expected: remainderLength, found: remainder.count)
        }
        guard openings.count == roots.count, betas.count == roots.count, positions.count == values.count else {
            throw .layerCount(roots: roots.count, openings: openings.count, challenges: betas.count)
        }
        guard logArities.count == roots.count else {
            throw .scheduleLength(arities: logArities.count, roots: roots.count)
        }
        guard zip(positions, positions.dropFirst()).allSatisfy({ $0 < $1 }) else { throw .positionsNotIncreasing }
        guard ldeSize >= 1, ldeSize & (ldeSize - 1) == 0 else { throw .layer0Size(ldeSize) }
        let foldedLogSizes = try FRISchedule.foldedLogSizes(
            logLayer0Size: ldeSize.trailingZeroBitCount, logArities: logArities)
        let remainderSize = 1 << foldedLogSizes.last!
        guard (0...remainderSize).contains(remainderLength) else {
            throw .remainderLengthOutOfRange(remainderLength: remainderLength, domainSize: remainderSize)
        }
        for (k, injection) in injected.enumerated() where !foldedLogSizes.contains(injection.logSize) {
            throw .injectionNotOnSchedule(injection: k, logSize: injection.logSize, foldedLogSizes: foldedLogSizes)
        }

        var logSize = ldeSize.trailingZeroBitCount
        var offset = offset
        var positions = positions
        var values = values
        for (layer, r) in logArities.enumerated() {
            let f = 1 << r
            // The cosets holding the positions, completed with the values the verifier computed there.
            let opened = FRIOpenedCosets(positions: positions, logArity: r)
            let layerCosets = opened.cosets
            var full = openings[layer]
            guard full.rows.count == layerCosets.count else {
                throw .layerOpening(layer: layer, .wrongRowCount(expected: layerCosets.count, found: full.rows.count))
            }
            let valueAt = Dictionary(uniqueKeysWithValues: zip(positions, values))
            for (i, c) in layerCosets.enumerated() {
                let known = opened.known[i]
                guard full.rows[i].count == f - known.count else {
                    throw .openingRowWidth(layer: layer, row: i, expected: f - known.count, found: full.rows[i].count)
                }
                for offset in known { full.rows[i].insert(valueAt[(c << r) + offset]!, at: offset) }
            }
            let rows: [[Fp]]
            do {
                rows = try full.verify(
                    root: roots[layer], leafCount: (1 << logSize) / f, width: f, salted: salted, indices: layerCosets)
            } catch .rootMismatch {
                throw .layerMismatch(layer: layer)
            } catch { throw .layerOpening(layer: layer, error) }
            let rowOf = Dictionary(uniqueKeysWithValues: zip(layerCosets, rows))
            // Fold each coset: position c of the next layer.
            values = Folding.foldCosets(
                layerCosets.map { rowOf[$0]! }, cosets: layerCosets, logSize: logSize, offset: offset,
                beta: betas[layer])
            positions = layerCosets
            var power = betas[layer]
            for _ in 0..<r {
                offset = offset.squared
                power = power.squared
            }
            logSize -= r
            // The injections of this size, with the powers β^(2^r), β^(2^r + 1), … the prover used.
            for (k, injection) in injected.enumerated() where injection.logSize == logSize {
                for (j, p) in positions.enumerated() {
                    guard let g = injection.values[p] else { throw .missingInjectedValue(injection: k, position: p) }
                    values[j] += power * g
                }
                power *= betas[layer]
            }
        }
        let expected = remainderValues(remainder, at: positions, logSize: logSize, offset: offset)
        for (p, (v, e)) in zip(positions, zip(values, expected)) where v != e {
            throw .remainderMismatch(position: p)
        }
    }

    /// The remainder polynomial at `positions` of the last layer, offset·⟨ω⟩ of 2^logSize points in bit-reversed
    /// order: from one transform of the whole layer when that takes fewer products than evaluating it at each
    /// position (the default profile's 2^11 points against 86 positions of 2^9 coefficients), else position by
    /// position. `wholeLayer`, when given, chooses the way.
    public static func remainderValues(
        _ remainder: [Fp], at positions: [Int], logSize: Int, offset: Fp, wholeLayer: Bool? = nil
    ) -> [Fp] {
        precondition(positions.allSatisfy { (0..<(1 << logSize)).contains($0) }, "positions of the last layer")
        let transform = (1 << logSize) * max(1, logSize) / 2 < positions.count * remainder.count
        if wholeLayer ?? transform {
            let layer = NTT.evaluateBitReversed(columns: [remainder], shift: offset, logSize: logSize)[0]
            return positions.map { layer[$0] }
        }
        let polynomial = Polynomial(coefficients: remainder)
        return positions.map { p in
            polynomial.evaluate(at: Folding.point(position: p, logSize: logSize, offset: offset, rootLogOrder: logSize))
        }
    }
}
