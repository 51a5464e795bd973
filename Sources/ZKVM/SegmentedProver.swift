import AIR
import Circuit
import Field
import Foundation
import Hashing
import Proof
import Prover
import RV32IM
import Verifier

/// The secrets of one proof of an execution: the key its global-bus nonces are derived from and the key of its
/// boundary commitments' randomness. Every step of a proof split over processes or machines must use the same
/// ones, and they must stay as secret as the input: with them, the shares of the global bus say what the
/// boundaries held.
public struct ProvingSecrets: Equatable, Sendable {
    let nonceKey: Digest
    let seedKey: Digest

    /// Fresh secrets from the operating system's generator.
    public static func random() -> ProvingSecrets { ProvingSecrets(nonceKey: .random(), seedKey: .random()) }

    private init(nonceKey: Digest, seedKey: Digest) {
        self.nonceKey = nonceKey
        self.seedKey = seedKey
    }

    /// The 64 bytes to hand to another process of the same proof.
    public var bytes: [UInt8] { nonceKey.bytes + seedKey.bytes }

    /// Secrets from ``bytes``.
    public init(bytes: [UInt8]) throws(ZKVMError) {
        guard bytes.count == 64 else {
            throw .malformedReceipt(offset: 0, reason: "proving secrets are 64 bytes, not \(bytes.count)")
        }
        nonceKey = try! Digest(bytes: bytes[0..<32])
        seedKey = try! Digest(bytes: bytes[32..<64])
    }

    /// The seed of the boundary columns of table `table` of proof `index`: the segment's own (0) or the memory
    /// table's (2, in the last proof). Each table's columns get randomness of their own.
    func boundarySeed(_ index: Int, table: Int) -> Digest {
        Blake2b.hash(seedKey.bytes + Array("boundary-\(index)-\(table)".utf8))
    }
}

/// An execution proven in segments, one step at a time, in the order the protocol needs: every proof's boundary
/// root (``boundaryRoot(_:)``), then the joint context (``context(boundaryRoots:)``), then each proof on top of it
/// (``prove(_:context:)``), then the receipt (``receipt(proofs:)``). Proof i is segment i's; the last also holds the
/// memory's closing table.
///
/// Nothing of the execution is kept but its plan: every step runs the guest again from the start and builds only
/// the traces it needs, one segment at a time, so memory is bounded by the segment size whatever the execution's
/// length. ``prove(program:input:options:)`` takes the steps in one process, in two passes. Split over processes
/// (`zkvm segment`, the Ray driver), every process needs the program, the input, the options and the same
/// ``ProvingSecrets``.
public final class SegmentedProver {
    public let program: Program
    public let input: [UInt8]
    public let options: ProveOptions
    public let secrets: ProvingSecrets
    /// How the execution is cut.
    public let plan: SegmentPlan
    /// What the execution produced.
    public let journal: [UInt8]
    public let exitCode: UInt32
    public let cycles: UInt64
    /// The guest's diagnostic log (fd 2); not part of the receipt.
    public let log: [UInt8]

    /// How many segments the execution is cut into.
    public var segmentCount: Int { plan.segmentCount }
    /// log₂ of each segment's rows.
    public var logSegmentRows: Int { plan.logRows }
    /// log₂ of the memory table's rows.
    public var memoryLogRows: Int { plan.memoryLogRows }

    /// Runs the guest and plans its segments.
    ///
    /// - Throws: the errors of ``prove(program:input:options:)`` for a run that cannot be proven.
    public init(
        program: Program, input: [UInt8], options: ProveOptions = .default, secrets: ProvingSecrets = .random()
    ) throws(ZKVMError) {
        guard program.segments.count <= ReceiptFormat.maximumSegments else {
            throw .unprovable(
                "the program has \(program.segments.count) segments; a receipt holds at most "
                    + "\(ReceiptFormat.maximumSegments)")
        }
        // Tracing records a row per cycle, so a run the circuit could never hold is refused before it is traced.
        let result = try execute(program: program, input: input, limits: options.limits)
        if result.cycles >= UInt64(maximumTraceRows) {
            throw .traceTooLong(rows: Int(clamping: result.cycles) + 1, maximumRows: maximumTraceRows)
        }
        self.program = program
        self.input = input
        self.options = options
        self.secrets = secrets
        journal = result.journal
        exitCode = result.exitCode
        cycles = result.cycles
        log = result.log
        var planner: SegmentPlanner
        do throws(CircuitError) {
            planner = try SegmentPlanner(program: program.image, logSegmentRows: options.logSegmentRows)
        } catch {
            throw mapCircuitError(error, options: options)
        }
        try Self.replay(program, input, options) { row, event throws(CircuitError) in try planner.add(row, event: event) }
        do throws(CircuitError) { plan = try planner.finish() } catch { throw mapCircuitError(error, options: options) }
    }

