import Foundation
import ZKVM

/// The guest programs under `Vectors/programs`.
enum Examples {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Vectors/programs").standardized

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).appendingPathComponent("program.elf").path
    }

    static func program(_ name: String) throws(ZKVMError) -> Program { try Program(contentsOf: path(name)) }

    static func input(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name).appendingPathComponent("input.bin")))
    }
}

/// The test profile gives about 10 proven bits, far below the default policy's 100; tests accept it explicitly.
let acceptTestProofs = VerifierPolicy(minimumProvenBits: 0)

/// Proofs shared between tests: each takes seconds, and the negative twins, the fuzz and the format tests only
/// need one valid receipt to start from.
enum Fixtures {
    /// `hello` on its example input, test profile.
    static let hello: Result<Receipt, ZKVMError> = Result { () throws(ZKVMError) in
        try prove(
            program: try Examples.program("hello"), input: Array("world".utf8), options: ProveOptions(profile: .test))
    }

    /// `fibonacci` for n = 20, test profile.
    static let fibonacci: Result<Receipt, ZKVMError> = Result { () throws(ZKVMError) in
        try prove(
            program: try Examples.program("fibonacci"), input: [20, 0, 0, 0], options: ProveOptions(profile: .test))
    }

    /// `fibonacci` for n = 220 in segments of 2^10 rows, test profile: an execution of three segments.
    static let segmentedFibonacci: Result<Receipt, ZKVMError> = Result { () throws(ZKVMError) in
        try prove(program: try Examples.program("fibonacci"), input: segmentedInput, options: segmentedOptions)
    }

    /// 220 as a little-endian u32: fibonacci's input for ``segmentedFibonacci``.
    static let segmentedInput = littleEndian(220)

    /// The test profile in segments of 2^16 rows.
    static let segmentedOptions: ProveOptions = {
        var options = ProveOptions(profile: .test)
        options.logSegmentRows = 10
        return options
    }()
}

/// The four little-endian bytes of `value`.
func littleEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

/// A proof stripped to its fixed fields and a token of each list: structurally a proof, a few hundred bytes long,
/// decoded in microseconds.
func stripped(_ proof: BatchProof) -> BatchProof {
    var proof = proof
    for t in proof.tables.indices {
        proof.tables[t].outOfDomain.main = Array(proof.tables[t].outOfDomain.main.prefix(1))
        proof.tables[t].outOfDomain.mainNext = []
        proof.tables[t].outOfDomain.aux = []
        proof.tables[t].outOfDomain.auxNext = []
        proof.tables[t].outOfDomain.composition = []
    }
    proof.remainder = Array(proof.remainder.prefix(1))
    proof.friRoots = Array(proof.friRoots.prefix(1))
    proof.friOpenings = []
    proof.mainOpening.rows = [[Array(proof.mainOpening.rows[0][0].prefix(2))]]
    proof.mainOpening.salts = [[]]
    proof.mainOpening.nodes = Array(proof.mainOpening.nodes.prefix(1))
    proof.boundaryOpening = nil
    proof.auxOpening = nil
    proof.auxRoot = nil
    proof.compositionOpening.rows = []
    proof.compositionOpening.salts = []
    proof.compositionOpening.nodes = []
    return proof
}

/// A small deterministic generator (SplitMix64), so every fuzz run sees the same inputs.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs anywhere in the array.
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        let first = needle[0]
        var i = 0
        while i + needle.count <= count {
            if self[i] == first && self[i..<i + needle.count].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
