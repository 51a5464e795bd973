import ArgumentParser
import Circuit
import Field
import Foundation
import Proof
import Prover
import RV32IM
import Verifier
import ZKVM

struct BenchProve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract:
            "Prove and verify a small program and the Fibonacci and SHA-256 guests: cycles per second, segments, verify time, receipt size.")

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(name: .customLong("log-cycles"), help: "About 2^N cycles per run; repeat for several (default 16 and 18).")
    var logCycles: [Int] = []

    @Option(
        name: .customLong("segment-log-rows"),
        help: "Rows per segment, as for zkvm prove (2^8 to 2^19; by default one segment up to 2^17 rows, else 2^17).")
    var segmentLogRows: Int?

    @Option(
        help:
            "Guests to run: hello (a program of a few hundred cycles, run once on its own input), fibonacci, sha256; all three by default.")
    var guest: [String] = []

    @Option(help: "Proof profile: default, fast, compact, test or ethstark.")
    var profile = "default"

    @Flag(help: "Print the time of each prover phase.")
    var phases = false

    @Option(
        name: .customLong("runs"),
        help: "Proofs per guest and size; the median time is reported, and the largest peak RSS.")
    var proveRuns = 3

    @Option(help: "Verification runs per proof; the median is reported.")
    var verifyRuns = 3

    @Option(
        name: .customLong("extension-memory-mb"),
        help: "Most memory (MiB) the prover keeps the extended trace columns in, as for zkvm prove.")
    var extensionMemoryMB = ProverOptions.defaultMainExtensionMemoryLimit >> 20

    func run() throws {
        guard let chosen = Profile(rawValue: profile) else { throw ValidationError("unknown profile '\(profile)'") }
        guard extensionMemoryMB >= 0 else { throw ValidationError("--extension-memory-mb must not be negative") }
        let sizes = logCycles.isEmpty ? [16, 18] : logCycles
        let largest = 26
        guard sizes.allSatisfy({ (10...largest).contains($0) }) else {
            throw ValidationError("--log-cycles must be 10…\(largest)")
        }
        let names = guest.isEmpty ? ["hello", "fibonacci", "sha256"] : guest
        guard names.allSatisfy({ ["hello", "fibonacci", "sha256"].contains($0) }) else {
            throw ValidationError("--guest must be hello, fibonacci or sha256")
        }
        // The guests ship with the repository: run from its top, or from anywhere in a checkout.
        var root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if !FileManager.default.fileExists(atPath: root.appendingPathComponent("Vectors/programs").path) {
            root =
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
                .standardized
        }
        var runs: [[String: Any]] = []
        if !json {
            print(
                "zkvm bench prove — profile \(profile), extended columns kept up to \(extensionMemoryMB) MiB; "
                    + "\(Parallel.coreCount) cores, load \(loadAverage())")
            print(
                "guest         cycles  segments × rows   prove s  cycles/s  verify ms  receipt KB  peak RSS MB  proven bits")
        }
        func load(_ name: String) throws -> RV32IM.Program {
            let file = root.appendingPathComponent("Vectors/programs/\(name)/program.elf")
            return try RV32IM.Program(bytes: [UInt8](try Data(contentsOf: file)))
        }
        // The small program first, on its bundled input: what a short execution costs, whatever its length.
        var guests: [(String, RV32IM.Program, [UInt8])] = []
        if names.contains("hello") {
            let input = [UInt8](try Data(contentsOf: root.appendingPathComponent("Vectors/programs/hello/input.bin")))
            guests.append(("hello", try load("hello"), input))
        }
        for log in sizes {
            // Each input gives the most cycles whose execution, with a row per I/O byte, fits 2^log rows.
            let makers: [(String, (Int) -> [UInt8])] = [
                ("fibonacci", { n in withUnsafeBytes(of: UInt32(n).littleEndian) { Array($0) } }),
                ("sha256", { n in (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }),
            ]
            for (name, make) in makers where names.contains(name) {
                let program = try load(name)
                let size = try mostCyclesFitting(rows: 1 << log, scan: log <= 18) { size in
                    let input = make(size)
                    let result = try Machine(program: program, input: input).run()
                    // A row per cycle and per byte moved, a set-up row per read or write call (a few), one spare.
                    let cycles = Int(result.cycles)
                    return (cycles + input.count + result.journal.count + result.log.count + 64, cycles)
                }
                guests.append((name, program, make(size)))
            }
        }
        for (name, image, input) in guests {
            resetPeakResident()
            let program = try ZKVM.Program(segments: image.segments, entry: image.entry)
            var options = ProveOptions(parameters: chosen.parameters)
            options.mainExtensionMemoryLimit = extensionMemoryMB << 20
            options.logSegmentRows = segmentLogRows
            options.proverProgress = phases ? printPhase : nil
            options.progress = phases ? printPhase : nil
            var last: ProveInfo?
            var times: [Double] = []
            var rss = peakResidentMB()
            for _ in 0..<max(1, proveRuns) {
                last = nil  // the previous proof's memory is not part of the next run
                let clock = Stopwatch()
                last = try proveWithInfo(program: program, input: input, options: options)
                times.append(clock.seconds)
                rss = max(rss, peakResidentMB())
            }
            let proveSeconds = times.sorted()[times.count / 2]
            let info = last!
            let receipt = info.receipt
            let verifyMs = median(verifyRuns) {
                let t = Stopwatch()
                _ = try! ZKVM.verify(receipt, expecting: program.id, policy: VerifierPolicy(minimumProvenBits: 0))
                return t.ms
            }
            let claim = receipt.claim
            let cycles = Int(info.cycles)
            let bytes = receipt.encoded().count
            runs.append([
                "guest": name, "cycles": cycles, "segments": claim.segmentCount, "segment_rows": claim.segmentLength,
                "rows": claim.traceLength, "memory_rows": claim.memoryTableLength,
                "prove_seconds": round3(proveSeconds), "cycles_per_second": round3(Double(cycles) / proveSeconds),
                "verify_ms": round3(verifyMs), "verify_ms_per_segment": round3(verifyMs / Double(claim.segmentCount)),
                "receipt_bytes": bytes, "peak_rss_mb": round3(rss), "proven_bits": round3(claim.provenBits),
                "prove_runs": times.count, "extension_memory_mb": extensionMemoryMB,
                "conjectured_bits": round3(claim.conjecturedBits),
            ])
            if !json {
                print(
                    name.padding(toLength: 10, withPad: " ", startingAt: 0)
                        + String(
                            format: " %9d %9d × 2^%-4d %9.2f %9.0f %10.2f %11.1f %12.0f %12.1f", cycles,
                            claim.segmentCount, claim.segmentLength.trailingZeroBitCount, proveSeconds,
                            Double(cycles) / proveSeconds, verifyMs, Double(bytes) / 1024, rss, claim.provenBits))
            }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: ["runs": runs], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "prove s: median of \(max(1, proveRuns)) proofs; peak RSS: the high-water mark while the guest "
                    + "ran, was traced and proved")
        }
    }
}

/// The size with the most cycles among those whose execution fits `rows` (`run(size)` gives rows and cycles). Both
/// grow with size, but not strictly (SHA-256 pads its last block, so a few more bytes can take fewer cycles):
/// doubling and bisection find the boundary, then the 256 sizes on either side are tried one by one.
private func mostCyclesFitting(
    rows: Int, scan: Bool = true, _ run: (Int) throws -> (rows: Int, cycles: Int)
) throws -> Int {
    var low = 0
    var high = 1
    while try run(high).rows <= rows { (low, high) = (high, high * 2) }
    while high - low > 1 {
        let middle = (low + high) / 2
        if try run(middle).rows <= rows { low = middle } else { high = middle }
    }
    var best = (size: low, cycles: try run(low).cycles)
    for size in max(0, low - 256)...low + 256 where scan {
        let r = try run(size)
        if r.rows <= rows && r.cycles > best.cycles { best = (size, r.cycles) }
    }
    return best.size
}
