import ArgumentParser
import Foundation
import ZKVM

struct BenchVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a receipt many times in one process: the first check, and the median of the others.",
        discussion: """
            The first check pays what a process does once (the circuits compiled, roots of unity and tables made); \
            the median is what each receipt costs a verifier that is already running. The receipt must verify: \
            a rejection is reported and nothing is timed.
            """)

    @Argument(help: "The receipt written by zkvm prove.")
    var proof: String

    @Option(help: "Checks after the first; the median is reported.")
    var runs = 21

    @Option(help: "The least proven security, in bits, to accept, as for zkvm verify.")
    var minBits: Double = VerifierPolicy.default.minimumProvenBits

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard minBits >= 0 else { throw ValidationError("--min-bits must be a number of bits, 0 or more") }
        let (bytes, receipt) = try Verify.readReceipt(proof, refusal: "rejected: ")
        let policy = VerifierPolicy(minimumProvenBits: minBits)
        func check() throws -> Double {
            let clock = Stopwatch()
            do { _ = try ZKVM.verify(receipt, expecting: receipt.programID, policy: policy) } catch {
                throw CLIFailure.report("rejected: \(error)")
            }
            return clock.ms
        }
        let first = try check()
        var times: [Double] = []
        for _ in 0..<runs { times.append(try check()) }
        times.sort()
        var report = BenchReport(title: "zkvm bench verify \(proof)")
        report.add("receipt_kb", "receipt", unit: "KB", Double(bytes.count) / 1024)
        report.add("segments", "segments", unit: "", Double(receipt.claim.segmentCount))
        report.add("first_ms", "first check (cold)", unit: "ms", first)
        report.add("median_ms", "median of \(runs) checks", unit: "ms", times[times.count / 2])
        report.add("fastest_ms", "fastest check", unit: "ms", times[0])
        report.emit(json: json)
    }
}
