import Field
import Proof

/// Columns on the extended domain g·⟨ω_M⟩, M = max(N, E), in bit-reversed order: entry p of a column is its
/// value at g·ω_M^rev(p). Runs of n entries are cosets of the trace domain, the first N entries are the committed
/// domain (leaf p is entry p) and the first E the domain the composition polynomial is evaluated on.
///
/// The values are either all kept or computed a coset at a time from the coefficients when a pass needs them:
/// M/n times less memory, for one more transform per column and pass. Values elsewhere (out of domain) come from
/// the trace and the masks (``LowDegreeExtension/evaluate(traces:masks:indices:at:)``).
struct ExtendedColumns {
    enum Storage {
        /// Every column's M values.
        case resident([[Fp]])
        /// Every column's coefficients (its trace interpolant plus Z_H·r), and one coset's values, the last one
        /// computed, which the next pass reads first instead of computing it again.
        case recomputed(coefficients: [[Fp]], coset: CosetBuffer)
    }

    var storage: Storage
    /// Each column's mask r (k coefficients): the column's polynomial is its trace interpolant plus Z_H·r.
    var masks: [[Fp]]
    /// g·⟨ω_M⟩.
    let domain: Domain
    /// log n: the cosets of the trace domain are runs of 2^logCosetSize entries.
    let logCosetSize: Int

    var count: Int { masks.count }

    /// Calls `body(c, columns)` once for each coset c in `cosets` with every column's n values on it: in order,
    /// except that a coset already computed comes first. The buffers are valid only during the call.
    func forEachCoset(_ cosets: Range<Int>, _ body: (Int, [UnsafeBufferPointer<Fp>]) -> Void) {
        let n = 1 << logCosetSize
        switch storage {
        case .resident(let values):
            withUnsafeBuffers(values) { columns in
                for c in cosets { body(c, columns.map { UnsafeBufferPointer(rebasing: $0[c * n..<(c + 1) * n]) }) }
            }
        case .recomputed(let coefficients, let buffer):
            let kept = buffer.coset.flatMap { cosets.contains($0) ? $0 : nil }
            for c in (kept.map { [$0] } ?? []) + cosets.filter({ $0 != kept }) {
                var columns = buffer.columns(count: coefficients.count, length: n)
                if buffer.coset != c {
                    // The leading columns the commitment kept a copy of are read there; the others are computed.
                    let spare = buffer.spares[c] ?? []
                    let m = spare.count
                    NTT.evaluateCoset(
                        c, columns: Array(coefficients[m...]), on: domain, logCosetSize: logCosetSize,
                        into: Array(columns[m...]))
                    buffer.coset = m == 0 ? c : nil
                    columns.replaceSubrange(0..<m, with: spare)
                }
                body(c, columns.map { UnsafeBufferPointer(start: $0, count: n) })
                // A copy serves one pass: the composition polynomial's.
                buffer.releaseSpare(c)
            }
        }
    }

    /// Every column on the first `points` entries of coset c, the points x_j = s_c·ω_ℓ^rev(j) (ℓ = `points`), then
    /// on their next rows ω_n·x_j: 2ℓ values a column, for an evaluation in natural order whose next row is ℓ
    /// entries on. Kept columns are read; columns not kept are computed there alone, two transforms of size ℓ a
    /// column instead of one of size n.
    func sliver(coset c: Int, points l: Int) -> [[Fp]] {
        let n = 1 << logCosetSize
        precondition(l >= 1 && l <= n && l & (l - 1) == 0, "a power of two of points up to the coset's size")
        switch storage {
        case .resident(let values):
            let log = logCosetSize
            let next = (0..<l).map { j in
                c * n + reverseBits((reverseBits(j, width: log) + 1) & (n - 1), width: log)
            }
            return values.map { column in
                (0..<l).map { column[c * n + $0] } + next.map { column[$0] }
            }
        case .recomputed(let coefficients, _):
            let shift = NTT.cosetShift(c, cosets: domain.size / n, of: domain)
            let here = NTT.evaluateBitReversed(columns: coefficients, shift: shift, logSize: l.trailingZeroBitCount)
            let next = NTT.evaluateBitReversed(
                columns: coefficients, shift: shift * Fp.rootOfUnity(logOrder: logCosetSize),
                logSize: l.trailingZeroBitCount)
            return zip(here, next).map { $0 + $1 }
        }
    }

