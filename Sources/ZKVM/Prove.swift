import AIR
import Circuit
import Field
import Foundation
import Hashing
import Proof
import Prover
import RV32IM
import Verifier

/// How ``prove(program:input:options:)`` runs the guest and proves it.
public struct ProveOptions: Sendable {
    /// The STARK parameters. Receipts are accepted by the default verifier policy only with parameters giving at
    /// least 100 proven bits, such as ``Profile/default``'s.
    public var parameters: ProofParameters
    /// The guest's resource limits; exceeding one fails with ``ZKVMError/executionFailed(_:cycles:)`` or
    /// ``ZKVMError/didNotExit(cycleLimit:)``.
    public var limits: Limits
    /// Called as each phase ends with its name and the seconds it took: execution, witness building, then each
    /// phase of the STARK prover. Called on the proving thread; keep it short.
    public var progress: (@Sendable (_ phase: String, _ seconds: Double) -> Void)?
    /// The most bytes the prover keeps its extended main columns in; above it, it computes them a coset at a time,
    /// in about blowup times less memory and more time, keeping copies of what fits under the limit
    /// (``ProverOptions/mainExtensionMemoryLimit``). The default, 2.75 GiB, keeps them up to 2^17 trace rows in the
    /// default profile; at 2^18 rows proving then takes about 5.1 GB instead of 8.
    public var mainExtensionMemoryLimit = ProverOptions.defaultMainExtensionMemoryLimit
    /// Whether the receipt includes the program image (the default). Without it the receipt carries only the
    /// program id, saving the image's size in every receipt, and verifies only for a verifier that holds the
    /// program (``Receipt/program``).
    public var includeImage = true
    /// log₂ of the rows of each segment (2^16 to 2^19), or nil to choose: one segment when the execution fits in
    /// 2^17 rows, else segments of 2^17 rows, which the default profile proves in about 3 GB each.
    public var logSegmentRows: Int?
    /// Whether each proof takes the fewest queries, at most ``parameters``' own count, that still give it
    /// ``fittedProvenBits`` proven bits for its own shape (the default). Parameters that do not give that many are
    /// used as they are, as are all parameters when this is off.
    public var fitsQueries = true
    /// Called as each phase of the STARK prover ends, for each proof (``progress`` reports the facade's phases:
    /// execution, then each proof's boundary commitment, then each proof).
    public var proverProgress: (@Sendable (_ phase: String, _ seconds: Double) -> Void)?

    /// Options with a named profile's parameters.
    public init(
        profile: Profile = .default, limits: Limits = .default,
        progress: (@Sendable (_ phase: String, _ seconds: Double) -> Void)? = nil
    ) {
        self.init(parameters: profile.parameters, limits: limits, progress: progress)
    }

    /// Options with explicit parameters.
    public init(
        parameters: ProofParameters, limits: Limits = .default,
        progress: (@Sendable (_ phase: String, _ seconds: Double) -> Void)? = nil
    ) {
        self.parameters = parameters
        self.limits = limits
        self.progress = progress
    }

    /// The default profile, the default limits, no progress reports.
    public static let `default` = ProveOptions()

    /// What fitted query counts aim for: the default verifier policy's 100 proven bits, and a tenth of a bit over
    /// it, so that a verifier whose floating point rounds a last digit otherwise still accepts.
    public static let fittedProvenBits = VerifierPolicy.default.minimumProvenBits + 0.1

    /// The parameters of a proof of `airs` at these heights: ``parameters``, with the fewest queries that reach
    /// ``fittedProvenBits`` when ``fitsQueries`` is on.
    public func parameters(airs: [AIR], logTraceLengths: [Int]) -> ProofParameters {
        guard fitsQueries else { return parameters }
        return BatchShape.fewestQueries(
            parameters, reaching: Self.fittedProvenBits, airs: airs, logTraceLengths: logTraceLengths)
    }
}

/// A receipt and what the prover learned making it that the receipt does not say.
public struct ProveInfo: Sendable {
    /// The receipt.
    public var receipt: Receipt
    /// Instructions the guest executed, the final `ECALL` included. Not part of the receipt: the proof binds only
    /// the padded trace length.
    public var cycles: UInt64
    /// The guest's diagnostic log (fd 2). Not part of the receipt.
    public var log: [UInt8]
    /// Seconds spent in each phase, in order.
    public var phases: [(phase: String, seconds: Double)]
}

