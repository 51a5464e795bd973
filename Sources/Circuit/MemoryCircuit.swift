import AIR

/// Every column of the memory's closing table (`Circuits/rv32im_memory.air`), in trace order.
public enum MemoryCol: Int, CaseIterable, Sendable {
    case cActive, cImage, cAddr, cFinal, cTime, cNonce, cdLo, cdHi, rangeCount
}

/// The memory's closing table of an execution proven in segments: one row per address the execution touches or the
/// image sets, which starts the address's chain on the global bus (unless the image does) and ends it. With it,
/// every address has exactly one chain, so no segment can start afresh an address an earlier segment wrote.
public enum MemoryCircuit {
    /// The circuit, loaded from the text embedded in ``CircuitSource``; the tests compare it with the file.
    public static let air: AIR = {
        do {
            return try AIR(circuitSource: CircuitSource.rv32imMemory, fileName: "Circuits/rv32im_memory.air")
        } catch {
            fatalError("the embedded Circuits/rv32im_memory.air does not load: \(error)")
        }
    }()
}
