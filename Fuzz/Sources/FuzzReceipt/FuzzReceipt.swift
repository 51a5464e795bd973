import FuzzSupport
import ZKVM

// Receipt decoding and full verification through the `ZKVM` library, as `zkvm verify` does it.
//
// Each input is decoded with `Receipt(decoding:)`; a decoded receipt must encode back to the same bytes, and is
// then verified twice against its own program id: under a policy of 0 proven bits, so that mutants of test-profile
// receipts pass the policy check and reach the statement, out-of-domain, Merkle, proof-of-work and FRI checks, and
// under the default policy of 100 bits. Only a genuine receipt of the seed corpus may verify; anything else that
// does, and any trap or sanitizer report on the way, is a finding.

/// Accepts any parameters: the test profile's receipts are insecure on purpose, so that verifying one is fast.
let lenient = VerifierPolicy(minimumProvenBits: 0)

/// The genuine receipts, each checked once to verify under the lenient policy, so that a stale seed corpus (say,
/// after a circuit change) stops the run instead of fuzzing only the first checks.
let genuine: GenuineInputs = {
    let genuine = GenuineInputs.load(fromDirectoryIn: "ZKVM_FUZZ_GENUINE")
    for bytes in genuine.all {
        do {
            let receipt = try Receipt(decoding: bytes)
            _ = try verify(receipt, expecting: receipt.programID, policy: lenient)
        } catch {
            fail("a genuine receipt (\(bytes.count) bytes) does not verify: \(error); make the seeds again")
        }
    }
    return genuine
}()

/// Loads the genuine receipts before the first input, so that a set-up error stops the run at once.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    _ = (genuine)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReceipt(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let receipt: Receipt
    do { receipt = try Receipt(decoding: bytes) } catch {
        _ = error.description  // every error must describe itself without trapping
        return 0
    }
    guard receipt.encoded() == bytes else { violated("the receipt does not encode back to its bytes", input: bytes) }
    _ = receipt.claim
    _ = receipt.sections

    var acceptedLeniently = false
    for policy in [lenient, VerifierPolicy.default] {
        do {
            let statement = try verify(receipt, expecting: receipt.programID, policy: policy)
            guard genuine.contains(bytes) else {
                violated("a receipt that is not genuine verified (policy \(policy.minimumProvenBits))", input: bytes)
            }
            guard statement.journal == receipt.journal, statement.exitCode == receipt.exitCode,
                statement.programID == receipt.programID
            else { violated("a verified statement differs from the receipt's claim", input: bytes) }
            if policy.minimumProvenBits == 0 { acceptedLeniently = true }
        } catch {
            _ = error.description
            // A stricter policy never accepts what a lenient one refuses.
            guard policy.minimumProvenBits == 0 || !acceptedLeniently || isPolicyRefusal(error) else {
                violated("the default policy refused a leniently accepted receipt for another reason", input: bytes)
            }
        }
    }
    return 0
}

/// Whether `error` is the verifier refusing weak parameters, the one failure a stricter policy may add.
func isPolicyRefusal(_ error: ZKVMError) -> Bool {
    if case .verificationFailed(.parametersRefused) = error { return true }
    return false
}
