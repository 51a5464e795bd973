import Field

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Loading an AIR from a circuit file (`.air`), the declarative form the prover, the verifier and the debug checker
/// share. `Circuits/README.md` describes the format.
extension AIR {
    /// Loads an AIR from circuit source text.
    ///
    /// The result is exactly the `AIR` the same definition would build in Swift: columns, public inputs, periodic
    /// columns, constraints and buses in the order the file declares them, macros expanded, and the buses' auxiliary
    /// columns and constraints added by
    /// ``AIR/init(name:mainColumns:boundaryColumnCount:publicInputs:periodicColumns:constraints:buses:inverseDegree:)``
    /// as the file's `inverse degree` asks.
    ///
    /// - Parameters:
    ///   - circuitSource: The text of the circuit file.
    ///   - fileName: The name error messages give the file, usually its path.
    /// - Throws: The first problem in file order, located as `file:line:column` with the offending text. No input
    ///   makes the loader trap, and ``CircuitFileLimits`` bound its time and memory.
    public init(circuitSource: String, fileName: String) throws(CircuitFileError) {
        var parser = try CircuitParser(source: circuitSource, file: fileName)
        self = try parser.parse()
    }

    /// Loads an AIR from the circuit file at `path`, which error messages use as the file name.
    ///
    /// - Throws: ``CircuitFileError/unreadable(file:reason:)`` when the file cannot be read, is larger than
    ///   ``CircuitFileLimits/maxFileBytes`` or is not UTF-8; otherwise what ``init(circuitSource:fileName:)`` throws.
    public init(contentsOfCircuitFile path: String) throws(CircuitFileError) {
        try self.init(circuitSource: readCircuitFile(path), fileName: path)
    }
}

/// The file's text, read with the C library: the AIR module needs nothing else from the system.
private func readCircuitFile(_ path: String) throws(CircuitFileError) -> String {
    guard let handle = fopen(path, "rb") else {
        throw .unreadable(file: path, reason: String(cString: strerror(errno)))
    }
    defer { fclose(handle) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
        bytes += chunk[..<count]
        if bytes.count > CircuitFileLimits.maxFileBytes {
            throw .unreadable(file: path, reason: "larger than \(CircuitFileLimits.maxFileBytes) bytes")
        }
        if count < chunk.count {
            // A short read is either the end of the file or an error, such as reading a directory.
            if ferror(handle) != 0 { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
            break
        }
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw .unreadable(file: path, reason: "not UTF-8 text")
    }
    return text
}

/// The generated tables a circuit file can name instead of listing their values: `periodic NAME = builtin TABLE`.
///
/// A table stands for exactly the values it generates, so an AIR that uses one is the same AIR, with the same
/// canonical description and circuit id, as one that writes the values out. The set is small on purpose: each table
/// here is part of the format, and `Circuits/README.md` documents every one.
public enum CircuitBuiltinTable: String, CaseIterable, Sendable {
    /// r for r in 0..<256: every byte. As a periodic column it repeats every 256 rows, so it is r mod 256 on row r
    /// like `byte_pair_lo`, but a verifier evaluates it from 256 coefficients instead of 65,536.
    case byte = "byte"
    /// r mod 256 for r in 0..<65536: the first byte of every byte pair.
    case bytePairLo = "byte_pair_lo"
    /// r div 256 for r in 0..<65536: the second byte of every byte pair.
    case bytePairHi = "byte_pair_hi"
    /// (r mod 256) AND (r div 256) for r in 0..<65536: the bitwise AND of every byte pair.
    case bytePairAnd = "byte_pair_and"

    /// The name a circuit file writes after `builtin`.
    public var name: String { rawValue }

    /// The table's values, one period of the periodic column.
    public var values: [Fp] {
        switch self {
        case .byte: return (0..<256 as Range<UInt64>).map { Fp($0) }
        case .bytePairLo: return (0..<65536 as Range<UInt64>).map { Fp($0 & 255) }
        case .bytePairHi: return (0..<65536 as Range<UInt64>).map { Fp($0 >> 8) }
        case .bytePairAnd: return (0..<65536 as Range<UInt64>).map { Fp(($0 & 255) & ($0 >> 8)) }
        }
    }

    /// The table a circuit file names `name`, or nil for a name that is not built in.
    public init?(name: String) { self.init(rawValue: name) }
}
