import ArgumentParser
import Foundation
import ZKVM

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a receipt and print the statement it proves: program id, journal and exit code.",
        discussion: """
            Pin the program with --program (its file) or --program-id (64 hex digits): a receipt is then \
            accepted only for that program. Without either, the receipt is checked for whichever program it \
            names, and that program id is printed for you to compare. A receipt made with `zkvm prove --no-image` \
            carries only the program id, so it verifies only with --program. Exits 0 when the receipt is \
            accepted; otherwise prints why on one line and exits 1.
            """)

    @Argument(help: "The receipt written by zkvm prove.")
    var proof: String

    @Option(
        help: """
            The program the receipt must be about (ELF32 RISC-V executable or raw image); needed for a receipt \
            without the program image.
            """)
    var program: String?

    @Option(help: "The id of the program the receipt must be about (64 hex digits, as zkvm run prints it).")
    var programID: String?

    @Option(help: "The least proven security, in bits, to accept (whatever the proof claims).")
    var minBits: Double = VerifierPolicy.default.minimumProvenBits

    @Flag(
        help: """
            Print one JSON object: verified, program_id, program_checked, exit_code, journal (hex), trace_length, \
            segments, segment_rows, memory_rows, profile, proven_bits, conjectured_bits.
            """)
    var json = false

    /// Receipts beyond this are refused before being read: the largest proof this zkvm makes is far smaller.
    static let largestReceipt = 1 << 30

    /// The receipt in the file at `path` and its bytes. A file that cannot be read, or is no receipt, is refused in
    /// one line that names it, after `refusal` ("rejected: " from the commands that verify).
    static func readReceipt(_ path: String, refusal: String = "") throws -> (bytes: [UInt8], receipt: Receipt) {
        let bytes = try CLIFiles.read(path, limit: largestReceipt, what: "proof")
        do { return (bytes, try Receipt(decoding: bytes)) } catch {
            throw CLIFailure.report("\(refusal)\(path) is not a readable receipt: \(error)")
        }
    }

    func validate() throws {
        if program != nil && programID != nil {
            throw ValidationError("pass either --program or --program-id, not both")
        }
        if !(minBits >= 0) { throw ValidationError("--min-bits must be a number of bits, 0 or more") }
    }

    func run() throws {
        var expectedProgram: Program? = nil
        var expectedID: ProgramID? = nil
        if let program {
            do { expectedProgram = try Program(contentsOf: program) } catch {
                if case .cannotReadFile = error { throw CLIFailure.report("\(error)") }
                throw CLIFailure.report("cannot load \(program): \(error)")
            }
            expectedID = expectedProgram?.id
        } else if let programID {
            do { expectedID = try ProgramID(hex: programID) } catch { throw CLIFailure.report("\(error)") }
        }
        let (_, receipt) = try Verify.readReceipt(proof, refusal: "rejected: ")
        let statement: Statement
        do {
            let policy = VerifierPolicy(minimumProvenBits: minBits)
            if let expectedProgram {
                statement = try ZKVM.verify(receipt, expecting: expectedProgram, policy: policy)
            } else {
                statement = try ZKVM.verify(receipt, expecting: expectedID ?? receipt.programID, policy: policy)
            }
        } catch {
            switch error {
            case .verificationFailed(.parametersRefused):
                throw CLIFailure.report("rejected: \(error) (see --min-bits)")
            case .programImageMissing(let id):
                throw CLIFailure.report(
                    "\(proof) leaves out the program image (it was made with --no-image); pass the program with "
                        + "--program to verify it: its id \(id) alone is not enough")
            default:
                throw CLIFailure.report("rejected: \(error)")
            }
        }

        if json {
            print(
                CLIFiles.jsonObject([
                    ("verified", "true"),
                    ("program_id", CLIFiles.quoted(statement.programID.hex)),
                    ("program_checked", expectedID == nil ? "false" : "true"),
                    ("exit_code", "\(statement.exitCode)"),
                    ("journal", CLIFiles.quoted(CLIFiles.hex(statement.journal))),
                    ("trace_length", "\(statement.traceLength)"),
                    ("segments", "\(statement.segmentCount)"),
                    ("segment_rows", "\(statement.segmentLength)"),
                    ("memory_rows", "\(statement.memoryTableLength)"),
                    ("profile", statement.profile.map { CLIFiles.quoted($0.rawValue) } ?? "null"),
                    ("proven_bits", String(format: "%.1f", statement.provenBits)),
                    ("conjectured_bits", String(format: "%.1f", statement.conjecturedBits)),
                ]))
        } else {
            print("verified    \(proof)")
            let pin =
                if program != nil { "matches \(program!)" } else if programID != nil { "matches --program-id" } else {
                    "not checked against an expected program"
                }
            print("program id  \(statement.programID) (\(pin))")
            CLIFiles.printJournal(statement.journal)
            print("exit code   \(statement.exitCode)")
            print(
                "segments    \(statement.segmentCount) of \(statement.segmentLength) rows, memory table of "
                    + "\(statement.memoryTableLength)")
            print(
                "security    \(String(format: "%.1f", statement.provenBits)) proven bits "
                    + "(at least \(String(format: "%.1f", minBits)) required), profile "
                    + (statement.profile?.rawValue ?? "custom"))
        }
        if expectedID == nil {
            FileHandle.standardError.write(
                Data(
                    ("warning: the receipt is valid for the program it names, which was not checked against an "
                        + "expected one; pass --program or --program-id\n").utf8))
        }
    }
}