    /// The columns' coefficients (mask included), when they are computed a coset at a time.
    var coefficients: [[Fp]]? {
        if case .recomputed(let coefficients, _) = storage { return coefficients }
        return nil
    }

    /// The columns' values on the trace domain, from their coefficients: Z_H·r vanishes there, so each column is
    /// its coefficients folded modulo X^n − 1 and transformed. Nil for kept columns, whose trace the caller holds.
    func traceValues() -> [[Fp]]? {
        guard var columns = coefficients else { return nil }
        let n = 1 << logCosetSize
        for c in columns.indices {
            for i in n..<columns[c].count { columns[c][i - n] += columns[c][i] }
            columns[c].removeLast(columns[c].count - n)
        }
        NTT.forward(columns: &columns)
        return columns
    }

    /// Frees the kept coset and the copies of other cosets' columns, if any: for after the last pass that reads
    /// whole cosets.
    func releaseCoset() {
        if case .recomputed(_, let buffer) = storage { buffer.release() }
    }

    /// The rows at these positions (each position's values, one per column), for openings.
    func rows(at positions: [Int]) -> [Int: [Fp]] {
        switch storage {
        case .resident(let values):
            return Dictionary(positions.map { p in (p, values.map { $0[p] }) }, uniquingKeysWith: { a, _ in a })
        case .recomputed(let coefficients, _):
            let found = NTT.evaluateBitReversed(
                columns: coefficients, on: domain, logCosetSize: logCosetSize, at: positions)
            return Dictionary(
                positions.enumerated().map { j, p in (p, found.map { $0[j] }) }, uniquingKeysWith: { a, _ in a })
        }
    }
}

/// Every column's values on one coset of the trace domain, allocated on first use and kept until released; and,
/// as far as the memory limit leaves room, copies of other cosets' leading columns, made when the commitment computes
/// those cosets, so that the composition polynomial computes fewer columns again.
final class CosetBuffer {
    private var buffers: [UnsafeMutablePointer<Fp>] = []
    private var length = 0
    /// The coset the buffers hold, if any.
    var coset: Int?
    /// How many leading columns of each coset to keep a copy of when it is computed
    /// (``compute(_:from:on:logCosetSize:)``).
    let plan: [Int: Int]
    /// The copies: for coset c, one buffer for each of its first plan[c] columns.
    private(set) var spares: [Int: [UnsafeMutablePointer<Fp>]] = [:]

    init(plan: [Int: Int] = [:]) { self.plan = plan }

    /// Computes coset c of the columns whose coefficients are given into the buffers, and copies its leading
    /// columns if the plan says so: how the commitment computes each coset in turn.
    func compute(_ c: Int, from coefficients: [[Fp]], on domain: Domain, logCosetSize: Int) {
        let values = columns(count: coefficients.count, length: 1 << logCosetSize)
        NTT.evaluateCoset(c, columns: coefficients, on: domain, logCosetSize: logCosetSize, into: values)
        coset = c
        guard let m = plan[c], m > 0, spares[c] == nil, m <= buffers.count else { return }
        let copies = (0..<m).map { _ in UnsafeMutablePointer<Fp>.allocate(capacity: length) }
        nonisolated(unsafe) let (from, to, count) = (buffers, copies, length)
        Parallel.forEachChunk(of: m) { range in
            for i in range { to[i].initialize(from: from[i], count: count) }
        }
        spares[c] = copies
    }

    /// Frees the copies of coset c's columns, if any.
    func releaseSpare(_ c: Int) {
        spares.removeValue(forKey: c)?.forEach { $0.deallocate() }
    }

    /// The buffers, `count` columns of `length` values.
    func columns(count: Int, length: Int) -> [UnsafeMutablePointer<Fp>] {
        if buffers.count != count || self.length != length {
            release()
            buffers = (0..<count).map { _ in UnsafeMutablePointer<Fp>.allocate(capacity: length) }
            self.length = length
        }
        return buffers
    }

    func release() {
        buffers.forEach { $0.deallocate() }
        buffers = []
        coset = nil
        spares.values.joined().forEach { $0.deallocate() }
        spares = [:]
    }

    deinit { release() }
}