    /// Runs the guest again in tracing mode and hands every machine row (with an ECALL's I/O event) to `body`,
    /// a chunk of rows at a time; stops handing rows on at `body`'s first error, and throws it.
    private static func replay(
        _ program: Program, _ input: [UInt8], _ options: ProveOptions,
        _ body: (TraceRow, IOEvent?) throws(CircuitError) -> Void
    ) throws(ZKVMError) {
        var failure: CircuitError?
        do {
            let machine = try Machine(program: program.image, input: input, limits: options.limits)
            try machine.run(chunkRows: 1 << 14) { chunk in
                guard failure == nil else { return }
                var events = chunk.events.makeIterator()
                for row in chunk.rows {
                    do throws(CircuitError) {
                        try body(row, row.op == .ecall ? events.next() : nil)
                    } catch {
                        failure = error
                        return
                    }
                }
            }
        } catch {
            throw .internalError("the traced run failed where the fast run succeeded: \(error)")
        }
        if let failure { throw mapCircuitError(failure, options: options) }
    }

    /// Walks the execution once, building the traces `builds` asks for, and hands each proof's tables to `body` as
    /// they are done: the proof's index, and each table's statement and trace (a segment's table and its lookup
    /// table, and for the last segment the memory's closing table, built once every segment is walked).
    /// The tables are handed over, not lent: a prover that is done with a table's trace before the end of the proof
    /// can free it.
    private func walk(
        builds: @escaping @Sendable (Int) -> SegmentBuild, _ body: (Int, consuming [BatchWitness]) throws -> Void
    ) throws(ZKVMError) {
        var builder = TraceBuilder(
            program: program.image, plan: plan, exitCode: exitCode, nonceKey: secrets.nonceKey, builds: builds)
        let entries = CircuitStatement.publicBusEntries(program: program.image)
        var bodyFailure: (any Error)?
        func hand(_ handed: consuming SegmentWitness?, memory: consuming TraceTable? = nil) {
            guard let segment = consume handed, bodyFailure == nil else { return }
            let index = segment.index
            var tables = [
                BatchWitness(
                    statement: BatchStatement(
                        air: CPUCircuit.air, publicInputs: segment.publicInputs, publicBusEntries: entries),
                    trace: segment.table),
                BatchWitness(statement: BatchStatement(air: LookupCircuit.air, publicInputs: []), trace: segment.lookups),
            ]
            _ = consume segment
            if let memory = consume memory {
                tables.append(
                    BatchWitness(statement: BatchStatement(air: MemoryCircuit.air, publicInputs: []), trace: memory))
            }
            do { try body(index, consume tables) } catch { bodyFailure = error }
        }
        try Self.replay(program, input, options) { row, event throws(CircuitError) in
            hand(try builder.add(row, event: event))
        }
        do throws(CircuitError) {
            // The last segment comes from `finish`; the memory table it is proven with needs every segment walked.
            if let last = try builder.finish() { hand(last, memory: try builder.memoryTable()) }
        } catch {
            throw mapCircuitError(error, options: options)
        }
        switch bodyFailure {
        case nil: return
        case let error as ZKVMError: throw error
        case let error as CircuitError: throw mapCircuitError(error, options: options)
        case let error?: throw .internalError("\(error)")
        }
    }

    /// Proof `index`'s witness alone: the segments before it are walked without their tables.
    private func withWitness<R>(
        _ index: Int, boundaryOnly: Bool = false, _ body: (consuming [BatchWitness]) throws -> R
    ) throws(ZKVMError) -> R {
        guard (0..<segmentCount).contains(index) else {
            throw .internalError("proof \(index) of \(segmentCount)")
        }
        var result: R?
        let wanted: SegmentBuild = boundaryOnly ? .boundary : .full
        try walk(builds: { $0 == index ? wanted : .none }) { i, tables in
            if i == index { result = try body(consume tables) }
        }
        guard let result else { throw .internalError("proof \(index) was not built") }
        return result
    }

