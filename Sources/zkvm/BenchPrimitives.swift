import ArgumentParser
import Field
import Foundation

struct BenchPrimitives: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "primitives",
        abstract: "Field, NTT, Merkle and BLAKE2b speeds (medians over several runs).")

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        var rng = SeededGenerator(seed: 1)
        let xs = (0..<1024).map { _ in Fp.random(using: &rng) }
        let mulNs = median(runs: 7) { () -> Double in
            var acc = xs[0]
            let n = 4_000_000
            let t = Clock.now
            for i in 0..<n { acc = acc * xs[i & 1023] }
            blackHole(acc)
            return t.elapsedNs / Double(n)
        }
        print("field_mul_ns", mulNs)
        benchNTT()
    }
}

@_optimize(none) func blackHole<T>(_ x: T) { _ = x }

func median(runs: Int, _ body: () -> Double) -> Double {
    let samples = (0..<runs).map { _ in body() }.sorted()
    return samples[runs / 2]
}

enum Clock {
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
}

extension UInt64 {
    var elapsedNs: Double { Double(DispatchTime.now().uptimeNanoseconds - self) }
}

func benchNTT() {
    var rng = SeededGenerator(seed: 2)
    for log in [16, 20] {
        let base = (0..<(1 << log)).map { _ in Fp.random(using: &rng) }
        var v = base
        NTT.forward(&v)
        let ms1 = median(runs: 3) { () -> Double in
            var v = base
            let t = Clock.now
            NTT.forward(&v)
            return t.elapsedNs / 1e6
        }
        let msP = median(runs: 3) { () -> Double in
            var v = base
            let t = Clock.now
            NTT.forward(&v, parallel: true)
            return t.elapsedNs / 1e6
        }
        print("ntt", log, ms1, msP)
    }
}
