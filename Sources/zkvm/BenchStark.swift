import ArgumentParser
import ExampleAIRs
import Field
import Foundation
import Proof
import Prover
import Verifier

struct BenchStark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stark",
        abstract: "Prove and verify the 12-column Rescue-shaped AIR (ethSTARK's benchmark shape) in two profiles.")

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(name: .customLong("log-rows"), help: "log₂ of the trace length; repeat for several (default 16, 18, 20).")
    var logRows: [Int] = []

    @Option(help: "Profiles to run (default: default and ethstark).")
    var profile: [String] = []

    @Flag(help: "Print the time of each prover phase.")
    var phases = false

    @Option(help: "Verification runs per proof; the median is reported.")
    var verifyRuns = 5

    func run() throws {
        let sizes = logRows.isEmpty ? [16, 18, 20] : logRows
        guard sizes.allSatisfy({ (4...22).contains($0) }) else { throw ValidationError("--log-rows must be 4…22") }
        let profiles = try (profile.isEmpty ? ["default", "ethstark"] : profile).map { name -> Profile in
            guard let p = Profile(rawValue: name) else { throw ValidationError("unknown profile '\(name)'") }
            return p
        }
        var runs: [[String: Any]] = []
        if !json {
            print(
                "zkvm bench stark — Rescue-shaped AIR, 12 columns; \(Parallel.coreCount) cores, load \(loadAverage())")
            print("profile    rows   prove s  verify ms  proof KB  peak RSS MB  conjectured  proven")
        }
        for log in sizes {
            let (trace, inputs) = RescueShapedAIR.trace(rows: 1 << log)
            for p in profiles {
                let parameters = p.parameters
                resetPeakResident()
                let clock = Stopwatch()
                let proof = try prove(
                    air: RescueShapedAIR.air, trace: trace, publicInputs: inputs,
                    options: ProverOptions(parameters: parameters, progress: phases ? printPhase : nil))
                let proveSeconds = clock.seconds
                let rss = peakResidentMB()
                let verifyMs = median(verifyRuns) {
                    let t = Stopwatch()
                    try! verify(
                        proof: proof, air: RescueShapedAIR.air, publicInputs: inputs,
                        policy: VerifierPolicy(minimumProvenBits: 0))
                    return t.ms
                }
                let shape = try StarkShape(air: RescueShapedAIR.air, parameters: parameters, logTraceLength: log)
                let security = shape.security(air: RescueShapedAIR.air)
                let bytes = proof.encoded().count
                let row: [String: Any] = [
                    "profile": p.rawValue, "log_rows": log, "prove_seconds": round3(proveSeconds),
                    "verify_ms": round3(verifyMs), "proof_bytes": bytes, "peak_rss_mb": round3(rss),
                    "conjectured_bits": round3(security.conjecturedBits), "proven_bits": round3(security.provenBits),
                ]
                runs.append(row)
                if !json {
                    print(
                        p.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                            + String(
                                format: " 2^%-3d %8.2f %10.2f %9.1f %12.0f %12.1f %7.1f", log, proveSeconds,
                                verifyMs, Double(bytes) / 1024, rss, security.conjecturedBits, security.provenBits))
                }
            }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: ["runs": runs], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("peak RSS: the process's high-water mark during each proof")
        }
    }
}

func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

/// The process's peak resident set size in MB (VmHWM), or −1 where /proc is unavailable.
func peakResidentMB() -> Double { statusMB("VmHWM:") }

/// The process's resident set size now in MB (VmRSS), or −1 where /proc is unavailable.
func residentMB() -> Double { statusMB("VmRSS:") }

private func statusMB(_ key: String) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix(key) {
        let kb = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Double($0) } ?? -1
        return kb / 1024
    }
    return -1
}

/// Starts a new high-water mark for ``peakResidentMB()`` (Linux: writing 5 to /proc/self/clear_refs resets VmHWM
/// to the current resident size), so each run reports its own peak. Returns false where that is not possible.
@discardableResult
func resetPeakResident() -> Bool {
    let fd = open("/proc/self/clear_refs", O_WRONLY)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return write(fd, "5", 1) == 1
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
        .joined(separator: " ") ?? "unknown"
}

/// Prints one prover phase, its duration, and the resident memory at its end and at most so far, to standard error.
@Sendable func printPhase(_ phase: String, _ seconds: Double) {
    let line =
        "  " + phase.padding(toLength: 36, withPad: " ", startingAt: 0)
        + String(format: "%8.3f s  %6.0f MB, peak %6.0f MB\n", seconds, residentMB(), peakResidentMB())
    FileHandle.standardError.write(Data(line.utf8))
}
