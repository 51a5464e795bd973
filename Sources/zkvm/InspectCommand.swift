import ArgumentParser
import Foundation
import ZKVM

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a receipt without verifying it: format, parameters, security, statement and sizes.",
        discussion: """
            Everything shown is what the receipt claims; only zkvm verify checks it. The security figures are \
            computed from the proof's parameters and trace length, not read from the proof.
            """)

    @Argument(help: "The receipt written by zkvm prove.")
    var proof: String

    @Flag(help: "Also list every commitment's openings, proof by proof: rows, width, and the bytes of values, salts and Merkle nodes.")
    var openings = false

    func run() throws {
        let (bytes, receipt) = try Verify.readReceipt(proof)
        let claim = receipt.claim
        let p = claim.parameters
        let ours = claim.circuitID == ZKVM.circuitID ? "this zkvm's RV32IM circuit" : "not this zkvm's circuit"

        print(
            "format       receipt version \(claim.formatVersion), STARK proof version "
                + "\(receipt.segmentProofs.first?.version ?? 0)")
        print("circuit id   \(claim.circuitID) (\(ours))")
        print("profile      \(claim.profile?.rawValue ?? "custom")")
        print(
            "parameters   blowup \(p.blowup), \(p.queryCount) queries, \(p.grindingBits) grinding bits, "
                + "folding by \(p.foldingFactor), remainder degree < 2^\(p.logRemainderDegree), "
                + "zero knowledge \(p.zeroKnowledge ? "on" : "off")")
        print(
            "security     \(String(format: "%.1f", claim.provenBits)) proven bits (Johnson bound), "
                + "\(String(format: "%.1f", claim.conjecturedBits)) conjectured bits (ethSTARK)")
        print(
            "segments     \(claim.segmentCount) × \(claim.segmentLength) rows (2^"
                + "\(claim.segmentLength.trailingZeroBitCount)), \(claim.traceLength) rows in all")
        print(
            "memory       closing table of \(claim.memoryTableLength) rows (2^"
                + "\(claim.memoryTableLength.trailingZeroBitCount)), in the last segment's proof")
        print("statement    (claimed; zkvm verify checks it)")
        print("  program id \(claim.programID)")
        if let image = receipt.program {
            let segments = image.segments
            let imageBytes = segments.reduce(0) { $0 + $1.data.count }
            print(
                "  image      included: \(segments.count) \(segments.count == 1 ? "segment" : "segments"), "
                    + "\(imageBytes) bytes, entry 0x\(String(format: "%08x", image.entry))")
        } else {
            print("  image      not included (zkvm verify needs the program: --program)")
        }
        CLIFiles.printJournal(claim.journal, indent: "  ", column: 13)
        print("  exit code  \(claim.exitCode)")
        print("size         \(bytes.count) bytes")
        for section in receipt.sections {
            let name = section.name.padding(toLength: 22, withPad: " ", startingAt: 0)
            let count = String(section.byteCount)
            print("  \(name)\(String(repeating: " ", count: max(1, 9 - count.count)))\(count)")
        }
        if openings { printOpenings(receipt.openingSizes) }
    }

    /// One line per commitment of each proof, then each proof's total.
    private func printOpenings(_ sizes: [OpeningSizes]) {
        func cells(_ values: [String], _ widths: [Int]) -> String {
            zip(values, widths).map { v, w in
                w < 0 ? v.padding(toLength: -w, withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: max(1, w - v.count)) + v
            }.joined()
        }
        let widths = [-14, -14, 6, 7, 10, 9, 10, 10]
        print("openings")
        print(cells(["  proof", "commitment", "rows", "width", "values", "salts", "nodes", "total"], widths))
        var proofs: [String] = []
        for s in sizes where !proofs.contains(s.proof) { proofs.append(s.proof) }
        for p in proofs {
            let mine = sizes.filter { $0.proof == p }
            for s in mine {
                print(
                    cells(
                        ["  " + p, s.commitment, "\(s.rows)", "\(s.width)", "\(s.valueBytes)", "\(s.saltBytes)",
                            "\(s.nodeBytes)", "\(s.total)"], widths))
            }
            print(
                cells(
                    ["  " + p, "all", "", "", "\(mine.reduce(0) { $0 + $1.valueBytes })",
                        "\(mine.reduce(0) { $0 + $1.saltBytes })", "\(mine.reduce(0) { $0 + $1.nodeBytes })",
                        "\(mine.reduce(0) { $0 + $1.total })"], widths))
        }
    }
}
