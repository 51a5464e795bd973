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

    /// The seed of proof `index`'s boundary commitment.
    func boundarySeed(_ index: Int) -> Digest { Blake2b.hash(seedKey.bytes + Array("boundary-\(index)".utf8)) }
}

/// An execution proven in segments, one step at a time, in the order the protocol needs: every proof's boundary
/// root (``boundaryRoot(_:)``), then the joint context (``context(boundaryRoots:)``), then each proof on top of it
/// (``prove(_:context:)``), then the receipt (``receipt(proofs:)``). Proof i < ``segmentCount`` is segment i's; proof
/// ``segmentCount`` is the memory table's.
///
/// ``prove(program:input:options:)`` takes these steps in one process. Split over processes (`zkvm segment`, the
/// Ray driver), each step runs the guest again from the start, so every process needs the program, the input,
/// the options and the same ``ProvingSecrets``.
public final class SegmentedProver {
    public let program: Program
    public let options: ProveOptions
    public let secrets: ProvingSecrets
    /// How many segments the execution is cut into.
    public let segmentCount: Int
    /// log₂ of each segment's rows.
    public let logSegmentRows: Int
    /// log₂ of the memory table's rows.
    public let memoryLogRows: Int
    /// What the execution produced.
    public let journal: [UInt8]
    public let exitCode: UInt32
    public let cycles: UInt64
    /// The guest's diagnostic log (fd 2); not part of the receipt.
    public let log: [UInt8]

    private let trace: Trace