/// Runs `program` on the private `input` and proves the result: the receipt shows that the program exited with
/// the receipt's exit code after writing the receipt's journal, and reveals nothing else about `input` when the
/// parameters have zero knowledge (every profile but ``Profile/test``).
///
/// ```swift
/// let receipt = try prove(program: try Program(contentsOf: "guest.elf"), input: secret)
/// try write(receipt.encoded())
/// ```
///
/// - Throws: ``ZKVMError/executionFailed(_:cycles:)`` when the guest faults or exceeds a limit,
///   ``ZKVMError/didNotExit(cycleLimit:)``, ``ZKVMError/traceTooLong(rows:maximumRows:)``,
///   ``ZKVMError/unprovable(_:)``, or ``ZKVMError/internalError(_:)`` for a bug in zkvm.
public func prove(program: Program, input: [UInt8], options: ProveOptions = .default) throws(ZKVMError) -> Receipt {
    try proveWithInfo(program: program, input: input, options: options).receipt
}

/// The most rows an execution may take over all its segments: a row per cycle plus one per I/O byte. Longer
/// executions are refused with ``ZKVMError/traceTooLong(rows:maximumRows:)`` before they are traced.
public let maximumTraceRows = TraceBuilder.maxTotalRows

/// ``prove(program:input:options:)``, also returning the cycle count, the guest's log and the phase timings.
public func proveWithInfo(
    program: Program, input: [UInt8], options: ProveOptions = .default
) throws(ZKVMError) -> ProveInfo {
    var clock = Clock(report: options.progress)
    guard program.segments.count <= ReceiptFormat.maximumSegments else {
        throw .unprovable(
            "the program has \(program.segments.count) segments; a receipt holds at most "
                + "\(ReceiptFormat.maximumSegments)")
    }

    // MARK: - 1. Execute, trace, and cut the execution into segments

    let prover = try SegmentedProver(program: program, input: input, options: options)
    clock.end("execute and trace")
    let count = prover.segmentCount
    func name(_ index: Int) -> String {
        "segment \(index + 1) of \(count)" + (index == count - 1 ? ", memory" : "")
    }

    // MARK: - 2. Commit every proof's boundary columns: each segment's, the memory table's with the last
    //
    // One segment is proven alone: its boundary columns go into its main commitment, and the joint challenges are
    // drawn from that (``SegmentedProver/proveAlone()``).

    // MARK: - 3. The joint challenges, then each proof on top of them

    let proofs: [BatchProof]
    if count == 1 {
        proofs = [try prover.proveAlone()]
        clock.end("prove \(name(0))")
    } else {
        let roots = try prover.boundaryRoots { clock.end("commit \(name($0))") }
        proofs = try prover.proveAll(context: prover.context(boundaryRoots: roots)) { clock.end("prove \(name($0))") }
    }
    return ProveInfo(
        receipt: try prover.receipt(proofs: proofs), cycles: prover.cycles, log: prover.log, phases: clock.phases)
}

/// The facade's error for a trace builder's.
func mapCircuitError(_ error: CircuitError, options: ProveOptions) -> ZKVMError {
    switch error {
    case .didNotExit: return .didNotExit(cycleLimit: options.limits.maxCycles)
    case .tooLong(let rows, let limitLog): return .traceTooLong(rows: rows, maximumRows: 1 << limitLog)
    case .unsupported(let why): return .unprovable(why)
    case .inconsistent: return .internalError("\(error)")
    }
}

/// Runs `program` on `input` without proving, mapping the machine's errors to the facade's.
func execute(program: Program, input: [UInt8], limits: Limits) throws(ZKVMError) -> ExecutionResult {
    let machine: Machine
    do { machine = try Machine(program: program.image, input: input, limits: limits) } catch {
        throw .executionFailed(error, cycles: 0)
    }
    do { return try machine.run() } catch {
        if case .cycleLimitExceeded(let limit) = error { throw .didNotExit(cycleLimit: limit) }
        throw .executionFailed(error, cycles: machine.cycles)
    }
}

/// Times the facade's phases, reporting each to the caller as it ends.
private struct Clock {
    let report: (@Sendable (String, Double) -> Void)?
    private(set) var phases: [(phase: String, seconds: Double)] = []
    private var start = DispatchTime.now()

    init(report: (@Sendable (String, Double) -> Void)?) { self.report = report }

    mutating func end(_ phase: String) {
        let now = DispatchTime.now()
        let seconds = Double(now.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        start = now
        phases.append((phase, seconds))
        report?(phase, seconds)
    }
}

