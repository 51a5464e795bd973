import Foundation
import ZKVM

// The functions `include/zkvmc.h` declares, each a thin wrapper over the ZKVM facade: check the caller's pointers,
// copy the inputs, call prove or verify, classify a failure, hand the results over in `malloc`'d memory. The
// header documents the contract; the comments here say only how each function keeps it.
//
// `size_t` arrives as `Int` (the same width), so a length above `PTRDIFF_MAX` shows as a negative number and is
// refused like a NULL buffer with a nonzero length. The functions are public only so that the library exports
// their C symbols; their `_` names say they are not Swift API: the module is built into libzkvmc, and nothing
// imports it.

/// `ZKVM_PROVE_NO_IMAGE`.
private let proveNoImage: UInt32 = 1 << 0

/// `zkvm_prove` of `include/zkvmc.h`: ``_zkvmProveWithOptions`` with the default profile and no flags.
@_cdecl("zkvm_prove")
public func _zkvmProve(
    _ program: UnsafePointer<UInt8>?, _ programLength: Int, _ input: UnsafePointer<UInt8>?, _ inputLength: Int,
    _ receipt: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, _ receiptLength: UnsafeMutablePointer<Int>?,
    _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    _zkvmProveWithOptions(program, programLength, input, inputLength, nil, 0, receipt, receiptLength, error)
}

/// `zkvm_prove_with_options` of `include/zkvmc.h`: run and prove with a named profile; flags may leave the image
/// out.
@_cdecl("zkvm_prove_with_options")
public func _zkvmProveWithOptions(
    _ program: UnsafePointer<UInt8>?, _ programLength: Int, _ input: UnsafePointer<UInt8>?, _ inputLength: Int,
    _ profileName: UnsafePointer<CChar>?, _ flags: UInt32,
    _ receipt: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
    _ receiptLength: UnsafeMutablePointer<Int>?, _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    receipt?.pointee = nil
    receiptLength?.pointee = 0
    return runCall(message: error) { () throws(Failure) in
        guard let receipt, let receiptLength else {
            throw Failure(.argument, "receipt and receipt_len must not be NULL")
        }
        let programBytes = try copyInput(program, count: programLength, "program")
        let inputBytes = try copyInput(input, count: inputLength, "input")
        var profile = Profile.default
        if let profileName {
            let name = try readString(profileName, "profile")
            guard let named = Profile(rawValue: name) else {
                let known = Profile.allCases.map(\.rawValue).joined(separator: ", ")
                throw Failure(.argument, "unknown profile \"\(name)\"; expected one of \(known)")
            }
            profile = named
        }
        guard flags & ~proveNoImage == 0 else {
            throw Failure(.argument, "unknown flags 0x\(String(flags & ~proveNoImage, radix: 16))")
        }
        var options = ProveOptions(profile: profile)
        options.includeImage = flags & proveNoImage == 0

        let made: Receipt
        do throws(ZKVMError) {
            made = try prove(program: try Program(bytes: programBytes), input: inputBytes, options: options)
        } catch {
            throw Failure(error)
        }
        let bytes = made.encoded()
        receipt.pointee = try allocateCopy(bytes)
        receiptLength.pointee = bytes.count
    }
}

/// `zkvm_verify` of `include/zkvmc.h`: verify against a program id with the default policy.
@_cdecl("zkvm_verify")
public func _zkvmVerify(
    _ receipt: UnsafePointer<UInt8>?, _ receiptLength: Int, _ programID: UnsafePointer<UInt8>?,
    _ journal: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, _ journalLength: UnsafeMutablePointer<Int>?,
    _ exitCode: UnsafeMutablePointer<UInt32>?,
    _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    verifyCall(
        receipt, receiptLength, programID, nil, VerifierPolicy.default.minimumProvenBits, journal, journalLength,
        exitCode, error)
}

/// `zkvm_verify_with_program` of `include/zkvmc.h`: verify against the program's bytes with the default policy.
@_cdecl("zkvm_verify_with_program")
public func _zkvmVerifyWithProgram(
    _ receipt: UnsafePointer<UInt8>?, _ receiptLength: Int, _ program: UnsafePointer<UInt8>?, _ programLength: Int,
    _ journal: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, _ journalLength: UnsafeMutablePointer<Int>?,
    _ exitCode: UnsafeMutablePointer<UInt32>?,
    _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    verifyCall(
        receipt, receiptLength, nil, (program, programLength), VerifierPolicy.default.minimumProvenBits, journal,
        journalLength, exitCode, error)
}