    /// Proof `index`'s boundary root.
    public func boundaryRoot(_ index: Int) throws(ZKVMError) -> Digest {
        try withWitness(index, boundaryOnly: true) { tables in try commitBoundary(index, tables).root }
    }

    /// Every proof's boundary root, in one pass over the execution; `progress` is told after each. The first
    /// proof's commitment is kept whole for ``proveAll(context:progress:)``, which proves it first: it is made
    /// once, and kept while the prover holds little else.
    public func boundaryRoots(progress: ((Int) -> Void)? = nil) throws(ZKVMError) -> [Digest] {
        var roots: [Digest] = []
        keptBoundary = nil
        try walk(builds: { _ in .boundary }) { index, tables in
            let commitment = try commitBoundary(index, tables)
            if index == 0 { keptBoundary = commitment }
            roots.append(commitment.root)
            progress?(index)
        }
        return roots
    }

    /// The first proof's boundary commitment, from ``boundaryRoots(progress:)`` until its proof takes it up.
    private var keptBoundary: BatchBoundaryCommitment?

    /// The boundary commitment of proof `index`'s tables: their boundary columns only are read.
    private func commitBoundary(_ index: Int, _ tables: [BatchWitness]) throws -> BatchBoundaryCommitment {
        try batchBoundaryCommitment(
            airs: tables.map(\.statement.air), logTraceLengths: tables.map(\.trace.logRowCount),
            boundaryColumns: tables.map { w in
                w.statement.air.boundaryColumnCount > 0
                    ? Array(w.trace.columns.prefix(w.statement.air.boundaryColumnCount)) : nil
            },
            parameters: options.parameters(
                airs: tables.map(\.statement.air), logTraceLengths: tables.map(\.trace.logRowCount)),
            seeds: tables.indices.map { t in
                tables[t].statement.air.boundaryColumnCount > 0 ? secrets.boundarySeed(index, table: t) : nil
            })
    }

    /// The joint context, from every proof's boundary root in order.
    public func context(boundaryRoots: [Digest]) -> GlobalContext {
        Join.context(
            Join.transcript(
                programID: program.id, journal: journal, exitCode: exitCode,
                segmentLogRows: [Int](repeating: logSegmentRows, count: segmentCount), memoryLogRows: memoryLogRows),
            boundaryRoots: boundaryRoots)
    }

    /// Proof `index`, in the joint context. The one proof of a one-segment execution is proven alone whatever the
    /// context (``proveAlone()``).
    public func prove(_ index: Int, context: GlobalContext) throws(ZKVMError) -> BatchProof {
        if segmentCount == 1 && index == 0 { return try proveAlone() }
        return try withWitness(index) { tables in try proveOne(index, consume tables, context) }
    }

    /// Every proof, in one pass over the execution; `progress` is told after each. A one-segment execution's proof
    /// is proven alone whatever the context (``proveAlone()``).
    public func proveAll(context: GlobalContext, progress: ((Int) -> Void)? = nil) throws(ZKVMError) -> [BatchProof] {
        if segmentCount == 1 {
            let proof = try proveAlone()
            progress?(0)
            return [proof]
        }
        var proofs: [BatchProof] = []
        try walk(builds: { _ in .full }) { index, tables in
            proofs.append(try proveOne(index, consume tables, context))
            progress?(index)
        }
        return proofs
    }

    /// The proof of a one-segment execution: its boundary columns are committed with its main columns, and the
    /// joint context is drawn from that root (``context(mainRoot:)``), so it needs no boundary pass and sends one
    /// commitment fewer.
    public func proveAlone() throws(ZKVMError) -> BatchProof {
        guard segmentCount == 1 else {
            throw .internalError("\(segmentCount) segments: only a one-segment execution is proven alone")
        }
        return try withWitness(0) { tables in try proveOne(0, consume tables, nil) }
    }

    /// The joint context of a one-segment execution, from its proof's main root.
    public func context(mainRoot: Digest) -> GlobalContext { context(boundaryRoots: [mainRoot]) }

