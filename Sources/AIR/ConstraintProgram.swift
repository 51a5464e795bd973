import Field

/// The AIR's constraints compiled to a straight-line program over slots, with shared subexpressions computed once.
///
/// It is the single evaluator behind the prover (many rows at a time over the extended domain), the verifier (one
/// out-of-domain point) and the debug checker (the trace rows), so the three cannot disagree about a constraint.
public struct ConstraintProgram: Sendable {
    enum Op: Sendable {
        case main(Int, RowOffset)
        case aux(Int, RowOffset)
        case periodic(Int)
        /// A value fixed for the whole evaluation: a constant, public input or challenge, resolved by `bind`.
        case scalar(Int)
        case add(Int, Int)
        case sub(Int, Int)
        case mul(Int, Int)
        case neg(Int)
        case power(Int, Int)
    }

    enum ScalarSource: Hashable, Sendable {
        case constant(Fp)
        case publicInput(Int)
        case challenge(Int)
        case busPublicSum(Int)
    }

    let ops: [Op]
    let scalars: [ScalarSource]
    /// The slot holding each constraint's value.
    public let outputs: [Int]

    /// Compiles the constraints of `air`; output i is constraint i.
    public init(_ air: AIR) { self.init(expressions: air.constraints.map(\.expression)) }

    /// Compiles any list of expressions; output i is expression i.
    public init(expressions: [Expression]) {
        var ops: [Op] = []
        var scalars: [ScalarSource] = []
        var memo: [Expression: Int] = [:]
        var scalarMemo: [ScalarSource: Int] = [:]
        func scalar(_ s: ScalarSource) -> Op {
            if let i = scalarMemo[s] { return .scalar(i) }
            scalars.append(s)
            scalarMemo[s] = scalars.count - 1
            return .scalar(scalars.count - 1)
        }
        func emit(_ e: Expression) -> Int {
            if let slot = memo[e] { return slot }
            let op: Op
            switch e {
            case .constant(let c): op = scalar(.constant(c))
            case .publicInput(let i): op = scalar(.publicInput(i))
            case .challenge(let i): op = scalar(.challenge(i))
            case .busPublicSum(let i): op = scalar(.busPublicSum(i))
            case .main(let i, let r): op = .main(i, r)
            case .aux(let i, let r): op = .aux(i, r)
            case .periodic(let i): op = .periodic(i)
            case .add(let a, let b): op = .add(emit(a), emit(b))
            case .sub(let a, let b): op = .sub(emit(a), emit(b))
            case .mul(let a, let b): op = .mul(emit(a), emit(b))
            case .neg(let a): op = .neg(emit(a))
            case .power(let a, let k): op = .power(emit(a), k)
            }
            ops.append(op)
            memo[e] = ops.count - 1
            return ops.count - 1
        }
        outputs = expressions.map { emit($0) }
        self.ops = ops
        self.scalars = scalars
    }

    /// The number of slots (one per distinct subexpression).
    public var slotCount: Int { ops.count }

    /// The scalar values for one proof: constants, public inputs, challenges and the buses' public sums (absent
    /// ones count as zero).
    public func bind(publicInputs: [Fp], challenges: [Fp], busPublicSums: [Fp] = []) -> [Fp] {
        scalars.map {
            switch $0 {
            case .constant(let c): return c
            case .publicInput(let i): return publicInputs[i]
            case .challenge(let i): return challenges[i]
            case .busPublicSum(let i): return i < busPublicSums.count ? busPublicSums[i] : .zero
            }
        }
    }

    /// Every constraint's value at one point, given the columns' values there and on the next row.
    public func evaluate(
        main: [Fp], mainNext: [Fp], aux: [Fp], auxNext: [Fp], periodic: [Fp], scalars bound: [Fp]
    ) -> [Fp] {
        var slots = [Fp](repeating: .zero, count: ops.count)
        for (i, op) in ops.enumerated() {
            switch op {
            case .main(let c, let r): slots[i] = r == .current ? main[c] : mainNext[c]
            case .aux(let c, let r): slots[i] = r == .current ? aux[c] : auxNext[c]
            case .periodic(let c): slots[i] = periodic[c]
            case .scalar(let s): slots[i] = bound[s]
            case .add(let a, let b): slots[i] = slots[a] + slots[b]
            case .sub(let a, let b): slots[i] = slots[a] - slots[b]
            case .mul(let a, let b): slots[i] = slots[a] * slots[b]
            case .neg(let a): slots[i] = -slots[a]
            case .power(let a, let k): slots[i] = slots[a].power(UInt64(k))
            }
        }
        return outputs.map { slots[$0] }
    }

    /// Column-major values on an evaluation domain of `size` points, where the next row of point i is point
    /// (i + nextStride) mod size. Periodic columns hold one period of values on the domain, repeated.
    public struct Columns {
        public var main: [UnsafeBufferPointer<Fp>]
        public var aux: [UnsafeBufferPointer<Fp>]
        public var periodic: [UnsafeBufferPointer<Fp>]
        public var size: Int
        /// Natural order: the next row of point i is point i + nextStride (mod size).
        public var nextStride: Int
        /// Bit-reversed cosets, when not nil: the points come in runs of 2^logCosetSize, each a coset of the trace
        /// domain in bit-reversed order, so the next row of position c·m + j is c·m + rev(rev(j) + 1 mod m), and
        /// entry i of a periodic column (period P) belongs to position p when i = p >> (logCosetSize − log P).
        public var logCosetSize: Int?

