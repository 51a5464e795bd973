import Field

/// A function on a smaller domain that FRI adds into its folding when a fold reaches that domain's size.
///
/// This is how one FRI run proves functions of several heights at once (as Plonky3's batched FRI does for matrices
/// of several heights): the folded layer of size 2^logSize lives on offset^(N₀/2^logSize)·⟨ω_{2^logSize}⟩, so a
/// function given on that same domain can be added to it point for point. With β the challenge of the fold that
/// produced the layer and 2^r its arity, the first injection of that size is added with weight β^(2^r), the next
/// with β^(2^r + 1), and so on: the fold already spent β⁰ … β^(2^r − 1) on the coset's components, so the
/// injections continue the same random combination.
///
/// Nothing about an injection goes into the transcript here: its values must already be bound (committed) before
/// FRI draws its challenges, as the columns behind layer 0 are, or the prover could choose them after seeing β.
public struct FRIInjection: Sendable, Equatable {
    /// log₂ of the function's domain size; one of the sizes a fold of the schedule produces.
    public var logSize: Int
    /// The function's 2^logSize values in bit-reversed order over offset^(N₀/2^logSize)·⟨ω_{2^logSize}⟩.
    public var values: [Fp]

    public init(logSize: Int, values: [Fp]) {
        self.logSize = logSize
        self.values = values
    }
}

/// The verifier's knowledge of one injected function: its values at the positions the verifier folds into at the
/// layer of its size.
///
/// Those positions are the queried layer-0 positions shifted right by the sum of the log arities of the folds up
/// to and including the one that produced the layer, deduplicated (``FRISchedule/foldedPositions(_:logArities:)``
/// lists them). The caller computes each value from its own openings of the function's commitment. Entries at other
/// positions are ignored; a missing one is ``FRIError/missingInjectedValue(injection:position:)``.
public struct FRIInjectedValues: Sendable, Equatable {
    /// log₂ of the function's domain size, as in the prover's ``FRIInjection``.
    public var logSize: Int
    /// The function's value at each position of its layer that the verifier folds into, keyed by that position.
    public var values: [Int: Fp]

    public init(logSize: Int, values: [Int: Fp]) {
        self.logSize = logSize
        self.values = values
    }
}

/// FRI's folding schedule: how far each committed layer folds, and which layer sizes that produces.
///
/// Committed layer ℓ is folded by 2^r_ℓ into the next; the output of the last fold is the remainder. A schedule is
/// given as the list of log arities r_ℓ.
public enum FRISchedule {
    /// The log size of the layer each fold produces: entry ℓ is log₂ N₀ − (r₀ + … + r_ℓ); the last entry is the
    /// remainder's domain. These are the only sizes a function can be injected at.
    ///
    /// - Throws: ``FRIError/invalidSchedule(logLayer0Size:logArities:)`` unless there is at least one fold, every
    ///   log arity is at least 1, and the folds stop at or before a single point.
    public static func foldedLogSizes(logLayer0Size: Int, logArities: [Int]) throws(FRIError) -> [Int] {
        guard logLayer0Size >= 0, !logArities.isEmpty, logArities.allSatisfy({ $0 >= 1 }) else {
            throw .invalidSchedule(logLayer0Size: logLayer0Size, logArities: logArities)
        }
        var sizes: [Int] = []
        var logSize = logLayer0Size
        for r in logArities {
            logSize -= r
            guard logSize >= 0 else { throw .invalidSchedule(logLayer0Size: logLayer0Size, logArities: logArities) }
            sizes.append(logSize)
        }
        return sizes
    }

    /// The positions the verifier folds into at each layer the schedule produces: entry ℓ is the layer-0 positions
    /// shifted right by r₀ + … + r_ℓ, distinct and increasing. Entry ℓ is where an injection of size
    /// `foldedLogSizes[ℓ]` needs its values.
    public static func foldedPositions(_ positions: [Int], logArities: [Int]) -> [[Int]] {
        var current = positions
        return logArities.map { r in
            current = Array(Set(current.map { $0 >> r })).sorted()
            return current
        }
    }

    /// A schedule that folds from 2^logLayer0Size down to 2^stopAt points by 2^maxLogArity where it can, and lands
    /// exactly on every size in `landingOn`, so that functions of those sizes can be injected.
    ///
    /// The rule: take the landing sizes and `stopAt` in decreasing order; from the current size, fold by
    /// min(maxLogArity, distance to the next landing size) until it is reached. Each gap between landing sizes is
    /// thus covered by full folds, with one shorter fold last when the gap is not a multiple of maxLogArity, the
    /// way Plonky3's commit phase caps each arity at the distance to the next input height. The result depends on
    /// the arguments only.
    ///
    /// With no landing sizes and logLayer0Size − stopAt a multiple of maxLogArity, this is the uniform schedule.
    ///
    /// - Throws: ``FRIError/invalidScheduleRequest(logLayer0Size:stopAt:maxLogArity:)`` when maxLogArity < 1 or
    ///   stopAt is not in 0 ..< logLayer0Size (there must be a fold), and
    ///   ``FRIError/landingSizeOutOfRange(logSize:logLayer0Size:stopAt:)`` for a landing size no fold can produce:
    ///   one at or above layer 0's size (add such a function into layer 0 instead) or below `stopAt`.
    public static func arities(
        logLayer0Size: Int, stopAt: Int, maxLogArity: Int, landingOn: Set<Int>
    ) throws(FRIError) -> [Int] {
        guard maxLogArity >= 1, stopAt >= 0, stopAt < logLayer0Size else {
            throw .invalidScheduleRequest(logLayer0Size: logLayer0Size, stopAt: stopAt, maxLogArity: maxLogArity)
        }
        // Sorted so that the first size reported is the same on every run.
        for s in landingOn.sorted() where s < stopAt || s >= logLayer0Size {
            throw .landingSizeOutOfRange(logSize: s, logLayer0Size: logLayer0Size, stopAt: stopAt)
        }
        var arities: [Int] = []
        var current = logLayer0Size
        for target in landingOn.union([stopAt]).sorted(by: >) {
            while current > target {
                let r = min(maxLogArity, current - target)
                arities.append(r)
                current -= r
            }
        }
        return arities
    }
}
