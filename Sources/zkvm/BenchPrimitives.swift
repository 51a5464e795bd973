import ArgumentParser
import Field
import Foundation
import Hashing

struct BenchPrimitives: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "primitives",
        abstract: "Field, NTT, Merkle and BLAKE2b speeds: medians over several runs, one thread unless named.")

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "Runs per measurement; the median is reported.")
    var runs = 5

    func run() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        var report = BenchReport(title: "zkvm bench primitives")
        benchField(&report)
        benchNTT(&report)
        benchHashing(&report)
        report.emit(json: json)
    }

    private func benchField(_ report: inout BenchReport) {
        var rng = SeededGenerator(seed: 1)
        let xs = (0..<1024).map { _ in Fp.random(using: &rng) }
        let n = 2_000_000
        // Each result feeds the next operation: this measures latency, the cost inside a dependent loop.
        report.add(
            "field_mul_ns", "field mul (Swift Montgomery kernel)", unit: "ns",
            median(runs) {
                var acc = xs[0]
                let t = Stopwatch()
                for i in 0..<n { acc = acc * xs[i & 1023] }
                blackHole(acc)
                return t.ns / Double(n)
            })
        let gmp = GMPMontgomeryMultiplier()
        report.add(
            "gmp_mpn_mul_ns", "field mul (GMP mpn Montgomery, reference)", unit: "ns",
            median(runs) {
                var acc = xs[0]
                let t = Stopwatch()
                for i in 0..<n { acc = gmp.multiply(acc, xs[i & 1023]) }
                blackHole(acc)
                return t.ns / Double(n)
            })
        report.add(
            "field_add_ns", "field add", unit: "ns",
            median(runs) {
                var acc = xs[0]
                let t = Stopwatch()
                for i in 0..<n { acc = acc + xs[i & 1023] }
                blackHole(acc)
                return t.ns / Double(n)
            })
        report.add(
            "field_inverse_us", "field inverse (GMP)", unit: "µs",
            median(runs) {
                var acc = xs[1]
                let t = Stopwatch()
                for i in 0..<20_000 { acc = (acc + xs[i & 1023]).inverse() }
                blackHole(acc)
                return t.ns / 20_000 / 1e3
            })
    }

    private func benchNTT(_ report: inout BenchReport) {
        var rng = SeededGenerator(seed: 2)
        let batch = Parallel.coreCount * 2
        for log in [16, 20] {
            let column = (0..<(1 << log)).map { _ in Fp.random(using: &rng) }
            var warm = column
            NTT.forward(&warm)
            let single = median(runs) {
                var v = column
                let t = Stopwatch()
                NTT.forward(&v)
                blackHole(v)
                return t.ms
            }
            let columns = (0..<batch).map { _ in (0..<(1 << log)).map { _ in Fp.random(using: &rng) } }
            let all = median(runs) {
                var v = columns
                let t = Stopwatch()
                NTT.forward(columns: &v)
                blackHole(v)
                return t.ms / Double(batch)
            }
            let oneColumnAll = median(runs) {
                var v = column
                let t = Stopwatch()
                NTT.forward(&v, parallel: true)
                blackHole(v)
                return t.ms
            }
            report.add("ntt_2_\(log)_ms_1t", "NTT 2^\(log), one thread", unit: "ms", single)
            report.add(
                "ntt_2_\(log)_ms_all", "NTT 2^\(log), batch of \(batch) on \(Parallel.coreCount) cores, per column",
                unit: "ms", all)
            report.add(
                "ntt_2_\(log)_ms_one_column_all", "NTT 2^\(log), one column split over all cores", unit: "ms",
                oneColumnAll)
            report.add(
                "ntt_2_\(log)_batch_speedup", "NTT 2^\(log) batch speed-up over one thread", unit: "×",
                single / all)
        }
    }

    private func benchHashing(_ report: inout BenchReport) {
        var left = Blake2b.hash([1])
        let right = Blake2b.hash([2])
        let nodes = 200_000
        report.add(
            "blake2b_node_ns", "BLAKE2b-256 of a 64-byte node (libsodium)", unit: "ns",
            median(runs) {
                let t = Stopwatch()
                for _ in 0..<nodes { left = MerkleTree.hashNode(left, right) }
                blackHole(left)
                return t.ns / Double(nodes)
            })
        var rng = SeededGenerator(seed: 3)
        let width = 8
        let rows = (0..<(width << 20)).map { _ in Fp.random(using: &rng) }
        report.add(
            "merkle_2_20_ms", "Merkle commitment, 2^20 salted leaves of 8 elements, all cores", unit: "ms",
            median(runs) {
                let t = Stopwatch()
                let tree = try! MerkleTree(rows: rows, width: width, salts: .random)
                blackHole(tree.root)
                return t.ms
            })
    }
}