        /// Columns in natural order over the domain.
        public init(
            main: [UnsafeBufferPointer<Fp>], aux: [UnsafeBufferPointer<Fp>], periodic: [UnsafeBufferPointer<Fp>],
            size: Int, nextStride: Int
        ) {
            self.main = main
            self.aux = aux
            self.periodic = periodic
            self.size = size
            self.nextStride = nextStride
            self.logCosetSize = nil
        }

        /// Columns whose values come in bit-reversed cosets of the trace domain (of 2^logCosetSize points), the
        /// layout of the prover's extended columns; each periodic column holds its values on the same cosets in
        /// the same order.
        public init(
            main: [UnsafeBufferPointer<Fp>], aux: [UnsafeBufferPointer<Fp>], periodic: [UnsafeBufferPointer<Fp>],
            size: Int, logCosetSize: Int
        ) {
            self.main = main
            self.aux = aux
            self.periodic = periodic
            self.size = size
            self.nextStride = 0
            self.logCosetSize = logCosetSize
        }
    }

    /// The number of points a chunked evaluation handles at once: enough to amortise the dispatch on each operation,
    /// few enough that all slots stay in cache.
    public static let chunkSize = 64

    /// Evaluates every constraint on the points `start ..< start + count` (count ≤ chunkSize), calling
    /// `consume(constraint, values)` with each constraint's values. `scratch` must hold slotCount × chunkSize.
    public func evaluateChunk(
        _ columns: Columns, start: Int, count: Int, scalars bound: [Fp], scratch: UnsafeMutablePointer<Fp>,
        consume: (Int, UnsafePointer<Fp>) -> Void
    ) {
        let width = ConstraintProgram.chunkSize
        let mask = columns.size - 1
        withUnsafeTemporaryAllocation(of: Int.self, capacity: width) { next in
            if let log = columns.logCosetSize {
                let m = 1 << log
                for j in 0..<count {
                    let p = start + j
                    let within = reverseBits((reverseBits(p & (m - 1), width: log) + 1) & (m - 1), width: log)
                    next[j] = (p & ~(m - 1)) | within
                }
            } else {
                for j in 0..<count { next[j] = (start + j + columns.nextStride) & mask }
            }
            run(columns, start: start, count: count, next: next.baseAddress!, scalars: bound, scratch: scratch)
        }
        for (c, slot) in outputs.enumerated() { consume(c, scratch + slot * width) }
    }

    private func run(
        _ columns: Columns, start: Int, count: Int, next: UnsafePointer<Int>, scalars bound: [Fp],
        scratch: UnsafeMutablePointer<Fp>
    ) {
        let width = ConstraintProgram.chunkSize
        // Bit-reversed cosets: a periodic column of period P holds size·P/m entries, one per run of m/P positions.
        let cosetLog = columns.logCosetSize
        let cosetCount = cosetLog.map { columns.size >> $0 } ?? 1
        for (i, op) in ops.enumerated() {
            let out = scratch + i * width
            switch op {
            case .main(let c, let r):
                load(columns.main[c], into: out, start: start, count: count, next: r == .next ? next : nil)
            case .aux(let c, let r):
                load(columns.aux[c], into: out, start: start, count: count, next: r == .next ? next : nil)
            case .periodic(let c):
                let column = columns.periodic[c]
                if let cosetLog {
                    let shift = cosetLog - (column.count / cosetCount).trailingZeroBitCount
                    for j in 0..<count { out[j] = column[(start + j) >> shift] }
                } else {
                    let m = column.count - 1
                    for j in 0..<count { out[j] = column[(start + j) & m] }
                }
            case .scalar(let s):
                let v = bound[s]
                for j in 0..<count { out[j] = v }
            case .add(let a, let b):
                let x = scratch + a * width
                let y = scratch + b * width
                for j in 0..<count { out[j] = x[j] + y[j] }
            case .sub(let a, let b):
                let x = scratch + a * width
                let y = scratch + b * width
                for j in 0..<count { out[j] = x[j] - y[j] }
            case .mul(let a, let b):
                let x = scratch + a * width
                let y = scratch + b * width
                for j in 0..<count { out[j] = x[j] * y[j] }
            case .neg(let a):
                let x = scratch + a * width
                for j in 0..<count { out[j] = -x[j] }
            case .power(let a, let k):
                let x = scratch + a * width
                switch k {
                case 2: for j in 0..<count { out[j] = x[j].squared }
                case 3: for j in 0..<count { out[j] = x[j].squared * x[j] }
                default: for j in 0..<count { out[j] = x[j].power(UInt64(k)) }
                }
            }
        }
    }

    @inline(__always)
    private func load(
        _ column: UnsafeBufferPointer<Fp>, into out: UnsafeMutablePointer<Fp>, start: Int, count: Int,
        next: UnsafePointer<Int>?
    ) {
        if let next {
            for j in 0..<count { out[j] = column[next[j]] }
        } else {
            for j in 0..<count { out[j] = column[start + j] }
        }
    }
}