/// `zkvm_verify_with_policy` of `include/zkvmc.h`: verify against an id, a program or both, with a minimum of
/// proven bits.
@_cdecl("zkvm_verify_with_policy")
public func _zkvmVerifyWithPolicy(
    _ receipt: UnsafePointer<UInt8>?, _ receiptLength: Int, _ programID: UnsafePointer<UInt8>?,
    _ program: UnsafePointer<UInt8>?, _ programLength: Int, _ minimumProvenBits: Double,
    _ journal: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
    _ journalLength: UnsafeMutablePointer<Int>?, _ exitCode: UnsafeMutablePointer<UInt32>?,
    _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    // The program counts as given unless it is NULL with length 0; NULL with a nonzero length is refused below.
    let given = program != nil || programLength != 0 ? (program, programLength) : nil
    return verifyCall(
        receipt, receiptLength, programID, given, minimumProvenBits, journal, journalLength, exitCode, error)
}

/// The three verify functions: `program` is nil when no program bytes were given (a NULL pointer inside it with a
/// nonzero length is the caller's mistake; with length 0 it is an empty program, which does not load).
private func verifyCall(
    _ receipt: UnsafePointer<UInt8>?, _ receiptLength: Int, _ programID: UnsafePointer<UInt8>?,
    _ program: (pointer: UnsafePointer<UInt8>?, count: Int)?, _ minimumProvenBits: Double,
    _ journal: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
    _ journalLength: UnsafeMutablePointer<Int>?, _ exitCode: UnsafeMutablePointer<UInt32>?,
    _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    journal?.pointee = nil
    journalLength?.pointee = 0
    return runCall(message: error) { () throws(Failure) in
        guard (journal == nil) == (journalLength == nil) else {
            throw Failure(.argument, "journal and journal_len must both be given or both be NULL")
        }
        guard minimumProvenBits >= 0 else {
            throw Failure(
                .argument, "minimum_proven_bits is \(minimumProvenBits); expected a number of bits, 0 or more")
        }
        let receiptBytes = try copyInput(receipt, count: receiptLength, "receipt")

        // The expected program: by id, by its bytes, or both when they agree.
        var expectedID: ProgramID? = nil
        if let programID {
            let hex = UnsafeBufferPointer(start: programID, count: 32).map { String(format: "%02x", $0) }.joined()
            do throws(ZKVMError) { expectedID = try ProgramID(hex: hex) } catch { throw Failure(error) }
        }
        var expectedProgram: Program? = nil
        if let program {
            let bytes = try copyInput(program.pointer, count: program.count, "program")
            do throws(ZKVMError) { expectedProgram = try Program(bytes: bytes) } catch { throw Failure(error) }
        }
        if let expectedID, let expectedProgram, expectedID != expectedProgram.id {
            throw Failure(
                .argument,
                "program_id \(expectedID) is not the id of the program given beside it, \(expectedProgram.id)")
        }
        guard let id = expectedID ?? expectedProgram?.id else {
            throw Failure(.argument, "no expected program: program_id is NULL and no program was given")
        }

        let decoded: Receipt
        do throws(ZKVMError) { decoded = try Receipt(decoding: receiptBytes) } catch {
            throw .decodingReceipt(error)
        }
        let policy = VerifierPolicy(minimumProvenBits: minimumProvenBits)
        let statement: Statement
        do throws(ZKVMError) {
            if let expectedProgram {
                statement = try verify(decoded, expecting: expectedProgram, policy: policy)
            } else {
                statement = try verify(decoded, expecting: id, policy: policy)
            }
        } catch {
            throw Failure(error)
        }

        if let journal, let journalLength {
            journal.pointee = try allocateCopy(statement.journal)
            journalLength.pointee = statement.journal.count
        }
        exitCode?.pointee = statement.exitCode
    }
}

/// `zkvm_program_id` of `include/zkvmc.h`: the 32-byte id of a program.
@_cdecl("zkvm_program_id")
public func _zkvmProgramID(
    _ program: UnsafePointer<UInt8>?, _ programLength: Int, _ programID: UnsafeMutablePointer<UInt8>?,
    _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    runCall(message: error) { () throws(Failure) in
        guard let programID else { throw Failure(.argument, "program_id must not be NULL") }
        let bytes = try copyInput(program, count: programLength, "program")
        let id: ProgramID
        do throws(ZKVMError) { id = try Program(bytes: bytes).id } catch { throw Failure(error) }
        programID.update(from: id.bytes, count: id.bytes.count)
    }
}

/// `zkvm_free` of `include/zkvmc.h`: releases what the other functions allocated.
@_cdecl("zkvm_free")
public func _zkvmFree(_ pointer: UnsafeMutableRawPointer?) {
    free(pointer)
}

/// `zkvm_version` of `include/zkvmc.h`: the receipt format and circuit id, as one static line.
@_cdecl("zkvm_version")
public func _zkvmVersion() -> UnsafePointer<CChar> {
    UnsafePointer(versionLine)
}

/// `zkvm_version`'s line, made once and never freed.
nonisolated(unsafe) private let versionLine: UnsafeMutablePointer<CChar> = strdup(
    "zkvm receipt format \(ReceiptFormat.version), circuit \(circuitID)")!
