import AIR

extension CPUCircuit {
    /// The RV32IM circuit as `Circuits/rv32im.air` defines it, loaded from the text embedded in ``CircuitSource``.
    ///
    /// Its columns are ``Col`` in order, so the trace builder's columns fit it; its canonical description, and so its
    /// circuit id, is that of ``air``. Loading traps only if the embedded text is not a valid circuit file, which
    /// the tests rule out: they load it and compare it with the file in `Circuits/` and with ``air``.
    public static let loadedAIR: AIR = {
        do {
            return try AIR(circuitSource: CircuitSource.rv32im, fileName: "Circuits/rv32im.air")
        } catch {
            fatalError("the embedded Circuits/rv32im.air does not load: \(error)")
        }
    }()
}
