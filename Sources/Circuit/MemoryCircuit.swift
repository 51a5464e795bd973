import AIR
import Field

/// Every column of the memory's closing table (`Circuits/rv32im_memory.air`), in trace order.
public enum MemoryCol: Int, CaseIterable, Sendable {
    case cActive, cImage, cAddr, cFinal, cTime, cNonce, cd0, cd1, cd2, cd3, byteCount
}

/// The memory's closing table of an execution proven in segments: one row per address the execution touches or the
/// image sets, which starts the address's chain on the global bus (unless the image does) and ends it. With it,
/// every address has exactly one chain, so no segment can start afresh an address an earlier segment wrote.
public enum MemoryCircuit {
    /// log₂ of the fewest rows the closing table has: its byte table takes 256, and a proof of the default profile
    /// needs 2^11 rows for 100 proven bits (`docs/security.md`).
    public static let minimumLogRows = 11

    /// Fills row `row`'s gap bytes with `gap` (the next address − this one − 1, below 2^32), as the trace builder
    /// does.
    public static func setGap(_ gap: UInt64, row: Int, in columns: inout [[Fp]]) {
        let bytes = [MemoryCol.cd0, .cd1, .cd2, .cd3]
        for (k, c) in bytes.enumerated() { columns[c.rawValue][row] = Fp(gap >> (8 * UInt64(k)) & 0xff) }
    }

    /// Counts every row's gap bytes into the byte table's multiplicities (`byteCount`, rows 0 to 255), as the
    /// trace builder does. Values that are not bytes are left uncounted, so a table holding one does not balance.
    public static func countBytes(in columns: inout [[Fp]]) {
        var counts = [UInt64](repeating: 0, count: 256)
        let n = columns[MemoryCol.cd0.rawValue].count
        for c in [MemoryCol.cd0, .cd1, .cd2, .cd3] {
            for i in 0..<n {
                let v = columns[c.rawValue][i].canonicalLimbs
                if v.0 < 256 && v.1 == 0 && v.2 == 0 && v.3 == 0 { counts[Int(v.0)] += 1 }
            }
        }
        for i in 0..<n { columns[MemoryCol.byteCount.rawValue][i] = i < 256 ? Fp(counts[i]) : .zero }
    }

    /// The circuit, loaded from the text embedded in ``CircuitSource``; the tests compare it with the file.
    public static let air: AIR = {
        do {
            return try AIR(circuitSource: CircuitSource.rv32imMemory, fileName: "Circuits/rv32im_memory.air")
        } catch {
            fatalError("the embedded Circuits/rv32im_memory.air does not load: \(error)")
        }
    }()
}