    /// The receipt of the proofs (every segment's, in order). It is not verified here.
    public func receipt(proofs: [BatchProof]) throws(ZKVMError) -> Receipt {
        guard proofs.count == segmentCount else {
            throw .internalError("\(proofs.count) proofs for \(segmentCount) segments")
        }
        var receipt = Receipt(program: program, journal: journal, exitCode: exitCode, segmentProofs: proofs)
        if !options.includeImage { receipt.program = nil }
        return receipt
    }

    /// Checks proof `index` on its own in `context`, as ``verify(_:expecting:policy:)`` checks each proof of a
    /// receipt, so that a prover split over processes can name the proof that is wrong. It does not check that the
    /// proofs join: verify the receipt for that. A one-segment execution's proof is checked as proven alone, in the
    /// context of its own main root, whatever `context`.
    ///
    /// - Throws: ``ZKVMError/verificationFailed(_:)`` with the verifier's reason.
    public func check(
        _ index: Int, proof: BatchProof, context: GlobalContext, policy: VerifierPolicy = .default
    ) throws(ZKVMError) {
        guard (0..<segmentCount).contains(index) else {
            throw .internalError("proof \(index) of \(segmentCount)")
        }
        let heights = [logSegmentRows, LookupCircuit.logRows] + (index == segmentCount - 1 ? [memoryLogRows] : [])
        guard proof.tables.map(\.logTraceLength) == heights else {
            throw .verificationFailed(
                .malformedProof("the proof's tables do not have this one's heights, 2^" + heights.map(String.init).joined(separator: ", 2^")))
        }
        let statements = CircuitStatement.segmentStatements(
            program: program.image, exitCode: exitCode, segment: index, of: segmentCount, rows: 1 << logSegmentRows)
        do {
            if segmentCount == 1 {
                try verifyBatch(proof, statements: statements, globalFromMainRoot: context(mainRoot:), policy: policy)
            } else {
                try verifyBatch(proof, statements: statements, global: context, policy: policy)
            }
        } catch { throw .verificationFailed(error) }
    }

    /// Proof `index`, in `context`, or alone without one.
    private func proveOne(
        _ index: Int, _ handed: consuming [BatchWitness], _ context: GlobalContext?
    ) throws -> BatchProof {
        var tables = consume handed
        for t in tables.indices where tables[t].statement.air.boundaryColumnCount > 0 {
            tables[t].boundarySeed = secrets.boundarySeed(index, table: t)
        }
        // The first proof takes up the boundary commitment kept from the boundary pass: the same seeds and columns
        // make the same commitment, so the root the context was drawn from is its root. A proof made alone has
        // none.
        let kept = index == 0 && context != nil ? keptBoundary : nil
        if index == 0 { keptBoundary = nil }
        let parameters = options.parameters(
            airs: tables.map(\.statement.air), logTraceLengths: tables.map(\.trace.logRowCount))
        // Handed over: the prover frees a main trace it no longer reads.
        return try proveBatch(
            consume tables, global: context, globalFromMainRoot: context == nil ? self.context(mainRoot:) : nil,
            options: ProverOptions(
                parameters: parameters, mainExtensionMemoryLimit: options.mainExtensionMemoryLimit,
                progress: options.proverProgress),
            boundary: kept)
    }
}

extension GlobalContext {
    /// The context as bytes, to hand to another process of the same proof: the binding, then each challenge.
    public var encoded: [UInt8] { binding.bytes + challenges.flatMap(\.canonicalBytes) }

    /// A context from ``encoded``.
    public init(encoded bytes: [UInt8]) throws(ZKVMError) {
        guard bytes.count >= 32, (bytes.count - 32) % 32 == 0 else {
            throw .malformedReceipt(offset: 0, reason: "a joint context is 32 bytes and 32 per challenge")
        }
        var challenges: [Fp] = []
        for start in stride(from: 32, to: bytes.count, by: 32) {
            do { challenges.append(try Fp(canonicalBytes: bytes[start..<start + 32])) } catch {
                throw .malformedReceipt(offset: start, reason: "a challenge is not a canonical field element")
            }
        }
        self.init(binding: try! Digest(bytes: bytes[0..<32]), challenges: challenges)
    }
}
