import AIR
import Foundation
import FuzzSupport
// The generic STARK verifier is built as part of the `ZKVM` product, whose facade offers only the RV32IM circuit's
// verification; proofs of the example circuits are checked by calling it directly.
import Verifier
import ZKVM

// The raw STARK proof decoder and the generic verifier, on proofs of the example circuits (`Vectors/proofs`).
//
// Each input is decoded with `StarkProof(decoding:)`; a decoded proof must encode back to the same bytes, and is
// then verified against each example circuit (the one whose id it carries gets past the identity check) for the
// public inputs it claims, under a policy of 0 proven bits and under the default policy. Only a genuine proof of
// the seed corpus may verify: a mutant that verifies for any statement is a forgery or a malleability.

/// Accepts any parameters, so that the small test-profile proofs reach every check past the policy.
let lenient = VerifierPolicy(minimumProvenBits: 0)

/// The example circuits, loaded from their circuit files, and the 6-bit range check of the golden proofs, which
/// is the 8-bit file with its bound lowered.
let circuits: [AIR] = {
    let directory =
        ProcessInfo.processInfo.environment["ZKVM_FUZZ_CIRCUITS"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Circuits").path
    func source(_ name: String) -> String {
        guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
            fail("cannot read \(directory)/\(name); set ZKVM_FUZZ_CIRCUITS to the Circuits folder")
        }
        return String(decoding: data, as: UTF8.self)
    }
    let rangeCheck8 = source("range_check_8.air")
    let rangeCheck6 = rangeCheck8.replacingOccurrences(of: "range_check_8", with: "range_check_6")
        .replacingOccurrences(of: "table - 255", with: "table - 63")
    let sources = [
        ("fibonacci.air", source("fibonacci.air")), ("rescue_shaped.air", source("rescue_shaped.air")),
        ("range_check_8.air", rangeCheck8), ("range_check_6.air", rangeCheck6),
    ]
    return sources.map { name, text in
        do { return try AIR(circuitSource: text, fileName: name) } catch { fail("\(name) does not load: \(error)") }
    }
}()

/// The genuine proofs, each checked once to verify against one of the circuits.
let genuine: GenuineInputs = {
    let genuine = GenuineInputs.load(fromDirectoryIn: "ZKVM_FUZZ_GENUINE")
    for bytes in genuine.all {
        let proof: StarkProof
        do { proof = try StarkProof(decoding: bytes) } catch { fail("a genuine proof does not decode: \(error)") }
        guard circuits.contains(where: { accepts(proof, $0, lenient) }) else {
            fail("a genuine proof (\(bytes.count) bytes) verifies against none of the example circuits")
        }
    }
    return genuine
}()

/// Whether the verifier accepts `proof` for `air` and the public inputs the proof claims.
func accepts(_ proof: StarkProof, _ air: AIR, _ policy: VerifierPolicy) -> Bool {
    do {
        try Verifier.verify(proof: proof, air: air, publicInputs: proof.publicInputs, policy: policy)
        return true
    } catch {
        _ = error.description  // every error must describe itself without trapping
        return false
    }
}

/// Loads the circuits and the genuine inputs before the first input, so that a set-up error stops the run at once.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    _ = (circuits, genuine)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStark(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let proof: StarkProof
    do { proof = try StarkProof(decoding: bytes) } catch {
        _ = error.description
        return 0
    }
    guard proof.encoded() == bytes else { violated("the proof does not encode back to its bytes", input: bytes) }
    for air in circuits {
        let lenientAccepts = accepts(proof, air, lenient)
        let defaultAccepts = accepts(proof, air, .default)
        if (lenientAccepts || defaultAccepts) && !genuine.contains(bytes) {
            violated("a proof that is not genuine verified against \(air.name)", input: bytes)
        }
        if defaultAccepts && !lenientAccepts {
            violated("the default policy accepted a proof the lenient one refused", input: bytes)
        }
    }
    return 0
}