    /// Runs the guest and cuts its execution into segments.
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
        let trace: Trace
        do { trace = try Machine(program: program.image, input: input, limits: options.limits).trace() } catch {
            throw .internalError("the traced run failed where the fast run succeeded: \(error)")
        }
        guard trace.result == result else { throw .internalError("the traced run differs from the fast run") }
        self.program = program
        self.options = options
        self.secrets = secrets
        self.trace = trace
        journal = result.journal
        exitCode = result.exitCode
        cycles = result.cycles
        log = result.log
        let builder = try Self.builder(program, trace, options, secrets)
        segmentCount = builder.segmentCount
        logSegmentRows = builder.logRows
        memoryLogRows = TraceBuilder.memoryLogRows(program: program.image, trace: trace)
    }

    private static func builder(
        _ program: Program, _ trace: Trace, _ options: ProveOptions, _ secrets: ProvingSecrets
    ) throws(ZKVMError) -> TraceBuilder {
        do throws(CircuitError) {
            return try TraceBuilder(
                program: program.image, trace: trace, logSegmentRows: options.logSegmentRows,
                nonceKey: secrets.nonceKey)
        } catch {
            throw mapCircuitError(error, options: options)
        }
    }

    /// Proof `index`'s witness: the builder goes through the segments before it (their traces are built and
    /// dropped) to reach the machine's state there.
    private func withWitness<R>(
        _ index: Int, _ body: (AIR, TraceTable, [Fp], [[PublicBusEntry]]) throws -> R
    ) throws(ZKVMError) -> R {
        guard (0...segmentCount).contains(index) else {
            throw .internalError("proof \(index) of \(segmentCount + 1)")
        }
        var builder = try Self.builder(program, trace, options, secrets)
        do {
            for _ in 0..<index { _ = try builder.nextSegment() }
            if index < segmentCount, let segment = try builder.nextSegment() {
                return try body(
                    CPUCircuit.air, segment.table, segment.publicInputs,
                    CircuitStatement.publicBusEntries(program: program.image))
            }
            while try builder.nextSegment() != nil {}
            return try body(MemoryCircuit.air, try builder.memoryTable(), [], [])
        } catch let error as CircuitError {
            throw mapCircuitError(error, options: options)
        } catch let error as ZKVMError {
            throw error
        } catch {
            throw .internalError("\(error)")
        }
    }

    /// Proof `index`'s boundary root.
    public func boundaryRoot(_ index: Int) throws(ZKVMError) -> Digest {
        try withWitness(index) { air, table, inputs, _ in
            try commitBoundary(
                air: air, trace: table, publicInputs: inputs, parameters: options.parameters,
                seed: secrets.boundarySeed(index))
        }
    }

    /// Every proof's boundary root, in one pass over the execution; `progress` is told after each.
    public func boundaryRoots(progress: ((Int) -> Void)? = nil) throws(ZKVMError) -> [Digest] {
        var roots: [Digest] = []
        try forEachWitness { index, air, table, inputs, _ in
            roots.append(
                try commitBoundary(
                    air: air, trace: table, publicInputs: inputs, parameters: options.parameters,
                    seed: secrets.boundarySeed(index)))
            progress?(index)
        }
        return roots
    }

    /// The joint context, from every proof's boundary root in order.
    public func context(boundaryRoots: [Digest]) -> GlobalContext {
        Join.context(
            Join.transcript(
                programID: program.id, journal: journal, exitCode: exitCode,
                segmentLogRows: [Int](repeating: logSegmentRows, count: segmentCount), memoryLogRows: memoryLogRows),
            boundaryRoots: boundaryRoots)
    }

    /// Proof `index`, in the joint context.
    public func prove(_ index: Int, context: GlobalContext) throws(ZKVMError) -> StarkProof {
        try withWitness(index) { air, table, inputs, entries in
            try proveOne(index, air, table, inputs, entries, context)
        }
    }

    /// Every proof, in one pass over the execution; `progress` is told after each.
    public func proveAll(context: GlobalContext, progress: ((Int) -> Void)? = nil) throws(ZKVMError) -> [StarkProof] {
        var proofs: [StarkProof] = []
        try forEachWitness { index, air, table, inputs, entries in
            proofs.append(try proveOne(index, air, table, inputs, entries, context))
            progress?(index)
        }
        return proofs
    }

    /// The receipt of the proofs (every segment's in order, then the memory table's). It is not verified here.
    public func receipt(proofs: [StarkProof]) throws(ZKVMError) -> Receipt {
        guard proofs.count == segmentCount + 1 else {
            throw .internalError("\(proofs.count) proofs for \(segmentCount) segments and the memory table")
        }
        var receipt = Receipt(
            program: program, journal: journal, exitCode: exitCode, segmentProofs: Array(proofs.dropLast()),
            memoryProof: proofs.last!)
        if !options.includeImage { receipt.program = nil }
        return receipt
    }

    /// Checks proof `index` on its own in `context`, as ``verify(_:expecting:policy:)`` checks each proof of a
    /// receipt, so that a prover split over processes can name the proof that is wrong. It does not check that the
    /// proofs join: verify the receipt for that.
    ///
    /// - Throws: ``ZKVMError/verificationFailed(_:)`` with the verifier's reason.
    public func check(
        _ index: Int, proof: StarkProof, context: GlobalContext, policy: VerifierPolicy = .default
    ) throws(ZKVMError) {
        guard (0...segmentCount).contains(index) else {
            throw .internalError("proof \(index) of \(segmentCount + 1)")
        }
        let logRows = index < segmentCount ? logSegmentRows : memoryLogRows
        guard proof.logTraceLength == logRows else {
            throw .verificationFailed(
                .malformedProof("the proof has 2^\(proof.logTraceLength) rows where this one has 2^\(logRows)"))
        }
        do {
            if index < segmentCount {
                try Verifier.verify(
                    proof: proof, air: CPUCircuit.air,
                    publicInputs: CircuitStatement.segmentPublicInputs(
                        program: program.image, exitCode: exitCode, segment: index, of: segmentCount,
                        rows: 1 << logRows),
                    publicBusEntries: CircuitStatement.publicBusEntries(program: program.image), global: context,
                    policy: policy)
            } else {
                try Verifier.verify(
                    proof: proof, air: MemoryCircuit.air, publicInputs: [], global: context, policy: policy)
            }
        } catch {
            throw .verificationFailed(error)
        }
    }

    private func proveOne(
        _ index: Int, _ air: AIR, _ table: TraceTable, _ inputs: [Fp], _ entries: [[PublicBusEntry]],
        _ context: GlobalContext
    ) throws -> StarkProof {
        try Prover.prove(
            air: air, trace: table, publicInputs: inputs, publicBusEntries: entries, global: context,
            boundarySeed: secrets.boundarySeed(index),
            options: ProverOptions(
                parameters: options.parameters, mainExtensionMemoryLimit: options.mainExtensionMemoryLimit,
                progress: options.proverProgress))
    }

    private func forEachWitness(
        _ body: (Int, AIR, TraceTable, [Fp], [[PublicBusEntry]]) throws -> Void
    ) throws(ZKVMError) {
        var builder = try Self.builder(program, trace, options, secrets)
        let entries = CircuitStatement.publicBusEntries(program: program.image)
        do {
            var index = 0
            while let segment = try builder.nextSegment() {
                try body(index, CPUCircuit.air, segment.table, segment.publicInputs, entries)
                index += 1
            }
            try body(index, MemoryCircuit.air, try builder.memoryTable(), [], [])
        } catch let error as CircuitError {
            throw mapCircuitError(error, options: options)
        } catch let error as ZKVMError {
            throw error
        } catch let error as ProverError {
            throw .internalError("\(error)")
        } catch {
            throw .internalError("\(error)")
        }
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
