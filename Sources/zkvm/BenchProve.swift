import ArgumentParser
import Circuit
import Field
import Foundation
import Proof
import Prover
import RV32IM
import Verifier

struct BenchProve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Prove and verify the Fibonacci and SHA-256 guests: cycles per second, verify time, proof size.")

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(name: .customLong("log-cycles"), help: "About 2^N cycles per run; repeat for several (default 16 and 18).")
    var logCycles: [Int] = []

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
        let largest = TraceBuilder.maxLogRows
        guard sizes.allSatisfy({ (16...largest).contains($0) }) else {
            throw ValidationError(
                "--log-cycles must be 16…\(largest) (the circuit's tables need 2^16 rows; one proof holds 2^\(largest))"
            )
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
            print("guest       cycles    rows   prove s  cycles/s  verify ms  proof KB  peak RSS MB  proven bits")
        }
        for log in sizes {
            // Each input gives the most cycles whose execution, with a row per I/O byte, fits 2^log rows.
            let makers: [(String, (Int) -> [UInt8])] = [
                ("fibonacci", { n in withUnsafeBytes(of: UInt32(n).littleEndian) { Array($0) } }),
                ("sha256", { n in (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }),
            ]
            var guests: [(String, Program, [UInt8])] = []
            for (name, make) in makers {
                let file = root.appendingPathComponent("Vectors/programs/\(name)/program.elf")
                let program = try Program(bytes: [UInt8](try Data(contentsOf: file)))
                let size = try mostCyclesFitting(rows: 1 << log) { size in
                    let input = make(size)
                    let result = try Machine(program: program, input: input).run()
                    // A row per cycle and per byte moved, a set-up row per read or write call (a few), one spare.
                    let cycles = Int(result.cycles)
                    return (cycles + input.count + result.journal.count + result.log.count + 64, cycles)
                }
                guests.append((name, program, make(size)))
            }
            for (name, program, input) in guests {
                resetPeakResident()
                let trace = try Machine(program: program, input: input).trace()
                let (table, inputs) = try TraceBuilder.witness(program: program, trace: trace)
                let entries = CircuitStatement.publicBusEntries(program: program, journal: trace.result.journal)
                var last: StarkProof?
                var times: [Double] = []
                var rss = peakResidentMB()
                for _ in 0..<max(1, proveRuns) {
                    last = nil  // the previous proof's memory is not part of the next run
                    let clock = Stopwatch()
                    last = try prove(
                        air: CPUCircuit.air, trace: table, publicInputs: inputs, publicBusEntries: entries,
                        options: ProverOptions(
                            parameters: chosen.parameters, mainExtensionMemoryLimit: extensionMemoryMB << 20,
                            progress: phases ? printPhase : nil))
                    times.append(clock.seconds)
                    rss = max(rss, peakResidentMB())
                }
                let proveSeconds = times.sorted()[times.count / 2]
                let proof = last!
                let verifyMs = median(verifyRuns) {
                    let t = Stopwatch()
                    try! verify(
                        proof: proof, air: CPUCircuit.air, publicInputs: inputs, publicBusEntries: entries,
                        policy: VerifierPolicy(minimumProvenBits: 0))
                    return t.ms
                }
                let shape = try StarkShape(
                    air: CPUCircuit.air, parameters: chosen.parameters, logTraceLength: table.logRowCount)
                let security = shape.security(air: CPUCircuit.air)
                let cycles = trace.rows.count
                let bytes = proof.encoded().count
                runs.append([
                    "guest": name, "cycles": cycles, "rows": table.rowCount, "prove_seconds": round3(proveSeconds),
                    "cycles_per_second": round3(Double(cycles) / proveSeconds), "verify_ms": round3(verifyMs),
                    "proof_bytes": bytes, "peak_rss_mb": round3(rss), "proven_bits": round3(security.provenBits),
                    "prove_runs": times.count, "extension_memory_mb": extensionMemoryMB,
                    "conjectured_bits": round3(security.conjecturedBits),
                ])
                if !json {
                    print(
                        name.padding(toLength: 10, withPad: " ", startingAt: 0)
                            + String(
                                format: " %7d %7d %9.2f %9.0f %10.2f %9.1f %12.0f %12.1f", cycles, table.rowCount,
                                proveSeconds, Double(cycles) / proveSeconds, verifyMs, Double(bytes) / 1024, rss,
                                security.provenBits))
                }
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
private func mostCyclesFitting(rows: Int, _ run: (Int) throws -> (rows: Int, cycles: Int)) throws -> Int {
    var low = 0
    var high = 1
    while try run(high).rows <= rows { (low, high) = (high, high * 2) }
    while high - low > 1 {
        let middle = (low + high) / 2
        if try run(middle).rows <= rows { low = middle } else { high = middle }
    }
    var best = (size: low, cycles: try run(low).cycles)
    for size in max(0, low - 256)...low + 256 {
        let r = try run(size)
        if r.rows <= rows && r.cycles > best.cycles { best = (size, r.cycles) }
    }
    return best.size
}
