import AIR
import Circuit
import Field
import Hashing
import Proof
import RV32IM

/// The protocol that joins a receipt's proofs, one per segment (the last with the memory's closing table), into one
/// statement: the joint
/// transcript, from which the global bus's challenges are drawn after every proof's boundary root. ``verify(_:expecting:policy:)``
/// then checks that the proofs' shares of the bus and the verifier's own entries cancel.
public enum Join {
    /// The joint statement: the circuits, the program, the journal and exit code, and the proofs' number and
    /// sizes. Every proof absorbs the context drawn from it, so a proof made for one statement fails in another.
    public static func transcript(
        programID: ProgramID, journal: [UInt8], exitCode: UInt32, segmentLogRows: [Int], memoryLogRows: Int
    ) -> Transcript {
        var t = Transcript(domain: "zkvm-receipt")
        t.absorb("version", integer: UInt64(ReceiptFormat.version))
        t.absorb("segment-circuit", digest: StarkProtocol.circuitDigest(of: CPUCircuit.air))
        t.absorb("lookup-circuit", digest: StarkProtocol.circuitDigest(of: LookupCircuit.air))
        t.absorb("memory-circuit", digest: StarkProtocol.circuitDigest(of: MemoryCircuit.air))
        t.absorb("program", bytes: programID.bytes)
        t.absorb("journal", bytes: journal)
        t.absorb("exit-code", integer: UInt64(exitCode))
        t.absorb("segments", integer: UInt64(segmentLogRows.count))
        for log in segmentLogRows { t.absorb("segment-log-rows", integer: UInt64(log)) }
        t.absorb("memory-log-rows", integer: UInt64(memoryLogRows))
        return t
    }

    /// The roots a receipt's joint context is drawn from, in the proofs' order: each proof's boundary root, or the
    /// main root of a receipt's one proof, which is proven alone; nil when one of several proofs has no boundary
    /// commitment.
    public static func roots(of proofs: [BatchProof]) -> [Digest]? {
        if proofs.count == 1 { return [proofs[0].mainRoot] }
        let roots = proofs.compactMap(\.boundaryRoot)
        return roots.count == proofs.count ? roots : nil
    }

    /// The context every proof is made and checked in: the joint transcript with each proof's boundary root, in the
    /// segments' order.
    public static func context(_ joint: Transcript, boundaryRoots: [Digest]) -> GlobalContext {
        StarkProtocol.globalContext(joint, boundaryRoots: boundaryRoots, busCount: 1)
    }
}

extension CircuitStatement {
    /// Segment k's batch as the verifier states it: the segment's table with its public inputs and the program
    /// table's entries, then its lookup table (``LookupCircuit/segmentAIRs``), and for the last segment the memory's
    /// closing table.
    static func segmentStatements(
        program: RV32IM.Program, exitCode: UInt32, segment k: Int, of count: Int, rows: Int
    ) -> [BatchStatement] {
        [
            BatchStatement(
                air: CPUCircuit.air,
                publicInputs: segmentPublicInputs(program: program, exitCode: exitCode, segment: k, of: count, rows: rows),
                publicBusEntries: publicBusEntries(program: program)),
            BatchStatement(air: LookupCircuit.air, publicInputs: []),
        ] + (k == count - 1 ? [BatchStatement(air: MemoryCircuit.air, publicInputs: [])] : [])
    }
}

extension BatchProof {
    /// log₂ of the rows of the proof's first table: the segment's own.
    public var logTraceLength: Int { tables.first?.logTraceLength ?? 0 }

    /// The tables' shares of each global bus, added up: what the proof brings to the join.
    public var globalShares: [Fp] {
        var total: [Fp] = []
        for part in tables where !part.globalShares.isEmpty {
            if total.isEmpty { total = [Fp](repeating: .zero, count: part.globalShares.count) }
            for j in part.globalShares.indices where j < total.count { total[j] += part.globalShares[j] }
        }
        return total
    }
}
